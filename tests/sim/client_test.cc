// The simulated client's search for the leader, driven by hand: every request it sends and every
// timer it arms is recorded, and the test decides which answers and timeouts it gets.
#include "sim/client.h"

#include <gtest/gtest.h>

#include <vector>

namespace raftsim::sim {
namespace {

using Status = node::ClientReply::Status;

class ScriptedEnv final : public ClientEnv {
 public:
  SimTime now() const override { return now_; }
  void send_request(uint32_t, uint32_t node, const node::KvCommand& command) override {
    asked.push_back(node);
    last = command;
  }
  void set_client_timer(uint32_t, Duration delay, uint64_t token) override {
    timer = token;
    timer_delay = delay;
  }
  void client_event(const ClientOp&, uint32_t, bool) override {}

  void advance(Duration d) { now_ += d; }

  std::vector<uint32_t> asked;  // the node of every attempt, in order
  node::KvCommand last;
  uint64_t timer = 0;  // the latest armed timer's token
  Duration timer_delay{0};

 private:
  SimTime now_;
};

// A client of a five-node cluster that writes only, with one operation under way.
struct Harness {
  Harness() : client(1, writes_only(), 5, /*seed=*/3) {
    client.start(env);
    fire_timer();  // the first operation begins
  }

  static WorkloadModel writes_only() {
    WorkloadModel m;
    m.mix = {0, 1, 0, 0};
    m.attempt_timeout = Duration{300000};
    m.give_up = Duration{10000000};
    return m;
  }
  void fire_timer() {
    env.advance(env.timer_delay);
    client.on_timer(env, env.timer);
  }
  // The node last asked answers "not leader, ask `leader`".
  void redirect(uint32_t leader) {
    env.advance(Duration{1000});
    node::ClientReply r{1, env.last.seq, Status::kNotLeader, {}, raft::NodeId{leader}};
    r.from = raft::NodeId{env.asked.back()};
    client.on_reply(env, r);
  }
  void ok() {
    env.advance(Duration{1000});
    node::ClientReply r{1, env.last.seq, Status::kOk, {}, raft::NodeId{env.asked.back()}};
    r.from = raft::NodeId{env.asked.back()};
    client.on_reply(env, r);
  }

  ScriptedEnv env;
  SimClient client;
};

TEST(SimClient, ARedirectToALeaderWhoseLinkWasSlowOnceWinsOverItsTimeout) {
  Harness h;
  const uint32_t leader = h.env.asked.back();
  const uint32_t other = leader % 5 + 1;
  h.fire_timer();  // the leader's answer is held up: the attempt times out
  ASSERT_EQ(h.env.asked.back(), other) << "the client moves on round the ring";
  h.redirect(leader);  // "not leader, ask <the leader>"
  EXPECT_EQ(h.env.asked.back(), leader) << "the hint wins over the old timeout";
  h.ok();
  ASSERT_EQ(h.client.history().size(), 1u);
  EXPECT_TRUE(h.client.history()[0].known);
  EXPECT_EQ(h.client.history()[0].attempts, 3u);
}

TEST(SimClient, AStrandedLeaderAndItsBelieverCannotHoldTheClientBetweenThem) {
  Harness h;
  const uint32_t stranded = h.env.asked.back();
  h.fire_timer();
  const uint32_t believer = h.env.asked.back();
  h.redirect(stranded);
  ASSERT_EQ(h.env.asked.back(), stranded);
  h.fire_timer();  // it times out again: the ring goes on past the believer
  const uint32_t third = h.env.asked.back();
  EXPECT_NE(third, stranded);
  EXPECT_NE(third, believer);
  EXPECT_EQ(third, believer % 5 + 1);
  h.redirect(stranded);  // every node it asks may still believe in the old leader...
  h.fire_timer();
  EXPECT_EQ(h.env.asked.back(), third % 5 + 1) << "...and each timeout asks one more node";
}

// A removed leader steps down and answers "not leader, I do not know who is"; the server it had
// removed earlier hears from no one any more and still names it. Found by explore: with one
// client, every operation went back and forth between the two until it gave up, and the
// cluster looked stuck to the liveness check.
TEST(SimClient, AServerThatSaidItDoesNotLeadAndItsBelieverCannotHoldTheClientBetweenThem) {
  Harness h;
  const uint32_t deposed = h.env.asked.back();
  h.redirect(0);   // "not leader", no hint
  h.fire_timer();  // the short wait before asking the next node
  const uint32_t believer = h.env.asked.back();
  ASSERT_EQ(believer, deposed % 5 + 1);
  h.redirect(deposed);  // "not leader, ask <deposed>"
  ASSERT_EQ(h.env.asked.back(), deposed) << "a hint is still followed";
  h.redirect(0);
  h.fire_timer();
  const uint32_t third = h.env.asked.back();
  EXPECT_EQ(third, believer % 5 + 1) << "the ring goes on past the believer";
  h.redirect(third % 5 + 1);  // a node that knows the leader
  h.ok();
  ASSERT_EQ(h.client.history().size(), 1u);
  EXPECT_TRUE(h.client.history()[0].known);
}

TEST(SimClient, WithoutTimeoutsTheRingContinuesFromTheNodeAHintLedTo) {
  Harness h;
  const uint32_t first = h.env.asked.back();
  const uint32_t hinted = (first + 1) % 5 + 1;  // two places on
  h.redirect(hinted);
  ASSERT_EQ(h.env.asked.back(), hinted);
  h.env.advance(Duration{1000});
  node::ClientReply retry{1, h.env.last.seq, Status::kRetry, {}, {}};
  h.client.on_reply(h.env, retry);
  h.fire_timer();  // the backoff before asking elsewhere
  EXPECT_EQ(h.env.asked.back(), hinted % 5 + 1);
}

}  // namespace
}  // namespace raftsim::sim

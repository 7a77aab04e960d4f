// election_on_timeout: what a node does with one tick of its election timer, judged at the tick
// (tick_steps.cc). A correct core's slips cannot be made to order, so each test of a report
// brackets something else between on_tick and on_ticked, as a broken core's tick would do it.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "check/raft_invariants.h"
#include "raft/raft.h"
#include "three_cores.h"
#include "violations_text.h"

namespace raftsim::check {
namespace {

using raft::MessageType;
using raft::Role;

class TickStepsTest : public ThreeCores {
 protected:
  explicit TickStepsTest(bool pre_vote = false) {
    configure = [pre_vote](raft::Config& config) { config.options.pre_vote = pre_vote; };
    report_steps = true;
    inv.set_steps_reported(true);
  }

  // One tick of `id`'s core, reported as a host does; then what it has to say is delivered.
  void tick_node(raft::NodeId id) {
    inv.on_tick(core(id));
    core(id).tick();
    inv.on_ticked(tick(), core(id));
    settle();
  }

  // Ticks `id` until its election timer has one tick left.
  void tick_until_last(raft::NodeId id) {
    for (int i = 0; i < 1000 && core(id).election_ticks_left() > 1; ++i)
      tick_node(id);
    ASSERT_EQ(core(id).election_ticks_left(), 1);
  }

  // `id` campaigns when its timer runs out, and wins.
  void elect_on_timeout(raft::NodeId id) {
    tick_until_last(id);
    tick_node(id);
    ASSERT_EQ(core(id).role(), Role::kLeader);
  }

  // The checker reported one violation of election_on_timeout by `id`, and this is its text.
  void expect_only(raft::NodeId id, uint64_t term, const std::string& detail) {
    ASSERT_EQ(inv.violations().size(), 1u) << all(inv);
    const PropertyViolation& v = inv.violations()[0];
    EXPECT_EQ(v.property, kElectionOnTimeout);
    EXPECT_EQ(v.nodes, std::vector<raft::NodeId>{id});
    EXPECT_EQ(v.term, raft::Term{term});
    EXPECT_EQ(v.detail, detail);
  }
};

class PreVoteTickStepsTest : public TickStepsTest {
 protected:
  PreVoteTickStepsTest() : TickStepsTest(/*pre_vote=*/true) {}
};

// A follower's timer runs out, it campaigns and wins; a candidate cut off from everyone runs out
// of time and campaigns again; the followers' timers count down in between. Nothing reported.
TEST_F(TickStepsTest, ElectionsStartedOnTimeAreNotReported) {
  elect_on_timeout(n1);
  for (int i = 0; i < 5; ++i)
    tick_node(n2);  // counts down: n1's heartbeats are not ticked here
  lost_for = {n1, n2};
  tick_until_last(n3);
  tick_node(n3);
  ASSERT_EQ(core(n3).role(), Role::kCandidate);
  ASSERT_EQ(core(n3).term(), raft::Term{2});
  tick_until_last(n3);
  tick_node(n3);
  EXPECT_EQ(core(n3).role(), Role::kCandidate);
  EXPECT_EQ(core(n3).term(), raft::Term{3});
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

TEST_F(PreVoteTickStepsTest, APreCandidateOfItsOwnTermIsAnElectionStarted) {
  lost_for = {n2, n3};
  tick_until_last(n1);
  tick_node(n1);
  ASSERT_EQ(core(n1).role(), Role::kPreCandidate);
  ASSERT_EQ(core(n1).term(), raft::Term{0});
  tick_until_last(n1);
  tick_node(n1);  // and again, losing
  EXPECT_EQ(core(n1).role(), Role::kPreCandidate);
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

// A follower whose tick runs its timer out and does nothing else.
TEST_F(TickStepsTest, ATimeoutWithNoElectionIsReported) {
  elect_on_timeout(n1);
  tick_until_last(n2);
  const int timeout = core(n2).election_timeout();
  inv.on_tick(core(n2));
  inv.on_ticked(tick(), core(n2));  // a tick that did nothing
  expect_only(n2, 1,
              "n2, follower of term 1, saw its election timeout (" + std::to_string(timeout) +
                  " ticks) elapse and did not start an election, though it may (a voter of the "
                  "configuration it acts on); it is follower of term 1");
}

// A node that campaigns while its timer still runs.
TEST_F(TickStepsTest, AnElectionStartedEarlyIsReported) {
  elect_on_timeout(n1);
  tick_node(n2);
  const int left = core(n2).election_ticks_left();
  const int timeout = core(n2).election_timeout();
  ASSERT_GT(left, 1);
  inv.on_tick(core(n2));
  core(n2).campaign();
  inv.on_ticked(tick(), core(n2));
  ASSERT_EQ(inv.violations().size(), 1u) << all(inv);
  const std::string detail = inv.violations()[0].detail;
  EXPECT_EQ(detail.rfind("n2, follower of term 1, ticked with " + std::to_string(left) + " of " +
                             std::to_string(timeout) +
                             " ticks left on its election timer and did more than count one "
                             "down; it is candidate of term 2, ",
                         0),
            0u)
      << detail;
}

// An election started without restarting the timer: the tick that campaigns, and one more.
TEST_F(TickStepsTest, AnElectionThatLeavesTheTimerRunningIsReported) {
  tick_until_last(n1);
  const int before = core(n1).election_timeout();
  inv.on_tick(core(n1));
  core(n1).tick();
  core(n1).tick();
  inv.on_ticked(tick(), core(n1));
  const int timeout = core(n1).election_timeout();
  expect_only(n1, 0,
              "n1, follower of term 0, saw its election timeout (" + std::to_string(before) +
                  " ticks) elapse and did not restart its election timer (" +
                  std::to_string(timeout - 1) + " of " + std::to_string(timeout) + " ticks left)");
}

// Removes `id` from the configuration its leader acts on, as the leader asks: the change is
// appended and, unless held back, committed.
raft::ChangeResult remove_server(raft::Raft& leader, raft::NodeId id) {
  raft::ConfChange removal;
  removal.kind = raft::ConfChange::Kind::kRemove;
  removal.node = id;
  return leader.change(removal);
}

// Thesis §4.2.2: n1, a leader that removed itself while cut off, holds the only copy of its
// removal and may be needed: deposed, it campaigns when its timer runs out. A core that kept it
// quiet is reported, with the reason it may.
TEST_F(TickStepsTest, AServerWhoseRemovalIsUncommittedMustCampaign) {
  elect_on_timeout(n1);
  lost_for = {n2, n3};
  const raft::ChangeResult change = remove_server(core(n1), n1);
  ASSERT_TRUE(change.accepted());
  settle();
  ASSERT_FALSE(core(n1).configuration().is_member(n1));
  ASSERT_GT(core(n1).configuration_index(), core(n1).commit_index());
  raft::Message request;  // a newer term deposes it; n2's shorter log gets no vote
  request.type = MessageType::kVoteRequest;
  request.from = n2;
  request.to = n1;
  request.term = raft::Term{2};
  request.last_log_index = core(n2).log().last_index();
  request.last_log_term = core(n2).log().last_term();
  deliver(request);
  settle();
  ASSERT_EQ(core(n1).role(), Role::kFollower);
  tick_until_last(n1);
  const int timeout = core(n1).election_timeout();

  inv.on_tick(core(n1));
  inv.on_ticked(tick(), core(n1));  // a core that kept it quiet
  expect_only(n1, 2,
              "n1, follower of term 2, saw its election timeout (" + std::to_string(timeout) +
                  " ticks) elapse and did not start an election, though it may (removed by the "
                  "configuration at index " +
                  std::to_string(change.index.value) +
                  ", not yet committed, from one it was a voter of); it is follower of term 2");

  tick_node(n1);  // the core's own tick: it campaigns
  EXPECT_EQ(core(n1).role(), Role::kCandidate);
  EXPECT_EQ(inv.violations().size(), 1u) << all(inv);
  EXPECT_EQ(inv.suppressed(), 0u);
}

// A leader that removed itself steps down once the removal commits, and never campaigns again:
// its timer runs out and restarts, and that is not reported.
TEST_F(TickStepsTest, AServerRemovedForGoodRestartsItsTimerQuietly) {
  elect_on_timeout(n1);
  ASSERT_TRUE(remove_server(core(n1), n1).accepted());
  settle();
  ASSERT_EQ(core(n1).role(), Role::kFollower);
  ASSERT_LE(core(n1).configuration_index(), core(n1).commit_index());
  lost_for = {n2, n3};
  tick_until_last(n1);
  tick_node(n1);
  EXPECT_EQ(core(n1).role(), Role::kFollower);
  EXPECT_EQ(core(n1).election_ticks_left(), core(n1).election_timeout());
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

}  // namespace
}  // namespace raftsim::check

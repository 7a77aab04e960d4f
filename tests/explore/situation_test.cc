// What a delivered message meets at its receiver (explore/situation.h), and how a search weighs
// the situations its runs meet (Coverage::Gain::rarity).
#include "explore/situation.h"

#include <gtest/gtest.h>

#include <chrono>

#include "explore/coverage.h"
#include "sim/world.h"

namespace raftsim::explore {
namespace {

using namespace std::chrono_literals;

sim::WorldConfig three_nodes() {
  sim::WorldConfig config;
  config.node_names = {"n1", "n2", "n3"};
  return config;
}

// A world whose leader has committed its first entry on every node.
uint32_t settled_leader(sim::World& world) {
  world.run_until(sim::kTimeZero + 3s);
  for (uint32_t id = 1; id <= world.node_count(); ++id)
    if (world.node(id)->core().role() == raft::Role::kLeader) return id;
  ADD_FAILURE() << "no leader within 3 s";
  return 1;
}

raft::Message heartbeat(const sim::World& world, uint32_t leader, uint32_t to) {
  const raft::Raft& core = world.node(leader)->core();
  raft::Message m;
  m.type = raft::MessageType::kAppendEntries;
  m.from = raft::NodeId{leader};
  m.to = raft::NodeId{to};
  m.term = core.term();
  m.prev_log_index = core.log().last_index();
  m.prev_log_term = core.log().last_term();
  m.leader_commit = core.commit_index();
  return m;
}

TEST(Situation, AnAppendIsReadAgainstItsReceiversLog) {
  sim::World world(three_nodes());
  const uint32_t leader = settled_leader(world);
  const uint32_t follower = leader % 3 + 1;
  const raft::Message plain = heartbeat(world, leader, follower);
  ASSERT_GE(plain.prev_log_index.value, 1u);
  const uint32_t matched = delivery_situation(world, plain);
  EXPECT_NE(matched, 0u);

  raft::Message ahead = plain;  // anchored past the follower's log
  ahead.prev_log_index = plain.prev_log_index + 5;
  EXPECT_NE(delivery_situation(world, ahead), matched);

  raft::Message extends = plain;  // carries an entry the follower lacks
  extends.entries.push_back({plain.term, plain.prev_log_index.next(), raft::EntryType::kNoOp, {}});
  EXPECT_NE(delivery_situation(world, extends), matched);
  EXPECT_NE(delivery_situation(world, extends), delivery_situation(world, ahead));

  raft::Message older = plain;  // from a term the follower has left
  older.term = raft::Term{plain.term.value - 1};
  EXPECT_NE(delivery_situation(world, older), matched);
}

// An append that ends before the receiver's log does: whether the entries past it agree with the
// sender's log is the line between a harmless short message and a stale suffix nobody proved.
TEST(Situation, AStaleSuffixPastTheMessageIsToldFromAnAgreeingOne) {
  sim::World world(three_nodes());
  const uint32_t leader = settled_leader(world);
  const uint32_t follower = leader % 3 + 1;
  raft::Message shorter = heartbeat(world, leader, follower);
  shorter.prev_log_index = shorter.prev_log_index.prev();
  shorter.prev_log_term = world.node(leader)->core().log().term_at(shorter.prev_log_index);
  const uint32_t agreeing = delivery_situation(world, shorter);
  world.crash(leader);  // nothing left to agree with: the suffix is unproved
  EXPECT_NE(delivery_situation(world, shorter), agreeing);
  raft::Message to_the_down = shorter;
  to_the_down.from = raft::NodeId{follower};
  to_the_down.to = raft::NodeId{leader};
  EXPECT_EQ(delivery_situation(world, to_the_down), 0u);
}

// A stale message can name a leader commit index the receiver has since compacted: its terms are
// gone, and what it covers was committed, so it agrees with every leader.
TEST(Situation, ACommitIndexInsideTheReceiversSnapshotAgrees) {
  sim::WorldConfig config = three_nodes();
  config.snapshot_every = 2;
  sim::World world(config);
  world.start_clients();
  const uint32_t leader = settled_leader(world);
  const uint32_t follower = leader % 3 + 1;
  const raft::Log& log = world.node(follower)->core().log();
  ASSERT_GE(log.snapshot_index().value, 3u) << "the workload committed too little to compact";
  raft::Message old = heartbeat(world, leader, follower);
  old.prev_log_index = raft::Index{0};
  old.prev_log_term = raft::Term{0};
  world.crash(leader);  // the follower's last entry is now the sender's no longer
  old.leader_commit = log.snapshot_index().prev();
  const uint32_t inside = delivery_situation(world, old);
  old.leader_commit = log.last_index();
  EXPECT_NE(delivery_situation(world, old), inside);
}

TEST(Situation, AVoteRequestIsReadAgainstTheVotersLogAndVote) {
  sim::World world(three_nodes());
  raft::Message request;
  request.type = raft::MessageType::kVoteRequest;
  request.from = raft::NodeId{1};
  request.to = raft::NodeId{2};
  request.term = raft::Term{1};
  const uint32_t even = delivery_situation(world, request);
  request.last_log_term = raft::Term{1};
  request.last_log_index = raft::Index{1};
  EXPECT_NE(delivery_situation(world, request), even);
}

TEST(Coverage, ASituationIsWorthLessWithEveryRunThatMeetsIt) {
  Coverage coverage;
  const uint64_t situation = (0x1234ULL << 2) | static_cast<uint64_t>(KeyKind::kSituation);
  const uint64_t state = 0x5678ULL << 2;
  Coverage::Gain first = coverage.add({situation, state});
  EXPECT_EQ(first.situations, 1u);
  EXPECT_EQ(first.states, 1u);
  EXPECT_DOUBLE_EQ(first.rarity, 1.0);
  Coverage::Gain second = coverage.add({situation, state});
  EXPECT_EQ(second.total(), 0u);
  EXPECT_DOUBLE_EQ(second.rarity, 0.5);
  EXPECT_EQ(coverage.situations(), 1u);
  EXPECT_EQ(coverage.states(), 1u);
}

}  // namespace
}  // namespace raftsim::explore

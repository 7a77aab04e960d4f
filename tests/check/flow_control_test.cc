// flow_control: a leader sends one follower at most max_appends_per_round AppendEntries with
// entries and InstallSnapshots in one heartbeat round, judged at each send (send_budget.cc).
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "check/raft_invariants.h"
#include "raft/message.h"
#include "violations_text.h"

namespace raftsim::check {
namespace {

using raft::MessageType;
using raft::NodeId;

const std::vector<NodeId> kNodes = {NodeId{1}, NodeId{2}, NodeId{3}};

raft::Message sent(MessageType type, uint32_t to, uint64_t term, uint64_t round,
                   size_t entries = 0) {
  raft::Message m;
  m.type = type;
  m.from = NodeId{1};
  m.to = NodeId{to};
  m.term = raft::Term{term};
  m.round = round;
  for (size_t i = 0; i < entries; ++i)
    m.entries.push_back({raft::Term{term}, raft::Index{i + 1}, raft::EntryType::kCommand, "x"});
  if (type == MessageType::kInstallSnapshot) m.snapshot = std::make_shared<const raft::Snapshot>();
  return m;
}

raft::Message append(uint32_t to, uint64_t term, uint64_t round) {
  return sent(MessageType::kAppendEntries, to, term, round, 1);
}

TEST(FlowControl, SendsWithinTheBudgetHold) {
  RaftInvariants inv(kNodes);
  inv.set_send_budget(2);
  for (uint64_t round = 1; round <= 3; ++round) {
    inv.on_send(0, NodeId{1}, append(2, 1, round));
    inv.on_send(0, NodeId{1}, append(2, 1, round));
    inv.on_send(0, NodeId{1}, append(3, 1, round));  // another follower's budget is its own
    inv.on_send(0, NodeId{1}, append(3, 1, round));
    // Heartbeats, their answers and votes spend nothing.
    for (int i = 0; i < 5; ++i) {
      inv.on_send(0, NodeId{1}, sent(MessageType::kAppendEntries, 2, 1, round));
      inv.on_send(0, NodeId{2}, sent(MessageType::kAppendResponse, 1, 1, round));
      inv.on_send(0, NodeId{1}, sent(MessageType::kVoteRequest, 2, 1, round));
    }
  }
  inv.on_send(0, NodeId{1}, append(2, 2, 3));  // a new term's rounds start over
  inv.on_send(0, NodeId{1}, append(2, 2, 3));
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

TEST(FlowControl, AnAppendPastTheBudgetIsReportedOncePerTerm) {
  RaftInvariants inv(kNodes);
  inv.set_node_names({"a", "b", "c"});
  inv.set_send_budget(2);
  for (int i = 0; i < 5; ++i)
    inv.on_send(1500000, NodeId{1}, append(2, 4, 9));
  ASSERT_EQ(inv.violations().size(), 1u) << all(inv);
  const PropertyViolation& v = inv.violations()[0];
  EXPECT_EQ(v.property, kFlowControl);
  EXPECT_EQ(v.nodes, (std::vector<NodeId>{NodeId{1}, NodeId{2}}));
  EXPECT_EQ(v.term, raft::Term{4});
  EXPECT_EQ(v.detail,
            "a, leader of term 4, sent b 3 AppendEntries with entries and InstallSnapshots in "
            "heartbeat round 9, past its budget of 2 a round (max_appends_per_round)");
  EXPECT_EQ(inv.suppressed(), 2u);
  for (int i = 0; i < 3; ++i)
    inv.on_send(1600000, NodeId{1}, append(2, 4, 10));
  EXPECT_EQ(inv.violations().size(), 1u) << "the same leader, follower and term";
  EXPECT_EQ(inv.suppressed(), 3u);
  for (int i = 0; i < 3; ++i)
    inv.on_send(1700000, NodeId{1}, append(3, 4, 10));
  EXPECT_EQ(inv.violations().size(), 2u) << "another follower";
}

TEST(FlowControl, ASnapshotSpendsTheBudgetAsAnAppendDoes) {
  RaftInvariants inv(kNodes);
  inv.set_send_budget(1);
  inv.on_send(0, NodeId{1}, sent(MessageType::kInstallSnapshot, 3, 2, 5));
  EXPECT_TRUE(inv.violations().empty());
  inv.on_send(0, NodeId{1}, append(3, 2, 5));
  ASSERT_EQ(inv.violations().size(), 1u);
  EXPECT_EQ(inv.violations()[0].property, kFlowControl);
}

TEST(FlowControl, ABudgetOfZeroIsOne) {
  RaftInvariants inv(kNodes);
  inv.set_send_budget(0);  // as raft::Config reads it
  inv.on_send(0, NodeId{1}, append(2, 1, 1));
  EXPECT_TRUE(inv.violations().empty());
  inv.on_send(0, NodeId{1}, append(2, 1, 1));
  EXPECT_EQ(inv.violations().size(), 1u);
}

TEST(FlowControl, WithoutABudgetSendsAreNotJudged) {
  RaftInvariants inv(kNodes);  // a host whose nodes keep no budget of raftsim's
  for (int i = 0; i < 1000; ++i)
    inv.on_send(0, NodeId{1}, append(2, 1, 1));
  EXPECT_TRUE(inv.violations().empty());
}

TEST(FlowControl, ARestartedSenderStartsItsCountsOver) {
  RaftInvariants inv(kNodes);
  inv.set_send_budget(1);
  inv.on_send(0, NodeId{1}, append(2, 3, 0));
  inv.on_restart(10, NodeId{1});
  inv.on_send(20, NodeId{1}, append(2, 3, 0));
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

}  // namespace
}  // namespace raftsim::check

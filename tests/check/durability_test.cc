// Durability: an acknowledged write must be in the final committed log.
#include "check/durability.h"

#include <gtest/gtest.h>

#include <span>
#include <string>
#include <vector>

namespace raftsim::check {
namespace {

AckedWrite acked(uint64_t client, uint64_t seq, std::string key, raft::NodeId node = {}) {
  return AckedWrite{client, seq, "put", std::move(key), node, /*acked_at=*/2'000'000, "v"};
}

TEST(DurabilityTest, EveryAckedWriteCommittedPasses) {
  std::vector<AckedWrite> acks{acked(1, 1, "x"), acked(1, 2, "y"), acked(2, 1, "x")};
  // Order does not matter, a retried request may be committed twice, and unacknowledged
  // commands (here client 3's) are allowed.
  std::vector<CommittedCommand> log{{2, 1}, {1, 1}, {3, 1}, {1, 2}, {1, 2}};
  EXPECT_TRUE(check_durability(acks, log).empty());
}

TEST(DurabilityTest, AckedWriteMissingFromCommittedLogIsReported) {
  std::vector<AckedWrite> acks{acked(1, 1, "x"), acked(1, 2, "y", raft::NodeId{3}),
                               acked(2, 1, "z")};
  std::vector<CommittedCommand> log{{1, 1}, {2, 1}};
  std::vector<PropertyViolation> missing = check_durability(acks, log, /*end=*/9'000'000,
                                                            /*seed=*/42);
  ASSERT_EQ(missing.size(), 1u);
  const PropertyViolation& v = missing[0];
  EXPECT_EQ(v.property, "durability");
  EXPECT_EQ(v.nodes, (std::vector<raft::NodeId>{raft::NodeId{3}}));
  EXPECT_EQ(v.time, 9'000'000);
  EXPECT_EQ(v.seed, 42u);
  EXPECT_EQ(v.detail,
            "client 1 seq 2 (put y \"v\"), acknowledged by n3 at 2.000000s, is not in the "
            "committed log");
}

// The report says who acknowledged the write, when, and as which log entry, so the entry can be
// followed through the trace; the violation's term and index are that entry's.
TEST(DurabilityTest, ReportNamesTheAckingNodeTheEntryAndTheTime) {
  AckedWrite w{7, 12, "append", "k1", raft::NodeId{2}, /*acked_at=*/987'654, "7.c;"};
  w.index = raft::Index{41};
  w.term = raft::Term{3};
  const std::vector<std::string> names{"a", "b", "c"};
  std::vector<PropertyViolation> missing =
      check_durability(std::span(&w, 1), {}, /*end=*/4'000'000, /*seed=*/9, names);
  ASSERT_EQ(missing.size(), 1u);
  const PropertyViolation& v = missing[0];
  EXPECT_EQ(v.nodes, (std::vector<raft::NodeId>{raft::NodeId{2}}));
  EXPECT_EQ(v.index, raft::Index{41});
  EXPECT_EQ(v.term, raft::Term{3});
  EXPECT_EQ(v.time, 4'000'000);
  EXPECT_EQ(v.seed, 9u);
  EXPECT_EQ(v.detail,
            "client 7 seq 12 (append k1 \"7.c;\"), acknowledged by b at 0.987654s as (index 41, "
            "term 3), is not in the committed log");
  EXPECT_EQ(to_string(v, names),
            "durability at 4.000000s (seed 9), term 3, index 41, nodes b: " + v.detail);
}

TEST(DurabilityTest, MissingWritesAreReportedInAckOrder) {
  std::vector<AckedWrite> acks{acked(5, 2, "b"), acked(4, 1, "a"), acked(5, 1, "c")};
  std::vector<PropertyViolation> missing = check_durability(acks, {});
  ASSERT_EQ(missing.size(), 3u);
  EXPECT_NE(missing[0].detail.find("client 5 seq 2"), std::string::npos);
  EXPECT_NE(missing[1].detail.find("client 4 seq 1"), std::string::npos);
  EXPECT_NE(missing[2].detail.find("client 5 seq 1"), std::string::npos);
  EXPECT_TRUE(missing[1].nodes.empty());
}

TEST(DurabilityTest, SameSeqOfAnotherClientDoesNotCount) {
  std::vector<AckedWrite> acks{acked(1, 7, "x")};
  std::vector<CommittedCommand> log{{2, 7}};
  EXPECT_EQ(check_durability(acks, log).size(), 1u);
}

// The disks of a three-node cluster whose committed log (as read from a running node) reaches
// index 40; each node's log holds the given (client, seq) commands.
DurableLogs three_disks(std::vector<std::vector<CommittedCommand>> logs) {
  DurableLogs disks;
  disks.committed_through = raft::Index{40};
  for (auto& commands : logs)
    disks.nodes.push_back({std::move(commands), {}});
  return disks;
}

AckedWrite acked_as(uint64_t client, uint64_t seq, uint64_t index) {
  AckedWrite w = acked(client, seq, "x", raft::NodeId{1});
  w.index = raft::Index{index};
  w.term = raft::Term{2};
  return w;
}

// A stuck cluster: the leader acknowledged index 45 and crashed before anyone else learnt it was
// committed. Two of three disks hold it, so every future leader will: nothing is lost.
TEST(DurabilityTest, AWritePastTheCommittedLogOnAMajorityOfDisksIsNotLost) {
  const std::vector<AckedWrite> acks{acked_as(1, 5, 45)};
  const DurableLogs disks = three_disks({{{1, 5}}, {{1, 4}, {1, 5}}, {{1, 4}}});
  EXPECT_EQ(lost_writes(acks, {}, &disks), (std::vector<size_t>{}));
  EXPECT_EQ(lost_writes(acks, {}), (std::vector<size_t>{0})) << "the committed log alone";
}

TEST(DurabilityTest, AWriteOnAMinorityOfDisksIsLost) {
  const std::vector<AckedWrite> acks{acked_as(1, 5, 45)};
  const DurableLogs disks = three_disks({{{1, 5}}, {{1, 4}}, {}});
  ASSERT_EQ(lost_writes(acks, {}, &disks), (std::vector<size_t>{0}));
  EXPECT_EQ(
      durability_violation(acks[0], 9'000'000, 1, {}, &disks).detail,
      "client 1 seq 5 (put x \"v\"), acknowledged by n1 at 2.000000s as (index 45, term 2), is "
      "not in the committed log, and only 1 of 3 nodes hold it durably");
}

// Index 30 is inside the committed log, which holds another command there: the acknowledged entry
// was overwritten, and stale copies on the disks do not bring it back.
TEST(DurabilityTest, AnOverwrittenWriteIsLostWhateverTheDisksHold) {
  const std::vector<AckedWrite> acks{acked_as(1, 5, 30)};
  const DurableLogs disks = three_disks({{{1, 5}}, {{1, 5}}, {{1, 5}}});
  ASSERT_EQ(lost_writes(acks, std::vector<CommittedCommand>{{2, 9}}, &disks),
            (std::vector<size_t>{0}));
  EXPECT_EQ(
      durability_violation(acks[0], 9'000'000, 1, {}, &disks).detail,
      "client 1 seq 5 (put x \"v\"), acknowledged by n1 at 2.000000s as (index 30, term 2), is "
      "not in the committed log, which reaches index 40 without it");
}

// A node that compacted the entry into its snapshot holds it through its client's session.
TEST(DurabilityTest, ASnapshotSessionPastTheSeqHoldsTheWrite) {
  const std::vector<AckedWrite> acks{acked_as(1, 5, 45)};
  DurableLogs disks = three_disks({{}, {{1, 5}}, {}});
  EXPECT_EQ(lost_writes(acks, {}, &disks).size(), 1u);
  disks.nodes[0].sessions = {{2, 9}, {1, 7}};
  EXPECT_EQ(nodes_holding(acks[0], disks), 2u);
  EXPECT_TRUE(lost_writes(acks, {}, &disks).empty());
  disks.nodes[0].sessions = {{1, 4}};
  EXPECT_EQ(nodes_holding(acks[0], disks), 1u);
}

}  // namespace
}  // namespace raftsim::check

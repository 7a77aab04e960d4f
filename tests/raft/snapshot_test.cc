// §7 of the Raft paper: log compaction and InstallSnapshot. A node compacts what it has applied
// into a snapshot; a leader whose log no longer holds what a follower needs sends its snapshot;
// a follower installs it in place of a log that lacks or contradicts it, and keeps a log that
// already holds it; a restart begins at the snapshot.
#include <gtest/gtest.h>

#include "cluster.h"
#include "single.h"

namespace raftsim::test {
namespace {

using raft::MessageType;
using raft::Raft;
using raft::Role;

std::shared_ptr<const raft::Snapshot> snapshot_at(uint64_t index, uint64_t term,
                                                  std::string data = "image") {
  return std::make_shared<const raft::Snapshot>(
      raft::Snapshot{Index{index}, Term{term}, std::move(data)});
}

Message install(uint32_t from, uint32_t to, uint64_t term,
                std::shared_ptr<const raft::Snapshot> snapshot) {
  Message m;
  m.type = MessageType::kInstallSnapshot;
  m.from = NodeId{from};
  m.to = NodeId{to};
  m.term = Term{term};
  m.snapshot = std::move(snapshot);
  return m;
}

// Delivers everything, then heartbeats until `follower` has learned n1's commit index.
void settle(Cluster& c, NodeId follower = NodeId{2}) {
  c.stabilize();
  for (int i = 0; i < 20 && c.core(follower).commit_index() < c.core(NodeId{1}).commit_index();
       ++i) {
    c.tick(NodeId{1});
    c.stabilize();
  }
}

// n1 leads a 3-node cluster and commits `count` entries while n3 is cut off.
Cluster leader_ahead_of_n3(size_t count) {
  Cluster c(3);
  c.campaign(NodeId{1});
  c.stabilize();
  c.isolate(NodeId{3});
  for (size_t i = 0; i < count; ++i)
    c.propose(NodeId{1}, "w" + std::to_string(i));
  settle(c);
  return c;
}

TEST(Sec7, CompactionDropsTheAppliedPrefixAndKeepsItsLastTerm) {
  Cluster c = leader_ahead_of_n3(10);
  const raft::Log& log = c.core(NodeId{1}).log();
  ASSERT_EQ(c.core(NodeId{1}).commit_index(), Index{11});  // the no-op and ten writes
  c.compact(NodeId{1});
  EXPECT_EQ(log.snapshot_index(), Index{11});
  EXPECT_EQ(log.snapshot_term(), Term{1});
  EXPECT_EQ(log.last_index(), Index{11});
  EXPECT_EQ(log.last_term(), Term{1});
  EXPECT_FALSE(log.contains(Index{11}));
  ASSERT_TRUE(c.core(NodeId{1}).snapshot());
  EXPECT_EQ(c.core(NodeId{1}).snapshot()->index, Index{11});
}

TEST(Sec7, CompactionPastWhatWasAppliedOrStoredIsRefused) {
  Raft r(config_for(1, 1));
  r.campaign();
  take(r);  // leader of term 1, its no-op durable and committed
  take(r);
  r.propose("a");
  raft::Ready rd = r.ready();  // handed out, not yet durable or applied
  r.compact(raft::Snapshot{Index{2}, Term{1}, "image"});
  EXPECT_EQ(r.log().snapshot_index(), Index{0});
  r.advance(rd);
  take(r);  // now applied
  r.compact(raft::Snapshot{Index{2}, Term{2}, "wrong term"});
  EXPECT_EQ(r.log().snapshot_index(), Index{0});
  r.compact(raft::Snapshot{Index{2}, Term{1}, "image"});
  EXPECT_EQ(r.log().snapshot_index(), Index{2});
}

TEST(Sec7, LeaderSendsItsSnapshotToAFollowerThatNeedsCompactedEntries) {
  Cluster c = leader_ahead_of_n3(10);
  c.compact(NodeId{1});
  c.heal();
  settle(c, NodeId{3});  // a heartbeat probes n3, which answers how far behind it is
  const raft::Raft& n3 = c.core(NodeId{3});
  EXPECT_EQ(n3.log().snapshot_index(), Index{11});
  EXPECT_EQ(n3.commit_index(), Index{11});
  EXPECT_EQ(c.applied(NodeId{3}), c.applied(NodeId{1}));
  bool snapshot_sent = false;
  for (const Message& m : c.sent(NodeId{1}))
    snapshot_sent |= m.type == MessageType::kInstallSnapshot && m.to == NodeId{3};
  EXPECT_TRUE(snapshot_sent);

  // Replication goes on from the snapshot.
  c.propose(NodeId{1}, "after");
  settle(c, NodeId{3});
  EXPECT_EQ(c.core(NodeId{3}).log().last_index(), Index{12});
  EXPECT_EQ(c.applied(NodeId{3}).back().command, "after");
}

TEST(Sec7, FollowerDiscardsALogThatContradictsTheSnapshot) {
  Raft r(config_for(2, 3), raft::Restored{{Term{1}, NodeId{}, Index{1}}, log_of_terms({1, 1, 1})});
  r.step(install(1, 2, 3, snapshot_at(5, 2)));
  const raft::Ready rd = take(r);
  ASSERT_TRUE(rd.snapshot);
  EXPECT_EQ(rd.snapshot->index, Index{5});
  EXPECT_TRUE(rd.must_sync);
  EXPECT_TRUE(rd.committed.empty());  // the snapshot stands for entries 1..5
  EXPECT_EQ(r.log().snapshot_index(), Index{5});
  EXPECT_EQ(r.log().last_index(), Index{5});
  EXPECT_EQ(r.commit_index(), Index{5});
  const auto acks = of_type(rd.after_persist, MessageType::kAppendResponse);
  ASSERT_EQ(acks.size(), 1u);  // acknowledged only once the snapshot is durable
  EXPECT_FALSE(acks[0].reject);
  EXPECT_EQ(acks[0].match_index, Index{5});
}

TEST(Sec7, FollowerThatHoldsTheSnapshotsLastEntryKeepsItsLog) {
  // §7: "If the follower has an entry with the same index and term as the snapshot's last
  // included entry, it retains the entries following it."
  Raft r(config_for(2, 3),
         raft::Restored{{Term{2}, NodeId{}, Index{1}}, log_of_terms({1, 2, 2, 2})});
  r.step(install(1, 2, 2, snapshot_at(3, 2)));
  const raft::Ready rd = take(r);
  EXPECT_FALSE(rd.snapshot);
  EXPECT_EQ(r.log().last_index(), Index{4});
  EXPECT_EQ(r.commit_index(), Index{3});
  ASSERT_EQ(rd.committed.size(), 3u);  // entries 1..3 applied from its own log
  EXPECT_EQ(rd.committed.back().index, Index{3});
}

TEST(Sec7, AStaleSnapshotChangesNothing) {
  Raft r(config_for(2, 3),
         raft::Restored{{Term{2}, NodeId{}, Index{4}}, log_of_terms({1, 2, 2, 2})});
  take(r);
  r.step(install(1, 2, 2, snapshot_at(3, 2)));
  const raft::Ready rd = take(r);
  EXPECT_FALSE(rd.snapshot);
  EXPECT_EQ(r.log().last_index(), Index{4});
  const auto acks = of_type(rd.after_persist, MessageType::kAppendResponse);
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].match_index, Index{4});
}

TEST(Sec7, AStaleLeadersSnapshotIsAnsweredWithTheNewerTerm) {
  Raft r(config_for(2, 3), raft::Restored{{Term{5}, NodeId{}, Index{0}}, {}});
  r.step(install(1, 2, 3, snapshot_at(3, 2)));
  const raft::Ready rd = take(r);
  EXPECT_FALSE(rd.snapshot);
  const auto answers = all_messages(rd);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_TRUE(answers[0].reject);
  EXPECT_EQ(answers[0].term, Term{5});
}

TEST(Sec7, ImpossibleSnapshotsAreRefusedAndCounted) {
  Raft r(config_for(2, 3));
  r.step(install(1, 2, 3, nullptr));
  r.step(install(1, 2, 3, snapshot_at(0, 0)));
  r.step(install(1, 2, 3, snapshot_at(4, 0)));
  r.step(install(1, 2, 3, snapshot_at(4, 7)));  // an entry of a term beyond the sender's
  EXPECT_EQ(r.rejections(raft::Rejection::kImpossibleLog), 4u);
  // Installed, the log would end where the next entry's index wraps to 0.
  r.step(install(1, 2, 3, snapshot_at(UINT64_MAX, 2)));
  EXPECT_EQ(r.rejections(raft::Rejection::kOutOfRange), 1u);
  EXPECT_EQ(r.term(), Term{0});
  EXPECT_EQ(r.log().snapshot_index(), Index{0});
}

TEST(Sec7, RestartBeginsAtTheSnapshotAndAppliesOnlyWhatFollows) {
  Cluster c = leader_ahead_of_n3(10);
  c.compact(NodeId{2});
  c.propose(NodeId{1}, "late");
  settle(c);
  const std::vector<Entry> before = c.applied(NodeId{2});
  c.restart(NodeId{2});
  const raft::Raft& n2 = c.core(NodeId{2});
  EXPECT_EQ(n2.log().snapshot_index(), Index{11});
  EXPECT_EQ(n2.log().last_index(), Index{12});
  // The restored state machine plus the one entry re-applied after it.
  EXPECT_EQ(c.applied(NodeId{2}), before);
}

TEST(Sec7, AFollowerBehindTheSnapshotIsProbedAgainWhenTheSnapshotIsLost) {
  Cluster c = leader_ahead_of_n3(10);
  c.compact(NodeId{1});
  c.heal();
  int dropped = 0;
  c.intercept = [&](Message& m) {
    if (m.type != MessageType::kInstallSnapshot || dropped > 0) return true;
    ++dropped;
    return false;
  };
  for (int i = 0; i < 3 && c.core(NodeId{3}).log().snapshot_index() == Index{0}; ++i) {
    c.tick(NodeId{1});
    c.stabilize();
  }
  EXPECT_EQ(dropped, 1);
  EXPECT_EQ(c.core(NodeId{3}).log().snapshot_index(), Index{11});
}

}  // namespace
}  // namespace raftsim::test

// commit_quorum: a leader commits an entry only once a quorum of its configuration holds it on
// disk, as the hosts reported their syncs. Three real cores trade messages by hand here; the
// checker hears of every sync except those of the hosts a test names, which stand for hosts that
// acknowledge before their disk holds what they acknowledge.
#include <gtest/gtest.h>

#include <deque>
#include <set>
#include <string>
#include <vector>

#include "check/disk_view.h"
#include "check/raft_invariants.h"
#include "raft/raft.h"
#include "three_cores.h"
#include "violations_text.h"

namespace raftsim::check::commit_quorum {
namespace {

using raft::Entry;
using raft::EntryType;
using raft::Index;
using raft::NodeId;
using raft::Term;

constexpr NodeId n1{1}, n2{2}, n3{3};

Entry entry(uint64_t term, uint64_t index) {
  return Entry{Term{term}, Index{index}, EntryType::kCommand, "x"};
}

TEST(DiskView, HoldsWhatWasSyncedUntilAWriteCutsItAway) {
  DiskView disks;
  const std::vector<Entry> first{entry(1, 1), entry(1, 2), entry(2, 3)};
  disks.synced(n1, Index{}, first);
  EXPECT_TRUE(disks.holds(n1, Index{2}, Term{1}));
  EXPECT_TRUE(disks.holds(n1, Index{3}, Term{2}));
  EXPECT_FALSE(disks.holds(n1, Index{3}, Term{1}));  // another term at that index
  EXPECT_FALSE(disks.holds(n1, Index{4}, Term{2}));  // past the end
  EXPECT_FALSE(disks.holds(n2, Index{1}, Term{1}));  // nothing synced there

  const std::vector<Entry> overwrite{entry(3, 2)};  // a later leader's entry at index 2
  disks.synced(n1, Index{}, overwrite);
  EXPECT_TRUE(disks.holds(n1, Index{1}, Term{1}));
  EXPECT_FALSE(disks.holds(n1, Index{2}, Term{1}));
  EXPECT_TRUE(disks.holds(n1, Index{2}, Term{3}));
  EXPECT_FALSE(disks.holds(n1, Index{3}, Term{2}));  // cut away with the rest of the suffix
}

// A wiped server refilled from index 1 holds only what it was sent again; syncs completing out
// of order (the planted ack_before_persist host) leave a gap the view does not count.
TEST(DiskView, ADiskThatStartsOverOrSkipsAheadHoldsOnlyWhatItWasToldOf) {
  DiskView disks;
  const std::vector<Entry> old{entry(1, 3), entry(1, 4)};
  disks.synced(n1, Index{2}, old);
  const std::vector<Entry> again{entry(2, 1)};
  disks.synced(n1, Index{}, again);
  EXPECT_TRUE(disks.holds(n1, Index{1}, Term{2}));
  EXPECT_FALSE(disks.holds(n1, Index{2}, Term{1}));  // the old snapshot point is gone
  EXPECT_FALSE(disks.holds(n1, Index{3}, Term{1}));
  const std::vector<Entry> ahead{entry(2, 4), entry(2, 5)};
  disks.synced(n1, Index{}, ahead);
  EXPECT_FALSE(disks.holds(n1, Index{2}, Term{2}));
  EXPECT_FALSE(disks.holds(n1, Index{3}, Term{2}));
  EXPECT_TRUE(disks.holds(n1, Index{5}, Term{2}));
}

TEST(DiskView, ALeadersSnapshotReplacesTheLogAndCoversWhatItCompacted) {
  DiskView disks;
  const std::vector<Entry> old{entry(1, 1), entry(1, 2), entry(1, 3), entry(1, 4)};
  disks.synced(n2, Index{}, old);
  const std::vector<Entry> after{entry(2, 3)};
  disks.synced(n2, Index{2}, after);  // a snapshot through 2, then a new entry at 3
  EXPECT_TRUE(disks.holds(n2, Index{1}, Term{1}));
  EXPECT_TRUE(disks.holds(n2, Index{3}, Term{2}));
  EXPECT_FALSE(disks.holds(n2, Index{4}, Term{1}));
}

class CommitQuorumTest : public ThreeCores {
 protected:
  void SetUp() override {
    ThreeCores::SetUp();
    inv.set_syncs_reported(true);
  }
};

TEST_F(CommitQuorumTest, ALeaderThatCommitsWhatAMajorityHoldsOnDiskBreaksNothing) {
  core(n1).campaign();
  settle();
  ASSERT_EQ(core(n1).role(), raft::Role::kLeader);
  core(n1).propose("a");
  settle();
  EXPECT_EQ(core(n1).commit_index(), Index{2});
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

// n2 and n3 acknowledge entries their disks do not hold yet (the checker never hears of their
// syncs): n1 commits its no-op on a quorum of acknowledgements and one disk.
TEST_F(CommitQuorumTest, ALeaderThatCountsAcknowledgementsNoDiskBacksIsCaught) {
  unreported = {n2, n3};
  core(n1).campaign();
  settle();
  ASSERT_EQ(core(n1).commit_index(), Index{1});
  ASSERT_EQ(inv.violations().size(), 1u) << all(inv);
  const PropertyViolation& v = inv.violations()[0];
  EXPECT_EQ(v.property, kCommitQuorum);
  EXPECT_EQ(v.index, Index{1});
  EXPECT_EQ(v.detail,
            "n1, leader of term 1, committed (index 1, term 1) while only {n1} held it on disk, "
            "no majority of voters {n1 n2 n3}");
}

// One unreported follower is one the quorum can do without.
TEST_F(CommitQuorumTest, OneFollowerShortOfItsDiskStillLeavesAQuorum) {
  unreported = {n3};
  core(n1).campaign();
  settle();
  ASSERT_EQ(core(n1).commit_index(), Index{1});
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

// A disk that loses what it synced is a fault outside Raft's model, not a miscount: n2 and n3
// sync entry 2 and acknowledge it, lose their disks before n1 hears, and n1 then counts the
// acknowledgements. What that costs is for durability to report; commit_quorum stays silent.
TEST_F(CommitQuorumTest, AWipedDiskIsNotTheLeadersMiscount) {
  core(n1).campaign();
  settle();
  ASSERT_EQ(core(n1).commit_index(), Index{1});
  held_for = {n1};  // the acknowledgements wait on the wire
  core(n1).propose("a");
  settle();
  ASSERT_EQ(core(n1).commit_index(), Index{1});
  for (NodeId id : {n2, n3}) {
    ASSERT_EQ(core(id).log().last_index(), Index{2});
    inv.on_restart(tick(), id, /*disk_lost=*/true);
    raft::Config config;
    config.id = id;
    config.voters = kCluster;
    core(id) = raft::Raft(config, raft::Restored{});
    inv.on_state(tick(), core(id));
  }
  held_for.clear();
  settle();
  ASSERT_EQ(core(n1).commit_index(), Index{2});
  for (const PropertyViolation& v : inv.violations())
    EXPECT_NE(v.property, kCommitQuorum) << all(inv);
}

TEST_F(CommitQuorumTest, WithoutSyncReportsNothingIsJudged) {
  inv.set_syncs_reported(false);
  unreported = {n2, n3};
  core(n1).campaign();
  settle();
  ASSERT_EQ(core(n1).commit_index(), Index{1});
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

}  // namespace
}  // namespace raftsim::check::commit_quorum

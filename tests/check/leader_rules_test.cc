// Two rules a leader keeps whatever else happens, judged where they break:
//   commit_current_term  a leader commits by counting replicas only an entry of its own term
//                        (§5.4.2); counting an earlier term's entry is Figure 8's loss
//   leader_append_only   a leader never overwrites or deletes entries of its log (Figure 3)
//   leader_is_voter      only a voter leads or stands for election: a leader whose removal has
//                        committed steps down (§4.2.2)
//   configuration_safety a leader changes the configuration only once an entry of its own term
//                        has committed (thesis §4.1, as corrected in 2015)
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "check/raft_invariants.h"
#include "raft/raft.h"
#include "three_cores.h"
#include "violations_text.h"

namespace raftsim::check::leader_rules {
namespace {

using raft::Index;
using raft::Role;

// n1 leads term 1 and appends entry 2, which reaches nobody. n2 campaigns for term 2 and reaches
// only n1, which steps down and refuses it (its log is longer). n1 then wins term 3 with n3's
// vote, and appends its no-op at 3. One entry per AppendEntries: n3 acknowledges entry 2 (term 1)
// before it has the no-op, so a majority holds entry 2 while only n1 holds an entry of term 3.
class CommitCurrentTermTest : public ThreeCores {
 protected:
  explicit CommitCurrentTermTest(bool planted = false) {
    configure = [planted](raft::Config& config) {
      config.max_entries_per_append = 1;
      config.bugs.commit_previous_term = planted;
    };
  }

  void reelect_n1_with_an_old_entry_uncommitted() {
    core(n1).campaign();
    settle();
    ASSERT_EQ(core(n1).role(), Role::kLeader);
    lost_for = {n2, n3};
    core(n1).propose("a");
    settle();
    ASSERT_EQ(core(n1).log().last_index(), Index{2});
    lost_for = {n3};
    core(n2).campaign();
    settle();
    ASSERT_EQ(core(n1).role(), Role::kFollower);
    lost_for = {n2};
    core(n1).campaign();
    settle();
    ASSERT_EQ(core(n1).role(), Role::kLeader);
    ASSERT_EQ(core(n1).term().value, 3u);
  }
};

class PlantedCommitPreviousTermTest : public CommitCurrentTermTest {
 protected:
  PlantedCommitPreviousTermTest() : CommitCurrentTermTest(/*planted=*/true) {}
};

TEST_F(CommitCurrentTermTest, TheOldEntryCommitsBeneathTheLeadersOwn) {
  reelect_n1_with_an_old_entry_uncommitted();
  EXPECT_EQ(core(n1).commit_index(), Index{3});
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

TEST_F(PlantedCommitPreviousTermTest, CountingTheOldEntryIsCaughtAtTheCommit) {
  reelect_n1_with_an_old_entry_uncommitted();
  ASSERT_FALSE(inv.violations().empty());
  const PropertyViolation& v = inv.violations()[0];
  EXPECT_EQ(v.property, kCommitCurrentTerm) << all(inv);
  EXPECT_EQ(v.index, Index{2});
  EXPECT_EQ(v.detail,
            "n1, leader of term 3, committed (index 2, term 1), an entry of an earlier term: only "
            "an entry of the leader's own term commits by counting replicas");
}

class LeaderAppendOnlyTest : public CommitCurrentTermTest {};

// n1, leading term 3 with entry 2 of term 1, is reported writing n2's term-2 entry over it: what
// a core that let the stale candidate's AppendEntries into its leader's log would do.
TEST_F(LeaderAppendOnlyTest, ALeaderWritingAnotherTermOverItsEntriesIsCaught) {
  reelect_n1_with_an_old_entry_uncommitted();
  ASSERT_TRUE(inv.violations().empty()) << all(inv);
  const std::vector<raft::Entry> over{
      raft::Entry{raft::Term{2}, Index{2}, raft::EntryType::kCommand, "b"}};
  inv.on_log_write(tick(), n1, core(n1).log(), over);
  inv.on_state(tick(), core(n1));
  ASSERT_EQ(inv.violations().size(), 1u) << all(inv);
  const PropertyViolation& v = inv.violations()[0];
  EXPECT_EQ(v.property, kLeaderAppendOnly);
  EXPECT_EQ(v.index, Index{2});
  EXPECT_EQ(v.detail,
            "n1, leader of term 3, wrote another term's entry at index 2 over the one it held: a "
            "leader only appends");
}

// n1, leading term 3, is seen with entry 4 and then, still leading term 3, without it: what a
// core that let a truncation into its leader's log would show. (The second sight is n1 as it was
// before it appended entry 4: a copy of the core, which no correct core ever becomes again.)
TEST_F(LeaderAppendOnlyTest, ALeaderWhoseLogShrinksIsCaught) {
  reelect_n1_with_an_old_entry_uncommitted();
  const raft::Raft before_entry_4 = core(n1);
  lost_for = {n2, n3};  // entry 4 stays uncommitted: the second sight moves no commit index back
  core(n1).propose("c");
  settle();
  ASSERT_EQ(core(n1).log().last_index(), Index{4});
  ASSERT_TRUE(inv.violations().empty()) << all(inv);
  inv.on_state(tick(), before_entry_4);
  ASSERT_EQ(inv.violations().size(), 1u) << all(inv);
  const PropertyViolation& v = inv.violations()[0];
  EXPECT_EQ(v.property, kLeaderAppendOnly);
  EXPECT_EQ(v.index, Index{4});
  EXPECT_EQ(v.detail,
            "n1, leader of term 3, deleted entries 4..4 of its log: a leader only appends");
}

// A follower overwriting what a deposed leader left it is the protocol at work.
TEST_F(LeaderAppendOnlyTest, AFollowerWritingOverItsEntriesBreaksNothing) {
  core(n1).campaign();
  settle();
  lost_for = {n2, n3};
  core(n1).propose("a");  // entry 2 of term 1, on n1 only
  settle();
  lost_for.clear();
  core(n2).campaign();  // n3's vote; n2's no-op of term 2 replaces n1's entry 2
  settle();
  ASSERT_EQ(core(n2).role(), Role::kLeader);
  ASSERT_EQ(core(n1).log().term_at(Index{2}).value, 2u);
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

// n1 leads and removes itself; the change commits on n2 and n3. The correct core steps down at
// that commit; with the planted bug it goes on leading a configuration without itself.
class LeaderIsVoterTest : public ThreeCores {
 protected:
  explicit LeaderIsVoterTest(bool planted = false) {
    configure = [planted](raft::Config& config) {
      config.bugs.removed_leader_keeps_leading = planted;
    };
  }

  void n1_removes_itself() {
    core(n1).campaign();
    settle();
    ASSERT_EQ(core(n1).role(), Role::kLeader);
    ASSERT_TRUE(core(n1).change({raft::ConfChange::Kind::kRemove, n1, {}}).accepted());
    settle();
    ASSERT_GE(core(n1).commit_index(), core(n1).configuration_index());
  }
};

class PlantedRemovedLeaderTest : public LeaderIsVoterTest {
 protected:
  PlantedRemovedLeaderTest() : LeaderIsVoterTest(/*planted=*/true) {}
};

TEST_F(LeaderIsVoterTest, ALeaderStepsDownWhenItsRemovalCommits) {
  n1_removes_itself();
  EXPECT_EQ(core(n1).role(), Role::kFollower);
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

TEST_F(PlantedRemovedLeaderTest, ARemovedLeaderThatGoesOnLeadingIsCaught) {
  n1_removes_itself();
  ASSERT_EQ(core(n1).role(), Role::kLeader);
  ASSERT_EQ(inv.violations().size(), 1u) << all(inv);
  const PropertyViolation& v = inv.violations()[0];
  EXPECT_EQ(v.property, kLeaderIsVoter);
  EXPECT_EQ(v.index, core(n1).configuration_index());
  EXPECT_EQ(v.detail,
            "n1 leads term 1 as no member of its configuration (entry 2, committed): "
            "only a voter leads or stands for election");
}

// n1 wins term 1 (without pre-vote), and its no-op reaches no one: the votes reach n1, and then
// everything to n2 and n3 is lost. The correct core refuses a change until the no-op commits;
// the planted change_before_term_commit appends it at once.
class ChangeBeforeTermCommitTest : public ThreeCores {
 protected:
  explicit ChangeBeforeTermCommitTest(bool planted = false) {
    configure = [planted](raft::Config& config) {
      config.options.pre_vote = false;
      config.bugs.change_before_term_commit = planted;
    };
  }

  raft::ChangeResult remove_n3_before_the_no_op_commits() {
    held_for = {n1};
    core(n1).campaign();
    settle();  // n2 and n3 vote; their answers wait
    held_for.clear();
    lost_for = {n2, n3};
    settle();
    EXPECT_EQ(core(n1).role(), Role::kLeader);
    EXPECT_EQ(core(n1).commit_index(), Index{0});
    raft::ChangeResult r = core(n1).change({raft::ConfChange::Kind::kRemove, n3, {}});
    settle();
    return r;
  }
};

class PlantedChangeBeforeTermCommitTest : public ChangeBeforeTermCommitTest {
 protected:
  PlantedChangeBeforeTermCommitTest() : ChangeBeforeTermCommitTest(/*planted=*/true) {}
};

TEST_F(ChangeBeforeTermCommitTest, NoChangeIsMadeAndNothingIsReported) {
  EXPECT_FALSE(remove_n3_before_the_no_op_commits().accepted());
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

TEST_F(ChangeBeforeTermCommitTest, AChangeAfterTheNoOpCommitsBreaksNothing) {
  core(n1).campaign();
  settle();
  ASSERT_EQ(core(n1).commit_index(), Index{1});
  ASSERT_TRUE(core(n1).change({raft::ConfChange::Kind::kRemove, n3, {}}).accepted());
  settle();
  ASSERT_EQ(core(n1).commit_index(), Index{2});
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

TEST_F(PlantedChangeBeforeTermCommitTest, TheChangeIsCaughtAtItsAppend) {
  ASSERT_TRUE(remove_n3_before_the_no_op_commits().accepted());
  ASSERT_EQ(inv.violations().size(), 1u) << all(inv);
  const PropertyViolation& v = inv.violations()[0];
  EXPECT_EQ(v.property, kConfigurationSafety);
  EXPECT_EQ(v.index, Index{2});
  EXPECT_EQ(v.detail,
            "n1, leader of term 1, appended configuration entry 2 before an entry of its term had "
            "committed (nothing had): leaders of two terms can then each change the "
            "configuration by one step from the same one, with majorities that do not overlap");
}

}  // namespace
}  // namespace raftsim::check::leader_rules

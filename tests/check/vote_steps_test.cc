// election_restriction: a vote or a pre-vote goes only to a candidate whose log is at least as up
// to date as the voter's (§5.4.1), judged in the voter's answer (vote_steps.cc). The slips are a
// real core's: the planted vote_without_log_check grants without the comparison.
#include <gtest/gtest.h>

#include <string>

#include "check/raft_invariants.h"
#include "raft/raft.h"
#include "three_cores.h"
#include "violations_text.h"

namespace raftsim::check {
namespace {

using raft::Index;
using raft::Role;

class VoteStepsTest : public ThreeCores {
 protected:
  VoteStepsTest() {
    report_steps = true;
    inv.set_steps_reported(true);
  }

  // n1 leads term 1 and writes entry 2 on n2 alone; then n3, its log ending at entry 1, campaigns
  // with n1 out of reach.
  void campaign_behind() {
    elect(n1);
    lost_for = {n3};
    core(n1).propose("a");
    settle();
    ASSERT_EQ(core(n2).log().last_index(), Index{2});
    ASSERT_EQ(core(n3).log().last_index(), Index{1});
    lost_for = {n1};
    core(n3).campaign();
    settle();
  }

  // The first report is this slip; what it leads to (n3 leads without the committed entry 2,
  // and overwrites it) is leader_completeness's.
  void expect_first(const std::string& detail) {
    ASSERT_FALSE(inv.violations().empty());
    for (size_t i = 1; i < inv.violations().size(); ++i)
      EXPECT_EQ(inv.violations()[i].property, kLeaderCompleteness) << all(inv);
    const PropertyViolation& v = inv.violations()[0];
    EXPECT_EQ(v.property, kElectionRestriction);
    EXPECT_EQ(v.nodes, (std::vector<raft::NodeId>{n2, n3}));
    EXPECT_EQ(v.detail, detail);
  }
};

// The correct core: n2 refuses n3, whose log is a shorter one of the same last term; then n2,
// whose log is the longest, wins with n3's vote. Nothing reported.
TEST_F(VoteStepsTest, VotesOnlyForAnUpToDateCandidateAreNotReported) {
  campaign_behind();
  EXPECT_NE(core(n3).role(), Role::kLeader);
  core(n2).campaign();
  settle();
  EXPECT_EQ(core(n2).role(), Role::kLeader);
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

// The planted vote_without_log_check: votes, and pre-votes with pre_vote on, go without the
// comparison.
class PlantedVoteStepsTest : public VoteStepsTest {
 protected:
  explicit PlantedVoteStepsTest(bool pre_vote = false) {
    configure = [pre_vote](raft::Config& c) {
      c.bugs.vote_without_log_check = true;
      c.options.pre_vote = pre_vote;
    };
  }
};

class PlantedPreVoteStepsTest : public PlantedVoteStepsTest {
 protected:
  PlantedPreVoteStepsTest() : PlantedVoteStepsTest(/*pre_vote=*/true) {}
};

TEST_F(PlantedVoteStepsTest, AVoteForACandidateWithAShorterLogIsReported) {
  campaign_behind();
  EXPECT_EQ(core(n3).role(), Role::kLeader);
  expect_first(
      "n2 granted its vote of term 2 to n3, whose last entry (1, term 1) is behind its own (2, "
      "term 1): the same last term, a shorter log");
}

// The pre-vote is granted first, and reported; the vote of the same term that follows is the
// same slip, counted once.
TEST_F(PlantedPreVoteStepsTest, APreVoteForACandidateWithAShorterLogIsReported) {
  campaign_behind();
  EXPECT_EQ(core(n3).role(), Role::kLeader);
  expect_first(
      "n2 granted a pre-vote of term 2 to n3, whose last entry (1, term 1) is behind its own (2, "
      "term 1): the same last term, a shorter log");
}

}  // namespace
}  // namespace raftsim::check

// configuration_safety: committed configurations follow one another by single or joint steps.
#include "check/configuration_steps.h"

#include <gtest/gtest.h>

#include "check/raft_invariants.h"

namespace raftsim::check {
namespace {

using raft::Configuration;
using raft::Entry;
using raft::Index;
using raft::NodeId;
using raft::Term;

std::vector<NodeId> ids(std::initializer_list<uint32_t> values) {
  std::vector<NodeId> out;
  for (uint32_t v : values)
    out.push_back(NodeId{v});
  return out;
}

Entry configuration_entry(uint64_t index, const Configuration& c) {
  return Entry{Term{1}, Index{index}, raft::EntryType::kConfiguration, c.encode()};
}

// A core whose log holds `entries`, all committed.
raft::Raft core_with(std::vector<Entry> entries) {
  raft::Config config;
  config.id = NodeId{1};
  config.voters = ids({1, 2, 3});
  config.servers = ids({1, 2, 3, 4, 5});
  raft::Restored restored;
  restored.hard_state = {Term{1}, NodeId{}, Index{entries.size()}};
  restored.entries = std::move(entries);
  return raft::Raft(config, restored);
}

const Configuration kBootstrap{ids({1, 2, 3}), {}, {}};

TEST(ConfigurationSafety, SingleAndJointStepsPass) {
  ConfigurationSteps steps(kBootstrap);
  const raft::Raft core = core_with({
      configuration_entry(1, {ids({1, 2, 3}), {}, ids({4})}),        // a learner
      configuration_entry(2, {ids({1, 2, 3, 4}), {}, {}}),           // promoted
      configuration_entry(3, {ids({1, 2}), ids({1, 2, 3, 4}), {}}),  // joint
      configuration_entry(4, {ids({1, 2}), {}, {}}),                 // left
  });
  EXPECT_FALSE(steps.observe(core));
}

TEST(ConfigurationSafety, TwoVotersChangedAtOnceIsReported) {
  ConfigurationSteps steps(kBootstrap);
  const raft::Raft core = core_with({configuration_entry(1, {ids({1, 4, 5}), {}, {}})});
  const auto broken = steps.observe(core);
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->index, Index{1});
  EXPECT_NE(broken->detail.find("voters {n1 n4 n5}"), std::string::npos) << broken->detail;
}

TEST(ConfigurationSafety, LeavingAJointConfigurationForTheOldVotersIsReported) {
  ConfigurationSteps steps(kBootstrap);
  const raft::Raft core = core_with({
      configuration_entry(1, {ids({1, 4, 5}), ids({1, 2, 3}), {}}),
      configuration_entry(2, {ids({1, 2, 3, 4, 5}), {}, {}}),
  });
  ASSERT_TRUE(steps.observe(core));
}

TEST(ConfigurationSafety, ASnapshotPointStandsForEntriesCompactedUnseen) {
  ConfigurationSteps steps(kBootstrap);
  // Two single steps, {1 2 3} -> {1 2} -> {1 2 4}, the first compacted before anyone saw it.
  raft::Raft core = core_with({
      configuration_entry(1, {ids({1, 2}), {}, {}}),
      Entry{Term{1}, Index{2}, raft::EntryType::kCommand, "x"},
      configuration_entry(3, {ids({1, 2, 4}), {}, {}}),
  });
  core.advance(core.ready());  // applies what is committed, which compaction requires
  core.compact(raft::Snapshot{Index{2}, Term{1}, "image", {}});
  ASSERT_EQ(core.log().snapshot_index(), Index{2});
  EXPECT_FALSE(steps.observe(core)) << "no step is invented across the gap";
}

TEST(ConfigurationSafety, RaftInvariantsReportsItUnderItsName) {
  const std::vector<NodeId> nodes = ids({1, 2, 3, 4, 5});
  RaftInvariants invariants(nodes);
  invariants.set_bootstrap_configuration(kBootstrap);
  invariants.on_state(0, core_with({configuration_entry(1, {ids({3, 4, 5}), {}, {}})}));
  ASSERT_EQ(invariants.violations().size(), 1u);
  EXPECT_EQ(invariants.violations()[0].property, kConfigurationSafety);
}

// A server acts on the latest configuration its log holds (§4.1). One whose configuration came
// from an entry that is gone (past its log's end, or replaced by another entry) is caught.
TEST(ConfigurationSafety, AConfigurationItsLogNoLongerHoldsIsReported) {
  const Configuration grown{ids({1, 2, 3, 4}), {}, {}};
  const raft::Log replaced({
      Entry{Term{1}, Index{1}, raft::EntryType::kCommand, "x"},
      Entry{Term{2}, Index{2}, raft::EntryType::kCommand, "the new leader's"},
  });
  const std::string stale = configuration_not_in_log(replaced, Index{2}, grown);
  EXPECT_NE(stale.find("entry 2 is no configuration entry now (term 2)"), std::string::npos)
      << stale;
  const std::string gone = configuration_not_in_log(replaced, Index{3}, grown);
  EXPECT_NE(gone.find("past the end of its log (entry 2)"), std::string::npos) << gone;
}

TEST(ConfigurationSafety, TheLatestConfigurationInTheLogOrTheBootstrapOnePasses) {
  const Configuration grown{ids({1, 2, 3, 4}), {}, {}};
  const raft::Log log({
      Entry{Term{1}, Index{1}, raft::EntryType::kCommand, "x"},
      configuration_entry(2, grown),
  });
  EXPECT_EQ(configuration_not_in_log(log, Index{2}, grown), "");
  EXPECT_EQ(configuration_not_in_log(log, Index{}, kBootstrap), "") << "the bootstrap one";
  // A core restored from that log acts on its entry 2, and RaftInvariants finds nothing wrong.
  RaftInvariants invariants(ids({1, 2, 3, 4, 5}));
  invariants.set_bootstrap_configuration(kBootstrap);
  invariants.on_state(0, core_with({Entry{Term{1}, Index{1}, raft::EntryType::kCommand, "x"},
                                    configuration_entry(2, grown)}));
  EXPECT_TRUE(invariants.violations().empty());
}

// leader_is_voter: only a voter leads or stands for election (§4.2.1, §4.2.2). A learner that
// campaigns, a spare that asks for pre-votes and a server its committed removal left that leads
// are each caught, in words that say what it did in which term.
TEST(LeaderIsVoter, ANonVoterThatCampaignsOrLeadsIsReported) {
  const Configuration with_learner{ids({1, 2, 3}), {}, ids({4})};
  EXPECT_EQ(non_voter_standing(raft::Role::kCandidate, Term{5}, with_learner, NodeId{4}, Index{7},
                               Index{9}),
            "campaigns in term 5 as a learner of its configuration (entry 7, committed): only a "
            "voter leads or stands for election");
  EXPECT_EQ(non_voter_standing(raft::Role::kPreCandidate, Term{5}, kBootstrap, NodeId{5}, Index{},
                               Index{}),
            "asks for pre-votes for term 6 as no member of its configuration (the bootstrap "
            "one, committed): only a voter leads or stands for election");
  const Configuration without_3{ids({1, 2}), {}, {}};
  EXPECT_NE(
      non_voter_standing(raft::Role::kLeader, Term{2}, without_3, NodeId{3}, Index{4}, Index{4}),
      "");
}

// Voters, followers, and a server whose own removal is still uncommitted (it may hold the only
// copy of it, and must be able to campaign and lead until it commits) break nothing.
TEST(LeaderIsVoter, VotersFollowersAndAnUncommittedRemovalPass) {
  const Configuration without_3{ids({1, 2}), {}, {}};
  EXPECT_EQ(
      non_voter_standing(raft::Role::kCandidate, Term{3}, kBootstrap, NodeId{3}, Index{}, Index{}),
      "");
  EXPECT_EQ(
      non_voter_standing(raft::Role::kFollower, Term{3}, without_3, NodeId{3}, Index{4}, Index{9}),
      "");
  for (raft::Role role : {raft::Role::kPreCandidate, raft::Role::kCandidate, raft::Role::kLeader}) {
    EXPECT_EQ(non_voter_standing(role, Term{3}, without_3, NodeId{3}, Index{4}, Index{3}), "");
  }
}

// voter_caught_up: a server becomes a voter only once the leader knows it holds what is committed
// (§4.2.1). A core acting on voters {1 2 3 4} with no progress for 4 made 4 a voter behind any
// commit index above 0; over {1 2 3 4} itself, or with nothing committed, nothing is wrong.
TEST(VoterCaughtUp, AVoterAddedBehindTheCommitIndexIsReported) {
  const Configuration grown{ids({1, 2, 3, 4}), {}, {}};
  const raft::Raft core = core_with(
      {Entry{Term{1}, Index{1}, raft::EntryType::kCommand, "x"}, configuration_entry(2, grown)});
  ASSERT_EQ(core.configuration(), grown);
  const std::optional<VoterBehind> behind = new_voter_behind(core, kBootstrap, Index{1});
  ASSERT_TRUE(behind.has_value());
  EXPECT_EQ(behind->voter, NodeId{4});
  EXPECT_EQ(behind->holds, Index{});
  EXPECT_FALSE(new_voter_behind(core, grown, Index{1}).has_value()) << "no new voter";
  EXPECT_FALSE(new_voter_behind(core, kBootstrap, Index{}).has_value()) << "nothing committed";
  const Configuration with_learner{ids({1, 2, 3}), {}, ids({4})};
  EXPECT_TRUE(new_voter_behind(core, with_learner, Index{1}).has_value())
      << "a learner promoted behind is a new voter too";
}

}  // namespace
}  // namespace raftsim::check

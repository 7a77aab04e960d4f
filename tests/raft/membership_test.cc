// Membership changes (thesis ch. 4): one test per rule. Servers 1..5 exist; unless a test says
// otherwise the bootstrap configuration has voters {1, 2, 3}, and 4 and 5 wait to be added.
#include <gtest/gtest.h>

#include "cluster.h"
#include "single.h"

namespace raftsim::test {
namespace {

using raft::ChangeRefusal;
using raft::ConfChange;
using raft::Configuration;
using raft::EntryType;
using raft::Role;
using raft::VoteResult;

std::vector<NodeId> ids(std::initializer_list<uint32_t> values) {
  std::vector<NodeId> out;
  for (uint32_t v : values)
    out.push_back(NodeId{v});
  return out;
}

ConfChange add_learner(uint32_t n) {
  return {ConfChange::Kind::kAddLearner, NodeId{n}, {}};
}
ConfChange promote(uint32_t n) {
  return {ConfChange::Kind::kPromote, NodeId{n}, {}};
}
ConfChange add(uint32_t n) {
  return {ConfChange::Kind::kAddVoter, NodeId{n}, {}};
}
ConfChange remove(uint32_t n) {
  return {ConfChange::Kind::kRemove, NodeId{n}, {}};
}
ConfChange replace(std::initializer_list<uint32_t> voters) {
  return {ConfChange::Kind::kReplace, NodeId{}, ids(voters)};
}

// Five servers, voters {1,2,3}, with `configure` applied after; node 1 leads term 1 and its
// no-op has committed everywhere.
Cluster grown(std::function<void(raft::Config&)> configure = {}) {
  Cluster c(5, [&](raft::Config& cfg) {
    cfg.voters = ids({1, 2, 3});
    cfg.servers = ids({1, 2, 3, 4, 5});
    if (configure) configure(cfg);
  });
  c.campaign(NodeId{1});
  c.stabilize();
  c.tick(NodeId{1});
  c.stabilize();
  EXPECT_EQ(c.core(NodeId{1}).role(), Role::kLeader);
  return c;
}

raft::ChangeResult change(Cluster& c, uint32_t leader, const ConfChange& ch) {
  raft::ChangeResult r = c.core(NodeId{leader}).change(ch);
  c.process(NodeId{leader});
  return r;
}

// Ticks the leader and delivers until quiet, `rounds` times.
void settle_leader(Cluster& c, uint32_t leader, int rounds = 3) {
  for (int i = 0; i < rounds; ++i) {
    c.tick(NodeId{leader});
    c.stabilize();
  }
}

// Asks for `ch` as a caller would: again after each refusal while its new voters catch up
// (§4.2.1), a few heartbeats apart.
raft::ChangeResult change_caught_up(Cluster& c, uint32_t leader, const ConfChange& ch) {
  raft::ChangeResult r = change(c, leader, ch);
  for (int i = 0; i < 5 && r.refusal == ChangeRefusal::kNewVoterBehind; ++i) {
    c.stabilize();
    settle_leader(c, leader, 1);
    r = change(c, leader, ch);
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// The Configuration type: quorums of a joint configuration need both halves.

TEST(Thesis4_Quorum, JointElectionNeedsAMajorityOfEachHalf) {
  Configuration joint{ids({1, 4, 5}), ids({1, 2, 3}), {}};
  std::map<NodeId, bool> votes{{NodeId{1}, true}, {NodeId{2}, true}, {NodeId{3}, true}};
  EXPECT_EQ(joint.vote_result(votes), VoteResult::kPending) << "old half alone";
  votes[NodeId{4}] = true;
  EXPECT_EQ(joint.vote_result(votes), VoteResult::kWon);
  std::map<NodeId, bool> refused{{NodeId{4}, false}, {NodeId{5}, false}};
  EXPECT_EQ(joint.vote_result(refused), VoteResult::kLost) << "the new half refused";
}

TEST(Thesis4_Quorum, JointCommitIsTheLowerOfTheHalves) {
  Configuration joint{ids({1, 4, 5}), ids({1, 2, 3}), {}};
  std::map<NodeId, uint64_t> match{
      {NodeId{1}, 9}, {NodeId{2}, 9}, {NodeId{3}, 9}, {NodeId{4}, 2}, {NodeId{5}, 1}};
  auto at = [&](NodeId id) { return Index{match[id]}; };
  EXPECT_EQ(joint.committed_index(at), Index{2});
  EXPECT_EQ((Configuration{ids({1, 2, 3}), {}, {}}).committed_index(at), Index{9});
  match = {{NodeId{1}, 9}, {NodeId{2}, 1}, {NodeId{3}, 1}, {NodeId{4}, 9}, {NodeId{5}, 9}};
  EXPECT_EQ(joint.committed_index(at), Index{1}) << "the outgoing half lags";
}

TEST(Thesis4_Quorum, LearnersNeverCount) {
  Configuration c{ids({1, 2, 3}), {}, ids({4, 5})};
  EXPECT_FALSE(c.has_quorum([](NodeId id) { return id.value == 1 || id.value >= 4; }));
  EXPECT_TRUE(c.has_quorum([](NodeId id) { return id.value <= 2; }));
  std::map<NodeId, bool> votes{{NodeId{1}, true}, {NodeId{4}, true}, {NodeId{5}, true}};
  EXPECT_EQ(c.vote_result(votes), VoteResult::kPending);
  auto match = [](NodeId id) { return Index{id.value == 1 || id.value >= 4 ? 9u : 0u}; };
  EXPECT_EQ(c.committed_index(match), Index{0}) << "one voter and two learners hold it";
}

TEST(Thesis4_Quorum, EncodingRoundTripsAndRefusesWhatItCannotHaveWritten) {
  Configuration c{ids({1, 4, 5}), ids({1, 2, 3}), ids({6})};
  EXPECT_EQ(Configuration::decode(c.encode()), c);
  for (const char* bad : {"", "voters= outgoing= learners=", "voters=2,1 outgoing= learners=",
                          "voters=1 outgoing= learners=1", "voters=1,,2 outgoing= learners=",
                          "voters=0 outgoing= learners=", "voters=1 outgoing=x learners="}) {
    EXPECT_FALSE(Configuration::decode(bad)) << bad;
  }
}

TEST(Thesis4_Quorum, ASingleStepChangesOneVoterOrEntersOrLeavesAJointConfiguration) {
  Configuration c123{ids({1, 2, 3}), {}, {}};
  EXPECT_TRUE(raft::is_single_step(c123, {ids({1, 2, 3, 4}), {}, {}}));
  EXPECT_TRUE(raft::is_single_step(c123, {ids({1, 2}), {}, ids({4})}));
  EXPECT_FALSE(raft::is_single_step(c123, {ids({1, 4, 5}), {}, {}}));
  Configuration joint{ids({1, 4, 5}), ids({1, 2, 3}), {}};
  EXPECT_TRUE(raft::is_single_step(c123, joint));
  EXPECT_TRUE(raft::is_single_step(joint, {ids({1, 4, 5}), {}, {}}));
  EXPECT_FALSE(raft::is_single_step(joint, c123));
}

// ---------------------------------------------------------------------------------------------
// §4.1: configuration entries, in force as soon as they are in a log.

TEST(Thesis4_1_SingleServer, AddedVoterCountsBeforeTheEntryCommits) {
  Cluster c = grown();
  ASSERT_TRUE(change_caught_up(c, 1, add(4)).accepted());
  const raft::Raft& leader = c.core(NodeId{1});
  EXPECT_EQ(leader.configuration().voters, ids({1, 2, 3, 4})) << "in force once appended";
  EXPECT_GT(leader.configuration_index(), leader.commit_index());
  c.stabilize();
  EXPECT_EQ(c.core(NodeId{4}).log().last_index(), leader.log().last_index());
  EXPECT_EQ(c.core(NodeId{4}).configuration().voters, ids({1, 2, 3, 4}));
}

TEST(Thesis4_1_SingleServer, FollowerActsOnAnUncommittedConfiguration) {
  Cluster c = grown();
  change(c, 1, add(4));  // 4 catches up first
  c.stabilize();
  c.intercept = [](Message& m) {  // let the entry reach 2, but no acknowledgement back
    return !(m.type == raft::MessageType::kAppendResponse);
  };
  ASSERT_TRUE(change(c, 1, add(4)).accepted());
  c.stabilize();
  EXPECT_EQ(c.core(NodeId{2}).configuration().voters, ids({1, 2, 3, 4}));
  EXPECT_LT(c.core(NodeId{2}).commit_index(), c.core(NodeId{2}).configuration_index());
}

TEST(Thesis4_1_SingleServer, TruncatingAConfigurationEntryRestoresThePreviousOne) {
  Cluster c = grown();
  change(c, 1, add(4));  // 4 catches up first
  c.stabilize();
  c.isolate(NodeId{1});
  ASSERT_TRUE(change(c, 1, add(4)).accepted());  // reaches no one
  c.crash(NodeId{1});
  c.restart(NodeId{1});
  EXPECT_EQ(c.core(NodeId{1}).configuration().voters, ids({1, 2, 3, 4})) << "restart keeps it";
  c.campaign(NodeId{2});
  c.stabilize();
  c.heal();
  settle_leader(c, 2);
  ASSERT_EQ(c.core(NodeId{2}).role(), Role::kLeader);
  // 1 takes 2's log, which never held the change.
  EXPECT_EQ(c.core(NodeId{1}).configuration().voters, ids({1, 2, 3}));
  EXPECT_EQ(c.core(NodeId{1}).log().last_index(), c.core(NodeId{2}).log().last_index());
}

TEST(Thesis4_1_SingleServer, RemovedVoterNoLongerCountsForCommitment) {
  Cluster c = grown();
  ASSERT_TRUE(change(c, 1, remove(3)).accepted());
  c.stabilize();
  settle_leader(c, 1);
  c.isolate(NodeId{3});
  ASSERT_TRUE(c.propose(NodeId{1}, "after").accepted);
  c.stabilize();
  EXPECT_EQ(c.core(NodeId{1}).commit_index(), c.core(NodeId{1}).log().last_index())
      << "{1, 2} is a majority of {1, 2}";
  c.isolate(NodeId{2});
  ASSERT_TRUE(c.propose(NodeId{1}, "alone").accepted);
  c.stabilize();
  EXPECT_LT(c.core(NodeId{1}).commit_index(), c.core(NodeId{1}).log().last_index());
}

TEST(Thesis4_1_SingleServer, ConfigurationEntriesReachTheHostMarkedAsSuch) {
  Cluster c = grown();
  change(c, 1, add_learner(4));
  c.stabilize();
  settle_leader(c, 1);
  const auto& applied = c.applied(NodeId{2});
  ASSERT_FALSE(applied.empty());
  EXPECT_EQ(applied.back().type, EntryType::kConfiguration)
      << "the host's state machine must skip it; it is no command";
}

// ---------------------------------------------------------------------------------------------
// The fix for the thesis bug: no change until the leader's term has committed an entry and the
// previous change has committed.

TEST(Thesis4_1_SafeChanges, NoChangeBeforeAnEntryOfTheLeadersTermCommits) {
  Cluster c(5, [](raft::Config& cfg) {
    cfg.voters = ids({1, 2, 3});
    cfg.servers = ids({1, 2, 3, 4, 5});
  });
  c.intercept = [](Message& m) { return m.type != raft::MessageType::kAppendResponse; };
  c.campaign(NodeId{1});
  c.stabilize();  // 1 leads; its no-op reaches the others but no acknowledgement comes back
  c.intercept = nullptr;
  ASSERT_EQ(c.core(NodeId{1}).role(), Role::kLeader);
  EXPECT_EQ(change(c, 1, add(4)).refusal, ChangeRefusal::kNoCommitInTerm);
  settle_leader(c, 1);
  EXPECT_TRUE(change_caught_up(c, 1, add(4)).accepted());
}

TEST(Thesis4_1_SafeChanges, PlantedBugAllowsAChangeBeforeTheTermCommits) {
  Cluster c(5, [](raft::Config& cfg) {
    cfg.voters = ids({1, 2, 3});
    cfg.servers = ids({1, 2, 3, 4, 5});
    cfg.bugs.change_before_term_commit = true;
  });
  c.intercept = [](Message& m) { return m.type != raft::MessageType::kAppendResponse; };
  c.campaign(NodeId{1});
  c.stabilize();  // 1 leads; its no-op reaches the others but no acknowledgement comes back
  c.intercept = nullptr;
  ASSERT_EQ(c.core(NodeId{1}).role(), Role::kLeader);
  EXPECT_TRUE(change(c, 1, add(4)).accepted());
}

TEST(Thesis4_1_SafeChanges, NoChangeWhileThePreviousOneIsUncommitted) {
  Cluster c = grown();
  c.isolate(NodeId{1});
  ASSERT_TRUE(change(c, 1, add_learner(4)).accepted());
  EXPECT_EQ(change(c, 1, add_learner(5)).refusal, ChangeRefusal::kChangePending);
  c.heal();
  settle_leader(c, 1);
  EXPECT_TRUE(change(c, 1, add_learner(5)).accepted());
}

TEST(Thesis4_1_SafeChanges, OnlyTheLeaderChanges) {
  Cluster c = grown();
  EXPECT_EQ(c.core(NodeId{2}).change(add(4)).refusal, ChangeRefusal::kNotLeader);
  EXPECT_EQ(change(c, 1, add(2)).refusal, ChangeRefusal::kNoEffect);
  EXPECT_EQ(change(c, 1, replace({})).refusal, ChangeRefusal::kInvalid);
}

// ---------------------------------------------------------------------------------------------
// Learners (thesis §4.2.1): replicate, never vote, never count, never campaign.

TEST(Thesis4_2_1_Learners, LearnerReplicatesButNeverCounts) {
  Cluster c = grown();
  ASSERT_TRUE(change(c, 1, add_learner(4)).accepted());
  settle_leader(c, 1);
  c.isolate(NodeId{2});
  c.isolate(NodeId{3});
  ASSERT_TRUE(c.propose(NodeId{1}, "x").accepted);
  c.stabilize();
  EXPECT_EQ(c.core(NodeId{4}).log().last_index(), c.core(NodeId{1}).log().last_index());
  EXPECT_LT(c.core(NodeId{1}).commit_index(), c.core(NodeId{1}).log().last_index())
      << "the learner's copy is no quorum";
}

TEST(Thesis4_2_1_Learners, LearnerNeverCampaigns) {
  Cluster c = grown();
  change(c, 1, add_learner(4));
  settle_leader(c, 1);
  c.crash(NodeId{1});
  for (int i = 0; i < 100; ++i)
    c.tick(NodeId{4});
  EXPECT_EQ(c.core(NodeId{4}).role(), Role::kFollower);
  EXPECT_EQ(c.core(NodeId{4}).term(), Term{1});
  EXPECT_TRUE(
      c.sent(NodeId{4}).empty() ||
      std::none_of(c.sent(NodeId{4}).begin(), c.sent(NodeId{4}).end(), [](const Message& m) {
        return m.type == raft::MessageType::kVoteRequest ||
               m.type == raft::MessageType::kPreVoteRequest;
      }));
}

TEST(Thesis4_2_1_Learners, PromotionWaitsUntilTheLearnerHasCaughtUp) {
  Cluster c = grown();
  c.isolate(NodeId{4});
  change(c, 1, add_learner(4));
  settle_leader(c, 1);
  EXPECT_EQ(change(c, 1, promote(4)).refusal, ChangeRefusal::kLearnerBehind);
  c.heal();
  settle_leader(c, 1);
  EXPECT_TRUE(change(c, 1, promote(4)).accepted());
  settle_leader(c, 1);
  EXPECT_EQ(c.core(NodeId{4}).configuration().voters, ids({1, 2, 3, 4}));
  EXPECT_TRUE(c.core(NodeId{4}).configuration().learners.empty());
}

// §4.2.1: a server that is not yet a member is caught up before a change makes it a voter, so
// no quorum ever waits for an empty log to fill.

TEST(Thesis4_2_1_CatchUp, NewVoterIsCaughtUpBeforeItsEntryIsAppended) {
  Cluster c = grown();
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(c.propose(NodeId{1}, "v" + std::to_string(i)).accepted);
  c.stabilize();
  c.isolate(NodeId{4});
  EXPECT_EQ(change(c, 1, add(4)).refusal, ChangeRefusal::kNewVoterBehind);
  settle_leader(c, 1);
  EXPECT_EQ(change(c, 1, add(4)).refusal, ChangeRefusal::kNewVoterBehind);
  const raft::Raft& leader = c.core(NodeId{1});
  EXPECT_EQ(leader.configuration().voters, ids({1, 2, 3})) << "nothing appended meanwhile";
  ASSERT_TRUE(c.propose(NodeId{1}, "meanwhile").accepted);
  c.stabilize();
  EXPECT_EQ(leader.commit_index(), leader.log().last_index()) << "the old quorum commits";
  c.heal();
  settle_leader(c, 1);
  EXPECT_GE(c.core(NodeId{4}).log().last_index(), leader.commit_index());
  EXPECT_TRUE(change(c, 1, add(4)).accepted());
}

TEST(Thesis4_2_1_CatchUp, EveryNewVoterOfAJointChangeCatchesUp) {
  Cluster c = grown();
  c.isolate(NodeId{5});
  EXPECT_EQ(change(c, 1, replace({1, 4, 5})).refusal, ChangeRefusal::kNewVoterBehind);
  settle_leader(c, 1);
  EXPECT_EQ(change(c, 1, replace({1, 4, 5})).refusal, ChangeRefusal::kNewVoterBehind)
      << "4 has caught up, 5 has not";
  c.heal();
  settle_leader(c, 1);
  EXPECT_TRUE(change(c, 1, replace({1, 4, 5})).accepted());
}

TEST(Thesis4_2_1_CatchUp, AServerNoChangeAsksForAnyMoreIsLetGo) {
  Cluster c = grown();
  change(c, 1, add(4));
  const raft::Raft& leader = c.core(NodeId{1});
  ASSERT_TRUE(leader.progress().contains(NodeId{4})) << "being caught up";
  for (int i = 0; i <= 2 * leader.config().election_timeout_ticks; ++i) {
    c.tick(NodeId{1});
    c.stabilize();
  }
  EXPECT_FALSE(leader.progress().contains(NodeId{4}));
  EXPECT_EQ(leader.configuration().voters, ids({1, 2, 3}));
}

// ---------------------------------------------------------------------------------------------
// Joint consensus (§4.3 / the paper's §6): arbitrary changes through C_old,new.

TEST(Thesis4_3_Joint, ChangeOfSeveralVotersEntersAJointConfiguration) {
  Cluster c = grown();
  ASSERT_TRUE(change_caught_up(c, 1, replace({1, 4, 5})).accepted());
  const Configuration& now = c.core(NodeId{1}).configuration();
  EXPECT_EQ(now.voters, ids({1, 4, 5}));
  EXPECT_EQ(now.outgoing, ids({1, 2, 3}));
}

TEST(Thesis4_3_Joint, JointEntryNeedsAMajorityOfTheNewVotersToCommit) {
  Cluster c = grown();
  change(c, 1, replace({1, 4, 5}));  // 4 and 5 catch up first
  c.stabilize();
  c.isolate(NodeId{4});
  c.isolate(NodeId{5});
  ASSERT_TRUE(change(c, 1, replace({1, 4, 5})).accepted());
  settle_leader(c, 1);
  EXPECT_LT(c.core(NodeId{1}).commit_index(), c.core(NodeId{1}).configuration_index())
      << "{1, 2, 3} agree, but only 1 of {1, 4, 5}";
  c.heal();
  settle_leader(c, 1, 5);
  const raft::Raft& leader = c.core(NodeId{1});
  EXPECT_EQ(leader.configuration(), (Configuration{ids({1, 4, 5}), {}, {}}))
      << "once the joint entry commits the leader leaves it";
  EXPECT_LE(leader.configuration_index(), leader.commit_index());
}

TEST(Thesis4_3_Joint, JointElectionNeedsBothMajorities) {
  raft::Config cfg = config_for(1, 5);
  // Load a joint configuration into the log: voters {1,4,5}, outgoing {1,2,3}.
  raft::Restored restored;
  restored.entries.push_back(Entry{Term{1}, Index{1}, EntryType::kConfiguration,
                                   Configuration{ids({1, 4, 5}), ids({1, 2, 3}), {}}.encode()});
  cfg.voters = ids({1, 2, 3});
  cfg.servers = ids({1, 2, 3, 4, 5});
  raft::Raft joint(cfg, restored);
  joint.campaign();
  take(joint);
  joint.step(vote_response(2, 1, 1, true));
  joint.step(vote_response(3, 1, 1, true));
  EXPECT_EQ(joint.role(), Role::kCandidate) << "the old half alone elects no one";
  joint.step(vote_response(4, 1, 1, true));
  EXPECT_EQ(joint.role(), Role::kLeader);
}

// ---------------------------------------------------------------------------------------------
// §4.2.2: a leader that removes itself manages the change, then steps down.

TEST(Thesis4_2_2_RemoveLeader, LeaderStepsDownOnceItsRemovalCommits) {
  Cluster c = grown();
  c.isolate(NodeId{1});
  ASSERT_TRUE(change(c, 1, remove(1)).accepted());
  EXPECT_EQ(c.core(NodeId{1}).role(), Role::kLeader) << "still leads while uncommitted";
  c.heal();
  settle_leader(c, 1);
  EXPECT_EQ(c.core(NodeId{1}).role(), Role::kFollower);
  for (int i = 0; i < 100; ++i) {
    c.tick_all();
    c.stabilize();
  }
  auto leader = c.leader();
  ASSERT_TRUE(leader);
  EXPECT_NE(*leader, NodeId{1});
  EXPECT_NE(c.core(NodeId{1}).role(), Role::kLeader);
}

TEST(Thesis4_2_2_RemoveLeader, PlantedBugKeepsARemovedLeaderLeading) {
  Cluster c = grown([](raft::Config& cfg) { cfg.bugs.removed_leader_keeps_leading = true; });
  ASSERT_TRUE(change(c, 1, remove(1)).accepted());
  settle_leader(c, 1);
  const raft::Raft& leader = c.core(NodeId{1});
  ASSERT_GE(leader.commit_index(), leader.configuration_index()) << "the removal has committed";
  EXPECT_FALSE(leader.configuration().is_voter(NodeId{1}));
  EXPECT_EQ(leader.role(), Role::kLeader);
}

// A server not in its own latest configuration still campaigns until that configuration
// commits (§4.2.2). Voters {1, 3}: leader 1 removes itself while cut off, so only its own log
// holds {3}, and restarts. 3 lacks the entry, so 1 refuses it its vote, and 3 needs it; only 1
// campaigning (its own vote not counted, 3's enough in {3}) lets the change commit. Pre-vote
// keeps 2, removed earlier and never told, from deposing 3 afterwards (§4.2.3).
TEST(Thesis4_2_2_RemoveLeader, ARemovedServerCampaignsUntilItsRemovalCommits) {
  Cluster c = grown([](raft::Config& cfg) { cfg.options.pre_vote = true; });
  ASSERT_TRUE(change(c, 1, remove(2)).accepted());
  settle_leader(c, 1);
  ASSERT_EQ(c.core(NodeId{3}).configuration().voters, ids({1, 3}));
  c.isolate(NodeId{1});
  ASSERT_TRUE(change(c, 1, remove(1)).accepted());
  c.stabilize();  // the entry's appends are lost
  c.crash(NodeId{1});
  c.restart(NodeId{1});
  c.heal();
  for (int i = 0; i < 200 && c.core(NodeId{3}).configuration().voters != ids({3}); ++i) {
    c.tick_all();
    c.stabilize();
  }
  const raft::Raft& three = c.core(NodeId{3});
  EXPECT_EQ(three.configuration().voters, ids({3}));
  for (int i = 0; i < 100; ++i) {
    c.tick_all();
    c.stabilize();
  }
  EXPECT_LE(three.configuration_index(), three.commit_index()) << "the removal committed";
  EXPECT_EQ(c.leader(), NodeId{3});
  EXPECT_EQ(c.core(NodeId{1}).role(), Role::kFollower) << "removed for good: it stops";
}

// ---------------------------------------------------------------------------------------------
// §4.2.3: removed servers cannot disrupt the cluster.

// 3 is removed while cut off, so it never learns it; it keeps campaigning once it can talk.
Cluster removed_while_away(std::function<void(raft::Config&)> configure) {
  Cluster c = grown(std::move(configure));
  c.isolate(NodeId{3});
  change(c, 1, remove(3));
  settle_leader(c, 1);
  EXPECT_EQ(c.core(NodeId{1}).configuration().voters, ids({1, 2}));
  EXPECT_LE(c.core(NodeId{1}).configuration_index(), c.core(NodeId{1}).commit_index());
  c.heal();
  for (int i = 0; i < 60; ++i) {
    c.tick_all();
    c.stabilize();
  }
  return c;
}

TEST(Thesis4_2_3_Disruption, WithoutDefencesARemovedServerDeposesTheLeader) {
  Cluster c = removed_while_away({});
  EXPECT_GT(c.core(NodeId{1}).term(), Term{1}) << "the removed server's higher terms leak in";
}

TEST(Thesis4_2_3_Disruption, PreVoteKeepsARemovedServerFromBumpingTerms) {
  Cluster c = removed_while_away([](raft::Config& cfg) { cfg.options.pre_vote = true; });
  EXPECT_EQ(c.core(NodeId{1}).term(), Term{1});
  EXPECT_EQ(c.core(NodeId{1}).role(), Role::kLeader);
}

TEST(Thesis4_2_3_Disruption, VoteLeaseKeepsARemovedServerFromBeingHeard) {
  Cluster c = removed_while_away([](raft::Config& cfg) { cfg.options.vote_lease = true; });
  EXPECT_EQ(c.core(NodeId{2}).term(), Term{1}) << "2 heard from its leader: it ignores 3";
  EXPECT_EQ(c.core(NodeId{1}).role(), Role::kLeader);
}

// ---------------------------------------------------------------------------------------------
// Snapshots and restarts keep the configuration.

TEST(Thesis4_Persistence, RestartKeepsTheConfigurationFromTheLog) {
  Cluster c = grown();
  ASSERT_TRUE(change_caught_up(c, 1, add(4)).accepted());
  settle_leader(c, 1);
  c.crash(NodeId{2});
  c.restart(NodeId{2});
  EXPECT_EQ(c.core(NodeId{2}).configuration().voters, ids({1, 2, 3, 4}));
}

TEST(Thesis4_Persistence, SnapshotCarriesTheConfigurationToRestartsAndNewServers) {
  Cluster c = grown();
  change(c, 1, add_learner(4));
  settle_leader(c, 1);
  c.propose(NodeId{1}, "x");
  settle_leader(c, 1);
  for (uint32_t n = 1; n <= 3; ++n)
    c.compact(NodeId{n});
  ASSERT_GT(c.core(NodeId{1}).log().snapshot_index(), c.core(NodeId{1}).configuration_index());
  c.crash(NodeId{2});
  c.restart(NodeId{2});
  EXPECT_EQ(c.core(NodeId{2}).configuration().learners, ids({4}));
  // 5 joins after the compaction: it can only learn the configuration from the snapshot.
  change(c, 1, add_learner(5));
  settle_leader(c, 1, 5);
  EXPECT_EQ(c.core(NodeId{5}).configuration().learners, ids({4, 5}));
  c.crash(NodeId{1});
  c.compact(NodeId{5});
  c.crash(NodeId{5});
  c.restart(NodeId{5});
  EXPECT_EQ(c.core(NodeId{5}).configuration().learners, ids({4, 5}));
}

TEST(Thesis4_Persistence, AnInstalledSnapshotTellsAMemberItsConfiguration) {
  Cluster c = grown();
  c.isolate(NodeId{4});
  change(c, 1, add_learner(4));  // 4 is a member, but hears nothing of it
  settle_leader(c, 1);
  c.propose(NodeId{1}, "x");
  settle_leader(c, 1);
  c.compact(NodeId{1});
  ASSERT_GT(c.core(NodeId{1}).log().snapshot_index(), c.core(NodeId{1}).configuration_index());
  c.heal();
  settle_leader(c, 1, 5);
  ASSERT_EQ(c.core(NodeId{4}).log().snapshot_index(), c.core(NodeId{1}).log().snapshot_index())
      << "4 caught up through the leader's snapshot";
  EXPECT_EQ(c.core(NodeId{4}).configuration().learners, ids({4}));
}

}  // namespace
}  // namespace raftsim::test

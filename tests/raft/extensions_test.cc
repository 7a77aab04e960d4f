// The options beyond Figure 2 (thesis §3.10, §4.2.3, §6.2, §9.6), ReadIndex (§8 / thesis §6.4),
// and recovery of a follower that lost its disk.
#include <gtest/gtest.h>

#include "cluster.h"
#include "single.h"

namespace raftsim::test {
namespace {

using raft::MessageType;
using raft::Raft;
using raft::Role;

Cluster elected(size_t n, std::function<void(raft::Config&)> configure = {}) {
  Cluster c(n, std::move(configure));
  c.campaign(NodeId{1});
  c.stabilize();
  c.tick(NodeId{1});
  c.stabilize();
  EXPECT_EQ(c.core(NodeId{1}).role(), Role::kLeader);
  return c;
}

// ---------------------------------------------------------------------------------------------
// §9.6 Pre-vote

TEST(Sec9_6_PreVote, PartitionedNodeDoesNotBumpItsTerm) {
  Cluster c = elected(3, [](raft::Config& cfg) { cfg.options.pre_vote = true; });
  c.isolate(NodeId{3});
  for (int i = 0; i < 100; ++i) {
    c.tick(NodeId{3});
    c.stabilize();
  }
  EXPECT_EQ(c.core(NodeId{3}).term(), Term{1});
  EXPECT_EQ(c.core(NodeId{3}).role(), Role::kPreCandidate);
  c.heal();
  c.tick(NodeId{1});
  c.stabilize();
  EXPECT_EQ(c.core(NodeId{1}).role(), Role::kLeader) << "the rejoining node deposed nobody";
  EXPECT_EQ(c.core(NodeId{1}).term(), Term{1});
}

TEST(Sec9_6_PreVote, WithoutPreVoteThePartitionedNodeBumpsItsTerm) {
  Cluster c = elected(3);
  c.isolate(NodeId{3});
  for (int i = 0; i < 100; ++i) {
    c.tick(NodeId{3});
    c.stabilize();
  }
  EXPECT_GT(c.core(NodeId{3}).term(), Term{1});
}

TEST(Sec9_6_PreVote, GrantingAPreVoteChangesNeitherTermNorVote) {
  raft::Config cfg = config_for(2, 3);
  cfg.options.pre_vote = true;
  Raft r(cfg, {{Term{1}, NodeId{1}, Index{}}, {}});
  raft::Message m = vote_request(3, 2, 2, 0, 0);
  m.type = MessageType::kPreVoteRequest;
  r.step(m);
  EXPECT_EQ(r.term(), Term{1});
  EXPECT_EQ(r.voted_for(), NodeId{1});
  raft::Ready rd = take(r);
  EXPECT_FALSE(rd.hard_state) << "nothing durable changed";
  ASSERT_EQ(rd.messages.size(), 1u);
  EXPECT_EQ(rd.messages[0].type, MessageType::kPreVoteResponse);
  EXPECT_FALSE(rd.messages[0].reject);
  EXPECT_EQ(rd.messages[0].term, Term{2});
}

// ---------------------------------------------------------------------------------------------
// Thesis §6.2 Check-quorum

TEST(Thesis6_2_CheckQuorum, IsolatedLeaderStepsDownAfterAnElectionTimeout) {
  Cluster c = elected(3, [](raft::Config& cfg) { cfg.options.check_quorum = true; });
  c.isolate(NodeId{1});
  for (int i = 0; i < 2 * 10 + 1; ++i)
    c.tick(NodeId{1});
  EXPECT_EQ(c.core(NodeId{1}).role(), Role::kFollower);
}

TEST(Thesis6_2_CheckQuorum, WithoutItAnIsolatedLeaderKeepsLeading) {
  Cluster c = elected(3);
  c.isolate(NodeId{1});
  for (int i = 0; i < 2 * 10 + 1; ++i)
    c.tick(NodeId{1});
  EXPECT_EQ(c.core(NodeId{1}).role(), Role::kLeader);
}

TEST(Thesis6_2_CheckQuorum, ConnectedLeaderKeepsLeading) {
  Cluster c = elected(3, [](raft::Config& cfg) { cfg.options.check_quorum = true; });
  for (int i = 0; i < 50; ++i) {
    c.tick(NodeId{1});
    c.stabilize();
  }
  EXPECT_EQ(c.core(NodeId{1}).role(), Role::kLeader);
}

// ---------------------------------------------------------------------------------------------
// Thesis §4.2.3 Vote lease

TEST(Thesis4_2_3_VoteLease, FollowerThatHeardTheLeaderIgnoresAHigherTermVoteRequest) {
  Cluster c = elected(3, [](raft::Config& cfg) { cfg.options.vote_lease = true; });
  c.in_flight().clear();
  c.core(NodeId{2}).step(vote_request(3, 2, 5, 9, 1));
  c.process(NodeId{2});
  EXPECT_EQ(c.core(NodeId{2}).term(), Term{1});
  EXPECT_EQ(c.core(NodeId{2}).voted_for(), NodeId{1});
  EXPECT_TRUE(c.in_flight().empty()) << "ignored, not even refused";
}

TEST(Thesis4_2_3_VoteLease, TransferCampaignIsNotBlocked) {
  Cluster c = elected(3, [](raft::Config& cfg) { cfg.options.vote_lease = true; });
  raft::Message m = vote_request(3, 2, 5, 9, 1);
  m.transfer = true;
  c.core(NodeId{2}).step(m);
  EXPECT_EQ(c.core(NodeId{2}).term(), Term{5});
  EXPECT_EQ(c.core(NodeId{2}).voted_for(), NodeId{3});
}

TEST(Thesis4_2_3_VoteLease, WithoutItAHigherTermVoteRequestIsGranted) {
  Cluster c = elected(3);
  c.core(NodeId{2}).step(vote_request(3, 2, 5, 9, 1));
  EXPECT_EQ(c.core(NodeId{2}).term(), Term{5});
  EXPECT_EQ(c.core(NodeId{2}).voted_for(), NodeId{3});
}

// ---------------------------------------------------------------------------------------------
// Thesis §3.10 Leadership transfer

size_t timeout_nows(const std::vector<Message>& sent) {
  size_t n = 0;
  for (const Message& m : sent)
    n += m.type == MessageType::kTimeoutNow ? 1 : 0;
  return n;
}

TEST(Thesis3_10_Transfer, TimeoutNowWaitsForTheTargetToCatchUpAndTheTargetWins) {
  Cluster c = elected(3);
  c.cut(NodeId{1}, NodeId{3});
  c.propose(NodeId{1}, "x");
  c.stabilize();
  ASSERT_LT(c.core(NodeId{3}).log().last_index(), c.core(NodeId{1}).log().last_index());
  c.core(NodeId{1}).transfer_leader(NodeId{3});
  c.process(NodeId{1});
  EXPECT_EQ(timeout_nows(c.sent(NodeId{1})), 0u) << "node 3 is behind";
  EXPECT_FALSE(c.propose(NodeId{1}, "refused").accepted) << "no proposals during a transfer";
  c.heal();
  c.tick(NodeId{1});
  c.stabilize();
  c.tick(NodeId{1});
  c.stabilize();
  EXPECT_GE(timeout_nows(c.sent(NodeId{1})), 1u);
  EXPECT_EQ(c.core(NodeId{3}).role(), Role::kLeader);
  EXPECT_EQ(c.core(NodeId{3}).term(), Term{2});
  EXPECT_EQ(c.core(NodeId{1}).role(), Role::kFollower);
}

TEST(Thesis3_10_Transfer, TransferCampaignPassesTheVoteLease) {
  Cluster c = elected(3, [](raft::Config& cfg) { cfg.options.vote_lease = true; });
  c.core(NodeId{1}).transfer_leader(NodeId{2});
  c.stabilize();
  EXPECT_EQ(c.core(NodeId{2}).role(), Role::kLeader);
}

// With the option off, transfer_leader() does nothing, and a follower ignores TimeoutNow: it
// does not campaign before its election timeout.
TEST(Thesis3_10_Transfer, WithoutItTransferAndTimeoutNowAreIgnored) {
  Cluster c = elected(3, [](raft::Config& cfg) { cfg.options.leadership_transfer = false; });
  c.core(NodeId{1}).transfer_leader(NodeId{2});
  c.process(NodeId{1});
  EXPECT_EQ(timeout_nows(c.sent(NodeId{1})), 0u);
  EXPECT_EQ(c.core(NodeId{1}).transfer_target(), NodeId{});
  EXPECT_TRUE(c.propose(NodeId{1}, "x").accepted) << "no transfer under way";

  Message timeout_now;
  timeout_now.type = MessageType::kTimeoutNow;
  timeout_now.from = NodeId{1};
  timeout_now.to = NodeId{2};
  timeout_now.term = c.core(NodeId{1}).term();
  ASSERT_TRUE(c.deliver(timeout_now));
  EXPECT_EQ(c.core(NodeId{2}).role(), Role::kFollower);
  EXPECT_EQ(c.core(NodeId{2}).term(), Term{1});
  c.stabilize();
  EXPECT_EQ(c.core(NodeId{1}).role(), Role::kLeader);
}

// ---------------------------------------------------------------------------------------------
// §8 ReadIndex (thesis §6.4)

TEST(Sec8_ReadIndex, ReadIsConfirmedOnlyAfterAQuorumEchoesTheRound) {
  Cluster c = elected(3);
  c.core(NodeId{1}).read_index(7);
  c.process(NodeId{1});
  EXPECT_TRUE(c.reads(NodeId{1}).empty()) << "not before a round trip";
  // Deliver the round's heartbeats and their echoes one by one.
  while (!c.in_flight().empty()) {
    Message m = c.in_flight().front();
    c.in_flight().erase(c.in_flight().begin());
    c.deliver(m);
  }
  ASSERT_EQ(c.reads(NodeId{1}).size(), 1u);
  EXPECT_EQ(c.reads(NodeId{1})[0].request_id, 7u);
  EXPECT_TRUE(c.reads(NodeId{1})[0].ok);
  EXPECT_EQ(c.reads(NodeId{1})[0].index, c.core(NodeId{1}).commit_index());
}

TEST(Sec8_ReadIndex, ReadWaitsWhileNoQuorumAnswers) {
  Cluster c = elected(3);
  c.isolate(NodeId{1});
  c.core(NodeId{1}).read_index(7);
  c.stabilize();
  for (int i = 0; i < 5; ++i) {
    c.tick(NodeId{1});
    c.stabilize();
  }
  EXPECT_TRUE(c.reads(NodeId{1}).empty());
}

TEST(Sec8_ReadIndex, ReadWaitsForAnEntryOfTheLeadersTermToCommit) {
  Raft r(config_for(1, 3), {{Term{1}, {}, Index{}}, log_of_terms({1})});
  win_election(r, 3);
  take(r);
  r.read_index(7);
  raft::Ready rd = take(r);
  ASSERT_FALSE(rd.messages.empty());
  const uint64_t round = rd.messages[0].round;
  // Node 2 echoes the round but does not yet hold the no-op: quorum confirmed, commit not.
  r.step(append_ack(2, 1, 2, 1, round));
  EXPECT_TRUE(take(r).reads.empty()) << "the no-op of term 2 has not committed";
  r.step(append_ack(2, 1, 2, 2, round));
  rd = take(r);
  ASSERT_EQ(rd.reads.size(), 1u);
  EXPECT_TRUE(rd.reads[0].ok);
  EXPECT_EQ(rd.reads[0].index, Index{2});
}

TEST(Sec8_ReadIndex, PlantedStaleLeaderReadsAnswersADeposedLeaderAtOnce) {
  for (bool planted : {false, true}) {
    Cluster c = elected(3, [&](raft::Config& cfg) { cfg.bugs.stale_leader_reads = planted; });
    c.isolate(NodeId{1});
    c.campaign(NodeId{2});
    c.stabilize();
    ASSERT_EQ(c.core(NodeId{2}).role(), Role::kLeader);
    c.propose(NodeId{2}, "newer");
    c.stabilize();
    c.tick(NodeId{2});
    c.stabilize();
    ASSERT_EQ(c.core(NodeId{1}).role(), Role::kLeader) << "node 1 does not know it was deposed";
    c.core(NodeId{1}).read_index(7);
    c.process(NodeId{1});
    if (planted) {
      ASSERT_EQ(c.reads(NodeId{1}).size(), 1u);
      EXPECT_TRUE(c.reads(NodeId{1})[0].ok);
      EXPECT_LT(c.reads(NodeId{1})[0].index, c.core(NodeId{2}).commit_index()) << "stale";
    } else {
      EXPECT_TRUE(c.reads(NodeId{1}).empty());
    }
  }
}

// ---------------------------------------------------------------------------------------------
// A follower that lost its disk (restarted with the same id and empty storage) is repaired.

TEST(Recovery, FollowerThatLostItsLogIsRepaired) {
  Cluster c = elected(3);
  for (int i = 0; i < 5; ++i)
    c.propose(NodeId{1}, "v" + std::to_string(i));
  c.stabilize();
  c.tick(NodeId{1});
  c.stabilize();
  ASSERT_EQ(c.core(NodeId{3}).log().last_index(), Index{6});
  c.crash(NodeId{3});
  c.wipe(NodeId{3});
  c.restart(NodeId{3});
  ASSERT_EQ(c.core(NodeId{3}).log().last_index(), Index{0});
  c.propose(NodeId{1}, "after");
  for (int i = 0; i < 3; ++i) {
    c.tick(NodeId{1});
    c.stabilize();
  }
  EXPECT_EQ(terms_of(c.core(NodeId{3}).log()), terms_of(c.core(NodeId{1}).log()));
  EXPECT_EQ(c.core(NodeId{3}).commit_index(), c.core(NodeId{1}).commit_index());
  EXPECT_EQ(c.core(NodeId{1}).progress().at(NodeId{3}).match_index, Index{7});
}

// ---------------------------------------------------------------------------------------------
// Flow control: a leader sends one follower at most max_appends_per_round AppendEntries with
// entries per heartbeat round. Every success earns the next append, so without the budget a
// network that duplicates and reorders acknowledgements multiplies the appends in flight with
// each round trip (explore found a run stopped with 50,000 messages in flight).

// The appends with entries in one Ready, by the index of their first entry; and the round its
// heartbeats carry, if any.
struct Sent {
  std::vector<uint64_t> appends;
  uint64_t round = 0;
};
Sent sent_by(Raft& r) {
  Sent out;
  for (const raft::Message& m : of_type(all_messages(take(r)), MessageType::kAppendEntries)) {
    if (!m.entries.empty()) out.appends.push_back(m.entries.front().index.value);
    out.round = std::max(out.round, m.round);
  }
  return out;
}

// Node 1 leads nodes 1 and 2 with one entry per append and `budget` appends a round; node 2
// has acknowledged everything, and a tick has just begun a round (its heartbeats not yet taken).
Raft replicating_leader(size_t budget) {
  raft::Config cfg = config_for(1, 2);
  cfg.max_entries_per_append = 1;
  cfg.max_appends_per_round = budget;
  Raft r(cfg, {});
  win_election(r, 2);
  take(r);
  r.step(append_ack(2, 1, r.term().value, r.log().last_index().value));  // now replicating
  take(r);
  r.tick();
  return r;
}

TEST(FlowControl, ALeaderSendsAFollowerAtMostMaxAppendsPerRound) {
  Raft r = replicating_leader(2);
  const uint64_t round = sent_by(r).round;  // a heartbeat has begun a round with its budget whole
  const uint64_t first = r.log().last_index().value + 1;
  for (int i = 0; i < 4; ++i)
    r.propose("x");
  EXPECT_EQ(sent_by(r).appends, std::vector<uint64_t>{first});  // one entry per append
  r.step(append_ack(2, 1, r.term().value, first, round));
  EXPECT_EQ(sent_by(r).appends, std::vector<uint64_t>{first + 1});
  r.step(append_ack(2, 1, r.term().value, first + 1, round));
  EXPECT_TRUE(sent_by(r).appends.empty()) << "two sent this round: the rest wait";

  r.tick();
  const Sent heartbeats = sent_by(r);
  EXPECT_TRUE(heartbeats.appends.empty()) << "a heartbeat carries no entries";
  EXPECT_GT(heartbeats.round, round);
  r.step(append_ack(2, 1, r.term().value, first + 1, heartbeats.round));
  EXPECT_EQ(sent_by(r).appends, std::vector<uint64_t>{first + 2}) << "a new round, a new budget";
}

// A read's round begins when the read arrives, and its heartbeat leaves with the next Ready:
// appends answered in between may spend the round's budget first. The heartbeat still goes out,
// but then carries no entries, even to a follower the leader is probing.
TEST(FlowControl, AHeartbeatCarriesNoEntriesOnceItsRoundsBudgetIsSpent) {
  Raft r = replicating_leader(1);
  const uint64_t round = sent_by(r).round;  // a heartbeat has begun a round with its budget whole
  const uint64_t first = r.log().last_index().value + 1;
  r.propose("x");
  r.propose("y");
  ASSERT_EQ(sent_by(r).appends, std::vector<uint64_t>{first});

  r.read_index(7);  // a new round, its heartbeat not yet sent
  r.step(append_ack(2, 1, r.term().value, first, round));
  // The follower now says, in the read's round, that it lost what it acknowledged: the leader
  // probes it again.
  r.step(append_reject(2, 1, r.term().value, first, first, 0, round + 1));
  ASSERT_EQ(r.progress().at(NodeId{2}).state, raft::Progress::State::kProbe);
  const Sent read_round = sent_by(r);
  EXPECT_EQ(read_round.appends, std::vector<uint64_t>{first + 1})
      << "one append this round, the budget; the heartbeat carries none";
}

// The budget is the leader's per server, not its progress's: a server removed and added again
// within one round (a lone voter commits each change at once) is not sent a second round's worth.
TEST(FlowControl, AServerAddedAgainWithinARoundGetsNoSecondBudget) {
  raft::Config cfg = config_for(1, 1);
  cfg.learners = {NodeId{2}};
  cfg.max_entries_per_append = 1;
  cfg.max_appends_per_round = 1;
  Raft r(cfg, {});
  win_election(r, 1);
  ASSERT_EQ(r.role(), Role::kLeader);
  take(r);
  r.step(append_ack(2, 1, r.term().value, r.log().last_index().value));  // now replicating
  take(r);
  r.tick();  // a new round, its budget whole
  take(r);
  r.propose("x");
  ASSERT_EQ(sent_by(r).appends.size(), 1u);
  ASSERT_TRUE(r.change({.kind = raft::ConfChange::Kind::kRemove, .node = NodeId{2}}).accepted());
  take(r);
  ASSERT_FALSE(r.configuration().is_member(NodeId{2}));
  ASSERT_TRUE(
      r.change({.kind = raft::ConfChange::Kind::kAddLearner, .node = NodeId{2}}).accepted());
  EXPECT_TRUE(sent_by(r).appends.empty()) << "this round's budget was spent before the removal";
  r.tick();
  EXPECT_FALSE(sent_by(r).appends.empty()) << "the next round's budget is whole";
}

}  // namespace
}  // namespace raftsim::test

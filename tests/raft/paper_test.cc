// The rules of Figure 2 and §5 of the Raft paper, one test per rule, each tagged with its section
// (after etcd's raft_paper_test.go). Most drive a single core by hand; a few use the Cluster.
#include <gtest/gtest.h>

#include <set>

#include "cluster.h"
#include "single.h"

namespace raftsim::test {
namespace {

using raft::MessageType;
using raft::Raft;
using raft::Role;

// ---------------------------------------------------------------------------------------------
// §5.2 Leader election

TEST(Sec5_2, FollowerBecomesCandidateOnTimeoutVotesForItselfAndIncrementsTerm) {
  Raft r(config_for(1, 3));
  for (int i = 0; i < 20 && r.role() == Role::kFollower; ++i)
    r.tick();
  EXPECT_EQ(r.role(), Role::kCandidate);
  EXPECT_EQ(r.term(), Term{1});
  EXPECT_EQ(r.voted_for(), NodeId{1});
  raft::Ready rd = take(r);
  ASSERT_TRUE(rd.hard_state);
  EXPECT_EQ(rd.hard_state->term, Term{1});
  EXPECT_EQ(rd.hard_state->voted_for, NodeId{1});
  EXPECT_TRUE(rd.must_sync);
  auto requests = of_type(rd.after_persist, MessageType::kVoteRequest);
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].to, NodeId{2});
  EXPECT_EQ(requests[1].to, NodeId{3});
  EXPECT_EQ(requests[0].term, Term{1});
}

// Figure 2, "Persistent state ... updated on stable storage before responding": a candidate's
// own vote is a vote like any other. A lone voter that led before its vote was durable could
// crash, forget the vote, win the same term again and write different entries under it.
TEST(Sec5_2, CandidateCountsItsOwnVoteOnlyOnceItIsDurable) {
  raft::Config config;
  config.id = raft::NodeId{1};
  config.voters = {raft::NodeId{1}};
  Raft core(config);
  core.campaign();
  EXPECT_EQ(core.role(), Role::kCandidate);
  raft::Ready rd = core.ready();
  ASSERT_TRUE(rd.hard_state.has_value());
  EXPECT_EQ(rd.hard_state->voted_for, raft::NodeId{1});
  EXPECT_TRUE(rd.must_sync);
  core.advance(rd);
  EXPECT_EQ(core.role(), Role::kLeader);
  EXPECT_EQ(core.term(), raft::Term{1});
}

// The same for the leader's own copy of an entry: it counts toward a quorum once durable, and
// only the entries a completed persist carried are. A host may hand out the next entries (here
// the ones proposed while it applied the last batch) before it reports that batch done; a lone
// voter that committed them then would lose a committed entry in a crash.
TEST(Sec5_3, ACompletedPersistMakesDurableOnlyTheEntriesItCarried) {
  raft::Config config;
  config.id = raft::NodeId{1};
  config.voters = {raft::NodeId{1}};
  Raft core(config);
  core.campaign();
  take(core);
  take(core);  // the leader's no-op, durable and committed
  ASSERT_EQ(core.role(), Role::kLeader);
  const raft::Index noop = core.commit_index();
  const raft::Index x = core.propose("x").index;
  raft::Ready carrying_x = core.ready();
  const raft::Index y = core.propose("y").index;
  raft::Ready carrying_y = core.ready();  // handed out before x's persist is reported
  ASSERT_EQ(carrying_y.entries.size(), 1u);
  core.advance(carrying_x);
  EXPECT_EQ(core.commit_index(), x) << "x is durable";
  core.advance(carrying_y);
  EXPECT_EQ(core.commit_index(), y);
  EXPECT_GT(x, noop);
}

TEST(Sec5_2, ElectionTimeoutIsDrawnFromTToTwoT) {
  constexpr int kT = 10;
  std::set<int> seen;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    raft::Config c = config_for(1, 3);
    c.election_timeout_ticks = kT;
    c.seed = seed;
    Raft r(c);
    int ticks = 0;
    while (r.role() == Role::kFollower && ticks < 10 * kT) {
      r.tick();
      ++ticks;
    }
    ASSERT_GE(ticks, kT) << "seed " << seed;
    ASSERT_LT(ticks, 2 * kT) << "seed " << seed;
    seen.insert(ticks);
  }
  EXPECT_GE(seen.size(), 8u) << "timeouts are not randomized across [T, 2T)";
}

TEST(Sec5_2, CandidateWinsWithVotesFromAMajority) {
  Raft r(config_for(1, 5));
  r.campaign();
  take(r);
  r.step(vote_response(2, 1, 1, true));
  EXPECT_EQ(r.role(), Role::kCandidate) << "2 of 5 votes is not a majority";
  r.step(vote_response(3, 1, 1, false));
  EXPECT_EQ(r.role(), Role::kCandidate);
  r.step(vote_response(4, 1, 1, true));
  EXPECT_EQ(r.role(), Role::kLeader);
  EXPECT_EQ(r.leader(), NodeId{1});
}

TEST(Sec5_2, VoteCountsOnceFromEachVoter) {
  Raft r(config_for(1, 5));
  r.campaign();
  take(r);
  r.step(vote_response(2, 1, 1, true));
  r.step(vote_response(2, 1, 1, true));
  EXPECT_EQ(r.role(), Role::kCandidate) << "a duplicated grant must not count twice";
}

// §5.1 and Figure 2: a response of an older term is ignored. A grant from the candidate's
// previous election, arriving late, says nothing about this one: its voter may have voted for
// someone else since.
TEST(Sec5_2, AGrantFromAnEarlierTermIsNotCounted) {
  Raft r(config_for(1, 3), raft::Restored{{Term{2}, {}, Index{}}, {}});
  r.campaign();
  take(r);
  ASSERT_EQ(r.term(), Term{3});
  r.step(vote_response(2, 1, 2, true));
  EXPECT_EQ(r.role(), Role::kCandidate) << "a grant of term 2 won term 3";
  r.step(vote_response(2, 1, 3, true));
  EXPECT_EQ(r.role(), Role::kLeader);
}

TEST(Sec5_2, CandidateStepsDownOnAppendEntriesOfTheSameTerm) {
  Raft r(config_for(1, 3));
  r.campaign();
  take(r);
  ASSERT_EQ(r.term(), Term{1});
  r.step(append(2, 1, 1, 0, 0));
  EXPECT_EQ(r.role(), Role::kFollower);
  EXPECT_EQ(r.term(), Term{1});
  EXPECT_EQ(r.leader(), NodeId{2});
  EXPECT_EQ(r.voted_for(), NodeId{1}) << "the vote of a term is kept";
}

TEST(Sec5_2, CandidateStepsDownOnAppendEntriesOfAHigherTerm) {
  Raft r(config_for(1, 3));
  r.campaign();
  take(r);
  r.step(append(3, 1, 4, 0, 0));
  EXPECT_EQ(r.role(), Role::kFollower);
  EXPECT_EQ(r.term(), Term{4});
  EXPECT_EQ(r.leader(), NodeId{3});
}

// Figure 2, Followers: "if election timeout elapses without receiving AppendEntries RPC from
// current leader or granting vote to candidate: convert to candidate". Each restarts the timer.
TEST(Sec5_2, AFollowerRestartsItsTimerOnItsLeadersAppendEntries) {
  Raft r(config_for(2, 3), raft::Restored{{Term{1}, {}, Index{}}, {}});
  r.step(append(1, 2, 1, 0, 0));
  ASSERT_EQ(r.leader(), NodeId{1});
  while (r.election_ticks_left() > 1)
    r.tick();
  r.step(append(1, 2, 1, 0, 0));  // a heartbeat, just in time
  EXPECT_EQ(r.election_ticks_left(), r.election_timeout());
  for (int i = 1; i < r.election_timeout(); ++i)
    r.tick();
  EXPECT_EQ(r.role(), Role::kFollower) << "campaigned against a leader it had just heard";
}

TEST(Sec5_2, AVoterRestartsItsTimerWhenItGrantsItsVote) {
  // Node 2 already holds term 2, without a vote: granting one changes no term, and so resets
  // nothing on the way.
  Raft r(config_for(2, 3), raft::Restored{{Term{2}, {}, Index{}}, {}});
  while (r.election_ticks_left() > 1)
    r.tick();
  r.step(vote_request(3, 2, 2, 0, 0));
  ASSERT_EQ(r.voted_for(), NodeId{3});
  EXPECT_EQ(r.election_ticks_left(), r.election_timeout());
  r.tick();
  EXPECT_EQ(r.role(), Role::kFollower) << "campaigned against the candidate it had just chosen";
}

// Figure 2, Candidates: "On conversion to candidate, start election: ... Reset election timer".
// A candidate whose timer stayed run out would campaign again at every tick, each time in a newer
// term, and no vote it won would ever be counted.
TEST(Sec5_2, ACandidateRestartsItsTimerWhenItStartsAnElection) {
  Raft r(config_for(1, 3));
  while (r.role() == Role::kFollower)
    r.tick();
  ASSERT_EQ(r.term(), Term{1});
  EXPECT_EQ(r.election_ticks_left(), r.election_timeout());
  for (int i = 1; i < r.election_timeout(); ++i)
    r.tick();
  EXPECT_EQ(r.term(), Term{1}) << "campaigned again before its new timeout elapsed";
}

TEST(Sec5_2, SplitVoteStartsANewElectionAfterARandomizedTimeout) {
  // Four voters, two candidates each holding its own vote and one other: nobody has 3 of 4.
  Raft r(config_for(1, 4));
  r.campaign();
  take(r);
  r.step(vote_response(2, 1, 1, true));
  r.step(vote_response(3, 1, 1, false));
  r.step(vote_response(4, 1, 1, false));
  ASSERT_NE(r.role(), Role::kLeader);
  // Either still a candidate or back to follower: in both cases the timer runs and fires again.
  int ticks = 0;
  while (r.term() == Term{1} && ticks < 100) {
    r.tick();
    ++ticks;
  }
  EXPECT_EQ(r.term(), Term{2});
  EXPECT_EQ(r.role(), Role::kCandidate);
  EXPECT_GE(ticks, 10);
  EXPECT_LT(ticks, 20);
}

TEST(Sec5_2, ClusterElectsExactlyOneLeaderByTimeouts) {
  Cluster c(5);
  for (int i = 0; i < 100 && !c.leader(); ++i) {
    c.tick_all();
    c.stabilize();
  }
  ASSERT_TRUE(c.leader());
  size_t leaders = 0;
  for (NodeId id : c.ids())
    leaders += c.core(id).role() == Role::kLeader ? 1 : 0;
  EXPECT_EQ(leaders, 1u);
}

// ---------------------------------------------------------------------------------------------
// §5.3 Log replication

TEST(Sec5_3, LeaderAppendsProposalAndSendsItToEveryFollower) {
  Cluster c(3);
  c.campaign(NodeId{1});
  c.stabilize();
  auto proposed = c.propose(NodeId{1}, "x");
  ASSERT_TRUE(proposed.accepted);
  EXPECT_EQ(proposed.index, Index{2});  // after the no-op
  EXPECT_EQ(proposed.term, Term{1});
  EXPECT_EQ(c.core(NodeId{1}).log().at(Index{2}).command, "x");
  std::set<uint32_t> carried_to;
  for (const Message& m : c.in_flight()) {
    if (m.type == raft::MessageType::kAppendEntries && !m.entries.empty() &&
        m.entries.back().command == "x") {
      carried_to.insert(m.to.value);
    }
  }
  EXPECT_EQ(carried_to, (std::set<uint32_t>{2, 3}));
}

TEST(Sec5_3, FollowerRefusesProposals) {
  Cluster c(3);
  c.campaign(NodeId{1});
  c.stabilize();
  EXPECT_FALSE(c.propose(NodeId{2}, "x").accepted);
  EXPECT_EQ(c.core(NodeId{2}).log().last_index(), Index{1});
}

TEST(Sec5_3, LeaderCommitsOnceAMajorityStoresAnEntryOfItsTerm) {
  Cluster c(5);
  c.campaign(NodeId{1});
  c.stabilize();
  c.cut(NodeId{1}, NodeId{3});
  c.cut(NodeId{1}, NodeId{4});
  c.cut(NodeId{1}, NodeId{5});
  auto proposed = c.propose(NodeId{1}, "x");
  c.stabilize();
  EXPECT_LT(c.core(NodeId{1}).commit_index(), proposed.index) << "2 of 5 is not a majority";
  c.heal();
  c.cut(NodeId{1}, NodeId{4});
  c.cut(NodeId{1}, NodeId{5});
  // Node 3 lost the append carrying x. Heartbeats reveal the loss (it echoes a later round
  // without acknowledging x) and the leader resends: no new proposal is needed.
  for (int i = 0; i < 3; ++i) {
    c.tick(NodeId{1});
    c.stabilize();
  }
  EXPECT_EQ(c.core(NodeId{1}).commit_index(), proposed.index);
  ASSERT_FALSE(c.applied(NodeId{1}).empty());
  EXPECT_EQ(c.applied(NodeId{1}).back().command, "x");
}

TEST(Sec5_3, FollowerAppendsEntriesAndAcknowledgesAfterPersisting) {
  Raft r(config_for(2, 3));
  r.step(append(1, 2, 1, 0, 0, {entry(1, 1, "a"), entry(2, 1, "b")}, 1));
  EXPECT_EQ(terms_of(r.log()), (std::vector<uint64_t>{1, 1}));
  raft::Ready rd = take(r);
  EXPECT_EQ(rd.entries.size(), 2u);
  EXPECT_TRUE(rd.must_sync);
  EXPECT_TRUE(rd.messages.empty()) << "an acknowledgement may leave only after the write";
  ASSERT_EQ(rd.after_persist.size(), 1u);
  EXPECT_EQ(rd.after_persist[0].type, MessageType::kAppendResponse);
  EXPECT_FALSE(rd.after_persist[0].reject);
  EXPECT_EQ(rd.after_persist[0].match_index, Index{2});
  EXPECT_EQ(r.commit_index(), Index{1});
  ASSERT_EQ(rd.committed.size(), 1u);
  EXPECT_EQ(rd.committed[0].command, "a");
}

TEST(Sec5_3, FollowerRejectsAppendWhosePrevEntryDoesNotMatch) {
  Raft r(config_for(2, 3), raft::Restored{{Term{2}, {}, Index{}}, log_of_terms({1, 1})});
  r.step(append(1, 2, 3, 2, 2, {entry(3, 3)}));  // prev (2, term 2); we hold (2, term 1)
  EXPECT_EQ(terms_of(r.log()), (std::vector<uint64_t>{1, 1}));
  raft::Ready rd = take(r);
  ASSERT_EQ(rd.after_persist.size(), 1u);
  const Message& resp = rd.after_persist[0];
  EXPECT_TRUE(resp.reject);
  EXPECT_EQ(resp.rejected_index, Index{2});
  EXPECT_EQ(resp.conflict_term, Term{1});
  EXPECT_EQ(resp.conflict_index, Index{1});
  r.step(append(1, 2, 3, 5, 3));  // prev past our log
  rd = take(r);
  ASSERT_EQ(rd.after_persist.size(), 1u);
  EXPECT_TRUE(rd.after_persist[0].reject);
  EXPECT_EQ(rd.after_persist[0].conflict_term, Term{0});
  EXPECT_EQ(rd.after_persist[0].conflict_index, Index{3});
}

// §5.1: a request of a stale term is rejected, and the answer's newer term deposes its sender. By
// the time it arrives the sender may lead that newer term with a different log, so the answer
// names no position in it.
TEST(Sec5_1, AppendOfAStaleTermIsAnsweredWithTheNewerTermAndNoPosition) {
  Raft r(config_for(2, 3), raft::Restored{{Term{5}, {}, Index{}}, log_of_terms({1, 1})});
  r.step(append(1, 2, 3, 2, 1, {entry(3, 3)}));
  const raft::Ready rd = take(r);
  ASSERT_EQ(rd.after_persist.size(), 1u);
  const Message& resp = rd.after_persist[0];
  EXPECT_TRUE(resp.reject);
  EXPECT_EQ(resp.term, Term{5});
  EXPECT_EQ(resp.rejected_index, Index{0});
  EXPECT_EQ(resp.conflict_index, Index{0});
  EXPECT_EQ(r.log().last_index(), Index{2});
}

// §5.1: a response of an older term is ignored, by a leader too. Node 1 led term 1 and leads
// again in term 3; an acknowledgement from term 1 arriving now describes a log the follower may
// since have replaced, and must move nothing.
TEST(Sec5_1, AnAcknowledgementOfAnEarlierTermMovesNothing) {
  Raft r(config_for(1, 3), raft::Restored{{Term{2}, {}, Index{}}, log_of_terms({1, 1, 1})});
  win_election(r, 3);
  ASSERT_EQ(r.role(), Role::kLeader);
  ASSERT_EQ(r.term(), Term{3});
  take(r);
  r.step(append_ack(2, 1, 1, 3));
  EXPECT_EQ(r.progress().at(NodeId{2}).match_index, Index{0});
}

// Figure 2, All Servers: "if RPC request or response contains term T > currentTerm: set
// currentTerm = T, convert to follower". A deposed leader may hear of the newer term only in its
// followers' answers, when the new leader cannot reach it.
TEST(Sec5_1, ALeaderStepsDownOnANewerTermInAnAnswer) {
  Raft r(config_for(1, 3));
  win_election(r, 3);
  ASSERT_EQ(r.role(), Role::kLeader);
  take(r);
  r.step(append_reject(2, 1, 4, 0, 0));  // a follower of term 4 refusing a term-1 append
  EXPECT_EQ(r.role(), Role::kFollower);
  EXPECT_EQ(r.term(), Term{4});
  EXPECT_EQ(r.leader(), NodeId{}) << "the answer's sender is no leader";
}

TEST(Sec5_3, StaleOrDuplicateAppendNeverTruncates) {
  Raft r(config_for(2, 3), raft::Restored{{Term{1}, {}, Index{}}, log_of_terms({1, 1, 1})});
  // A delayed copy of the message that once carried entry 1 only.
  r.step(append(1, 2, 1, 0, 0, log_of_terms({1})));
  EXPECT_EQ(r.log().last_index(), Index{3});
  // A heartbeat anchored in the middle of the log.
  r.step(append(1, 2, 1, 1, 1));
  EXPECT_EQ(r.log().last_index(), Index{3});
  // A duplicate of entries 2..3.
  auto dup = log_of_terms({1, 1, 1});
  r.step(append(1, 2, 1, 1, 1, {dup[1], dup[2]}));
  EXPECT_EQ(r.log().last_index(), Index{3});
  raft::Ready rd = take(r);
  EXPECT_TRUE(rd.entries.empty()) << "nothing to rewrite";
}

TEST(Sec5_3, RealConflictTruncatesTheConflictingSuffix) {
  Raft r(config_for(2, 3), raft::Restored{{Term{1}, {}, Index{}}, log_of_terms({1, 1, 1})});
  r.step(append(1, 2, 2, 1, 1, {entry(2, 2, "new")}));
  EXPECT_EQ(terms_of(r.log()), (std::vector<uint64_t>{1, 2}));
  raft::Ready rd = take(r);
  ASSERT_EQ(rd.entries.size(), 1u);
  EXPECT_EQ(rd.entries.front().index, Index{2}) << "storage truncates from index 2";
}

// Figure 2, AppendEntries rule 5: commitIndex = min(leaderCommit, index of last new entry). A
// follower holding a suffix from an older leader (entry 3 of term 1) hears the leader of term 2
// through a heartbeat anchored at entry 2. The heartbeat proves entries 1..2 only: the leader's
// entry 3 is of term 2, so committing through the follower's own last index would commit an
// entry the leader is about to overwrite.
TEST(Sec5_3, CommitIndexStopsAtTheLastEntryTheAppendProved) {
  Raft r(config_for(2, 3), raft::Restored{{Term{1}, {}, Index{}}, log_of_terms({1, 1, 1})});
  r.step(append(1, 2, 2, 2, 1, {}, /*commit=*/3));
  EXPECT_EQ(r.log().last_index(), Index{3}) << "no conflict seen, nothing truncated";
  EXPECT_EQ(r.commit_index(), Index{2});
}

// §5.3: a success tells the leader that the follower's log matches its own through the last
// entry the message carried (or its anchor), and no further. The same stale entry 3 must not be
// acknowledged: the leader would count a copy of its own entry 3 that the follower lacks.
TEST(Sec5_3, AnAppendAcknowledgesOnlyThroughItsLastNewEntry) {
  Raft r(config_for(2, 3), raft::Restored{{Term{1}, {}, Index{}}, log_of_terms({1, 1, 1})});
  r.step(append(1, 2, 2, 2, 1));
  const std::vector<Message> responses =
      of_type(all_messages(take(r)), MessageType::kAppendResponse);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_FALSE(responses[0].reject);
  EXPECT_EQ(responses[0].match_index, Index{2});
}

TEST(Sec5_3, LeaderSendsHeartbeatsEveryHeartbeatInterval) {
  Raft r(config_for(1, 3));
  win_election(r, 3);
  take(r);
  r.tick();
  raft::Ready rd = take(r);
  auto heartbeats = of_type(rd.messages, MessageType::kAppendEntries);
  EXPECT_EQ(heartbeats.size(), 2u);
}

TEST(Sec5_3, FollowerLearnsCommitIndexFromTheLeader) {
  Cluster c(3);
  c.campaign(NodeId{1});
  c.stabilize();
  c.propose(NodeId{1}, "x");
  c.stabilize();
  c.tick(NodeId{1});
  c.stabilize();
  for (NodeId id : c.ids()) {
    EXPECT_EQ(c.core(id).commit_index(), Index{2}) << "node " << id.value;
    ASSERT_EQ(c.applied(id).size(), 2u);
    EXPECT_EQ(c.applied(id)[1].command, "x");
  }
}

// ---------------------------------------------------------------------------------------------
// §5.4.1 Election restriction

struct UpToDateCase {
  uint64_t last_index, last_term;
  bool granted;
};

TEST(Sec5_4_1, VoteRefusedToALessUpToDateLog) {
  // The voter's log is [1, 2]: last index 2, last term 2.
  const UpToDateCase cases[] = {
      {3, 1, false},  // longer, but an older last term
      {1, 2, false},  // equal last terms: the shorter log loses
      {0, 0, false},  // empty
      {2, 2, true},   // identical
      {3, 2, true},   // equal last terms, longer
      {1, 3, true},   // later last term wins whatever the length
  };
  for (const UpToDateCase& tc : cases) {
    Raft r(config_for(1, 3), raft::Restored{{Term{2}, {}, Index{}}, log_of_terms({1, 2})});
    r.step(vote_request(2, 1, 3, tc.last_index, tc.last_term));
    raft::Ready rd = take(r);
    ASSERT_EQ(rd.after_persist.size(), 1u);
    EXPECT_EQ(!rd.after_persist[0].reject, tc.granted)
        << "candidate last (" << tc.last_index << ", term " << tc.last_term << ")";
    EXPECT_EQ(r.voted_for(), tc.granted ? NodeId{2} : NodeId{});
    EXPECT_EQ(r.term(), Term{3}) << "a higher term is adopted even when the vote is refused";
  }
}

TEST(Sec5_4_1, AtMostOneVotePerTerm) {
  Raft r(config_for(1, 3));
  r.step(vote_request(2, 1, 5, 0, 0));
  EXPECT_EQ(r.voted_for(), NodeId{2});
  take(r);
  r.step(vote_request(3, 1, 5, 0, 0));
  raft::Ready rd = take(r);
  ASSERT_EQ(rd.after_persist.size(), 1u);
  EXPECT_TRUE(rd.after_persist[0].reject);
  EXPECT_EQ(r.voted_for(), NodeId{2});
  r.step(vote_request(2, 1, 5, 0, 0));  // a retried request from the same candidate
  rd = take(r);
  ASSERT_EQ(rd.after_persist.size(), 1u);
  EXPECT_FALSE(rd.after_persist[0].reject);
}

TEST(Sec5_4_1, VoteIsPersistedBeforeTheResponseLeaves) {
  Raft r(config_for(1, 3));
  r.step(vote_request(2, 1, 5, 0, 0));
  raft::Ready rd = take(r);
  EXPECT_TRUE(of_type(rd.messages, MessageType::kVoteResponse).empty());
  ASSERT_EQ(of_type(rd.after_persist, MessageType::kVoteResponse).size(), 1u);
  ASSERT_TRUE(rd.hard_state);
  EXPECT_EQ(rd.hard_state->term, Term{5});
  EXPECT_EQ(rd.hard_state->voted_for, NodeId{2});
  EXPECT_TRUE(rd.must_sync);
}

TEST(Sec5_4_1, VoteSurvivesRestart) {
  Cluster c(3);
  c.core(NodeId{1}).step(vote_request(2, 1, 5, 0, 0));
  c.process(NodeId{1});
  c.restart(NodeId{1});
  c.core(NodeId{1}).step(vote_request(3, 1, 5, 0, 0));
  c.process(NodeId{1});
  EXPECT_EQ(c.core(NodeId{1}).voted_for(), NodeId{2});
  const Message& last = c.in_flight().back();
  EXPECT_EQ(last.type, MessageType::kVoteResponse);
  EXPECT_EQ(last.to, NodeId{3});
  EXPECT_TRUE(last.reject);
}

// The planted forget_vote_on_restart: node 1 votes for node 2 in term 1, which makes node 2
// leader, then restarts. Its vote is on disk, but it does not read it back, and it votes for
// node 3 in the same term: two leaders of term 1. (Node 2's appends are dropped, so that node 1's
// log stays as short as node 3's and only the vote decides.)
TEST(Sec5_4_1, PlantedForgetVoteOnRestartElectsTwoLeadersInOneTerm) {
  for (bool planted : {false, true}) {
    SCOPED_TRACE(planted ? "planted" : "correct");
    Cluster c(3, [&](raft::Config& cfg) { cfg.bugs.forget_vote_on_restart = planted; });
    c.cut(NodeId{2}, NodeId{3});
    c.cut(NodeId{3}, NodeId{2});
    c.intercept = [](Message& m) { return m.type != MessageType::kAppendEntries; };
    c.campaign(NodeId{2});
    c.stabilize();
    ASSERT_EQ(c.core(NodeId{2}).role(), Role::kLeader);
    ASSERT_EQ(c.core(NodeId{2}).term(), Term{1});
    ASSERT_EQ(c.storage(NodeId{1}).state().hard_state.voted_for, NodeId{2});

    c.restart(NodeId{1});
    c.campaign(NodeId{3});
    c.stabilize();
    ASSERT_EQ(c.core(NodeId{3}).term(), Term{1});
    EXPECT_EQ(c.core(NodeId{1}).voted_for(), planted ? NodeId{3} : NodeId{2});
    EXPECT_EQ(c.core(NodeId{3}).role() == Role::kLeader, planted);
    EXPECT_EQ(c.core(NodeId{2}).role(), Role::kLeader);
  }
}

// The planted vote_without_log_check grants the votes VoteRefusedToALessUpToDateLog refuses.
TEST(Sec5_4_1, PlantedVoteWithoutLogCheckGrantsALessUpToDateLog) {
  raft::Config cfg = config_for(1, 3);
  cfg.bugs.vote_without_log_check = true;
  Raft r(cfg, raft::Restored{{Term{2}, {}, Index{}}, log_of_terms({1, 2})});
  r.step(vote_request(2, 1, 3, 0, 0));  // an empty log
  const raft::Ready rd = take(r);
  ASSERT_EQ(rd.after_persist.size(), 1u);
  EXPECT_FALSE(rd.after_persist[0].reject);
  EXPECT_EQ(r.voted_for(), NodeId{2});
}

// ---------------------------------------------------------------------------------------------
// §5.4.2 Committing entries from previous terms

// Node 1 holds [1, 2] from earlier terms and becomes leader of term 3 (no-op at index 3).
Raft leader_with_old_entries(raft::PlantedBugs bugs = {}) {
  raft::Config cfg = config_for(1, 3);
  cfg.bugs = bugs;
  Raft r(cfg, raft::Restored{{Term{2}, {}, Index{}}, log_of_terms({1, 2})});
  win_election(r, 3);
  take(r);
  return r;
}

TEST(Sec5_4_2, LeaderDoesNotCommitAPreviousTermEntryByCountingReplicas) {
  Raft r = leader_with_old_entries();
  ASSERT_EQ(r.role(), Role::kLeader);
  ASSERT_EQ(r.term(), Term{3});
  r.step(append_ack(2, 1, 3, 2));  // node 2 holds index 2 (term 2): on 2 of 3 nodes
  EXPECT_EQ(r.commit_index(), Index{0});
  EXPECT_TRUE(take(r).committed.empty());
}

TEST(Sec5_4_2, PreviousTermEntryCommitsWithACurrentTermEntry) {
  Raft r = leader_with_old_entries();
  r.step(append_ack(2, 1, 3, 2));
  r.step(append_ack(2, 1, 3, 3));  // now the no-op of term 3 is on a majority
  EXPECT_EQ(r.commit_index(), Index{3});
  EXPECT_EQ(take(r).committed.size(), 3u);
}

TEST(Sec5_4_2, PlantedCommitPreviousTermCommitsByCounting) {
  raft::PlantedBugs bugs;
  bugs.commit_previous_term = true;
  Raft r = leader_with_old_entries(bugs);
  r.step(append_ack(2, 1, 3, 2));
  EXPECT_EQ(r.commit_index(), Index{2}) << "the planted bug is live";
}

// ---------------------------------------------------------------------------------------------
// §8 A new leader commits a no-op of its term

TEST(Sec8, NewLeaderAppendsANoOpOfItsTerm) {
  Raft r = leader_with_old_entries();
  ASSERT_EQ(r.log().last_index(), Index{3});
  const raft::Entry& noop = r.log().at(Index{3});
  EXPECT_EQ(noop.type, raft::EntryType::kNoOp);
  EXPECT_EQ(noop.term, Term{3});
}

// ---------------------------------------------------------------------------------------------
// Figure 2 as a contract on input: impossible messages are refused, counted, and change nothing.

struct Impossible {
  const char* name;
  Message message;
  raft::Rejection why;
};

TEST(Fig2_Validation, ImpossibleMessagesAreRejectedCountedAndChangeNoState) {
  const Impossible cases[] = {
      {"AppendEntries of term 0", append(2, 1, 0, 0, 0), raft::Rejection::kZeroTerm},
      {"prev index 0 with a nonzero prev term", append(2, 1, 3, 0, 1),
       raft::Rejection::kImpossibleLog},
      {"prev term above the message term", append(2, 1, 3, 1, 4), raft::Rejection::kImpossibleLog},
      {"entries not contiguous", append(2, 1, 3, 0, 0, {entry(1, 1), entry(3, 1)}),
       raft::Rejection::kBrokenEntries},
      {"entry term above the message term", append(2, 1, 3, 0, 0, {entry(1, 4)}),
       raft::Rejection::kBrokenEntries},
      {"entry terms decreasing", append(2, 1, 3, 0, 0, {entry(1, 2), entry(2, 1)}),
       raft::Rejection::kBrokenEntries},
      {"unknown sender", append(9, 1, 3, 0, 0), raft::Rejection::kUnknownSender},
      {"sender is the recipient", append(1, 1, 3, 0, 0), raft::Rejection::kUnknownSender},
      {"wrong recipient", append(2, 3, 3, 0, 0), raft::Rejection::kWrongRecipient},
      {"vote request for a log position with no term", vote_request(2, 1, 3, 4, 0),
       raft::Rejection::kImpossibleLog},
      // Adopted, such a term would wrap to 0 within two elections.
      {"term of 2^64 - 1", vote_request(2, 1, UINT64_MAX, 0, 0), raft::Rejection::kOutOfRange},
      {"term of 2^62", append(2, 1, uint64_t{1} << 62, 0, 0), raft::Rejection::kOutOfRange},
      {"prev index of 2^62", append(2, 1, 3, uint64_t{1} << 62, 1), raft::Rejection::kOutOfRange},
  };
  for (const Impossible& tc : cases) {
    Raft r(config_for(1, 3), raft::Restored{{Term{2}, NodeId{3}, Index{1}}, log_of_terms({1, 2})});
    take(r);
    r.step(tc.message);
    EXPECT_EQ(r.rejections(tc.why), 1u) << tc.name;
    EXPECT_EQ(r.total_rejections(), 1u) << tc.name;
    EXPECT_EQ(r.term(), Term{2}) << tc.name;
    EXPECT_EQ(r.voted_for(), NodeId{3}) << tc.name;
    EXPECT_EQ(r.leader(), NodeId{}) << tc.name;
    EXPECT_EQ(r.commit_index(), Index{1}) << tc.name;
    EXPECT_EQ(terms_of(r.log()), (std::vector<uint64_t>{1, 2})) << tc.name;
    EXPECT_FALSE(r.has_ready()) << tc.name << ": nothing to persist or send";
  }
}

TEST(Fig2_Validation, SuccessAckPastTheLeadersLogIsRejectedAndChangesNoProgress) {
  Raft r(config_for(1, 3));
  win_election(r, 3);
  take(r);
  ASSERT_EQ(r.role(), Role::kLeader);
  const raft::Progress before = r.progress().at(NodeId{2});
  r.step(append_ack(2, 1, 1, 99, 7));
  EXPECT_EQ(r.rejections(raft::Rejection::kImpossibleLog), 1u);
  EXPECT_EQ(r.total_rejections(), 1u);
  const raft::Progress& after = r.progress().at(NodeId{2});
  EXPECT_EQ(after.match_index, before.match_index);
  EXPECT_EQ(after.acked_round, before.acked_round) << "a bogus ack must not confirm a read round";
  EXPECT_EQ(r.commit_index(), Index{0});
}

// Node 1 leads term 1 of three nodes; node 2 has acknowledged the no-op, so the leader streams to
// it (no outstanding probe filters its answers) and the no-op is committed.
Raft leader_streaming_to_2() {
  Raft r(config_for(1, 3));
  win_election(r, 3);
  take(r);
  r.step(append_ack(2, 1, 1, 1));
  take(r);
  EXPECT_EQ(r.progress().at(NodeId{2}).state, raft::Progress::State::kReplicate);
  EXPECT_EQ(r.commit_index(), Index{1});
  return r;
}

// Steps `m` into the leader and expects it refused as impossible, with node 2's progress, the
// commit index and the outputs exactly as they were.
void expect_refused_by_leader(Raft& r, const Message& m) {
  const raft::Progress before = r.progress().at(NodeId{2});
  const Index commit = r.commit_index();
  r.step(m);
  EXPECT_EQ(r.rejections(raft::Rejection::kImpossibleLog), 1u);
  EXPECT_EQ(r.total_rejections(), 1u);
  ASSERT_EQ(r.role(), Role::kLeader);
  const raft::Progress& after = r.progress().at(NodeId{2});
  EXPECT_EQ(after.match_index, before.match_index);
  EXPECT_EQ(after.next_index, before.next_index);
  EXPECT_EQ(after.state, before.state);
  EXPECT_EQ(after.acked_round, before.acked_round);
  EXPECT_EQ(r.commit_index(), commit);
  EXPECT_FALSE(r.has_ready()) << "nothing to persist or send";
}

// The follower "rejects" index 50 of a two-entry log: a position the leader never sent. Taken at
// its word, next_index would land past the log and the next append would read beyond it.
TEST(Fig2_Validation, RejectionOfAPositionPastTheLeadersLogIsRefused) {
  Raft r = leader_streaming_to_2();
  expect_refused_by_leader(r, append_reject(2, 1, 1, /*rejected=*/50, /*conflict_index=*/50));
}

// An honest hint lies at most one past the rejected position (the follower's commit index + 1,
// when it equals the rejected index).
TEST(Fig2_Validation, ConflictHintPastTheRejectedPositionIsRefused) {
  Raft r = leader_streaming_to_2();
  expect_refused_by_leader(r, append_reject(2, 1, 1, /*rejected=*/1, /*conflict_index=*/3));
}

// The answer to an AppendEntries of an older term, arriving once its sender leads the answer's
// term (Sec5_1 above): it says nothing about this term's log, so it moves nothing, and it is
// honest, so it is not counted as impossible.
TEST(Fig2_Validation, AnswerToAnOlderTermsAppendIsIgnoredNotRefused) {
  Raft r = leader_streaming_to_2();
  const raft::Progress before = r.progress().at(NodeId{2});
  r.step(append_reject(2, 1, 1, /*rejected=*/0, /*conflict_index=*/0));
  EXPECT_EQ(r.total_rejections(), 0u);
  EXPECT_EQ(r.progress().at(NodeId{2}).next_index, before.next_index);
  EXPECT_EQ(r.progress().at(NodeId{2}).state, before.state);
  EXPECT_FALSE(r.has_ready());
}

TEST(Fig2_Validation, RejectionEchoingARoundNotYetBegunIsRefused) {
  Raft r = leader_streaming_to_2();
  expect_refused_by_leader(r, append_reject(2, 1, 1, 1, 1, 0, /*round=*/1));
}

// A quorum of echoes of round r proves leadership after r began; an echo of a later round proves
// nothing, so it must not confirm a read.
TEST(Fig2_Validation, AckEchoingARoundNotYetBegunIsRefusedAndConfirmsNoRead) {
  Raft r = leader_streaming_to_2();
  r.read_index(7);
  ASSERT_TRUE(take(r).reads.empty());  // sends the heartbeat round the read waits for
  expect_refused_by_leader(r, append_ack(2, 1, 1, 1, /*round=*/2));
  EXPECT_TRUE(take(r).reads.empty());
  r.step(append_ack(2, 1, 1, 1, /*round=*/1));  // the honest echo
  const raft::Ready rd = take(r);
  ASSERT_EQ(rd.reads.size(), 1u);
  EXPECT_TRUE(rd.reads[0].ok);
}

}  // namespace
}  // namespace raftsim::test

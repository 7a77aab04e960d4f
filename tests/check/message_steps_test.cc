// request_answered and stale_term_ignored: what a node does with one message, judged at the
// step that takes it (message_steps.cc).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "check/raft_invariants.h"
#include "raft/raft.h"
#include "three_cores.h"
#include "violations_text.h"

namespace raftsim::check {
namespace {

using raft::MessageType;
using raft::Role;

class MessageStepsTest : public ThreeCores {
 protected:
  explicit MessageStepsTest(bool vote_lease = false) {
    configure = [vote_lease](raft::Config& config) { config.options.vote_lease = vote_lease; };
    report_steps = true;
    inv.set_steps_reported(true);
  }

  // A heartbeat `leader` could send `to` now: it matches the follower's log.
  raft::Message heartbeat(raft::NodeId leader, raft::NodeId to) {
    raft::Message m;
    m.type = MessageType::kAppendEntries;
    m.from = leader;
    m.to = to;
    m.term = core(leader).term();
    m.prev_log_index = core(to).log().last_index();
    m.prev_log_term = core(to).log().last_term();
    m.leader_commit = core(leader).commit_index();
    return m;
  }

  // The checker reported one violation, and this is it.
  void expect_only(std::string_view property, std::vector<raft::NodeId> nodes, uint64_t term,
                   const std::string& detail) {
    ASSERT_EQ(inv.violations().size(), 1u) << all(inv);
    const PropertyViolation& v = inv.violations()[0];
    EXPECT_EQ(v.property, property);
    EXPECT_EQ(v.nodes, nodes);
    EXPECT_EQ(v.term, raft::Term{term});
    EXPECT_EQ(v.detail, detail);
  }

  // Takes `id`'s next Ready, tells the checker of it with its first `keep` answers of `type`
  // only, and hands it back to the core.
  void ready_keeping(raft::NodeId id, MessageType type, size_t keep) {
    raft::Ready rd = core(id).ready();
    for (auto* list : {&rd.messages, &rd.after_persist}) {
      std::erase_if(*list, [&](const raft::Message& m) {
        if (m.type != type) return false;
        if (keep == 0) return true;
        --keep;
        return false;
      });
    }
    inv.on_ready(tick(), core(id), rd);
    core(id).advance(rd);
  }

  raft::Message answer(raft::NodeId from, raft::NodeId to, uint64_t term, uint64_t match) {
    raft::Message m;
    m.type = MessageType::kAppendResponse;
    m.from = from;
    m.to = to;
    m.term = raft::Term{term};
    m.match_index = raft::Index{match};
    return m;
  }
};

class VoteLeaseTest : public MessageStepsTest {
 protected:
  VoteLeaseTest() : MessageStepsTest(/*vote_lease=*/true) {}
};

// Elections, replication, a leader cut off while the others elect a new one, and its stale
// appends and answers reaching the new term: every request answered, nothing moved by an older
// term.
TEST_F(MessageStepsTest, ACorrectClusterAnswersEveryRequestAndIgnoresOlderTerms) {
  elect(n1);
  core(n1).propose("a");
  settle();
  held_for = {n1};
  elect(n2);
  core(n1).propose("b");  // n1 still leads term 1 as far as it knows
  settle();
  deliver(answer(n3, n2, 1, 2));  // an acknowledgement from term 1, arriving in term 2
  held_for.clear();
  settle();
  EXPECT_EQ(core(n1).role(), Role::kFollower);
  EXPECT_EQ(core(n1).term(), core(n2).term());
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

// Mutant 06's slip, told to the checker: the core took its term's AppendEntries and its next
// Ready carried no answer.
TEST_F(MessageStepsTest, AnAppendLeftUnansweredIsReported) {
  elect(n1);
  deliver(heartbeat(n1, n2));
  ready_keeping(n2, MessageType::kAppendResponse, 0);
  expect_only(kRequestAnswered, {n2, n1}, 1,
              "n2, follower of term 1, took n1's AppendEntries of term 1 and its next Ready "
              "carried no AppendResponse to n1");
}

// Two appends taken, one answered: the second is still owed.
TEST_F(MessageStepsTest, EachRequestIsOwedItsOwnAnswer) {
  elect(n1);
  deliver(heartbeat(n1, n2));
  deliver(heartbeat(n1, n2));
  ready_keeping(n2, MessageType::kAppendResponse, 1);
  expect_only(kRequestAnswered, {n2, n1}, 1,
              "n2, follower of term 1, took 2 requests from n1 (the last its AppendEntries of "
              "term 1) and its next Ready carried 1 AppendResponse to n1");
}

TEST_F(MessageStepsTest, ARequestTheCoreRefusedIsNotOwed) {
  elect(n1);
  raft::Message broken = heartbeat(n1, n2);
  broken.entries.push_back({.term = raft::Term{1}, .index = raft::Index{40}});  // not prev + 1
  const uint64_t refused = core(n2).total_rejections();
  deliver(broken);
  ASSERT_EQ(core(n2).total_rejections(), refused + 1);
  inv.on_ready(tick(), core(n2), raft::Ready{});
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

TEST_F(VoteLeaseTest, AVoteRequestTheLeaseLetsAVoterIgnoreIsNotOwed) {
  elect(n1);
  raft::Message ask;
  ask.type = MessageType::kVoteRequest;
  ask.from = n3;
  ask.to = n2;
  ask.term = core(n3).term().next();
  ask.last_log_index = core(n3).log().last_index();
  ask.last_log_term = core(n3).log().last_term();
  deliver(ask);
  EXPECT_FALSE(core(n2).has_ready());  // n2 heard from n1 a moment ago
  inv.on_ready(tick(), core(n2), raft::Ready{});
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

// The lease covers a voter that heard from a leader; one that knows of none owes an answer.
TEST_F(VoteLeaseTest, APreVoteRequestTheLeaseDoesNotCoverIsOwed) {
  raft::Message ask;
  ask.type = MessageType::kPreVoteRequest;
  ask.from = n3;
  ask.to = n2;
  ask.term = raft::Term{1};  // the term n3 would campaign in
  deliver(ask);
  ready_keeping(n2, MessageType::kPreVoteResponse, 0);
  expect_only(kRequestAnswered, {n2, n3}, 1,
              "n2, follower of term 0, took n3's PreVoteRequest of term 1 and its next Ready "
              "carried no PreVoteResponse to n3");
}

TEST_F(MessageStepsTest, ARestartForgetsWhatTheNodeOwed) {
  elect(n1);
  deliver(heartbeat(n1, n2));
  inv.on_restart(tick(), n2);
  inv.on_ready(tick(), core(n2), raft::Ready{});
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

// Mutant 13's slip, told to the checker: an acknowledgement from the leader's earlier term moves
// a follower's progress as one of its current term would.
TEST_F(MessageStepsTest, AnAnswerOfAnOlderTermThatMovesProgressIsReported) {
  elect(n1);
  core(n1).propose("a");
  settle();
  elect(n2);  // term 2; n3 matched through n2's no-op at index 3
  lost_for = {n1, n3};
  core(n2).propose("b");  // index 4, on n2 alone
  settle();
  const raft::Message stale = answer(n3, n2, 1, 4);
  inv.on_step(tick(), core(n2), stale);
  core(n2).step(answer(n3, n2, core(n2).term().value, 4));  // what counting it does
  inv.on_stepped(tick(), core(n2), stale);
  expect_only(kStaleTermIgnored, {n2, n3}, 1,
              "n2, leader of term 2, stepped n3's AppendResponse of term 1 and changed its "
              "commit index 3 -> 4, its progress for n3 (match 3 -> 4)");
}

// A stale append is answered (with the newer term) and moves nothing.
TEST_F(MessageStepsTest, AStaleAppendIsAnsweredAndChangesNothing) {
  elect(n1);
  elect(n2);
  raft::Message stale = heartbeat(n1, n3);
  stale.term = raft::Term{1};
  stale.prev_log_index = raft::Index{1};  // n1's no-op
  stale.prev_log_term = raft::Term{1};
  deliver(stale);
  ASSERT_TRUE(core(n3).has_ready());
  settle();
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

// A stale append that a core took as its leader's: the report names the leaders, not their ids.
TEST_F(MessageStepsTest, AStaleAppendThatMovesTheLeaderIsReportedByName) {
  elect(n1);
  elect(n2);  // term 2; n3 follows n2
  raft::Message stale = heartbeat(n1, n3);
  stale.term = raft::Term{1};
  inv.on_step(tick(), core(n3), stale);
  raft::Message as_current = stale;  // what taking it as n3's leader of term 2 would do
  as_current.term = core(n3).term();
  core(n3).step(as_current);
  inv.on_stepped(tick(), core(n3), stale);
  expect_only(kStaleTermIgnored, {n3, n1}, 1,
              "n3, follower of term 2, stepped n1's AppendEntries of term 1 and changed its "
              "leader n2 -> n1, its commit index 0 -> 1");
}

// election_timer_reset. A correct cluster restarts the timers it must: elections, heartbeats and
// votes of every kind, with nothing reported.
TEST_F(MessageStepsTest, TimersRestartedOnALeadersAppendAndOnAVoteAreNotReported) {
  elect(n1);
  for (int i = 0; i < 3; ++i)
    core(n2).tick();
  deliver(heartbeat(n1, n2));
  EXPECT_EQ(core(n2).election_ticks_left(), core(n2).election_timeout());
  elect(n3);
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

// Mutant 53's slip, told to the checker: a follower takes its leader's heartbeat and its
// election timer runs on.
TEST_F(MessageStepsTest, AnAppendThatLeavesTheTimerRunningIsReported) {
  elect(n1);
  const raft::Message m = heartbeat(n1, n2);
  inv.on_step(tick(), core(n2), m);
  core(n2).step(m);
  core(n2).tick();  // what a timer left running shows
  inv.on_stepped(tick(), core(n2), m);
  const int timeout = core(n2).election_timeout();
  expect_only(kElectionTimerReset, {n2, n1}, 1,
              "n2, follower of term 1, took its leader n1's AppendEntries and did not restart its "
              "election timer (" +
                  std::to_string(timeout - 1) + " of " + std::to_string(timeout) + " ticks left)");
}

// Mutant 54's slip: a vote granted, and the timer running on.
TEST_F(MessageStepsTest, AVoteThatLeavesTheTimerRunningIsReported) {
  elect(n1);
  raft::Message request;
  request.type = MessageType::kVoteRequest;
  request.from = n2;
  request.to = n3;
  request.term = raft::Term{2};
  request.last_log_index = core(n2).log().last_index();
  request.last_log_term = core(n2).log().last_term();
  inv.on_step(tick(), core(n3), request);
  core(n3).step(request);
  ASSERT_EQ(core(n3).voted_for(), n2);
  core(n3).tick();
  inv.on_stepped(tick(), core(n3), request);
  ASSERT_EQ(inv.violations().size(), 1u) << all(inv);
  EXPECT_EQ(inv.violations()[0].property, kElectionTimerReset);
  EXPECT_EQ(inv.violations()[0].detail.rfind(
                "n3, follower of term 2, granted its vote to n2 and did not restart its election "
                "timer (",
                0),
            0u)
      << inv.violations()[0].detail;

  // The same request again (a retry) grants nothing new: the timer is not judged by it (a
  // second report would be counted as suppressed).
  inv.on_step(tick(), core(n3), request);
  core(n3).step(request);
  core(n3).tick();
  inv.on_stepped(tick(), core(n3), request);
  EXPECT_EQ(inv.violations().size(), 1u) << all(inv);
  EXPECT_EQ(inv.suppressed(), 0u);
}

// newer_term_adopted. A deposed leader that hears of the newer term in an answer steps down to
// a follower of it, and nothing is reported.
TEST_F(MessageStepsTest, ALeaderThatHearsOfANewerTermInAnAnswerStepsDown) {
  elect(n1);
  lost_for = {n1};
  elect(n2);  // term 2, n1 none the wiser
  lost_for.clear();
  deliver(answer(n3, n1, 2, 0));
  EXPECT_EQ(core(n1).role(), Role::kFollower);
  EXPECT_EQ(core(n1).term(), raft::Term{2});
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

// Mutant 55's slip, told to the checker: the answer of a newer term leaves the leader leading
// its old one.
TEST_F(MessageStepsTest, ALeaderThatIgnoresANewerTermIsReported) {
  elect(n1);
  const raft::Message newer = answer(n3, n1, 2, 0);
  inv.on_step(tick(), core(n1), newer);
  inv.on_stepped(tick(), core(n1), newer);  // stepped as if the term were not there
  expect_only(kNewerTermAdopted, {n1, n3}, 2,
              "n1 of term 1 stepped n3's AppendResponse of term 2 and is leader of term 1");
}

// A pre-vote request carries the term its sender would campaign in, which nobody holds yet: it
// moves no one's term, and is not judged.
TEST_F(MessageStepsTest, APreVoteRequestOfANewerTermIsNotJudged) {
  elect(n1);
  raft::Message pre_vote;
  pre_vote.type = MessageType::kPreVoteRequest;
  pre_vote.from = n2;
  pre_vote.to = n3;
  pre_vote.term = raft::Term{2};
  pre_vote.last_log_index = core(n2).log().last_index();
  pre_vote.last_log_term = core(n2).log().last_term();
  deliver(pre_vote);
  EXPECT_EQ(core(n3).term(), raft::Term{1});
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

// leader_followed. Two candidates of one term: the loser takes the winner's append and follows
// it, and nothing is reported.
TEST_F(MessageStepsTest, ACandidateThatLostFollowsTheWinner) {
  elect(n1);
  core(n2).campaign();
  core(n3).campaign();  // both of term 2; n1 grants n2, which asked first
  settle();
  ASSERT_EQ(core(n2).role(), Role::kLeader);
  EXPECT_EQ(core(n3).role(), Role::kFollower);
  EXPECT_EQ(core(n3).leader(), n2);
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

// Mutant 56's slip, told to the checker: the losing candidate takes the winner's append and
// stays a candidate.
TEST_F(MessageStepsTest, ACandidateThatStaysACandidateIsReported) {
  elect(n1);
  held_for = {n3};
  core(n2).campaign();
  core(n3).campaign();
  settle();
  ASSERT_EQ(core(n2).role(), Role::kLeader);
  ASSERT_EQ(core(n3).role(), Role::kCandidate);
  const raft::Message append = heartbeat(n2, n3);
  inv.on_step(tick(), core(n3), append);
  inv.on_stepped(tick(), core(n3), append);  // stepped as if the winner were not there
  expect_only(kLeaderFollowed, {n3, n2}, 2,
              "n3 took n2's AppendEntries of term 2 and is candidate of term 2, no leader");
}

// Taking a newer term and going past it at once is not taking it: only a TimeoutNow asks that.
TEST_F(MessageStepsTest, ANodeThatCampaignsOnANewerAppendIsReported) {
  elect(n1);
  lost_for = {n3};
  elect(n2);  // term 2; n3 still at term 1
  lost_for.clear();
  const raft::Message append = heartbeat(n2, n3);
  inv.on_step(tick(), core(n3), append);
  core(n3).step(append);
  core(n3).campaign();  // what a core that campaigned inside the step would show
  inv.on_stepped(tick(), core(n3), append);
  expect_only(kNewerTermAdopted, {n3, n2}, 2,
              "n3 of term 1 stepped n2's AppendEntries of term 2 and is candidate of term 3");
}

TEST_F(MessageStepsTest, ATimeoutNowsCampaignIsNotReported) {
  elect(n1);
  lost_for = {n3};
  elect(n2);
  lost_for.clear();
  raft::Message timeout_now;
  timeout_now.type = MessageType::kTimeoutNow;
  timeout_now.from = n2;
  timeout_now.to = n3;
  timeout_now.term = core(n2).term();
  deliver(timeout_now);
  EXPECT_EQ(core(n3).role(), Role::kCandidate);
  EXPECT_EQ(core(n3).term(), raft::Term{3});
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

}  // namespace
}  // namespace raftsim::check

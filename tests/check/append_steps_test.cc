// append_entries_obeyed: how a follower takes an AppendEntries of its term, judged at the step and
// in its answer (append_steps.cc). A correct core's slips cannot be made to order, so each test of
// a report brackets something else between on_step and on_stepped, or edits the answer in the
// Ready the checker is shown, as a broken core would have made them.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "check/raft_invariants.h"
#include "raft/raft.h"
#include "three_cores.h"
#include "violations_text.h"

namespace raftsim::check {
namespace {

using raft::Index;
using raft::MessageType;
using raft::Role;
using raft::Term;

class AppendStepsTest : public ThreeCores {
 protected:
  AppendStepsTest() {
    report_steps = true;
    inv.set_steps_reported(true);
  }

  // An append `leader` could send `to`: after (prev, its term in the leader's log), carrying the
  // leader's entries prev + 1 .. last (none for a heartbeat), with `commit` as the leader's.
  raft::Message append(raft::NodeId leader, raft::NodeId to, uint64_t prev, uint64_t last,
                       uint64_t commit) {
    const raft::Log& log = core(leader).log();
    raft::Message m;
    m.type = MessageType::kAppendEntries;
    m.from = leader;
    m.to = to;
    m.term = core(leader).term();
    m.prev_log_index = Index{prev};
    m.prev_log_term = log.term_at(Index{prev});
    for (uint64_t i = prev + 1; i <= last; ++i)
      m.entries.push_back(log.at(Index{i}));
    m.leader_commit = Index{commit};
    return m;
  }

  // n1 leads term 1 with entries 1 (its no-op), 2 and 3 on every log; n2 and n3 know of the
  // commit only through 1, as the appends that carried 2 and 3 said.
  void three_entries_committed_through_one_on_followers() {
    elect(n1);
    core(n1).propose("a");
    core(n1).propose("b");
    settle();
    ASSERT_EQ(core(n1).commit_index(), Index{3});
    ASSERT_EQ(core(n2).log().last_index(), Index{3});
    ASSERT_EQ(core(n2).commit_index(), Index{1});
  }

  // Shows the checker `id`'s next Ready with its one AppendResponse edited by `edit`, as a broken
  // core would have written it, and hands the Ready back to the core.
  void show_answer_edited(raft::NodeId id, const std::function<void(raft::Message&)>& edit) {
    raft::Ready rd = core(id).ready();
    int answers = 0;
    for (auto* list : {&rd.messages, &rd.after_persist}) {
      for (raft::Message& answer : *list) {
        if (answer.type != MessageType::kAppendResponse) continue;
        edit(answer);
        ++answers;
      }
    }
    ASSERT_EQ(answers, 1);
    inv.on_ready(tick(), core(id), rd);
    core(id).advance(rd);
  }

  void expect_only(std::vector<raft::NodeId> nodes, const std::string& detail) {
    ASSERT_EQ(inv.violations().size(), 1u) << all(inv);
    const PropertyViolation& v = inv.violations()[0];
    EXPECT_EQ(v.property, kAppendEntriesObeyed);
    EXPECT_EQ(v.nodes, nodes);
    EXPECT_EQ(v.detail, detail);
  }
};

// A leader of term 1 writes entries no one else gets; the others elect n2 in term 2, which
// writes its own; back in touch, n1's suffix is cut by n2's appends, which it takes by the rules.
// Heartbeats, duplicates and appends that conflict: nothing reported.
TEST_F(AppendStepsTest, AFollowerThatTakesAppendsByTheRulesIsNotReported) {
  elect(n1);
  lost_for = {n2, n3};
  core(n1).propose("lost");
  core(n1).propose("lost too");
  settle();
  lost_for = {n1};
  elect(n2);
  core(n2).propose("kept");
  settle();
  lost_for.clear();
  deliver(append(n2, n1, 1, 3, 1));  // a conflict at 2
  deliver(append(n2, n1, 1, 2, 1));  // a duplicate: nothing goes
  settle();
  EXPECT_EQ(core(n1).log().last_index(), Index{3});
  EXPECT_EQ(core(n1).log().term_at(Index{3}), Term{2});
  EXPECT_EQ(core(n1).role(), Role::kFollower);
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

// Mutant 04's slip: the commit index set from the follower's own last entry, not the last new
// entry of the message.
TEST_F(AppendStepsTest, ACommitPastTheLastNewEntryIsReported) {
  three_entries_committed_through_one_on_followers();
  const raft::Message m = append(n1, n2, 1, 1, 3);  // a heartbeat after entry 1, commit 3
  inv.on_step(tick(), core(n2), m);
  core(n2).step(append(n1, n2, 3, 3, 3));  // what a core committing to its last entry does
  inv.on_stepped(tick(), core(n2), m);
  ASSERT_EQ(core(n2).commit_index(), Index{3});
  expect_only({n2, n1},
              "n2, follower of term 1, took n1's heartbeat after (1, term 1) with the leader's "
              "commit index 3 and set its commit index 1 -> 3, not 1 (the lower of the leader's "
              "commit index and its last new entry, 1, when that is higher)");
}

// Rule 2: a follower whose log lacks the previous entry keeps its log as it was.
TEST_F(AppendStepsTest, ALogChangedByAnAppendItCouldNotMatchIsReported) {
  three_entries_committed_through_one_on_followers();
  raft::Message m = append(n1, n2, 3, 3, 3);
  m.prev_log_index = Index{7};  // past n2's log
  inv.on_step(tick(), core(n2), m);
  core(n1).propose("c");
  core(n2).step(append(n1, n2, 3, 4, 3));
  inv.on_stepped(tick(), core(n2), m);
  expect_only({n2, n1},
              "n2, follower of term 1, took n1's heartbeat after (7, term 1), which its log does "
              "not hold, and changed its log's last entry (3, term 1) -> (4, term 1)");
}

// Rule 4: every entry the message carried is in the log afterwards.
TEST_F(AppendStepsTest, AnEntryCarriedButNotHeldIsReported) {
  three_entries_committed_through_one_on_followers();
  core(n1).propose("c");
  const raft::Message m = append(n1, n2, 3, 4, 3);
  inv.on_step(tick(), core(n2), m);
  inv.on_stepped(tick(), core(n2), m);  // a step that dropped the entry
  expect_only({n2, n1},
              "n2, follower of term 1, took n1's AppendEntries of entries 4..4 after (3, term 1), "
              "which its log holds, and does not hold the entry (4, term 1) it carried");
}

// Mutant 05's slip: success acknowledged through the follower's own last entry, past the last
// new entry of the message. And a success where the log could not match.
TEST_F(AppendStepsTest, AnAnswerThatAcknowledgesTheWrongEntriesIsReported) {
  three_entries_committed_through_one_on_followers();
  const raft::Message m = append(n1, n2, 1, 1, 1);
  inv.on_step(tick(), core(n2), m);
  core(n2).step(m);
  inv.on_stepped(tick(), core(n2), m);
  show_answer_edited(n2, [](raft::Message& answer) {
    ASSERT_FALSE(answer.reject);
    ASSERT_EQ(answer.match_index, Index{1});
    answer.match_index = Index{3};
  });
  expect_only({n2, n1},
              "n2, follower of term 1, took n1's heartbeat after (1, term 1) and answered success "
              "through 3, not success through 1, its last new entry");
}

TEST_F(AppendStepsTest, ASuccessForAnAppendItCouldNotMatchIsReported) {
  three_entries_committed_through_one_on_followers();
  raft::Message m = append(n1, n2, 3, 3, 3);
  m.prev_log_index = Index{7};
  inv.on_step(tick(), core(n2), m);
  core(n2).step(m);
  inv.on_stepped(tick(), core(n2), m);
  show_answer_edited(n2, [](raft::Message& answer) {
    ASSERT_TRUE(answer.reject);
    answer.reject = false;
    answer.match_index = Index{3};
  });
  expect_only({n2, n1},
              "n2, follower of term 1, took n1's heartbeat after (7, term 1) and answered success "
              "through 3, not a rejection: its log does not hold that entry");
}

// An append whose previous entry is below the follower's commit index is acknowledged through
// the commit index and changes nothing: this core's shortcut, not judged.
TEST_F(AppendStepsTest, AnAppendBelowTheCommitIndexIsNotJudged) {
  three_entries_committed_through_one_on_followers();
  deliver(append(n1, n2, 3, 3, 3));  // n2 commits through 3
  ASSERT_EQ(core(n2).commit_index(), Index{3});
  deliver(append(n1, n2, 1, 2, 3));  // a late duplicate
  settle();
  EXPECT_EQ(core(n2).log().last_index(), Index{3});
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

}  // namespace
}  // namespace raftsim::check

// The external run's own checks: the durability of acknowledged writes judged by final reads,
// how `--node` is split into argv, and the node events state reports show.
#include "external/runner.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "external/aimed_faults.h"
#include "external/report_checks.h"
#include "scenario/parse.h"

namespace raftsim::external {
namespace {

ClientOp put(uint32_t client, std::string value, int64_t invoke, int64_t complete,
             bool known = true) {
  ClientOp op;
  op.client = client;
  op.op = node::KvOp::kPut;
  op.key = "k";
  op.value = std::move(value);
  op.invoke = invoke;
  op.complete = complete;
  op.known = known;
  return op;
}

ClientOp final_read(std::string value) {
  ClientOp op;
  op.op = node::KvOp::kGet;
  op.key = "k";
  op.known = true;
  op.result.value = std::move(value);
  return op;
}

TEST(LostAcknowledgedWrites, TheLastWriteReadBackIsNotLost) {
  const std::vector<ClientOp> ops{put(1, "a", 0, 10), put(2, "b", 20, 30)};
  EXPECT_TRUE(lost_acknowledged_writes(ops, {final_read("b")}).empty());
}

TEST(LostAcknowledgedWrites, AnOlderValueReadBackLosesTheLaterWrite) {
  const std::vector<ClientOp> ops{put(1, "a", 0, 10), put(2, "b", 20, 30)};
  const auto lost = lost_acknowledged_writes(ops, {final_read("a")});
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0],
            "k=b by c2 acknowledged at 0.000s, but the final read shows a "
            "(acknowledged to c1 at 0.000s)");
}

TEST(LostAcknowledgedWrites, NoValueReadBackLosesEveryAcknowledgedWrite) {
  const std::vector<ClientOp> ops{put(1, "a", 0, 10), put(2, "b", 20, 30, /*known=*/false)};
  EXPECT_EQ(lost_acknowledged_writes(ops, {final_read("")}).size(), 1u);
}

TEST(LostAcknowledgedWrites, ConcurrentWritesMayEndInEitherOrder) {
  const std::vector<ClientOp> ops{put(1, "a", 0, 30), put(2, "b", 10, 20)};
  EXPECT_TRUE(lost_acknowledged_writes(ops, {final_read("a")}).empty());
  EXPECT_TRUE(lost_acknowledged_writes(ops, {final_read("b")}).empty());
}

ClientOp append(uint32_t client, std::string value, int64_t invoke, int64_t complete,
                bool known = true) {
  ClientOp op = put(client, std::move(value), invoke, complete, known);
  op.op = node::KvOp::kAppend;
  return op;
}

TEST(LostAcknowledgedWrites, AnAppendMissingFromTheFinalValueIsLost) {
  const std::vector<ClientOp> ops{append(1, "1.1;", 0, 10), append(2, "2.1;", 20, 30)};
  EXPECT_TRUE(lost_acknowledged_writes(ops, {final_read("1.1;2.1;")}).empty());
  const auto lost = lost_acknowledged_writes(ops, {final_read("2.1;")});
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0],
            "k append 1.1; by c1 acknowledged at 0.000s, but the final read shows \"2.1;\"");
}

TEST(LostAcknowledgedWrites, AWriteMayReplaceAppendsBeforeItButNotAfterIt) {
  // The write's value carries no ';': the append after it joins it.
  const std::vector<ClientOp> ops{append(1, "1.1;", 0, 10), put(2, "w", 5, 15),
                                  append(1, "1.2;", 20, 30)};
  EXPECT_TRUE(lost_acknowledged_writes(ops, {final_read("w1.2;")}).empty());
  EXPECT_EQ(lost_acknowledged_writes(ops, {final_read("w")}).size(), 1u);
}

// The PCT scheduler is the simulator's: a file that asks it of external nodes is told so, in
// both modes, before anything starts.
TEST(Refusals, APctOrderIsRefused) {
  auto parsed = scenario::parse_scenario_text(
      "cluster: {nodes: [a, b, c]}\nnetwork: {pct: {depth: 3}}\n", "pct.yaml");
  ASSERT_TRUE(std::holds_alternative<scenario::Scenario>(parsed));
  const scenario::Scenario& s = std::get<scenario::Scenario>(parsed);
  for (bool deterministic : {true, false}) {
    const std::vector<std::string> refusals = external_mode_refusals(s, deterministic);
    ASSERT_EQ(refusals.size(), 1u);
    EXPECT_EQ(refusals[0].rfind("pct.yaml: network.pct orders the simulator's deliveries", 0), 0u)
        << refusals[0];
  }
  auto plain = scenario::parse_scenario_text("cluster: {nodes: [a, b, c]}\n", "plain.yaml");
  EXPECT_TRUE(external_mode_refusals(std::get<scenario::Scenario>(plain), true).empty());
}

// A property judged from inside raftsim's own core (its steps, timers, send budget, read rounds,
// syncs or configuration) cannot be judged of an external node: an expectation naming it is
// refused, with its place, held or violated alike.
TEST(Refusals, APropertyOnlyRaftsimsOwnCoreShowsIsRefused) {
  for (const char* property :
       {"commit_quorum", "commit_current_term", "leader_is_voter", "voter_caught_up",
        "flow_control", "read_confirmed", "request_answered", "stale_term_ignored",
        "election_timer_reset", "newer_term_adopted", "leader_followed", "election_on_timeout",
        "append_entries_obeyed"}) {
    for (const char* verdict : {"holds", "violated"}) {
      const std::string text =
          fmt::format("cluster: {{nodes: [a, b, c]}}\nexpect:\n  - {}: {}\n", verdict, property);
      auto parsed = scenario::parse_scenario_text(text, "inside.yaml");
      ASSERT_TRUE(std::holds_alternative<scenario::Scenario>(parsed)) << text;
      const std::vector<std::string> refusals =
          external_mode_refusals(std::get<scenario::Scenario>(parsed), true);
      ASSERT_EQ(refusals.size(), 1u) << text;
      EXPECT_EQ(refusals[0], fmt::format("inside.yaml:3:5: '{} {}' needs Raft's per-event "
                                         "invariants, which are not checked for external nodes",
                                         verdict, property));
    }
  }
}

TEST(SplitCommand, SplitsLikeAShellWithoutRunningAnything) {
  std::string error;
  EXPECT_EQ(split_command("python3 'my node.py' --bug x", error),
            (std::vector<std::string>{"python3", "my node.py", "--bug", "x"}));
  EXPECT_EQ(error, "");
  EXPECT_TRUE(split_command("node $(rm -rf /)", error).empty());
  EXPECT_EQ(error, "command substitution is not allowed");
  EXPECT_TRUE(split_command("node 'open", error).empty());
  EXPECT_TRUE(split_command("   ", error).empty());
  EXPECT_EQ(error, "an empty command");
}

}  // namespace
}  // namespace raftsim::external

namespace raftsim::external {
namespace {

StateReport report(std::string role, uint64_t term, std::string vote, uint64_t commit) {
  return {std::move(role), term, std::move(vote), commit, commit, term};
}

StateReport report(std::string role, uint64_t term, std::string voted_for, uint64_t commit,
                   uint64_t last);

std::vector<std::string> properties(const ReportChecks& checks) {
  std::vector<std::string> out;
  for (const check::PropertyViolation& v : checks.violations())
    out.push_back(v.property + ": " + v.detail);
  return out;
}

TEST(ReportChecks, AnOrdinaryElectionBreaksNothing) {
  ReportChecks checks({"n1", "n2", "n3"}, 1);
  checks.on_report(1, report("candidate", 1, "n1", 0), 10);
  checks.on_report(2, report("follower", 1, "n1", 0), 11);
  checks.on_report(1, report("leader", 1, "n1", 0), 12);
  checks.on_report(1, report("leader", 1, "n1", 3), 13);
  checks.on_start(1);  // a restart forgets the commit index, not the term
  checks.on_report(1, report("follower", 1, "n1", 0), 14);
  EXPECT_TRUE(checks.violations().empty());
}

TEST(ReportChecks, TwoLeadersOfOneTermBreakElectionSafety) {
  ReportChecks checks({"n1", "n2", "n3"}, 1);
  checks.on_report(1, report("leader", 2, "n1", 0), 10);
  checks.on_report(3, report("leader", 2, "n3", 0), 20);
  EXPECT_EQ(properties(checks),
            std::vector<std::string>{"election_safety: n1 and n3 both report leading term 2"});
}

TEST(ReportChecks, ATermGoingBackAVoteChangedAndACommitGoingBackAreEachReported) {
  ReportChecks checks({"n1", "n2"}, 1);
  checks.on_report(2, report("follower", 3, "n1", 5), 10);
  checks.on_report(2, report("follower", 3, "n2", 4), 20);
  checks.on_start(2);
  checks.on_report(2, report("follower", 2, "", 0), 30);
  EXPECT_EQ(properties(checks),
            (std::vector<std::string>{
                "vote_stable: n2 reports voting for n2 in term 3 after voting for n1",
                "commit_monotonic: n2 reports commit index 4 after 5",
                "term_monotonic: n2 reports term 2 after term 3"}));
}

StateReport with_log(StateReport r, std::vector<StateReport::Entry> log) {
  r.last_log_index = log.size();
  r.last_log_term = log.empty() ? 0 : log.back().term;
  r.log = std::move(log);
  return r;
}

TEST(ReportChecks, ALeaderWhoseReportedLogLosesOrChangesAnEntryBreaksLeaderAppendOnly) {
  ReportChecks shrinking({"n1", "n2"}, 1);
  shrinking.on_report(1, report("leader", 2, "n1", 1, 5), 10);
  shrinking.on_report(1, report("leader", 2, "n1", 1, 3), 20);
  EXPECT_EQ(properties(shrinking),
            std::vector<std::string>{
                "leader_append_only: n1, leading term 2, reports a last log index of 3 after 5"});

  ReportChecks changing({"n1", "n2"}, 1);
  changing.on_report(1, with_log(report("leader", 2, "n1", 1), {{1, "a"}, {2, "b"}}), 10);
  changing.on_report(1, with_log(report("leader", 2, "n1", 1), {{1, "a"}, {1, "c"}, {2, "d"}}), 20);
  EXPECT_EQ(properties(changing),
            std::vector<std::string>{"leader_append_only: n1, leading term 2, reports (term 1, c) "
                                     "at index 2 where it reported (term 2, b)"});
}

// A follower's log may be cut back, and so may a leader's once it has lost its term or its
// process: only one leader, one term, one life is held to it.
TEST(ReportChecks, LogsCutBackOutsideOneLeadershipBreakNothing) {
  ReportChecks checks({"n1", "n2"}, 1);
  checks.on_report(1, with_log(report("follower", 1, "", 0), {{1, "a"}, {1, "b"}}), 10);
  checks.on_report(1, with_log(report("follower", 2, "", 0), {{1, "a"}}), 20);
  checks.on_report(1, with_log(report("leader", 3, "n1", 0), {{1, "a"}, {3, "x"}}), 30);
  checks.on_report(1, with_log(report("follower", 4, "", 0), {{1, "a"}}), 40);
  checks.on_report(2, report("leader", 5, "n2", 0, 4), 50);
  checks.on_start(2);
  checks.on_report(2, report("leader", 5, "n2", 0, 2), 60);
  EXPECT_TRUE(checks.violations().empty()) << properties(checks).front();
}

// ReportEvents: the events event-triggered faults wait for, from successive state reports.
StateReport report(std::string role, uint64_t term, std::string voted_for, uint64_t commit,
                   uint64_t last) {
  StateReport r;
  r.role = std::move(role);
  r.term = term;
  r.voted_for = std::move(voted_for);
  r.commit_index = commit;
  r.last_log_index = last;
  return r;
}

std::string events(ReportEvents& e, uint32_t id, const StateReport& r) {
  static constexpr const char* kNames[] = {
      "becomes_leader", "becomes_candidate", "grants_vote", "persisted",
      "applies",        "installs_snapshot", "uncommitted"};
  std::string out;
  for (const sim::NodeEvent& ev : e.on_report(id, r))
    out += fmt::format("{}{}({})", out.empty() ? "" : " ", kNames[static_cast<int>(ev.kind)],
                       ev.value);
  return out;
}

TEST(ReportEvents, AnElectionWonShowsCandidateLeaderAndTheNoOp) {
  ReportEvents e({"n1", "n2", "n3"});
  EXPECT_EQ(events(e, 1, report("follower", 0, "", 0, 0)), "uncommitted(0)");
  EXPECT_EQ(events(e, 1, report("candidate", 1, "n1", 0, 0)), "becomes_candidate(0)");
  EXPECT_EQ(events(e, 1, report("candidate", 2, "n1", 0, 0)), "becomes_candidate(0)");
  EXPECT_EQ(events(e, 1, report("leader", 2, "n1", 0, 1)), "becomes_leader(0) uncommitted(1)");
  EXPECT_EQ(events(e, 1, report("leader", 2, "n1", 1, 1)), "applies(1) uncommitted(0)");
  EXPECT_EQ(events(e, 1, report("leader", 2, "n1", 1, 1)), "");
}

TEST(ReportEvents, AVoteIsGrantedOncePerTermAndNotAgainAfterARestart) {
  ReportEvents e({"n1", "n2", "n3"});
  EXPECT_EQ(events(e, 2, report("follower", 3, "n1", 0, 0)), "grants_vote(1) uncommitted(0)");
  EXPECT_EQ(events(e, 2, report("follower", 3, "n1", 2, 2)), "applies(1) applies(2)");
  e.on_start(2);  // the restarted node repeats its vote from its disk, and applies again
  EXPECT_EQ(events(e, 2, report("follower", 3, "n1", 1, 2)), "applies(1) uncommitted(1)");
  EXPECT_EQ(events(e, 2, report("follower", 4, "n3", 1, 2)), "grants_vote(3)");
}

TEST(ReportEvents, ALeaderInANewerTermBecomesLeaderAgain) {
  ReportEvents e({"n1", "n2"});
  events(e, 1, report("leader", 1, "n1", 0, 0));
  EXPECT_EQ(events(e, 1, report("leader", 3, "n1", 0, 0)), "becomes_leader(0)");
  e.on_start(1);
  EXPECT_EQ(events(e, 1, report("leader", 3, "n1", 0, 0)), "becomes_leader(0)");
}

TEST(ReportEvents, ReportsCannotShowPersistedOrASnapshot) {
  EXPECT_FALSE(shown_by_reports(sim::NodeEventKind::kPersisted));
  EXPECT_FALSE(shown_by_reports(sim::NodeEventKind::kInstallsSnapshot));
  EXPECT_TRUE(shown_by_reports(sim::NodeEventKind::kGrantsVote));
  EXPECT_TRUE(shown_by_reports(sim::NodeEventKind::kUncommitted));
}

}  // namespace
}  // namespace raftsim::external

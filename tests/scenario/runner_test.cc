// run_scenario as a library: what a report carries when an acknowledged write is lost, and what
// happens to the results when the history cannot be exported.
#include "scenario/runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <regex>
#include <stdexcept>
#include <string>

#include "scenario/parse.h"
#include "scratch.h"

namespace raftsim::scenario {
namespace {

using testing::HasSubstr;

Scenario parsed(const std::string& yaml) {
  auto result = parse_scenario_text(yaml, "test.yaml");
  if (auto* error = std::get_if<ParseError>(&result)) ADD_FAILURE() << error->text();
  return std::get<Scenario>(result);
}

RunOptions quiet() {
  RunOptions options;
  options.narrate = false;
  return options;
}

// One node that acknowledges writes before its slow disk has them (the planted bug
// ack_before_persist), then crashes: the writes acknowledged in the last moments are lost.
const char* kAckBeforeFsync =
    "seed: 1\n"
    "duration: 2s\n"
    "cluster:\n"
    "  nodes: [n1]\n"
    "  election_timeout: 150ms\n"
    "  heartbeat: 50ms\n"
    "  fsync: {min: 50ms, max: 100ms}\n"
    "  bugs: [ack_before_persist]\n"
    "network: {latency: {shape: uniform, min: 1ms, max: 5ms}}\n"
    "workload: {clients: 2, keys: 2, mix: {put: 1, append: 1}, think: 10ms}\n"
    "liveness: false\n"
    "timeline:\n"
    "  - {at: 1s, crash: n1}\n"
    "  - {at: 1100ms, restart: n1}\n";

std::vector<check::PropertyViolation> durability_violations(const RunReport& report) {
  std::vector<check::PropertyViolation> out;
  for (const auto& v : report.violations)
    if (v.property == "durability") out.push_back(v);
  return out;
}

// The budget grows with the run's whole seconds, and a product past 2^64 - 1 is no limit rather
// than a wrapped-around small one (a flag may ask for any number).
TEST(RunnerTest, TheEventBudgetCountsWholeSecondsAndNeverWrapsAround) {
  using std::chrono::milliseconds;
  EXPECT_EQ(event_budget(100'000, milliseconds(300)), 100'000u);
  EXPECT_EQ(event_budget(100'000, milliseconds(2999)), 200'000u);
  EXPECT_EQ(event_budget(100'000, milliseconds(3000)), 300'000u);
  EXPECT_EQ(event_budget(0, milliseconds(3000)), 0u);
  EXPECT_EQ(event_budget(6148914691236517206u, milliseconds(3000)), 0u);  // 3 x: past 2^64 - 1
  EXPECT_EQ(event_budget(uint64_t{1} << 63, milliseconds(2000)), 0u);
  EXPECT_EQ(event_budget(6148914691236517205u, milliseconds(3000)), 18446744073709551615u);
}

TEST(RunnerTest, LostWriteReportNamesTheAckAndTheEventsBeforeIt) {
  const RunReport report = run_scenario(parsed(kAckBeforeFsync), quiet());
  const auto lost = durability_violations(report);
  ASSERT_FALSE(lost.empty()) << format_report(report, true);
  for (const check::PropertyViolation& v : lost) {
    EXPECT_EQ(v.nodes, (std::vector<raft::NodeId>{raft::NodeId{1}}));
    EXPECT_EQ(v.seed, 1u);
    EXPECT_NE(v.index.value, 0u);
    EXPECT_EQ(v.term.value, 1u);  // acknowledged before the crash, in n1's first term
    std::smatch m;
    ASSERT_TRUE(std::regex_search(
        v.detail, m,
        std::regex(
            R"(^client (\d+) seq (\d+) \((put|append) (k\d) "[^"]*"\), acknowledged by )"
            R"(n1 at \d\.\d{6}s as \(index (\d+), term 1\), is not in the committed log)"
            R"(, (and only 0 of 1 nodes hold it durably|which reaches index \d+ without it)$)")))
        << v.detail;
    EXPECT_EQ(m[5], std::to_string(v.index.value));
    // The context ends with the ack itself, as the client saw it.
    ASSERT_FALSE(v.context.empty()) << v.detail;
    EXPECT_LE(v.context.size(), 20u);
    EXPECT_THAT(v.context.back(),
                HasSubstr("client " + m[1].str() + " done: " + m[3].str() + " " + m[4].str()))
        << v.detail;
  }
}

// Three nodes; n1 leads from the start; at 2s it crashes for good and the other two are cut off
// from each other: no leader can be elected again. The writes the leader acknowledged just before
// the crash are on its disk and a follower's, but the surviving followers may not yet have learnt
// that they are committed. Nothing is lost — the cluster is stuck, and liveness is what fails.
std::string stuck_cluster(uint64_t seed) {
  return "seed: " + std::to_string(seed) +
         "\n"
         "duration: 4s\n"
         "cluster: {nodes: [n1, n2, n3], election_timeout: 150ms, heartbeat: 50ms}\n"
         "network: {latency: {shape: uniform, min: 1ms, max: 5ms}}\n"
         "workload: {clients: 3, keys: 3, mix: {put: 1, append: 1}, think: 5ms}\n"
         "liveness: {quiet: 500ms, within: 1s}\n"
         "timeline:\n"
         "  - {at: 10ms, elect: n1}\n"
         "  - {at: 2s, partition: [[n1], [n2], [n3]]}\n"
         "  - {at: 2s, crash: n1}\n";
}

TEST(RunnerTest, AStuckClusterIsALivenessFailureNotLostWrites) {
  size_t runs_with_uncommitted_acks = 0;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    const RunReport report = run_scenario(parsed(stuck_cluster(seed)), quiet());
    const std::string table = format_report(report, true);
    EXPECT_TRUE(durability_violations(report).empty()) << table;
    EXPECT_THAT(report.violated_properties, testing::ElementsAre("liveness")) << table;
    const auto row = std::find_if(report.rows.begin(), report.rows.end(),
                                  [](const Verdict& v) { return v.name == "durability"; });
    ASSERT_NE(row, report.rows.end());
    EXPECT_TRUE(row->ok) << table;
    runs_with_uncommitted_acks += row->observed.find("on a majority of disks") != std::string::npos;
  }
  // Without the disks, these writes would have been reported lost.
  EXPECT_GT(runs_with_uncommitted_acks, 0u);
}

// Three voters shrink to {n3}: n3 leaves the joint configuration and commits writes alone, as the
// only voter of the new one may; n1 and n2 never hear of it and still act on the joint one. n3
// then crashes for good. Every acknowledged write is on the disk of the one voter of the
// configuration in force (the latest committed), which a running node's own stale one must not
// hide: not a lost write.
TEST(RunnerTest, WritesOnTheDisksOfTheCommittedConfigurationAreNotLost) {
  const std::string yaml = R"(duration: 6s
cluster: {nodes: [n1, n2, n3], pre_vote: true, check_quorum: true}
workload: {clients: 1, keys: 1, mix: {put: 1}}
timeline:
  - {at: 10ms, elect: n3}
  - {at: 1s, change_voters: [n3]}
  - {at: 1s, delay_messages: {type: [append, heartbeat], from: n3, count: 100000, by: 10s}}
  - {at: 2s, crash: n3}
liveness: false
)";
  const RunReport report = run_scenario(parsed(yaml), quiet());
  const std::string table = format_report(report, true);
  EXPECT_TRUE(report.passed()) << table;
  EXPECT_TRUE(durability_violations(report).empty()) << table;
  const auto row = std::find_if(report.rows.begin(), report.rows.end(),
                                [](const Verdict& v) { return v.name == "durability"; });
  ASSERT_NE(row, report.rows.end());
  EXPECT_NE(row->observed.find("on a majority of disks"), std::string::npos) << table;
}

// acked_writes_at_least counts the workload's writes: the liveness probe's one is raftsim's.
TEST(RunnerTest, TheLivenessProbesWriteIsNoClientsAcknowledgedWrite) {
  const RunReport report = run_scenario(parsed(R"(duration: 3s
cluster: {nodes: [n1, n2, n3]}
workload: {clients: 0}
liveness: {quiet: 1s, within: 1s}
expect:
  - acked_writes_at_least: 1
)"),
                                        quiet());
  const auto row = std::find_if(report.rows.begin(), report.rows.end(), [](const Verdict& v) {
    return v.name.starts_with("acked_writes_at_least");
  });
  ASSERT_NE(row, report.rows.end());
  EXPECT_FALSE(row->ok) << format_report(report, true);
  EXPECT_EQ(row->observed, "0 writes acknowledged");
}

// A transfer that hands nothing over says why, after the line that announced it.
TEST(RunnerTest, ATransferThatHandsNothingOverSaysWhy) {
  std::vector<std::string> lines;
  RunOptions options = quiet();
  options.narrate = true;
  options.print = [&lines](const std::string& line) { lines.push_back(line); };
  run_scenario(parsed(R"(duration: 2s
cluster: {nodes: [n1, n2, n3], leadership_transfer: false}
timeline:
  - {at: 10ms, elect: n1}
  - {at: 1s, transfer: {from: n1, to: n2}}
  - {at: 1500ms, transfer: {from: n2, to: n3}}
liveness: false
)"),
               options);
  std::string told;
  for (const std::string& line : lines)
    told += line + "\n";
  EXPECT_THAT(told, HasSubstr("n1 hands nothing to n2: leadership transfer is off "
                              "(cluster.leadership_transfer: false)"));
  EXPECT_THAT(told, HasSubstr("n2 hands nothing to n3: it is not the leader"));
}

// A lone node has no link to clog: the nemesis's clog is no fault there (it crashed the run).
TEST(RunnerTest, AClogDrawnForALoneNodeIsNoFault) {
  const std::string yaml = R"(duration: 10s
cluster: {nodes: [n1]}
nemesis: {faults: [clog], every: 300ms, duration: 500ms, quiet: 2s}
)";
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    RunOptions options = quiet();
    options.seed = seed;
    const RunReport report = run_scenario(parsed(yaml), options);
    EXPECT_TRUE(report.passed()) << format_report(report, true);
  }
}

// A core that breaks its own preconditions can throw from inside a step. The run ends there with
// a verdict that says so, instead of taking the program (and a search's other runs) down.
TEST(RunnerTest, AnExceptionInsideTheRunEndsItAsACrash) {
  RunOptions options = quiet();
  options.observe = [](sim::World& world) {
    world.at(sim::kTimeZero + std::chrono::milliseconds(700),
             [] { throw std::length_error("a log truncated inside its snapshot"); });
  };
  const RunReport report = run_scenario(parsed(kAckBeforeFsync), options);
  EXPECT_EQ(report.exit_code(), 1);
  ASSERT_FALSE(report.violated_properties.empty());
  EXPECT_EQ(report.violated_properties.back(), kCrash);
  ASSERT_FALSE(report.rows.empty());
  EXPECT_EQ(report.rows.back().name, kCrash);
  EXPECT_THAT(report.rows.back().observed,
              HasSubstr("threw at 0.700s: a log truncated inside its snapshot"));
  EXPECT_EQ(report.end, sim::kTimeZero + std::chrono::milliseconds(700));
  const RunReport again = run_scenario(parsed(kAckBeforeFsync), options);
  EXPECT_EQ(again.digest, report.digest);
}

// A crashed run is still one to watch: its trace and what its clients saw up to the throw are
// written, as for any run, so explore can put a replay page beside its repro.
TEST(RunnerTest, ACrashedRunStillWritesItsTraceAndHistory) {
  RunOptions options = quiet();
  options.observe = [](sim::World& world) {
    world.at(sim::kTimeZero + std::chrono::milliseconds(700),
             [] { throw std::length_error("a log truncated inside its snapshot"); });
  };
  options.trace_path = test::scratch_path("crashed.trace.jsonl");
  options.history_path = test::scratch_path("crashed.history.jsonl");
  std::filesystem::remove(options.trace_path);
  std::filesystem::remove(options.history_path);
  const RunReport report = run_scenario(parsed(kAckBeforeFsync), options);
  ASSERT_EQ(report.violated_properties.back(), kCrash);
  EXPECT_TRUE(report.output_error.empty()) << report.output_error;
  ASSERT_TRUE(std::filesystem::exists(options.trace_path));
  ASSERT_TRUE(std::filesystem::exists(options.history_path));
  EXPECT_GT(std::filesystem::file_size(options.history_path), 0u);  // ops before 0.7 s
}

TEST(RunnerTest, DurabilityContextCanBeLeftOut) {
  RunOptions options = quiet();
  options.durability_context = false;
  const RunReport with = run_scenario(parsed(kAckBeforeFsync), quiet());
  const RunReport without = run_scenario(parsed(kAckBeforeFsync), options);
  const auto lost = durability_violations(without);
  ASSERT_EQ(lost.size(), durability_violations(with).size());
  for (const auto& v : lost)
    EXPECT_TRUE(v.context.empty());
  EXPECT_EQ(with.digest, without.digest);
}

TEST(RunnerTest, HistoryThatCannotBeWrittenKeepsTheVerdict) {
  RunOptions options = quiet();
  options.history_path = test::scratch_path("no-such-directory/history.jsonl");
  const RunReport report = run_scenario(
      parsed("duration: 2s\ncluster: {nodes: [n1, n2, n3]}\nliveness: false\n"), options);
  EXPECT_TRUE(report.error.empty()) << report.error;
  EXPECT_THAT(report.output_error, HasSubstr(options.history_path));
  EXPECT_TRUE(report.passed());
  EXPECT_EQ(report.exit_code(), 2);
  EXPECT_GT(report.events, 0u);
  EXPECT_THAT(format_report(report, true), HasSubstr("election_safety"));
}

TEST(RunnerTest, PorcupineExportOfACasWorkloadIsRefusedBeforeRunning) {
  const Scenario s = parsed("cluster: {nodes: [n1, n2, n3]}\n");  // the default mix has cas
  EXPECT_EQ(export_refusal(s, "porcupine"),
            "--export porcupine: Porcupine's kv model has no cas, and this workload's mix has "
            "cas: 0.1; use --export edn, or a mix without cas");
  EXPECT_EQ(export_refusal(s, "edn"), "");
  EXPECT_EQ(
      export_refusal(parsed("cluster: {nodes: [n1]}\nworkload: {mix: {put: 1}}\n"), "porcupine"),
      "");

  RunOptions options = quiet();
  options.history_format = "porcupine";
  options.history_path = test::scratch_path("refused.history.txt");
  std::filesystem::remove(options.history_path);
  const RunReport report = run_scenario(s, options);
  EXPECT_THAT(report.error, HasSubstr("Porcupine's kv model has no cas"));
  EXPECT_EQ(report.events, 0u);
  EXPECT_EQ(report.exit_code(), 2);
  EXPECT_FALSE(std::filesystem::exists(options.history_path));
}

// A run past its event budget stops there and fails a verdict of its own, named first; a run
// within it is the same run as one without any budget.
TEST(RunnerTest, ARunPastItsEventBudgetStopsAndFailsEventBudget) {
  const Scenario s = parsed(kAckBeforeFsync);
  RunOptions unlimited = quiet();
  unlimited.max_events_per_second = 0;
  const RunReport free_run = run_scenario(s, unlimited);
  const RunReport within = run_scenario(s, quiet());
  EXPECT_EQ(within.digest, free_run.digest);
  EXPECT_EQ(within.events, free_run.events);
  EXPECT_THAT(within.violated_properties, testing::Not(testing::Contains("event_budget")));

  RunOptions tight = quiet();
  tight.max_events_per_second = free_run.events / 8;  // the run lasts 2 s: a quarter of it
  const RunReport over = run_scenario(s, tight);
  EXPECT_EQ(over.events, tight.max_events_per_second * 2);
  EXPECT_LT(over.end, free_run.end);
  ASSERT_FALSE(over.violated_properties.empty());
  EXPECT_EQ(over.violated_properties.front(), "event_budget");
  EXPECT_EQ(over.exit_code(), 1);
  EXPECT_THAT(format_report(over, true), HasSubstr("event_budget"));

  // Three nodes: the first election puts two vote requests on the network at once.
  const Scenario three = parsed("duration: 2s\ncluster: {nodes: [n1, n2, n3]}\nliveness: false\n");
  EXPECT_TRUE(run_scenario(three, quiet()).passed());
  RunOptions crowded = quiet();
  crowded.max_in_flight = 1;
  const RunReport stopped = run_scenario(three, crowded);
  EXPECT_LT(stopped.end, sim::kTimeZero + std::chrono::seconds(2));
  ASSERT_FALSE(stopped.violated_properties.empty());
  EXPECT_EQ(stopped.violated_properties.front(), "event_budget");
}

// A report names first the property that broke first: in Figure 8's bug, the leader committing
// an earlier term's entry by counting replicas (commit_current_term), not the lost entry it leads
// to (leader_completeness, state_machine_safety), though those come first in the table.
TEST(RunScenario, TheFirstPropertyToBreakIsNamedFirst) {
  auto result =
      parse_scenario_file(std::string(RAFTSIM_SOURCE_DIR) + "/scenarios/figure8_bug.yaml");
  ASSERT_TRUE(std::holds_alternative<Scenario>(result));
  const RunReport report = run_scenario(std::get<Scenario>(result), quiet());
  ASSERT_FALSE(report.violations.empty());
  EXPECT_EQ(report.violations.front().property, "commit_current_term");
  ASSERT_FALSE(report.violated_properties.empty());
  EXPECT_EQ(report.violated_properties.front(), "commit_current_term");
  EXPECT_THAT(report.violated_properties, testing::Contains("state_machine_safety"));
}

}  // namespace
}  // namespace raftsim::scenario

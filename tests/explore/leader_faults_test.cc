// Faults aimed at the leader (crash_leader, isolate_leader): they hit the node that leads when they
// fire, undo themselves on that node, keep a run a function of its seed, and let exploration reach
// Figure 8 (the planted commit_previous_term), which random victims almost never do.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "explore/explore.h"
#include "scenario/faults.h"
#include "scenario/nemesis.h"
#include "scenario/parse.h"
#include "scenario/runner.h"
#include "scenario/shrink.h"
#include "scenario/write.h"
#include "scenario_text.h"

namespace raftsim::scenario {
namespace {

using explore::explore;
using explore::ExploreOptions;
using explore::ExploreResult;
using explore::Finding;
using explore::shard_seeds;

using ::testing::Contains;
using ::testing::HasSubstr;

using test::parse;

// Three nodes; n2 is made leader at 10ms, so at 1s it leads unless something else happened.
std::string three_nodes(const std::string& timeline) {
  return R"(name: aimed
duration: 3s
cluster:
  nodes: [n1, n2, n3]
  election_timeout: 150ms
  heartbeat: 50ms
network:
  latency: {shape: constant, min: 5ms, max: 5ms}
workload: {clients: 2, keys: 2, think: 10ms}
liveness: {quiet: 500ms, within: 1s}
timeline:
  - {at: 10ms, elect: n2}
)" + timeline;
}

// The FAULT lines of the narration.
std::vector<std::string> fault_lines(const Scenario& s, RunReport* report = nullptr) {
  std::vector<std::string> lines;
  RunOptions options;
  options.print = [&](const std::string& line) {
    if (line.find("FAULT") != std::string::npos) lines.push_back(line);
  };
  const RunReport r = run_scenario(s, options);
  if (report) *report = r;
  return lines;
}

TEST(LeaderFaults, ParseFromTheTimelineAndTheNemesis) {
  const Scenario s =
      parse(three_nodes("  - {at: 1s, crash_leader: 300ms}\n"
                        "  - {at: 2s, isolate_leader: 250ms}\n") +
            "nemesis: {faults: [crash_leader, isolate_leader, partition], quiet: 1s}\n");
  ASSERT_EQ(s.timeline.size(), 3u);
  EXPECT_EQ(s.timeline[1].kind, FaultKind::kCrashLeader);
  EXPECT_EQ(s.timeline[1].length, Duration{300000});
  EXPECT_TRUE(s.timeline[1].nodes.empty());
  EXPECT_EQ(s.timeline[2].kind, FaultKind::kIsolateLeader);
  EXPECT_EQ(s.timeline[2].length, Duration{250000});
  EXPECT_EQ(s.nemesis.faults,
            (std::vector<FaultKind>{FaultKind::kCrashLeader, FaultKind::kIsolateLeader,
                                    FaultKind::kPartition}));
  EXPECT_EQ(count_faults(s.timeline), 5u);  // elect, and two faults with their undos
}

TEST(LeaderFaults, WrittenOutTheyReadBackTheSame) {
  const Scenario s = parse(three_nodes("  - {at: 1s, crash_leader: 300ms}\n"
                                       "  - {at: 2s, isolate_leader: 1500us}\n") +
                           "nemesis: {faults: [isolate_leader], quiet: 1s}\n");
  EXPECT_EQ(parse(write_scenario_yaml(s), "written.yaml"), s);
}

TEST(LeaderFaults, CrashLeaderCrashesTheLeaderAndRestartsThatNode) {
  RunReport report;
  const auto lines =
      fault_lines(parse(three_nodes("  - {at: 1s, crash_leader: 300ms}\n")), &report);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_THAT(lines[1], HasSubstr("1.000s  FAULT  crash n2 (the leader) for 300ms"));
  EXPECT_THAT(lines[2], HasSubstr("1.300s  FAULT  restart n2"));
  EXPECT_TRUE(report.passed()) << format_report(report, true);
}

TEST(LeaderFaults, IsolateLeaderCutsTheLeaderOffAloneAndHeals) {
  const auto lines = fault_lines(parse(three_nodes("  - {at: 1s, isolate_leader: 400ms}\n")));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_THAT(lines[1],
              HasSubstr("1.000s  FAULT  partition {n2} | {n1 n3} (the leader) for 400ms"));
  EXPECT_THAT(lines[2], HasSubstr("1.400s  FAULT  heal"));
}

TEST(LeaderFaults, TheLeaderIsWhoeverLeadsWhenTheFaultFires) {
  // n2 is crashed at 1s; by 2s another node has been elected and is the one hit.
  const auto lines =
      fault_lines(parse(three_nodes("  - {at: 1s, crash: n2}\n"
                                    "  - {at: 1500ms, restart: n2}\n"
                                    "  - {at: 2s, crash_leader: 100ms}\n")));
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_THAT(lines[3], HasSubstr("(the leader)"));
  EXPECT_THAT(lines[3], ::testing::Not(HasSubstr("crash n2")));
}

TEST(LeaderFaults, WithNoLeaderTheFaultAndItsUndoDoNothing) {
  // At 1ms no election has finished.
  const auto lines = fault_lines(parse(three_nodes("  - {at: 1ms, crash_leader: 300ms}\n")));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], HasSubstr("crash_leader: no node leads, nothing to do"));
  EXPECT_THAT(lines[1], HasSubstr("n2 campaigns now"));
}

TEST(LeaderFaults, LivenessWaitsForTheUndo) {
  // The last entry starts at 1s, but its undo is at 2.5s: the probe comes after that.
  RunReport report;
  fault_lines(parse(three_nodes("  - {at: 1s, crash_leader: 1500ms}\n")), &report);
  ASSERT_FALSE(report.rows.empty());
  const Verdict& liveness = report.rows.back();
  EXPECT_THAT(liveness.name, HasSubstr("liveness"));
  EXPECT_THAT(liveness.observed, HasSubstr("after 3.000s"));  // 2.5s + quiet 500ms
}

TEST(LeaderFaults, ASeedGivesTheSameRunEveryTime) {
  const Scenario s = parse(three_nodes("") +
                           "nemesis:\n  faults: [crash_leader, isolate_leader]\n"
                           "  every: [200ms, 400ms]\n  duration: [50ms, 150ms]\n  quiet: 1s\n");
  for (uint64_t seed : {1, 2, 3}) {
    RunOptions options{.seed = seed, .narrate = false};
    const RunReport a = run_scenario(s, options);
    const RunReport b = run_scenario(s, options);
    EXPECT_EQ(a.digest, b.digest) << "seed " << seed;
    EXPECT_EQ(a.events, b.events) << "seed " << seed;
  }
  // The drawn schedule names no node: the nemesis cannot know who will lead.
  size_t leader_faults = 0;
  for (const Fault& f : concrete_timeline(s, 7)) {
    if (!is_leader_fault(f.kind)) continue;
    ++leader_faults;
    EXPECT_TRUE(f.nodes.empty() && f.groups.empty());
    EXPECT_GT(f.length, Duration{0});
  }
  EXPECT_GT(leader_faults, 0u);
}

// Figure 8 needs leaders to fall while earlier faults are still in force; `overlap` lets each
// drawn fault last its whole duration instead of ending before the next one starts.
TEST(NemesisOverlap, FaultsLastTheirWholeDurationOnlyWhenAsked) {
  Nemesis n{.faults = {FaultKind::kCrash}};
  n.every_min = n.every_max = Duration{100000};
  n.duration_min = n.duration_max = Duration{250000};
  n.quiet = Duration{0};
  sim::WorldConfig world;
  world.node_names = {"n1", "n2", "n3"};
  const SimTime end = sim::kTimeZero + Duration{1000000};
  const auto longest = [&](bool overlap) {
    n.overlap = overlap;
    Duration most{0};
    const std::vector<Fault> drawn = draw_nemesis_faults(n, world, end, 1);
    for (size_t i = 0; i + 1 < drawn.size(); i += 2)
      most = std::max(most, drawn[i + 1].at - drawn[i].at);
    return most;
  };
  EXPECT_EQ(longest(false), Duration{90000});  // cut 10ms before the next fault starts
  EXPECT_EQ(longest(true), Duration{250000});
}

// The exploration scenarios for Figure 8: a heavy write load, the planted commit_previous_term,
// faults aimed at the leader and piling up.
std::string figure8_exploration(const std::string& nodes, int max_entries_per_append,
                                const std::string& faults) {
  return "name: figure8_random\n"
         "duration: 10s\n"
         "cluster:\n"
         "  nodes: [" +
         nodes +
         "]\n"
         "  election_timeout: 150ms\n"
         "  heartbeat: 50ms\n"
         "  fsync: {min: 500us, max: 2ms}\n"
         "  bugs: [commit_previous_term]\n"
         "  max_entries_per_append: " +
         std::to_string(max_entries_per_append) +
         "\n"
         "network: {latency: {shape: uniform, min: 1ms, max: 10ms}}\n"
         "workload: {clients: 16, keys: 5, mix: {put: 1}, think: 1ms, timeout: 30ms, give_up: "
         "30ms}\n"
         "nemesis:\n"
         "  faults: [" +
         faults +
         "]\n"
         "  every: [50ms, 250ms]\n"
         "  duration: [50ms, 600ms]\n"
         "  quiet: 3s\n"
         "  overlap: true\n"
         "liveness: {quiet: 1s, within: 5s}\n";
}

// Figure 8 found at random in five nodes (two entries per AppendEntries, partitions too): at seed
// 43 the planted bug commits an entry of an earlier term by counting it (commit_current_term,
// the rule it breaks, caught at that commit), and the same seed holds with the bug off.
TEST(LeaderFaults, ExplorationReachesFigure8WithTheBugAndOnlyWithIt) {
  const std::string yaml = figure8_exploration("n1, n2, n3, n4, n5", 2,
                                               "crash_leader, isolate_leader, crash, partition");
  const ExploreResult buggy =
      explore(parse(yaml), {.runs = 1, .first_seed = 43, .jobs = 1, .shrink = false});
  ASSERT_TRUE(buggy.found());
  EXPECT_EQ(buggy.failures.front().label, "commit_current_term");

  std::string fixed = yaml;
  fixed.replace(fixed.find("[commit_previous_term]"), 22, "[]");
  const ExploreResult clean =
      explore(parse(fixed), {.runs = 1, .first_seed = 43, .jobs = 1, .shrink = false});
  EXPECT_FALSE(clean.found()) << clean.failures.front().label;
}

// A run says which node each leader fault picked, so that the fault can be written as the plain
// fault it became.
TEST(LeaderFaults, ARunReportsWhomEachLeaderFaultPicked) {
  const Scenario s =
      parse(three_nodes("  - {at: 1s, crash_leader: 300ms}\n"
                        "  - {at: 2s, isolate_leader: 250ms}\n"));
  const RunReport report = run_scenario(s, {.narrate = false});
  ASSERT_EQ(report.leader_fault_targets.size(), 3u);
  EXPECT_EQ(report.leader_fault_targets[0], 0u);  // `elect` is not a leader fault
  EXPECT_EQ(report.leader_fault_targets[1], 2u);  // n2 leads at 1s
  EXPECT_NE(report.leader_fault_targets[2], 0u);

  const auto [crash, restart] = pin_leader_fault(s.timeline[1], 2, 3);
  EXPECT_EQ(crash.kind, FaultKind::kCrash);
  EXPECT_EQ(crash.nodes, std::vector<uint32_t>{2});
  EXPECT_EQ(crash.at, s.timeline[1].at);
  EXPECT_EQ(restart.kind, FaultKind::kRestart);
  EXPECT_EQ(restart.at - crash.at, Duration{300000});

  const auto [isolate, heal] = pin_leader_fault(s.timeline[2], 3, 3);
  EXPECT_EQ(isolate.kind, FaultKind::kPartition);
  EXPECT_EQ(isolate.groups, (std::vector<std::vector<uint32_t>>{{3}, {1, 2}}));
  EXPECT_EQ(heal.kind, FaultKind::kHeal);
}

// The exploration scenario of bench/explore/commit_previous_term.yaml, whose seed 290 breaks the
// commit rule (commit_current_term). Its schedule draws 88 faults; the broken commit needs a
// leader that crashes with entries nobody else has, comes back, and is elected again while they
// are still uncommitted: then the buggy rule commits them by counting before its no-op follows.
// Shrinking gets there only by dropping a fault while moving the later ones (every later event
// moves when a fault goes) and by writing a leader fault as the crash it became.
TEST(LeaderFaults, Figure8ShrinksToFiveFaultsAndNeedsTheBug) {
  const Scenario s = parse(figure8_exploration("n1, n2, n3", 1, "crash_leader, crash"));

  const Scenario concrete = concrete_scenario(s, 290);
  const ShrinkResult shrunk = shrink(concrete, "commit_current_term");
  ASSERT_TRUE(shrunk.reproduced);
  EXPECT_GT(shrunk.original_faults, 50u);
  EXPECT_LE(shrunk.shrunk_faults, 5u) << write_scenario_yaml(shrunk.scenario);
  EXPECT_TRUE(still_fails(shrunk.scenario, "commit_current_term"));
  // The repro is a file like any other: it parses, and what it parses to still fails.
  EXPECT_TRUE(still_fails(parse(write_scenario_yaml(shrunk.scenario)), "commit_current_term"));

  Scenario fixed = shrunk.scenario;
  fixed.world.bugs = {};
  EXPECT_FALSE(still_fails(fixed, "commit_current_term"));
}

}  // namespace
}  // namespace raftsim::scenario

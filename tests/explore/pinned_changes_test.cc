// Membership toggles (`reconfigure`) pinned to the changes they made: what each toggle did in a
// run, the timeline rewritten with explicit changes, and the shrinker taking a membership finding
// down to a handful of faults once dropping one change no longer changes what the others do.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "sanitized.h"
#include "scenario/faults.h"
#include "scenario/parse.h"
#include "scenario/runner.h"
#include "scenario/shrink.h"
#include "scenario/shrink_sizes.h"
#include "scenario/write.h"
#include "spares.h"

namespace raftsim::scenario {
namespace {

using test::with_spares;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

using test::parse;

// The narration's lines about membership changes: what the leader appended or refused.
std::vector<std::string> change_lines(const Scenario& s, RunReport* report = nullptr) {
  std::vector<std::string> lines;
  RunOptions options;
  options.print = [&](const std::string& line) {
    if (line.find("configuration entry") != std::string::npos ||
        line.find("refused") != std::string::npos)
      lines.push_back(line.substr(line.find("FAULT")));
  };
  const RunReport r = run_scenario(s, options);
  if (report) *report = r;
  return lines;
}

// Everything the run narrates within its length, with times, but the lines naming its faults:
// two timelines that ask the same things at the same moments tell the same story. (The liveness
// probe, timed from the timeline's shape, is left out.)
std::vector<std::string> story(Scenario s) {
  s.liveness.enabled = false;
  std::vector<std::string> lines;
  RunOptions options;
  options.verbose = true;
  const double end = sim::seconds(s.duration);
  options.print = [&](const std::string& line) {
    double at = 0;
    if (std::sscanf(line.c_str(), " %lfs", &at) != 1 || at >= end) return;
    if (line.find("FAULT") == std::string::npos) lines.push_back(line);
  };
  run_scenario(s, options);
  return lines;
}

// The first line where two stories part, or "" when they do not.
std::string first_difference(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const std::string x = i < a.size() ? a[i] : "(the end)";
    const std::string y = i < b.size() ? b[i] : "(the end)";
    if (x != y) return x + " | " + y;
  }
  return "";
}

Fault change(FaultKind kind, uint32_t node, int64_t at_us) {
  return Fault{.at = SimTime{} + Duration{at_us}, .kind = kind, .nodes = {node}};
}

// The shrinker takes servers away from the highest id down: spares first, then voters, which
// leave the bootstrap configuration with them (a voter list naming a server that no longer
// exists once crashed the run).
TEST(FewerNodes, ARemovedVoterLeavesTheBootstrapConfiguration) {
  Scenario s = parse(with_spares("n1, n2, n3", ""));
  for (uint32_t n : {5u, 4u, 3u})
    ASSERT_TRUE(remove_node(s, n)) << n;
  EXPECT_EQ(s.world.node_names.size(), 2u);
  EXPECT_EQ(s.world.voters, (std::vector<uint32_t>{1, 2}));
  EXPECT_TRUE(run_scenario(s, RunOptions{}).passed());

  Scenario alone = parse(with_spares("n5", ""));
  EXPECT_FALSE(remove_node(alone, 5)) << "the only voter stays";
  EXPECT_EQ(alone.world.node_names.size(), 5u);
}

TEST(PinnedChanges, EachToggleIsPinnedToTheChangeItMade) {
  // n4 is added, then removed; n5 is added when a new leader comes, and removed by the `for`.
  const Scenario s = parse(with_spares("n1, n2, n3",
                                       "  - {at: 1s, reconfigure: n4}\n"
                                       "  - {at: 2s, reconfigure: n4}\n"
                                       "  - {at: 2900ms, when: {event: becomes_leader}, "
                                       "reconfigure: n5, for: 500ms}\n"
                                       "  - {at: 3s, elect: n1}\n"));
  RunReport report;
  const std::vector<std::string> toggled = change_lines(s, &report);
  ASSERT_EQ(report.fired_changes.size(), 4u);
  for (const FiredChange& c : report.fired_changes)
    EXPECT_TRUE(c.appended);
  EXPECT_EQ(report.fired_changes[0].entry, 1u);
  EXPECT_EQ(report.fired_changes[0].change, change(FaultKind::kAddVoter, 4, 1000000));
  EXPECT_EQ(report.fired_changes[1].change, change(FaultKind::kRemove, 4, 2000000));
  EXPECT_EQ(report.fired_changes[2].entry, 3u);
  EXPECT_EQ(report.fired_changes[2].change.kind, FaultKind::kAddVoter);
  EXPECT_EQ(report.fired_changes[3].entry, 3u);
  EXPECT_EQ(report.fired_changes[3].change.kind, FaultKind::kRemove);
  EXPECT_EQ(report.fired_changes[3].fired - report.fired_changes[2].fired, Duration{500000});
  // The triggered toggle's change is asked on the same event, armed at the same time; its undo
  // at the instant it was made.
  EXPECT_EQ(report.fired_changes[2].change.when, s.timeline[3].when);
  EXPECT_EQ(report.fired_changes[2].change.at, s.timeline[3].at);
  EXPECT_FALSE(report.fired_changes[3].change.when);
  EXPECT_EQ(report.fired_changes[3].change.at, report.fired_changes[3].fired);

  // Pinned, the timeline holds the explicit changes in time order, and the run makes the same.
  Scenario pinned = s;
  pinned.timeline = pin_reconfigures(s.timeline, report.fired_changes);
  ASSERT_EQ(pinned.timeline.size(), 6u);
  for (const Fault& f : pinned.timeline) {
    EXPECT_NE(f.kind, FaultKind::kReconfigure);
    EXPECT_EQ(f.undo_after, Duration{0});
  }
  EXPECT_EQ(pinned.timeline[3], report.fired_changes[2].change);
  EXPECT_EQ(pinned.timeline[4].kind, FaultKind::kElect);
  EXPECT_EQ(pinned.timeline[5], report.fired_changes[3].change);
  EXPECT_EQ(change_lines(pinned), toggled);
  EXPECT_EQ(first_difference(story(pinned), story(s)), "");
  // And a repro holding it reads back the same.
  EXPECT_EQ(parse(write_scenario_yaml(pinned), "written.yaml"), pinned);
}

TEST(PinnedChanges, AToggleFiredInsideAnotherIsPinnedOnItsOwnTrigger) {
  // n1's first apply fires the first toggle; asking the leader for it appends an entry, and that
  // fires the second (n2 holds an uncommitted entry) inside the first's firing.
  const Scenario s = parse(R"(name: nested
duration: 2s
cluster:
  nodes: [n1, n2, n3, n4, n5]
  voters: [n1, n2, n3]
  election_timeout: 150ms
  heartbeat: 50ms
network:
  latency: {shape: constant, min: 5ms, max: 5ms}
workload: {clients: 0}
timeline:
  - {at: 10ms, elect: n2}
  - {at: 5ms, when: {event: applies, node: n1}, reconfigure_learner: n4}
  - {at: 25ms, when: {event: uncommitted, node: n2}, reconfigure_learner: n5}
)");
  RunReport report;
  change_lines(s, &report);
  ASSERT_GE(report.fired_changes.size(), 2u);
  const FiredChange& outer = report.fired_changes[0];
  const FiredChange& inner = report.fired_changes[1];
  EXPECT_EQ(outer.fired, inner.fired) << "the second toggle did not fire inside the first";
  EXPECT_EQ(outer.change.nodes, (std::vector<uint32_t>{4}));
  EXPECT_EQ(outer.change.when, s.timeline[0].when);
  EXPECT_EQ(inner.change.nodes, (std::vector<uint32_t>{5}));
  EXPECT_EQ(inner.change.when, s.timeline[2].when);
  Scenario pinned = s;
  pinned.timeline = pin_reconfigures(s.timeline, report.fired_changes);
  EXPECT_EQ(first_difference(story(pinned), story(s)), "");
}

TEST(PinnedChanges, ARefusedToggleIsPinnedAndOneThatNeverFiredIsDropped) {
  // n1 alone votes: removing it is refused, and so is the pinned change (asking it is part of the
  // run: it steps the leader); the trigger never fires (n4 never leads).
  const Scenario s = parse(with_spares("n1",
                                       "  - {at: 1s, reconfigure: n1}\n"
                                       "  - {at: 1500ms, when: {event: becomes_leader, node: n4}, "
                                       "reconfigure: n2, for: 100ms}\n"
                                       "  - {at: 2s, reconfigure: n3}\n"));
  Scenario elect_n1 = s;
  elect_n1.timeline[0].nodes = {1};
  RunReport report;
  const std::vector<std::string> lines = change_lines(elect_n1, &report);
  EXPECT_THAT(lines, Contains(HasSubstr("remove n1: refused")));
  ASSERT_EQ(report.fired_changes.size(), 2u);
  EXPECT_FALSE(report.fired_changes[0].appended);
  EXPECT_TRUE(report.fired_changes[1].appended);
  Scenario pinned = elect_n1;
  pinned.timeline = pin_reconfigures(elect_n1.timeline, report.fired_changes);
  EXPECT_EQ(pinned.timeline,
            (std::vector<Fault>{elect_n1.timeline[0], change(FaultKind::kRemove, 1, 1000000),
                                change(FaultKind::kAddVoter, 3, 2000000)}));
  EXPECT_EQ(change_lines(pinned), lines);
  EXPECT_EQ(first_difference(story(pinned), story(elect_n1)), "");
}

TEST(PinnedChanges, DroppingOnePinnedChangeLeavesWhatTheOthersDo) {
  // Toggles: n4 added at 1s, removed at 2s. Without the first, the second toggle adds n4
  // instead; the pinned second change still removes it (refused now: n4 is not in the cluster).
  const Scenario s = parse(with_spares("n1, n2, n3",
                                       "  - {at: 1s, reconfigure: n4}\n"
                                       "  - {at: 2s, reconfigure: n4}\n"
                                       "  - {at: 3s, reconfigure: n5}\n"));
  RunReport report;
  change_lines(s, &report);
  Scenario pinned = s;
  pinned.timeline = pin_reconfigures(s.timeline, report.fired_changes);
  ASSERT_EQ(pinned.timeline.size(), 4u);

  Scenario toggles_without_first = s;
  toggles_without_first.timeline.erase(toggles_without_first.timeline.begin() + 1);
  EXPECT_THAT(change_lines(toggles_without_first), Contains(HasSubstr("add n4")));

  Scenario pinned_without_first = pinned;
  pinned_without_first.timeline.erase(pinned_without_first.timeline.begin() + 1);
  const std::vector<std::string> lines = change_lines(pinned_without_first);
  EXPECT_THAT(lines, Not(Contains(HasSubstr("add n4"))));
  EXPECT_THAT(lines, Contains(HasSubstr("remove n4: refused")));
  EXPECT_THAT(lines, Contains(HasSubstr("add n5")));
}

// membership_bug.yaml's schedule written with toggles, as the nemesis draws them, and two toggle
// pairs as noise (n5 added and removed, n2 removed and added back). Dropping either toggle of a
// pair turns the other one, and every later toggle of that node, around: n5's second toggle
// would remove it where the failure needs it added. Pinned, the pairs go.
// (bench/explore/membership_toggled.yaml is the same schedule.)
const char* const kToggledFinding = R"(name: membership_toggled
duration: 12s
cluster:
  nodes: [n1, n2, n3, n4, n5]
  voters: [n1, n2, n3, n4]
  pre_vote: true
  bugs: [change_before_term_commit]
network:
  latency: {shape: uniform, min: 1ms, max: 5ms}
workload: {clients: 3, keys: 5, think: 20ms}
timeline:
  - {at: 10ms, elect: n1}
  - {at: 200ms, reconfigure: n5}
  - {at: 300ms, reconfigure: n5}
  - {at: 500ms, drop_messages: {type: [append], to: n4, count: 1000000}, for: 5s}
  - {at: 700ms, reconfigure: n2}
  - {at: 702ms, reconfigure: n2}
  - {at: 1s, partition: [[n1, n5], [n2, n3, n4]]}
  - {at: 1050ms, reconfigure: n5}
  - {at: 1300ms, crash: n1}
  - {at: 1500ms, reconfigure: n4}
  - {at: 3s, partition: [[n1, n4, n5], [n2, n3]]}
  - {at: 3s, restart: n1}
  - {at: 6s, heal: true}
liveness: false
)";

TEST(PinnedChanges, AMembershipFindingShrinksPastItsTogglePairs) {
  RAFTSIM_OPTIMISED_BUILD_ONLY();
  const Scenario s = parse(kToggledFinding);
  ASSERT_EQ(count_faults(s.timeline), 14u);
  const ShrinkResult r = shrink(s, "leader_completeness", {.max_runs = 500});
  ASSERT_TRUE(r.reproduced);
  EXPECT_TRUE(still_fails(r.scenario, "leader_completeness"));
  // Left as toggles, a pair stays (8 faults): dropping one of it changes the rest. Pinned, the
  // bug's own schedule is left: a leader elected, the cluster split, a change on each side, the
  // split moved (the node that lagged behind renamed to the one removed).
  EXPECT_LE(r.shrunk_faults, 5u) << write_scenario_yaml(r.scenario);
  for (const Fault& f : r.scenario.timeline)
    EXPECT_NE(f.kind, FaultKind::kReconfigure) << write_scenario_yaml(r.scenario);
  // The repro holds the explicit changes and fails the same when read back.
  const Scenario back = parse(write_scenario_yaml(r.scenario), "repro.yaml");
  EXPECT_TRUE(still_fails(back, "leader_completeness"));
}

}  // namespace
}  // namespace raftsim::scenario

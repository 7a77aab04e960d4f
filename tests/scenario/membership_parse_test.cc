// The membership part of the scenario language: the bootstrap configuration, the change faults,
// and their repros.
#include <gtest/gtest.h>

#include <variant>

#include "raft/random.h"
#include "scenario/nemesis.h"
#include "scenario/parse.h"
#include "scenario/write.h"

namespace raftsim::scenario {
namespace {

constexpr std::string_view kMembership = R"(
cluster:
  nodes: [n1, n2, n3, n4, n5]
  voters: [n3, n1, n2]
  learners: [n4]
  bugs: [change_before_term_commit]
timeline:
  - {at: 1s, add_learner: n5}
  - {at: 2s, promote: n4}
  - {at: 3s, add_voter: n5}
  - {at: 4s, remove: n2}
  - {at: 5s, change_voters: [n1, n4, n5]}
nemesis:
  faults: [reconfigure, crash]
)";

std::vector<std::string> membership_errors(std::string_view yaml) {
  auto result = parse_scenario_text(yaml, "x.yaml");
  if (std::holds_alternative<Scenario>(result)) return {};
  return std::get<ParseError>(result).messages;
}

TEST(ScenarioMembership, BootstrapConfigurationAndChangesAreRead) {
  auto result = parse_scenario_text(kMembership, "m.yaml");
  ASSERT_TRUE(std::holds_alternative<Scenario>(result)) << std::get<ParseError>(result).text();
  const Scenario& s = std::get<Scenario>(result);
  EXPECT_EQ(s.world.voters, (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_EQ(s.world.learners, (std::vector<uint32_t>{4}));
  EXPECT_TRUE(s.world.bugs.change_before_term_commit);
  ASSERT_EQ(s.timeline.size(), 5u);
  EXPECT_EQ(s.timeline[0].kind, FaultKind::kAddLearner);
  EXPECT_EQ(s.timeline[1].kind, FaultKind::kPromote);
  EXPECT_EQ(s.timeline[2].kind, FaultKind::kAddVoter);
  EXPECT_EQ(s.timeline[3].kind, FaultKind::kRemove);
  EXPECT_EQ(s.timeline[3].nodes, (std::vector<uint32_t>{2}));
  EXPECT_EQ(s.timeline[4].kind, FaultKind::kChangeVoters);
  EXPECT_EQ(s.timeline[4].nodes, (std::vector<uint32_t>{1, 4, 5}));
  EXPECT_EQ(s.nemesis.faults.front(), FaultKind::kReconfigure);
}

TEST(ScenarioMembership, AReproKeepsTheConfigurationAndTheChanges) {
  auto result = parse_scenario_text(kMembership, "m.yaml");
  ASSERT_TRUE(std::holds_alternative<Scenario>(result));
  const Scenario& s = std::get<Scenario>(result);
  const std::string yaml = write_scenario_yaml(s);
  auto again = parse_scenario_text(yaml, "m.yaml");
  ASSERT_TRUE(std::holds_alternative<Scenario>(again)) << std::get<ParseError>(again).text();
  EXPECT_TRUE(std::get<Scenario>(again) == s) << yaml;
}

TEST(ScenarioMembership, MistakesNameTheirPlace) {
  EXPECT_EQ(membership_errors("cluster:\n  nodes: [n1, n2]\n  voters: [n1, n3]\n"),
            std::vector<std::string>{"x.yaml:3:16: unknown node 'n3' (did you mean 'n1'?)"});
  const auto both = membership_errors("cluster:\n  nodes: [n1, n2]\n  learners: [n1]\n");
  ASSERT_EQ(both.size(), 1u);
  EXPECT_NE(both[0].find("x.yaml:3:13: 'n1' is a voter"), std::string::npos) << both[0];
  EXPECT_FALSE(
      membership_errors("cluster:\n  nodes: [n1, n2]\ntimeline:\n  - {at: 1s, promote: [n1]}\n")
          .empty());
}

// A reconfigure in a timeline, at a time or on an event with its undo: what repros of the
// nemesis's `reconfigure` and `triggered_reconfigure` hold, read back as written.
TEST(ScenarioMembership, ReconfigureStandsInATimelineAtATimeOrOnAnEvent) {
  constexpr std::string_view kYaml = R"(
cluster:
  nodes: [n1, n2, n3, n4]
  voters: [n1, n2, n3]
timeline:
  - {at: 1s, reconfigure: n4}
  - {at: 2s, when: {event: becomes_leader}, reconfigure: n4, for: 1s}
)";
  auto result = parse_scenario_text(kYaml, "r.yaml");
  ASSERT_TRUE(std::holds_alternative<Scenario>(result)) << std::get<ParseError>(result).text();
  const Scenario& s = std::get<Scenario>(result);
  ASSERT_EQ(s.timeline.size(), 2u);
  EXPECT_EQ(s.timeline[0].kind, FaultKind::kReconfigure);
  EXPECT_EQ(s.timeline[0].nodes, (std::vector<uint32_t>{4}));
  EXPECT_EQ(s.timeline[1].kind, FaultKind::kReconfigure);
  ASSERT_TRUE(s.timeline[1].when.has_value());
  EXPECT_EQ(s.timeline[1].undo_after, Duration{1'000'000});
  auto again = parse_scenario_text(write_scenario_yaml(s), "r.yaml");
  ASSERT_TRUE(std::holds_alternative<Scenario>(again)) << std::get<ParseError>(again).text();
  EXPECT_TRUE(std::get<Scenario>(again) == s);
}

// The nemesis's triggered_reconfigure: a reconfigure of the drawn node, armed for an event, undone
// by itself; never a heal.
TEST(ScenarioMembership, TriggeredReconfigureIsDrawnAsAReconfigureOnAnEvent) {
  auto result = parse_scenario_text(
      "cluster:\n  nodes: [n1, n2, n3, n4, n5]\n  voters: [n1, n2, n3]\nnemesis:\n  faults: "
      "[triggered_reconfigure]\n",
      "t.yaml");
  ASSERT_TRUE(std::holds_alternative<Scenario>(result)) << std::get<ParseError>(result).text();
  const Scenario& s = std::get<Scenario>(result);
  raft::Random rng(5);
  const NemesisFault f =
      draw_nemesis_fault(FaultKind::kTriggeredReconfigure, SimTime{Duration{1'000'000}},
                         Duration{500'000}, SimTime{Duration{9'000'000}}, s.nemesis, s.world, rng);
  EXPECT_EQ(f.fault.kind, FaultKind::kReconfigure);
  ASSERT_EQ(f.fault.nodes.size(), 1u);
  EXPECT_NE(f.fault.nodes[0], kTriggerNode);
  EXPECT_TRUE(f.fault.when.has_value());
  EXPECT_EQ(f.fault.undo_after, Duration{500'000});
  EXPECT_FALSE(f.undo.has_value());
}

}  // namespace
}  // namespace raftsim::scenario

// The membership part of the scenario language: the bootstrap configuration, the change faults,
// and their repros.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
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

// Whether `s`, written as a repro and read again, is `s`.
::testing::AssertionResult reads_back(const Scenario& s) {
  const std::string yaml = write_scenario_yaml(s);
  auto again = parse_scenario_text(yaml, "written.yaml");
  if (!std::holds_alternative<Scenario>(again))
    return ::testing::AssertionFailure() << std::get<ParseError>(again).text();
  if (!(std::get<Scenario>(again) == s)) return ::testing::AssertionFailure() << yaml;
  return ::testing::AssertionSuccess();
}

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
  EXPECT_TRUE(reads_back(std::get<Scenario>(result)));
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
  EXPECT_TRUE(reads_back(s));
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

// The learner path and the joint flip in a timeline, at a time or on an event with their undo:
// what repros of the nemesis's reconfigure_learner and reconfigure_joint hold, read back as
// written (the pair in its drawn order: the first flips alone when both would leave no voter).
TEST(ScenarioMembership, LearnerAndJointTogglesStandInATimeline) {
  constexpr std::string_view kYaml = R"(
cluster:
  nodes: [n1, n2, n3, n4]
  voters: [n1, n2, n3]
timeline:
  - {at: 1s, reconfigure_learner: n4}
  - {at: 2s, when: {event: becomes_leader}, reconfigure_learner: trigger, for: 1s}
  - {at: 3s, reconfigure_joint: [n4, n1]}
  - {at: 4s, when: {event: grants_vote}, reconfigure_joint: [n2, n4], for: 500ms}
)";
  auto result = parse_scenario_text(kYaml, "r.yaml");
  ASSERT_TRUE(std::holds_alternative<Scenario>(result)) << std::get<ParseError>(result).text();
  const Scenario& s = std::get<Scenario>(result);
  ASSERT_EQ(s.timeline.size(), 4u);
  EXPECT_EQ(s.timeline[0].kind, FaultKind::kReconfigureLearner);
  EXPECT_EQ(s.timeline[0].nodes, (std::vector<uint32_t>{4}));
  EXPECT_EQ(s.timeline[1].kind, FaultKind::kReconfigureLearner);
  EXPECT_EQ(s.timeline[1].nodes, (std::vector<uint32_t>{kTriggerNode}));
  EXPECT_EQ(s.timeline[2].kind, FaultKind::kReconfigureJoint);
  EXPECT_EQ(s.timeline[2].nodes, (std::vector<uint32_t>{4, 1}));
  ASSERT_TRUE(s.timeline[3].when.has_value());
  EXPECT_EQ(s.timeline[3].undo_after, Duration{500'000});
  const std::string yaml = write_scenario_yaml(s);
  EXPECT_NE(yaml.find("reconfigure_joint: [n4, n1]"), std::string::npos) << yaml;
  EXPECT_TRUE(reads_back(s));
}

// What the shrinker makes of a triggered toggle: the change it made, asked on the same event.
// Such a change names its nodes and has no `for` (its undo, when it had one, is a change of its
// own).
TEST(ScenarioMembership, AnExplicitChangeCanWaitForAnEvent) {
  constexpr std::string_view kYaml = R"(
cluster:
  nodes: [n1, n2, n3, n4]
  voters: [n1, n2, n3]
timeline:
  - {at: 1s, when: {event: applies, node: n1, by: 2s}, change_voters: [n2, n3, n4]}
  - {when: {event: becomes_leader, nth: 2}, add_learner: n4}
  - {at: 3s, when: {event: persisted}, remove: n4}
)";
  auto result = parse_scenario_text(kYaml, "r.yaml");
  ASSERT_TRUE(std::holds_alternative<Scenario>(result)) << std::get<ParseError>(result).text();
  const Scenario& s = std::get<Scenario>(result);
  ASSERT_EQ(s.timeline.size(), 3u);
  EXPECT_EQ(s.timeline[0].kind, FaultKind::kAddLearner);
  EXPECT_EQ(s.timeline[0].when->event, sim::NodeEventKind::kBecomesLeader);
  EXPECT_EQ(s.timeline[1].kind, FaultKind::kChangeVoters);
  EXPECT_EQ(s.timeline[1].nodes, (std::vector<uint32_t>{2, 3, 4}));
  EXPECT_EQ(s.timeline[1].when->node, 1u);
  EXPECT_EQ(s.timeline[2].kind, FaultKind::kRemove);
  EXPECT_TRUE(reads_back(s));

  const std::string head = "cluster:\n  nodes: [n1, n2, n3, n4]\ntimeline:\n";
  EXPECT_THAT(membership_errors(head + "  - {when: {event: applies}, add_voter: n4, for: 1s}\n"),
              ::testing::ElementsAre(
                  ::testing::HasSubstr("'for' goes with a message fault or an event-triggered")));
  EXPECT_THAT(membership_errors(head + "  - {when: {event: applies}, add_voter: trigger}\n"),
              ::testing::ElementsAre(::testing::HasSubstr("'add_voter' names its nodes; 'trigger' "
                                                          "goes with crash, pause, isolate")));
  EXPECT_THAT(
      membership_errors(head + "  - {when: {event: applies}, change_voters: [n1, trigger]}\n"),
      ::testing::ElementsAre(::testing::HasSubstr("'change_voters' names its nodes")));
}

TEST(ScenarioMembership, AJointToggleNeedsTwoDistinctNodes) {
  const std::string head = "cluster:\n  nodes: [n1, n2, n3]\ntimeline:\n";
  EXPECT_EQ(membership_errors(head + "  - {at: 1s, reconfigure_joint: [n1]}\n"),
            std::vector<std::string>{
                "x.yaml:4:33: reconfigure_joint needs two distinct node names, e.g. [n2, n4]"});
  EXPECT_FALSE(membership_errors(head + "  - {at: 1s, reconfigure_joint: [n1, n1]}\n").empty());
  EXPECT_FALSE(membership_errors(head + "  - {at: 1s, reconfigure_joint: n1}\n").empty());
  EXPECT_FALSE(membership_errors(head + "  - {at: 1s, reconfigure_joint: [n1, n2, n3]}\n").empty());
  EXPECT_FALSE(membership_errors(head + "  - {at: 1s, when: {event: applies}, reconfigure_joint: "
                                        "[trigger, n2]}\n")
                   .empty());
  EXPECT_FALSE(
      membership_errors(head + "  - {at: 1s, reconfigure_learner: n1, for: 1s}\n").empty());
  EXPECT_EQ(membership_errors("cluster:\n  nodes: [n1]\nnemesis:\n  faults: [reconfigure_joint]\n"),
            std::vector<std::string>{"x.yaml:4:12: 'reconfigure_joint' flips two servers: the "
                                     "cluster needs at least two"});
}

// The nemesis's draws: the learner path of one drawn node, the joint flip of two distinct ones,
// each undone by the same toggle (or armed for an event and undone by its `for`).
TEST(ScenarioMembership, LearnerAndJointTogglesAreDrawnWithTheirUndo) {
  auto result = parse_scenario_text(
      "cluster:\n  nodes: [n1, n2, n3, n4, n5]\n  voters: [n1, n2, n3]\nnemesis:\n  faults: "
      "[reconfigure_learner, reconfigure_joint, triggered_reconfigure_learner, "
      "triggered_reconfigure_joint]\n",
      "t.yaml");
  ASSERT_TRUE(std::holds_alternative<Scenario>(result)) << std::get<ParseError>(result).text();
  const Scenario& s = std::get<Scenario>(result);
  const SimTime at{Duration{1'000'000}};
  const SimTime end{Duration{9'000'000}};
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    raft::Random rng(seed);
    const NemesisFault learner = draw_nemesis_fault(
        FaultKind::kReconfigureLearner, at, Duration{500'000}, end, s.nemesis, s.world, rng);
    EXPECT_EQ(learner.fault.kind, FaultKind::kReconfigureLearner);
    ASSERT_EQ(learner.fault.nodes.size(), 1u);
    ASSERT_TRUE(learner.undo.has_value());
    EXPECT_EQ(learner.undo->kind, FaultKind::kReconfigureLearner);
    EXPECT_EQ(learner.undo->nodes, learner.fault.nodes);
    EXPECT_EQ(learner.undo->at, at + Duration{500'000});

    const NemesisFault joint = draw_nemesis_fault(FaultKind::kReconfigureJoint, at,
                                                  Duration{500'000}, end, s.nemesis, s.world, rng);
    EXPECT_EQ(joint.fault.kind, FaultKind::kReconfigureJoint);
    ASSERT_EQ(joint.fault.nodes.size(), 2u);
    EXPECT_NE(joint.fault.nodes[0], joint.fault.nodes[1]);
    for (uint32_t id : joint.fault.nodes)
      EXPECT_TRUE(id >= 1 && id <= 5) << id;
    ASSERT_TRUE(joint.undo.has_value());
    EXPECT_EQ(joint.undo->kind, FaultKind::kReconfigureJoint);
    EXPECT_EQ(joint.undo->nodes, joint.fault.nodes);

    const NemesisFault triggered = draw_nemesis_fault(
        FaultKind::kTriggeredReconfigureJoint, at, Duration{500'000}, end, s.nemesis, s.world, rng);
    EXPECT_EQ(triggered.fault.kind, FaultKind::kReconfigureJoint);
    ASSERT_EQ(triggered.fault.nodes.size(), 2u);
    EXPECT_NE(triggered.fault.nodes[0], triggered.fault.nodes[1]);
    EXPECT_TRUE(triggered.fault.when.has_value());
    EXPECT_EQ(triggered.fault.undo_after, Duration{500'000});
    EXPECT_FALSE(triggered.undo.has_value());

    const NemesisFault triggered_learner =
        draw_nemesis_fault(FaultKind::kTriggeredReconfigureLearner, at, Duration{500'000}, end,
                           s.nemesis, s.world, rng);
    EXPECT_EQ(triggered_learner.fault.kind, FaultKind::kReconfigureLearner);
    ASSERT_EQ(triggered_learner.fault.nodes.size(), 1u);
    EXPECT_NE(triggered_learner.fault.nodes[0], kTriggerNode);
    EXPECT_TRUE(triggered_learner.fault.when.has_value());
  }
}

}  // namespace
}  // namespace raftsim::scenario

// The nemesis's membership toggles beyond `reconfigure`: `reconfigure_learner` walks a server
// along the learner path (stranger -> learner -> voter -> stranger), `reconfigure_joint` flips
// two servers at once through a joint configuration. Each makes the change it describes in the
// simulated world, is pinned by the shrinker to that explicit change, and is drawn by swarm when
// the cluster has spares.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "explore/swarm.h"
#include "scenario/faults.h"
#include "scenario/parse.h"
#include "scenario/runner.h"
#include "scenario/write.h"
#include "spares.h"

namespace raftsim::scenario {
namespace {

using test::with_spares;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

using test::parse;

// with_spares, run for 6s: time for four toggles a second apart.
std::string cluster(const std::string& voters, const std::string& timeline) {
  return with_spares(voters, timeline, "6s");
}

// What the leader appended or refused, each line from its change on ("add-learner n4", ...).
std::vector<std::string> changes(const Scenario& s, RunReport* report = nullptr) {
  std::vector<std::string> lines;
  RunOptions options;
  options.print = [&](const std::string& line) {
    if (const auto at = line.find("configuration entry"); at != std::string::npos)
      lines.push_back(line.substr(line.find(": ", at) + 2));
    if (line.find("refused") != std::string::npos) lines.push_back(line.substr(line.find("FAULT")));
  };
  const RunReport r = run_scenario(s, options);
  if (report) *report = r;
  return lines;
}

std::vector<FaultKind> kinds(const std::vector<FiredChange>& fired) {
  std::vector<FaultKind> out;
  for (const FiredChange& c : fired)
    out.push_back(c.change.kind);
  return out;
}

TEST(ReconfigureLearner, WalksAServerAlongTheLearnerPathAndOut) {
  const Scenario s = parse(cluster("n1, n2, n3",
                                   "  - {at: 1s, reconfigure_learner: n4}\n"
                                   "  - {at: 2s, reconfigure_learner: n4}\n"
                                   "  - {at: 3s, reconfigure_learner: n4}\n"
                                   "  - {at: 4s, reconfigure_learner: n4}\n"));
  RunReport report;
  EXPECT_THAT(changes(s, &report),
              ElementsAre("add-learner n4", "promote n4", "remove n4", "add-learner n4"));
  EXPECT_TRUE(report.passed());
  EXPECT_THAT(kinds(report.fired_changes), ElementsAre(FaultKind::kAddLearner, FaultKind::kPromote,
                                                       FaultKind::kRemove, FaultKind::kAddLearner));
}

TEST(ReconfigureLearner, ItsUndoTakesTheNextStep) {
  // On an event, with `for`: n5 joins as a learner when n2 leads, and is promoted 500ms later.
  const Scenario s =
      parse(cluster("n1, n2, n3",
                    "  - {at: 5ms, when: {event: becomes_leader}, reconfigure_learner: n5, "
                    "for: 500ms}\n"));
  RunReport report;
  EXPECT_THAT(changes(s, &report), ElementsAre("add-learner n5", "promote n5"));
  ASSERT_EQ(report.fired_changes.size(), 2u);
  EXPECT_EQ(report.fired_changes[1].fired - report.fired_changes[0].fired, Duration{500000});
}

TEST(ReconfigureJoint, FlipsTwoServersAtOnceThroughAJointConfiguration) {
  // n1 leaves and n4 joins in one change: the voters {n1 n2 n3} become {n2 n3 n4} through the
  // joint configuration; the same flip again brings them back.
  const Scenario s = parse(cluster("n1, n2, n3",
                                   "  - {at: 1s, reconfigure_joint: [n1, n4]}\n"
                                   "  - {at: 2s, reconfigure_joint: [n1, n4]}\n"
                                   "  - {at: 3s, reconfigure_joint: [n4, n5]}\n"));
  RunReport report;
  std::vector<std::string> joint;
  RunOptions options;
  options.print = [&](const std::string& line) {
    if (line.find("outgoing voters") != std::string::npos) joint.push_back(line);
  };
  report = run_scenario(s, options);
  EXPECT_TRUE(report.passed());
  EXPECT_FALSE(joint.empty()) << "no node ever acted on a joint configuration";
  EXPECT_THAT(changes(s), ElementsAre("replace voters n2 n3 n4", "replace voters n1 n2 n3",
                                      "replace voters n1 n2 n3 n4 n5"));
  ASSERT_EQ(report.fired_changes.size(), 3u);
  for (const FiredChange& c : report.fired_changes)
    EXPECT_EQ(c.change.kind, FaultKind::kChangeVoters);
  EXPECT_EQ(report.fired_changes[0].change.nodes, (std::vector<uint32_t>{2, 3, 4}));
  EXPECT_EQ(report.fired_changes[2].change.nodes, (std::vector<uint32_t>{1, 2, 3, 4, 5}));
}

TEST(ReconfigureJoint, ALearnerOfThePairJoinsAsAVoter) {
  const Scenario s = parse(cluster("n1, n2, n3",
                                   "  - {at: 1s, add_learner: n5}\n"
                                   "  - {at: 2s, reconfigure_joint: [n5, n3]}\n"));
  EXPECT_THAT(changes(s), ElementsAre("add-learner n5", "replace voters n1 n2 n5"));
}

// The flip's edge: a pair that holds every voter would leave none, so the first alone flips.
TEST(ReconfigureJoint, ThePairOfTheOnlyVotersFlipsTheFirstAlone) {
  const Fault f{.kind = FaultKind::kReconfigureJoint, .nodes = {1, 2}};
  const raft::Configuration two{.voters = {raft::NodeId{1}, raft::NodeId{2}}};
  const raft::ConfChange c = change_of(f, two);
  EXPECT_EQ(c.kind, raft::ConfChange::Kind::kReplace);
  EXPECT_EQ(c.voters, (std::vector<raft::NodeId>{raft::NodeId{2}}));
  // From {n2} the same pair flips both again: n1 back in, n2 out.
  const raft::ConfChange back = change_of(f, {.voters = {raft::NodeId{2}}});
  EXPECT_EQ(back.voters, (std::vector<raft::NodeId>{raft::NodeId{1}}));
  // The incoming voters decide, in a joint configuration too.
  const raft::Configuration joint{.voters = {raft::NodeId{2}, raft::NodeId{3}},
                                  .outgoing = {raft::NodeId{1}, raft::NodeId{2}}};
  EXPECT_EQ(change_of(f, joint).voters,
            (std::vector<raft::NodeId>{raft::NodeId{1}, raft::NodeId{3}}));
}

TEST(ReconfigureToggles, TheOriginalToggleIsUnchanged) {
  const Fault f{.kind = FaultKind::kReconfigure, .nodes = {4}};
  const raft::Configuration c{.voters = {raft::NodeId{1}}, .learners = {raft::NodeId{4}}};
  // A learner is not a voter: `reconfigure` adds it as one, where `reconfigure_learner` promotes.
  EXPECT_EQ(change_of(f, c).kind, raft::ConfChange::Kind::kAddVoter);
  Fault learner = f;
  learner.kind = FaultKind::kReconfigureLearner;
  EXPECT_EQ(change_of(learner, c).kind, raft::ConfChange::Kind::kPromote);
}

TEST(PinnedToggles, EachNewToggleIsPinnedToTheExplicitChangeItMade) {
  const Scenario s = parse(cluster("n1, n2, n3",
                                   "  - {at: 1s, reconfigure_learner: n4}\n"
                                   "  - {at: 2s, reconfigure_learner: n4}\n"
                                   "  - {at: 3s, reconfigure_joint: [n1, n5]}\n"
                                   "  - {at: 3500ms, when: {event: becomes_leader}, "
                                   "reconfigure_joint: [n4, n5], for: 400ms}\n"
                                   "  - {at: 4s, elect: n3}\n"));
  RunReport report;
  const std::vector<std::string> toggled = changes(s, &report);
  ASSERT_EQ(report.fired_changes.size(), 5u) << ::testing::PrintToString(toggled);
  for (const FiredChange& c : report.fired_changes)
    EXPECT_TRUE(c.appended);
  Scenario pinned = s;
  pinned.timeline = pin_reconfigures(s.timeline, report.fired_changes);
  std::vector<FaultKind> pinned_kinds;
  std::vector<Fault> triggered;
  for (const Fault& f : pinned.timeline) {
    EXPECT_FALSE(is_reconfigure(f.kind));
    EXPECT_EQ(f.undo_after, Duration{0});
    pinned_kinds.push_back(f.kind);
    if (f.when) triggered.push_back(f);
  }
  // The triggered toggle's change is asked on the same event, armed at the same time; its undo,
  // made 400ms after it fired, at that instant.
  const auto toggle = std::find_if(s.timeline.begin(), s.timeline.end(),
                                   [](const Fault& f) { return f.when.has_value(); });
  ASSERT_NE(toggle, s.timeline.end());
  ASSERT_EQ(triggered.size(), 1u);
  EXPECT_EQ(triggered[0].kind, FaultKind::kChangeVoters);
  EXPECT_EQ(triggered[0].when, toggle->when);
  EXPECT_EQ(triggered[0].at, toggle->at);
  EXPECT_THAT(pinned_kinds,
              UnorderedElementsAre(FaultKind::kElect, FaultKind::kAddLearner, FaultKind::kPromote,
                                   FaultKind::kChangeVoters, FaultKind::kElect,
                                   FaultKind::kChangeVoters, FaultKind::kChangeVoters));
  // The pinned run makes the same changes; its repro reads back the same.
  EXPECT_EQ(changes(pinned), toggled);
  const Scenario back = parse(write_scenario_yaml(pinned), "written.yaml");
  EXPECT_EQ(back, pinned);
  EXPECT_EQ(changes(back), toggled);
}

TEST(SwarmKinds, AClusterWithSparesDrawsEveryToggle) {
  const std::vector<FaultKind> drawn = explore::swarm_kinds(parse(cluster("n1, n2, n3", "")));
  for (FaultKind kind : {FaultKind::kReconfigure, FaultKind::kTriggeredReconfigure,
                         FaultKind::kReconfigureLearner, FaultKind::kTriggeredReconfigureLearner,
                         FaultKind::kReconfigureJoint, FaultKind::kTriggeredReconfigureJoint})
    EXPECT_THAT(drawn, Contains(kind)) << to_string(kind);
  // Without spares, none.
  const std::vector<FaultKind> full =
      explore::swarm_kinds(parse(cluster("n1, n2, n3, n4, n5", "")));
  for (FaultKind kind : full)
    EXPECT_FALSE(is_membership_fault(kind) ||
                 to_string(kind).find("reconfigure") != std::string_view::npos)
        << to_string(kind);
}

}  // namespace
}  // namespace raftsim::scenario

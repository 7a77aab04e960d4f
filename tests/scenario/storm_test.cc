// Message storms exploration found in the correct core, kept as runs that must stay within the
// event budget. In replicate mode every success earns the next append, and a snapshot's
// acknowledgement earns the next snapshot when the leader has compacted again; under duplicated
// and reordered messages each copy of an acknowledgement used to add one more message in flight,
// until a run held 50,000. The leader's send budget per heartbeat round (max_appends_per_round,
// snapshots included) bounds them. Each scenario is explore's shrunk repro with its drawn
// configuration.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "scenario/parse.h"
#include "scenario/runner.h"

namespace raftsim::scenario {
namespace {

Scenario parsed(const std::string& yaml) {
  auto result = parse_scenario_text(yaml, "storm.yaml");
  if (auto* error = std::get_if<ParseError>(&result)) ADD_FAILURE() << error->text();
  return std::get<Scenario>(result);
}

void expect_within_budget(const std::string& yaml) {
  RunOptions options;
  options.narrate = false;
  const RunReport report = run_scenario(parsed(yaml), options);
  EXPECT_THAT(report.violated_properties, testing::IsEmpty());
  EXPECT_TRUE(report.passed());
}

// A lone voter adds a learner 824 entries behind (one entry per append) under two overlapping
// duplicate faults: guided, bench/explore/membership_four.yaml, run 5,660, shrunk to 5 faults.
constexpr const char* kLearnerCatchUp = R"(name: learner_catch_up
seed: 9864192872938387070
duration: 20s
cluster:
  nodes: [n1, n2, n3]
  voters: [n1, n2, n3]
  tick: 10ms
  election_timeout: 220ms
  heartbeat: 10ms
  pre_vote: true
  check_quorum: false
  vote_lease: false
  leadership_transfer: true
  bugs: []
  fsync: {min: 1963us, max: 4229us}
  snapshot_every: 0
  max_entries_per_append: 1
network:
  latency: {shape: uniform, min: 1551us, max: 25550us, tail_chance: 0.01, tail_max: 1s}
  loss: 0
  duplicate: 0
  reorder: 0
  delay: 0
  pct: {depth: 2, messages: 1392, hold: 640ms}
workload:
  clients: 4
  keys: 1
  mix: {get: 0.4, put: 0.3, append: 0.2, cas: 0.1}
  rate: 0
  think: 20ms
  timeout: 300ms
  give_up: 3s
  latency: {shape: uniform, min: 1ms, max: 10ms, tail_chance: 0.01, tail_max: 1s}
  stop: 20s
timeline:
  - {at: 1893us, remove: n2}
  - {at: 3379us, remove: n3}
  - {at: 12712778us, add_learner: n2}
  - {at: 12714589us, duplicate: 0.25045183866877807}
  - {at: 12716ms, duplicate: 0.25045183866877807}
liveness: {quiet: 2s, within: 5s}
)";

// A follower the leader keeps sending snapshots (one every five entries) while a delay and a
// duplicate fault are on: guided, bench/explore/correct.yaml, seed 10,025, shrunk to 4 faults.
constexpr const char* kSnapshotAcks = R"(name: snapshot_acks
seed: 10025
duration: 30s
cluster:
  nodes: [n1, n2, n3, n4, n5]
  tick: 10ms
  election_timeout: 200ms
  heartbeat: 50ms
  pre_vote: false
  check_quorum: false
  vote_lease: false
  leadership_transfer: true
  bugs: []
  fsync: {min: 443us, max: 552us}
  snapshot_every: 5
  max_entries_per_append: 64
network:
  latency: {shape: constant, min: 123us, max: 28284us, tail_chance: 0.01, tail_max: 1s}
  loss: 0
  duplicate: 0
  reorder: 0.16300641958017684
  delay: 0
  pct: {depth: 3, messages: 1799, hold: 160ms}
workload:
  clients: 4
  keys: 1
  mix: {get: 0.4, put: 0.3, append: 0.2, cas: 0.1}
  rate: 0
  think: 4222us
  timeout: 300ms
  give_up: 3s
  latency: {shape: uniform, min: 1ms, max: 10ms, tail_chance: 0.01, tail_max: 1s}
  stop: 30s
timeline:
  - {at: 18602395us, delay: 23314us, links: [[n1, n2], [n2, n1], [n1, n3], [n3, n1], [n1, n4], [n4, n1], [n1, n5], [n5, n1]]}
  - {at: 18821920us, duplicate: 0.3}
  - {at: 19786ms, duplicate: 0}
  - {at: 20494120us, delay: 0, links: [[n1, n2], [n2, n1], [n1, n3], [n3, n1], [n1, n4], [n4, n1], [n1, n5], [n5, n1]]}
liveness: {quiet: 2s, within: 3s}
)";

TEST(MessageStorms, DuplicatedAcknowledgementsOfACatchUpStayWithinTheBudget) {
  expect_within_budget(kLearnerCatchUp);
}

TEST(MessageStorms, DuplicatedAcknowledgementsOfSnapshotsStayWithinTheBudget) {
  expect_within_budget(kSnapshotAcks);
}

}  // namespace
}  // namespace raftsim::scenario

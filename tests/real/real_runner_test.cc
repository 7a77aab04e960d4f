// `raftsim run --real`: the cluster a scenario is run on carries the scenario's settings.
#include "real/real_runner.h"

#include <gtest/gtest.h>

#include "node/kv.h"
#include "scenario/parse.h"

namespace raftsim::real {
namespace {

scenario::Scenario parse(const std::string& yaml) {
  auto parsed = scenario::parse_scenario_text(yaml, "shape.yaml");
  if (auto* error = std::get_if<scenario::ParseError>(&parsed)) {
    ADD_FAILURE() << error->messages.front();
    return {};
  }
  return std::get<scenario::Scenario>(std::move(parsed));
}

TEST(RealClusterShape, CarriesTheScenariosTimersOptionsAndCompaction) {
  const ClusterFile shape =
      real_cluster_shape(parse("duration: 5s\n"
                               "cluster:\n"
                               "  nodes: [a, b, c]\n"
                               "  tick: 20ms\n"
                               "  election_timeout: 200ms\n"
                               "  heartbeat: 60ms\n"
                               "  pre_vote: true\n"
                               "  check_quorum: true\n"
                               "  vote_lease: true\n"
                               "  max_entries_per_append: 4\n"
                               "  max_appends_per_round: 2\n"
                               "  snapshot_every: 200\n"));
  EXPECT_EQ(shape.tick_ms, 20);
  EXPECT_EQ(shape.election_timeout_ticks, 10);
  EXPECT_EQ(shape.heartbeat_ticks, 3);
  EXPECT_TRUE(shape.pre_vote);
  EXPECT_TRUE(shape.check_quorum);
  EXPECT_TRUE(shape.vote_lease);
  EXPECT_EQ(shape.max_entries_per_append, 4u);
  EXPECT_EQ(shape.max_appends_per_round, 2u);
  EXPECT_EQ(shape.snapshot_every, 200u);
  ASSERT_EQ(shape.nodes.size(), 3u);
  EXPECT_EQ(shape.nodes[2].name, "c");
  EXPECT_EQ(shape.nodes[2].id, raft::NodeId{3});
}

// The scenario's bootstrap configuration becomes the cluster file's: a node in neither list is
// a spare, running but no member until the timeline adds it.
TEST(RealClusterShape, CarriesTheBootstrapConfiguration) {
  const ClusterFile shape = real_cluster_shape(
      parse("duration: 5s\ncluster:\n  nodes: [a, b, c, d]\n  voters: [a, b]\n  learners: [c]\n"));
  ASSERT_EQ(shape.nodes.size(), 4u);
  EXPECT_EQ(shape.bootstrap(Bootstrap::kVoter),
            (std::vector<raft::NodeId>{raft::NodeId{1}, raft::NodeId{2}}));
  EXPECT_EQ(shape.nodes[2].bootstrap, Bootstrap::kLearner);
  EXPECT_EQ(shape.nodes[3].bootstrap, Bootstrap::kSpare);
  const ClusterFile all = real_cluster_shape(parse("duration: 5s\ncluster:\n  nodes: [a, b]\n"));
  EXPECT_EQ(all.bootstrap(Bootstrap::kVoter).size(), 2u);
}

// A scenario that does not compact runs on nodes that do not either, as in the simulator;
// the node process's own default (kDefaultSnapshotEvery) is for clusters started by hand.
TEST(RealClusterShape, AScenarioWithoutCompactionNeverCompacts) {
  const ClusterFile shape = real_cluster_shape(parse("duration: 5s\ncluster:\n  nodes: [a, b]\n"));
  EXPECT_EQ(shape.snapshot_every, 0u);
  EXPECT_FALSE(shape.pre_vote);
}

// What real processes cannot take is refused before anything starts, each with its place; what
// they can — one-way cuts, clogs, loss, leader faults, a nemesis drawing only those — is not.
TEST(RealModeRefusals, NameEachFaultRealProcessesCannotTake) {
  const scenario::Scenario s = parse(
      "duration: 10s\n"
      "cluster: {nodes: [a, b, c]}\n"
      "nemesis: {faults: [partition, clog, crash_leader, clock_skew], quiet: 2s}\n"
      "timeline:\n"
      "  - {at: 1s, cut: [a, b]}\n"
      "  - {at: 2s, loss: 0.5}\n"
      "  - {at: 3s, crash_leader: 1s}\n"
      "  - {at: 4s, fsync_lies: a}\n");
  EXPECT_EQ(real_mode_refusals(s),
            (std::vector<std::string>{
                "shape.yaml: the nemesis's 'clock_skew' cannot be done to real processes",
                "shape.yaml:8:14: 'fsync_lies' cannot be done to real processes"}));

  const scenario::Scenario fine = parse(
      "duration: 10s\n"
      "cluster: {nodes: [a, b, c]}\n"
      "nemesis: {faults: [partition, crash, pause, delay, loss, duplicate, clog, wipe,\n"
      "                   crash_leader, isolate_leader, reconfigure, reconfigure_learner,\n"
      "                   reconfigure_joint], quiet: 2s}\n"
      "timeline:\n"
      "  - {at: 1s, cut: [a, b]}\n"
      "  - {at: 1100ms, remove: c}\n"
      "  - {at: 1200ms, add_learner: c}\n"
      "  - {at: 1300ms, promote: c}\n"
      "  - {at: 1400ms, change_voters: [a, b]}\n"
      "  - {at: 1500ms, reconfigure_learner: c}\n"
      "  - {at: 1600ms, reconfigure_joint: [a, c]}\n"
      "  - {at: 2s, clog: [a, b]}\n"
      "  - {at: 2500ms, unclog: [[a, b]]}\n"
      "  - {at: 3s, isolate_leader: 1s}\n");
  EXPECT_TRUE(real_mode_refusals(fine).empty());
}

raft::Entry command_entry(uint64_t index, uint64_t client, uint64_t seq) {
  return {raft::Term{1}, raft::Index{index}, raft::EntryType::kCommand,
          node::encode({client, seq, node::KvOp::kPut, "k", "v", ""})};
}

check::AckedWrite acked(uint64_t client, uint64_t seq) {
  check::AckedWrite w;
  w.client_id = client;
  w.seq = seq;
  return w;
}

// The durability check in real mode reads the committed log from a node's disk. Compaction
// replaces its prefix by a snapshot; the snapshot's client sessions stand in for the entries.
TEST(CommittedOnDisk, TheLogUpToTheCommitIndexAndWhatTheSnapshotsSessionsPassed) {
  node::KvStore store;
  for (uint64_t seq = 1; seq <= 5; ++seq)
    store.apply({1, seq, node::KvOp::kPut, "k", "v", ""});
  node::Loaded loaded;
  loaded.state.snapshot = {raft::Index{5}, raft::Term{1}, store.snapshot()};
  loaded.state.entries = {command_entry(6, 2, 1), command_entry(7, 2, 2), command_entry(8, 2, 3)};

  const std::vector<check::AckedWrite> writes = {acked(1, 3), acked(1, 6), acked(2, 1),
                                                 acked(2, 3)};
  const auto committed = committed_on_disk(loaded, raft::Index{7}, writes);
  ASSERT_TRUE(committed.has_value());
  std::vector<std::pair<uint64_t, uint64_t>> got;
  for (const check::CommittedCommand& c : *committed)
    got.emplace_back(c.client_id, c.seq);
  // (2, 3) is in the log but past the commit index; (1, 6) the snapshot never saw.
  EXPECT_EQ(got, (std::vector<std::pair<uint64_t, uint64_t>>{{2, 1}, {2, 2}, {1, 3}}));
  EXPECT_EQ(check::lost_writes(writes, *committed), (std::vector<size_t>{1, 3}));
}

TEST(CommittedOnDisk, ASnapshotThatDoesNotLoadLeavesTheLogUnknown) {
  node::Loaded loaded;
  loaded.state.snapshot = {raft::Index{5}, raft::Term{1}, "not a key-value store"};
  const std::vector<check::AckedWrite> writes = {acked(1, 1)};
  EXPECT_FALSE(committed_on_disk(loaded, raft::Index{5}, writes).has_value());
}

}  // namespace
}  // namespace raftsim::real

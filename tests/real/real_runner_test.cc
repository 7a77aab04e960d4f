// `raftsim run --real`: the cluster a scenario is run on carries the scenario's settings.
#include "real/real_runner.h"

#include <gtest/gtest.h>

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
                               "  snapshot_every: 200\n"));
  EXPECT_EQ(shape.tick_ms, 20);
  EXPECT_EQ(shape.election_timeout_ticks, 10);
  EXPECT_EQ(shape.heartbeat_ticks, 3);
  EXPECT_TRUE(shape.pre_vote);
  EXPECT_TRUE(shape.check_quorum);
  EXPECT_EQ(shape.snapshot_every, 200u);
  ASSERT_EQ(shape.nodes.size(), 3u);
  EXPECT_EQ(shape.nodes[2].name, "c");
  EXPECT_EQ(shape.nodes[2].id, raft::NodeId{3});
}

// A scenario that does not compact runs on nodes that do not either, as in the simulator;
// the node process's own default (kDefaultSnapshotEvery) is for clusters started by hand.
TEST(RealClusterShape, AScenarioWithoutCompactionNeverCompacts) {
  const ClusterFile shape = real_cluster_shape(parse("duration: 5s\ncluster:\n  nodes: [a, b]\n"));
  EXPECT_EQ(shape.snapshot_every, 0u);
  EXPECT_FALSE(shape.pre_vote);
}

}  // namespace
}  // namespace raftsim::real

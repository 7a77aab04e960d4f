// The network model: partitions of any shape, one-way cuts, loss, duplication, latency bounds.
#include "sim/network.h"

#include <gtest/gtest.h>

namespace raftsim::sim {
namespace {

LinkModel fixed(Duration latency) {
  LinkModel m;
  m.latency = {Latency::Shape::kConstant, latency, latency};
  return m;
}

TEST(Network, PartitionBlocksOnlyAcrossGroups) {
  Network net(5, fixed(Duration{1000}), 1);
  net.partition({{1, 2, 3}, {4, 5}});
  EXPECT_EQ(net.route(1, 2).fate, Routing::Fate::kDeliver);
  EXPECT_EQ(net.route(4, 5).fate, Routing::Fate::kDeliver);
  EXPECT_EQ(net.route(3, 4).fate, Routing::Fate::kBlocked);
  EXPECT_EQ(net.route(5, 1).fate, Routing::Fate::kBlocked);
  net.heal();
  EXPECT_EQ(net.route(3, 4).fate, Routing::Fate::kDeliver);
}

TEST(Network, NodeInNoGroupIsIsolated) {
  Network net(3, fixed(Duration{1000}), 1);
  net.partition({{1, 2}});
  EXPECT_EQ(net.route(3, 1).fate, Routing::Fate::kBlocked);
  EXPECT_EQ(net.route(1, 3).fate, Routing::Fate::kBlocked);
}

TEST(Network, CutIsOneWay) {
  Network net(3, fixed(Duration{1000}), 1);
  net.block(1, 3, true);
  EXPECT_EQ(net.route(1, 3).fate, Routing::Fate::kBlocked);
  EXPECT_EQ(net.route(3, 1).fate, Routing::Fate::kDeliver);
}

TEST(Network, LossAndDuplicationFollowTheirRates) {
  LinkModel lossy = fixed(Duration{1000});
  lossy.loss = 1.0;
  Network net(2, lossy, 1);
  EXPECT_EQ(net.route(1, 2).fate, Routing::Fate::kLost);
  LinkModel doubling = fixed(Duration{1000});
  doubling.duplicate = 1.0;
  net.set_all_links(doubling);
  const Routing r = net.route(1, 2);
  EXPECT_EQ(r.fate, Routing::Fate::kDeliver);
  EXPECT_TRUE(r.duplicated);
}

TEST(Network, ExtraDelayAddsToLatency) {
  LinkModel slow = fixed(Duration{2000});
  slow.extra_delay = Duration{10000000};
  Network net(2, slow, 1);
  EXPECT_EQ(net.route(1, 2).delay, Duration{10002000});
}

TEST(Network, UniformLatencyStaysWithinBounds) {
  LinkModel m;
  m.latency = {Latency::Shape::kUniform, Duration{1000}, Duration{10000}};
  Network net(2, m, 3);
  Duration lo = Duration::max(), hi = Duration::min();
  for (int i = 0; i < 10000; ++i) {
    const Duration d = net.route(1, 2).delay;
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_GE(lo, Duration{1000});
  EXPECT_LE(hi, Duration{10000});
  EXPECT_LT(lo, Duration{1500}) << "the whole range is used";
  EXPECT_GT(hi, Duration{9500});
}

TEST(Network, ClogHoldsMessages) {
  Network net(2, fixed(Duration{1000}), 1);
  net.clog(1, 2, true);
  EXPECT_EQ(net.route(1, 2).fate, Routing::Fate::kClogged);
  EXPECT_EQ(net.route(2, 1).fate, Routing::Fate::kDeliver);
}

}  // namespace
}  // namespace raftsim::sim

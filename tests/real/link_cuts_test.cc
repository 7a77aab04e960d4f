// The links `raftsim run --real` and `raftsim cluster` cut, by the simulated network's rules.
#include "real/link_cuts.h"

#include <gtest/gtest.h>

namespace raftsim::real {
namespace {

using Links = std::vector<std::pair<uint32_t, uint32_t>>;

TEST(LinkCuts, APartitionBlocksBothWaysBetweenGroupsAndIsolatesTheUnnamed) {
  LinkCuts cuts({1, 2, 3, 4});
  cuts.partition(std::vector<std::vector<uint32_t>>{{1, 2}, {3}});
  EXPECT_EQ(cuts.blocked(1), (BlockedPeers{{3, 4}, {3, 4}}));
  EXPECT_EQ(cuts.blocked(3), (BlockedPeers{{1, 2, 4}, {1, 2, 4}}));
  EXPECT_EQ(cuts.blocked(4), (BlockedPeers{{1, 2, 3}, {1, 2, 3}}));
}

// Both ends of a one-way cut are told: the sender sends nothing, the receiver hears nothing.
TEST(LinkCuts, ACutBlocksOneDirectionAtBothEnds) {
  LinkCuts cuts({1, 2, 3});
  cuts.cut(Links{{2, 1}, {3, 1}});  // 1 hears no one, but everyone hears 1
  EXPECT_EQ(cuts.blocked(1), (BlockedPeers{{}, {2, 3}}));
  EXPECT_EQ(cuts.blocked(2), (BlockedPeers{{1}, {}}));
  EXPECT_EQ(cuts.blocked(3), (BlockedPeers{{1}, {}}));
}

TEST(LinkCuts, ACutAddsToAPartitionAndAPartitionReplacesEveryCut) {
  LinkCuts cuts({1, 2, 3});
  cuts.partition(std::vector<std::vector<uint32_t>>{{1}, {2, 3}});
  cuts.cut(Links{{2, 3}, {1, 3}});
  EXPECT_EQ(cuts.blocked(2), (BlockedPeers{{1, 3}, {1}}));
  EXPECT_EQ(cuts.blocked(3), (BlockedPeers{{1}, {1, 2}}));

  cuts.partition(std::vector<std::vector<uint32_t>>{{2}, {1, 3}});
  EXPECT_EQ(cuts.blocked(1), (BlockedPeers{{2}, {2}}));
  EXPECT_EQ(cuts.blocked(3), (BlockedPeers{{2}, {2}}));

  cuts.heal();
  EXPECT_EQ(cuts.blocked(2), (BlockedPeers{}));
}

TEST(LinkCuts, IdsNeedNotBeConsecutive) {
  LinkCuts cuts({1, 5, 9});
  cuts.partition(std::vector<std::vector<uint32_t>>{{1, 9}, {5}});
  EXPECT_EQ(cuts.blocked(9), (BlockedPeers{{5}, {5}}));
  EXPECT_EQ(cuts.blocked(5), (BlockedPeers{{1, 9}, {1, 9}}));
}

}  // namespace
}  // namespace raftsim::real

// The simulated world: a cluster runs, clients get answers, and a run is a pure function of
// (configuration, seed).
#include "sim/world.h"

#include <gtest/gtest.h>

#include <set>

#include "sanitized.h"

namespace raftsim::sim {
namespace {

using namespace std::chrono_literals;

WorldConfig five_nodes(uint64_t seed) {
  WorldConfig c;
  c.node_names = {"n1", "n2", "n3", "n4", "n5"};
  c.seed = seed;
  c.workload.clients = 3;
  return c;
}

struct RunResult {
  uint64_t digest;
  uint64_t events;
  std::vector<ClientOp> history;
};

RunResult run(WorldConfig config, Duration length, const std::function<void(World&)>& faults = {}) {
  World world(std::move(config));
  world.start_clients();
  if (faults) faults(world);
  world.run_until(kTimeZero + length);
  return {world.trace().digest(), world.trace().events(), world.history()};
}

TEST(World, ElectsALeaderAndServesClients) {
  World world(five_nodes(1));
  world.start_clients();
  world.run_until(kTimeZero + 5s);
  int leaders = 0;
  for (uint32_t id = 1; id <= world.node_count(); ++id) {
    leaders += world.node(id)->core().role() == raft::Role::kLeader ? 1 : 0;
  }
  EXPECT_EQ(leaders, 1);
  const auto history = world.history();
  ASSERT_GT(history.size(), 50u);
  size_t known = 0;
  for (const ClientOp& op : history)
    known += op.known ? 1 : 0;
  EXPECT_GT(known, history.size() * 9 / 10) << "a healthy cluster answers nearly every operation";
}

TEST(World, SameSeedGivesTheSameDigest) {
  const RunResult a = run(five_nodes(42), 10s);
  const RunResult b = run(five_nodes(42), 10s);
  EXPECT_EQ(a.digest, b.digest);
  EXPECT_EQ(a.events, b.events);
  EXPECT_GT(a.events, 1000u);
}

TEST(World, ADifferentSeedGivesADifferentDigest) {
  EXPECT_NE(run(five_nodes(1), 5s).digest, run(five_nodes(2), 5s).digest);
}

TEST(World, TwoHundredSeedsEachRunTwiceAgree) {
  RAFTSIM_OPTIMISED_BUILD_ONLY();
  std::set<uint64_t> digests;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    auto faults = [](World& w) {
      w.at(kTimeZero + 500ms, [&w] { w.partition({{1, 2}, {3, 4, 5}}); });
      w.at(kTimeZero + 900ms, [&w] { w.crash(3); });
      w.at(kTimeZero + 1200ms, [&w] {
        w.heal();
        w.restart(3);
      });
    };
    const RunResult a = run(five_nodes(seed), 2s, faults);
    const RunResult b = run(five_nodes(seed), 2s, faults);
    ASSERT_EQ(a.digest, b.digest) << "seed " << seed;
    digests.insert(a.digest);
  }
  EXPECT_EQ(digests.size(), 200u) << "different seeds should give different runs";
}

TEST(World, AddingAClientDoesNotChangeTheNetworksChoices) {
  // Streams are per component: the network's first draws are the same with 3 or 4 clients, so
  // the first election (before any client traffic matters) goes the same way.
  auto first_leader = [](uint32_t clients) {
    WorldConfig c = five_nodes(9);
    c.workload.clients = clients;
    c.workload.think = 10s;  // clients stay quiet during the first election
    World world(c);
    world.start_clients();
    for (int step = 0; step < 1000; ++step) {
      world.run_until(world.now() + 10ms);
      for (uint32_t id = 1; id <= world.node_count(); ++id) {
        if (world.node(id)->core().role() == raft::Role::kLeader) {
          return std::pair{id, world.now()};
        }
      }
    }
    return std::pair{0u, world.now()};
  };
  EXPECT_EQ(first_leader(3), first_leader(4));
}

TEST(World, AnOperationInFlightWhenTheRunEndsIsRecordedAsUnknown) {
  WorldConfig c = five_nodes(4);
  c.workload.think = Duration{1000};  // clients are almost always waiting for an answer
  World world(c);
  world.start_clients();
  world.run_until(kTimeZero + 2s);
  size_t busy = 0;
  for (const auto& client : world.clients())
    busy += client->busy() ? 1 : 0;
  ASSERT_GT(busy, 0u);
  const std::vector<ClientOp> ops = world.take_history();
  size_t unknown_at_end = 0;
  for (const ClientOp& op : ops) {
    unknown_at_end += !op.known && op.complete == world.now() ? 1 : 0;
  }
  EXPECT_EQ(unknown_at_end, busy);
}

TEST(World, AMinorityPartitionNeverCommits) {
  WorldConfig c = five_nodes(3);
  World world(c);
  world.start_clients();
  world.run_until(kTimeZero + 2s);
  world.partition({{1, 2, 3}, {4, 5}});
  world.run_until(kTimeZero + 3s);  // let in-flight messages land
  const raft::Index c4 = world.node(4)->core().commit_index();
  const raft::Index c5 = world.node(5)->core().commit_index();
  world.run_until(kTimeZero + 10s);
  EXPECT_EQ(world.node(4)->core().commit_index(), c4);
  EXPECT_EQ(world.node(5)->core().commit_index(), c5);
  raft::Index majority_commit;
  for (uint32_t id = 1; id <= 3; ++id) {
    majority_commit = std::max(majority_commit, world.node(id)->core().commit_index());
  }
  EXPECT_GT(majority_commit, c4) << "the majority side keeps committing";
}

TEST(World, CrashedNodeRestartsFromItsDisk) {
  World world(five_nodes(5));
  world.start_clients();
  world.run_until(kTimeZero + 3s);
  const raft::Term term = world.node(2)->core().term();
  world.crash(2);
  EXPECT_FALSE(world.is_up(2));
  world.run_until(kTimeZero + 4s);
  world.restart(2);
  ASSERT_TRUE(world.is_up(2));
  EXPECT_GE(world.node(2)->core().term(), term) << "the term was on disk";
  world.run_until(kTimeZero + 8s);
  EXPECT_GT(world.node(2)->applied_index().value, 0u);
}

TEST(World, PausedNodeKeepsItsStateAndCatchesUp) {
  World world(five_nodes(6));
  world.start_clients();
  world.run_until(kTimeZero + 2s);
  world.pause(4);
  const raft::Index before = world.node(4)->core().commit_index();
  world.run_until(kTimeZero + 5s);
  EXPECT_EQ(world.node(4)->core().commit_index(), before) << "a paused node does nothing";
  world.resume(4);
  world.run_until(kTimeZero + 8s);
  EXPECT_GT(world.node(4)->core().commit_index(), before);
}

// §7 in the whole world: a node down while the others compact their logs comes back to find the
// entries it lacks gone, installs the leader's snapshot, and ends with the same state machine.
// A restart of a node that took snapshots loads its own.
TEST(World, ANodeThatMissedCompactedEntriesCatchesUpBySnapshot) {
  WorldConfig config = five_nodes(7);
  config.snapshot_every = 50;
  config.workload.stop_at = kTimeZero + 14s;  // then let every node apply everything
  World world(std::move(config));
  std::vector<TraceEvent> snapshots;
  world.trace().add_listener([&](const TraceEvent& e) {
    if (e.kind == TraceKind::kSnapshot) snapshots.push_back(e);
  });
  world.start_clients();
  world.run_until(kTimeZero + 2s);
  world.crash(3);
  world.run_until(kTimeZero + 8s);
  world.restart(3);
  world.run_until(kTimeZero + 12s);
  world.crash(1);
  world.restart(1);
  world.run_until(kTimeZero + 14s);

  bool n3_installed = false;
  for (const TraceEvent& e : snapshots)
    n3_installed |= e.node == 3 && e.flag;
  EXPECT_TRUE(n3_installed) << snapshots.size() << " snapshot events, none installed by n3";
  ASSERT_TRUE(world.is_up(1));
  EXPECT_GT(world.node(1)->core().log().snapshot_index().value, 0u) << "n1 restarted from its own";
  // With the clients stopped and every entry applied everywhere, the stores are equal.
  world.run_until(kTimeZero + 20s);
  const raft::Index applied = world.node(3)->applied_index();
  for (uint32_t id = 1; id <= world.node_count(); ++id) {
    ASSERT_TRUE(world.is_up(id));
    EXPECT_EQ(world.node(id)->applied_index(), applied) << "n" << id;
    EXPECT_EQ(world.node(id)->store().data(), world.node(3)->store().data()) << "n" << id;
  }
}

}  // namespace
}  // namespace raftsim::sim

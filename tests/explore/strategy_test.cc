// The strategies of raftsim explore: swarm draws, guided search over coverage, both independent
// of the number of threads, shards that replay, and repros that replay the drawn configuration.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "explore/coverage.h"
#include "explore/explore.h"
#include "explore/swarm.h"
#include "sanitized.h"
#include "scenario/parse.h"
#include "scenario/runner.h"
#include "scenario/shrink.h"
#include "scenario/write.h"
#include "scenario_text.h"

namespace raftsim::explore {
namespace {

using ::testing::Contains;
using ::testing::Not;

// A cluster and a workload, nothing else: the first scenario a user writes.
constexpr const char* kMinimal = R"(name: minimal
duration: 5s
cluster:
  nodes: [n1, n2, n3]
  election_timeout: 150ms
  heartbeat: 50ms
  bugs: [vote_without_log_check]
workload: {clients: 3, keys: 3, think: 10ms}
liveness: {quiet: 1s, within: 2s}
)";

using test::parse;

// The scenario without its planted bug.
Scenario correct_scenario(std::string yaml) {
  yaml.replace(yaml.find("vote_without_log_check"), 22, "");
  return parse(yaml);
}

void expect_same(const ExploreResult& a, const ExploreResult& b) {
  EXPECT_EQ(a.seeds, b.seeds);
  EXPECT_EQ(a.states_after, b.states_after);
  EXPECT_EQ(a.transitions, b.transitions);
  ASSERT_EQ(a.failures.size(), b.failures.size());
  for (size_t i = 0; i < a.failures.size(); ++i) {
    EXPECT_EQ(a.failures[i].run, b.failures[i].run);
    EXPECT_EQ(a.failures[i].seed, b.failures[i].seed);
    EXPECT_EQ(a.failures[i].label, b.failures[i].label);
    EXPECT_EQ(a.failures[i].digest, b.failures[i].digest);
  }
}

ExploreOptions options(Strategy strategy, uint64_t runs, unsigned jobs) {
  ExploreOptions o{.strategy = strategy, .runs = runs, .first_seed = 7, .jobs = jobs};
  o.shrink = false;
  o.coverage = true;
  return o;
}

TEST(Swarm, EachSeedDrawsItsOwnConfigurationTheSameEveryTime) {
  const Scenario base = parse(kMinimal);
  bool some_without_faults = false, some_with_faults = false, settings_differ = false;
  for (uint64_t seed = 1; seed <= 64; ++seed) {
    const Schedule s = swarm_schedule(base, seed);
    const Schedule again = swarm_schedule(base, seed);
    EXPECT_EQ(to_scenario(base, s), to_scenario(base, again));
    EXPECT_LT(s.world.heartbeat_ticks, s.world.election_timeout_ticks);
    some_without_faults = some_without_faults || s.nemesis.faults.empty();
    some_with_faults = some_with_faults || !s.spans.empty();
    settings_differ = settings_differ ||
                      s.world.election_timeout_ticks != base.world.election_timeout_ticks ||
                      s.world.max_entries_per_append != base.world.max_entries_per_append;
    // A lost disk is outside Raft's fault model: never drawn unless the scenario asks for it.
    for (const Span& span : s.spans)
      EXPECT_NE(span.fault.kind, FaultKind::kWipe);
  }
  EXPECT_TRUE(some_without_faults);
  EXPECT_TRUE(some_with_faults);
  EXPECT_TRUE(settings_differ);
}

// A drawn send budget binds sometimes, but never leaves a round fewer than 64 entries to carry
// to a follower; a scenario's range is kept to.
TEST(Swarm, DrawsTheSendBudgetWithinReach) {
  const Scenario base = parse(kMinimal);
  bool small = false;
  for (uint64_t seed = 1; seed <= 64; ++seed) {
    const sim::WorldConfig& w = swarm_schedule(base, seed).world;
    EXPECT_GE(w.max_appends_per_round * w.max_entries_per_append, 64u) << "seed " << seed;
    small = small || w.max_appends_per_round < 16;
  }
  EXPECT_TRUE(small);
  const Scenario ranged = parse(std::string(kMinimal) + "swarm: {max_appends_per_round: [3, 5]}\n");
  for (uint64_t seed = 1; seed <= 16; ++seed) {
    const size_t budget = swarm_schedule(ranged, seed).world.max_appends_per_round;
    EXPECT_TRUE(budget >= 3 && budget <= 5) << "seed " << seed << ": " << budget;
  }
}

TEST(Swarm, DrawsMessageLevelAndEventTriggeredFaultsFromAScenarioWithNoNemesis) {
  const Scenario base = parse(kMinimal);
  bool message = false, triggered = false, pct = false;
  for (uint64_t seed = 1; seed <= 64; ++seed) {
    const Schedule s = swarm_schedule(base, seed);
    pct = pct || s.world.pct.enabled();
    for (const Span& span : s.spans) {
      message = message || (scenario::is_message_fault(span.fault.kind) && !span.fault.when);
      triggered = triggered || span.fault.when.has_value();
      if (span.fault.when) {
        EXPECT_LE(span.fault.when->by, sim::kTimeZero + base.duration);
      }
    }
  }
  EXPECT_TRUE(message);
  EXPECT_TRUE(triggered);
  EXPECT_TRUE(pct);
}

TEST(Swarm, DrawsTheClusterSizeOnlyWithinTheScenariosRange) {
  const Scenario fixed = parse(kMinimal);
  for (uint64_t seed = 1; seed <= 32; ++seed)
    EXPECT_EQ(swarm_schedule(fixed, seed).world.node_names, fixed.world.node_names);
  const Scenario ranged = parse(std::string(kMinimal) + "swarm: {nodes: [2, 5], clients: 1}\n");
  std::set<size_t> sizes;
  for (uint64_t seed = 1; seed <= 64; ++seed) {
    const Schedule s = swarm_schedule(ranged, seed);
    sizes.insert(s.world.node_names.size());
    EXPECT_EQ(s.world.workload.clients, 1u);
    if (s.world.node_names.size() == 5) {
      EXPECT_EQ(s.world.node_names, (std::vector<std::string>{"n1", "n2", "n3", "n4", "n5"}));
    }
    for (const Span& span : s.spans)
      for (uint32_t id : span.fault.nodes)
        EXPECT_TRUE(id == scenario::kTriggerNode || id <= s.world.node_names.size());
  }
  EXPECT_EQ(sizes, (std::set<size_t>{2, 3, 4, 5}));
  // A timeline naming n3 keeps n3 in every draw.
  const Scenario named =
      parse(std::string(kMinimal) + "swarm: {nodes: [1, 3]}\ntimeline: [{at: 1s, crash: n3}]\n");
  for (uint64_t seed = 1; seed <= 32; ++seed)
    EXPECT_EQ(swarm_schedule(named, seed).world.node_names.size(), 3u);
}

TEST(Swarm, DrawsKeepARoundTripWellUnderTheElectionTimeout) {
  // Slow disks and slow links drawn beside short election timeouts would depose every leader
  // before its first heartbeat lands: a liveness failure with no bug in it (§5.6).
  const Scenario slow =
      parse(std::string(kMinimal) + "swarm: {fsync: [100ms, 200ms], latency: [30ms, 60ms]}\n");
  bool raised = false;
  for (uint64_t seed = 1; seed <= 64; ++seed) {
    const sim::WorldConfig& w = swarm_schedule(slow, seed).world;
    const sim::Latency& l = w.network.latency;
    const Duration one_way = l.shape == sim::Latency::Shape::kConstant ? l.min : l.max;
    const Duration timeout = w.tick * w.election_timeout_ticks;
    EXPECT_GE(timeout, 2 * (2 * one_way + w.disk.fsync.max)) << "seed " << seed;
    EXPECT_LT(w.heartbeat_ticks, w.election_timeout_ticks) << "seed " << seed;
    raised = raised || w.election_timeout_ticks > 40;  // past swarm's own range of 8-40 ticks
  }
  EXPECT_TRUE(raised);
  // Within a range the scenario gives, never past its end.
  const Scenario ranged = parse(std::string(kMinimal) +
                                "swarm: {fsync: [100ms, 200ms], latency: [30ms, 60ms], "
                                "election_timeout: [80ms, 120ms]}\n");
  for (uint64_t seed = 1; seed <= 32; ++seed)
    EXPECT_LE(swarm_schedule(ranged, seed).world.election_timeout_ticks, 12) << "seed " << seed;
}

TEST(Guided, MutantsOfMessageAndTriggeredFaultsStayValidSchedules) {
  const Scenario base = parse(kMinimal);
  raft::Random rng(5);
  Schedule parent = swarm_schedule(base, 1);
  for (int i = 0; i < 200; ++i) {
    const Schedule other = swarm_schedule(base, 2 + rng.uniform(50));
    Schedule child = mutate(parent, other, base, rng);
    const Scenario s = to_scenario(base, child);
    const std::string yaml = scenario::write_scenario_yaml(s);
    auto parsed = scenario::parse_scenario_text(yaml, "child.yaml");
    ASSERT_TRUE(std::holds_alternative<Scenario>(parsed))
        << std::get<scenario::ParseError>(parsed).text() << yaml;
    EXPECT_EQ(scenario::write_scenario_yaml(std::get<Scenario>(parsed)), yaml);
    parent = child.spans.size() > 12 ? swarm_schedule(base, 100 + i) : std::move(child);
  }
}

TEST(Swarm, ANemesisBoundsTheDrawsToItsKindsAndTheirFinerForms) {
  const std::string nemesis =
      "nemesis: {faults: [loss, crash], every: [200ms, 400ms], duration: [50ms, 100ms], "
      "quiet: 1s}\n";
  const Scenario base = parse(std::string(kMinimal) + nemesis);
  EXPECT_EQ(swarm_kinds(base),
            (std::vector<FaultKind>{FaultKind::kLoss, FaultKind::kCrash, FaultKind::kDropMessages,
                                    FaultKind::kTriggeredCrash}));
  bool dropped = false, triggered = false;
  for (uint64_t seed = 1; seed <= 64; ++seed) {
    for (const Span& span : swarm_schedule(base, seed).spans) {
      const FaultKind kind = span.fault.kind;
      dropped = dropped || kind == FaultKind::kDropMessages;
      triggered = triggered || (kind == FaultKind::kCrash && span.fault.when.has_value());
      EXPECT_TRUE(kind == FaultKind::kLoss || kind == FaultKind::kCrash ||
                  kind == FaultKind::kRestart || kind == FaultKind::kDropMessages)
          << to_string(kind) << ", seed " << seed;
      if (kind != FaultKind::kCrash) {
        EXPECT_FALSE(span.fault.when.has_value()) << to_string(kind) << ", seed " << seed;
      }
    }
  }
  EXPECT_TRUE(dropped);
  EXPECT_TRUE(triggered);
  // A kind with no finer form adds nothing; `swarm: {faults}` is taken exactly as written.
  const std::string skew = "nemesis: {faults: [clock_skew], every: 300ms, duration: 50ms}\n";
  EXPECT_EQ(swarm_kinds(parse(std::string(kMinimal) + skew)),
            std::vector<FaultKind>{FaultKind::kClockSkew});
  EXPECT_EQ(swarm_kinds(parse(std::string(kMinimal) + nemesis + "swarm: {faults: [loss]}\n")),
            std::vector<FaultKind>{FaultKind::kLoss});
}

TEST(Swarm, ExternalNodesAreDrawnOnlyFaultsEveryNodeTakes) {
  // Message faults pick messages by the types a node declares, and triggered faults fire on its
  // state reports: an external node tells either only when it starts.
  Scenario listed = parse(std::string(kMinimal) +
                          "nemesis: {faults: [loss, crash], every: 300ms, duration: 50ms}\n");
  listed.implementation = {"./node"};
  EXPECT_EQ(swarm_kinds(listed), (std::vector<FaultKind>{FaultKind::kLoss, FaultKind::kCrash}));
  Scenario minimal = parse(kMinimal);
  const std::vector<FaultKind> own = swarm_kinds(minimal);
  minimal.implementation = {"./node"};
  const std::vector<FaultKind> external = swarm_kinds(minimal);
  EXPECT_THAT(external, Contains(FaultKind::kPartition));
  EXPECT_THAT(external, Contains(FaultKind::kCrashLeader));
  EXPECT_THAT(own, Contains(FaultKind::kTriggeredCrash));
  EXPECT_THAT(own, Contains(FaultKind::kDropMessages));
  for (FaultKind kind :
       {FaultKind::kDropMessages, FaultKind::kDelayMessages, FaultKind::kDuplicateMessages,
        FaultKind::kHoldMessages, FaultKind::kTriggeredCrash, FaultKind::kTriggeredPause,
        FaultKind::kTriggeredIsolate, FaultKind::kTriggeredDelay})
    EXPECT_THAT(external, Not(Contains(kind))) << to_string(kind);
}

// The PCT scheduler orders the simulator's deliveries; an external host refuses it.
TEST(Swarm, ExternalNodesAreDrawnNoPctOrder) {
  Scenario own = parse(kMinimal);
  Scenario external = own;
  external.implementation = {"./node"};
  int own_pct = 0;
  for (uint64_t seed = 1; seed <= 64; ++seed) {
    own_pct += swarm_schedule(own, seed).world.pct.enabled() ? 1 : 0;
    EXPECT_FALSE(swarm_schedule(external, seed).world.pct.enabled()) << seed;
  }
  EXPECT_GT(own_pct, 0);
}

// Pre-vote, check-quorum and the vote lease each bring rules a cluster without them never runs:
// a draw switches each for raftsim's own nodes, and says so; an external node runs its own
// protocol, and keeps the file's.
TEST(Swarm, DrawsTheProtocolsOptionsForRaftsimsOwnNodesOnly) {
  Scenario own = parse(kMinimal);
  own.world.options.vote_lease = true;  // the file's value is kept with even odds
  Scenario external = own;
  external.implementation = {"./node"};
  std::set<std::tuple<bool, bool, bool>> drawn;
  for (uint64_t seed = 1; seed <= 256; ++seed) {
    const Schedule s = swarm_schedule(own, seed);
    const raft::Options& o = s.world.options;
    drawn.emplace(o.pre_vote, o.check_quorum, o.vote_lease);
    EXPECT_EQ(o.pre_vote, s.drawn.find("pre_vote") != std::string::npos) << s.drawn;
    EXPECT_EQ(o.check_quorum, s.drawn.find("check_quorum") != std::string::npos) << s.drawn;
    const raft::Options& kept = swarm_schedule(external, seed).world.options;
    EXPECT_FALSE(kept.pre_vote || kept.check_quorum) << seed;
    EXPECT_TRUE(kept.vote_lease) << seed;
  }
  EXPECT_EQ(drawn.size(), 8u);  // every mix of the three, each on and off
}

TEST(Swarm, DrawsALostDiskOnlyWhenAskedAndSaysItIsOutsideTheFaultModel) {
  std::string yaml = kMinimal;
  yaml +=
      "nemesis: {faults: [wipe, crash], every: [200ms, 400ms], duration: [50ms, 100ms], "
      "quiet: 1s}\n";
  const Scenario base = parse(yaml);
  bool wiped = false;
  for (uint64_t seed = 1; seed <= 16 && !wiped; ++seed) {
    const Scenario drawn = to_scenario(base, swarm_schedule(base, seed));
    const auto outside = outside_fault_model(drawn);
    wiped = !outside.empty();
    if (wiped) {
      EXPECT_EQ(outside, std::vector<std::string>{"wipe"});
    }
  }
  EXPECT_TRUE(wiped);
  const Scenario minimal = parse(kMinimal);
  for (uint64_t seed = 1; seed <= 16; ++seed)
    EXPECT_TRUE(outside_fault_model(to_scenario(minimal, swarm_schedule(minimal, seed))).empty());
}

TEST(Swarm, ADrawnRunWrittenAsYamlReplaysTheSameDigest) {
  const Scenario base = parse(std::string(kMinimal) + "swarm: {nodes: [3, 5]}\n");
  for (uint64_t seed : {3, 11, 12, 13}) {
    const Scenario drawn = to_scenario(base, swarm_schedule(base, seed));
    const scenario::RunOptions quiet = scenario::search_options("");
    const uint64_t digest = scenario::run_scenario(drawn, quiet).digest;
    const Scenario replayed = parse(scenario::write_scenario_yaml(drawn));
    EXPECT_EQ(scenario::write_scenario_yaml(replayed), scenario::write_scenario_yaml(drawn));
    EXPECT_EQ(scenario::run_scenario(replayed, quiet).digest, digest) << "seed " << seed;
  }
}

TEST(Swarm, TheReproOfAFailingDrawReplaysItsRun) {
  const ExploreResult r = explore(parse(kMinimal), options(Strategy::kSwarm, 40, 2));
  ASSERT_TRUE(r.found());
  const Finding& f = r.findings.front();
  EXPECT_NE(f.repro_yaml.find("# swarm seed"), std::string::npos);
  const Scenario repro = parse(f.repro_yaml);
  const auto& failure = *std::find_if(r.failures.begin(), r.failures.end(),
                                      [&](const Failure& x) { return x.run == f.first_run; });
  EXPECT_EQ(scenario::run_scenario(repro, scenario::search_options("")).digest, failure.digest);
  EXPECT_TRUE(f.reproduced);
}

TEST(Swarm, ResultsDoNotDependOnTheNumberOfThreads) {
  RAFTSIM_OPTIMISED_BUILD_ONLY();
  const Scenario s = parse(kMinimal);
  const ExploreResult one = explore(s, options(Strategy::kSwarm, 48, 1));
  const ExploreResult two = explore(s, options(Strategy::kSwarm, 48, 2));
  ASSERT_TRUE(one.found());
  expect_same(one, two);
}

TEST(Guided, ResultsDoNotDependOnTheNumberOfThreads) {
  RAFTSIM_OPTIMISED_BUILD_ONLY();
  const Scenario s = parse(kMinimal);
  const ExploreResult one = explore(s, options(Strategy::kGuided, 150, 1));
  const ExploreResult two = explore(s, options(Strategy::kGuided, 150, 2));
  ASSERT_TRUE(one.found());
  expect_same(one, two);
}

TEST(Guided, AShardIsAReproducibleSearchOfItsOwn) {
  RAFTSIM_OPTIMISED_BUILD_ONLY();
  const Scenario s = correct_scenario(kMinimal);
  ExploreOptions o = options(Strategy::kGuided, 200, 2);
  o.shard_index = 1;
  o.shard_count = 2;
  const ExploreResult first = explore(s, o);
  const ExploreResult again = explore(s, o);
  EXPECT_EQ(first.seeds.size(), 100u);
  expect_same(first, again);
  o.shard_index = 0;
  const ExploreResult other = explore(s, o);
  EXPECT_NE(other.seeds, first.seeds);
}

TEST(Guided, CoverageGrowsAfterTheFirstBatch) {
  RAFTSIM_OPTIMISED_BUILD_ONLY();
  const ExploreResult r = explore(correct_scenario(kMinimal), options(Strategy::kGuided, 192, 2));
  ASSERT_EQ(r.states_after.size(), 192u);
  EXPECT_TRUE(std::is_sorted(r.states_after.begin(), r.states_after.end()));
  EXPECT_GT(r.states_after.back(), r.states_after[63]);
  EXPECT_GT(r.transitions, r.states_after.back());
  EXPECT_FALSE(r.found()) << r.failures.front().label;
}

TEST(Guided, FindsAPlantedBugFromAScenarioWithNoNemesis) {
  RAFTSIM_OPTIMISED_BUILD_ONLY();
  const Scenario s = parse(kMinimal);
  ASSERT_FALSE(s.nemesis.enabled());
  // Random search has nothing to draw from here: every seed runs without faults.
  EXPECT_FALSE(explore(s, options(Strategy::kRandom, 20, 2)).found());
  ExploreOptions o = options(Strategy::kGuided, 300, 2);
  o.shrink = true;
  o.shrink_runs = 100;
  o.shrink_seeds = 1;
  const ExploreResult r = explore(s, o);
  ASSERT_TRUE(r.found());
  EXPECT_EQ(r.findings.front().label, "election_restriction");  // the rule the bug breaks
  EXPECT_TRUE(r.findings.front().reproduced);
}

TEST(Coverage, TheAbstractStateIgnoresWhichNodeIsWhich) {
  const Scenario s = correct_scenario(kMinimal);
  sim::World one(s.world), two(s.world), whole(s.world);
  one.partition({{1}, {2, 3}});
  two.partition({{3}, {1, 2}});
  EXPECT_EQ(abstract_state(one), abstract_state(two));
  EXPECT_NE(abstract_state(one), abstract_state(whole));
  two.crash(2);
  EXPECT_NE(abstract_state(one), abstract_state(two));
}

// Membership is part of the state: who votes, who only learns, who is not yet a member.
TEST(Coverage, TheAbstractStateKnowsWhoVotes) {
  sim::WorldConfig config;
  config.node_names = {"n1", "n2", "n3", "n4", "n5"};
  config.voters = {1, 2, 3};
  const sim::World three(config);
  config.voters = {1, 2, 3, 4};
  const sim::World four(config);
  config.voters = {1, 2, 3};
  config.learners = {4};
  const sim::World learner(config);
  EXPECT_NE(abstract_state(three), abstract_state(four));
  EXPECT_NE(abstract_state(three), abstract_state(learner));
  EXPECT_NE(abstract_state(four), abstract_state(learner));
}

// The tracker reads again only what the world says changed: along whole swarm-drawn runs of a
// cluster that crashes, pauses, splits, wipes disks and changes its members, every state it
// returns is the one a fresh reading of the world gives.
TEST(Coverage, TheTrackerAlwaysAgreesWithAFreshReading) {
  const Scenario base = parse(R"(name: tracked
duration: 6s
cluster:
  nodes: [n1, n2, n3, n4, n5]
  voters: [n1, n2, n3]
  pre_vote: true
  snapshot_every: 20
workload: {clients: 3, keys: 3, think: 5ms}
nemesis:
  faults: [partition, crash, pause, crash_leader, isolate_leader, wipe, reconfigure,
           reconfigure_learner, reconfigure_joint]
  every: [200ms, 600ms]
  duration: [100ms, 800ms]
  quiet: 2s
liveness: {quiet: 1s, within: 1s}
)");
  size_t observations = 0;
  std::set<uint32_t> up_counts;
  size_t runs_changing_members = 0;
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    const Schedule schedule = swarm_schedule(base, seed);
    scenario::RunOptions o = scenario::search_options("");
    o.seed = schedule.seed;
    AbstractStateTracker tracker;
    size_t disagreements = 0;
    std::optional<uint64_t> first_configurations;
    bool members_changed = false;
    o.observe = [&](sim::World& world) {
      world.set_change_listener([&] {
        ++observations;
        if (!first_configurations) first_configurations = world.configurations_version();
        members_changed |= world.configurations_version() != *first_configurations;
        disagreements += tracker.read(world) != abstract_state(world);
        uint32_t up = 0;
        for (uint32_t id = 1; id <= world.node_count(); ++id)
          up += world.is_up(id);
        up_counts.insert(up);
      });
    };
    scenario::run_scenario(to_scenario(base, schedule), o);
    EXPECT_EQ(disagreements, 0u) << "seed " << seed;
    runs_changing_members += members_changed;
  }
  EXPECT_GT(observations, 1000u);
  EXPECT_GT(up_counts.size(), 1u);       // some node was down at some point
  EXPECT_GT(runs_changing_members, 0u);  // and some run changed who votes
}

// The same, step by step, at the changes runs make least often: a wipe (a crash and a restart
// inside one call), a leader's crash, a voter added, a partition. The tracker has read the world
// just before each, so a change it failed to notice leaves it a stale reading.
TEST(Coverage, TheTrackerFollowsWipesCrashesAndMembershipChanges) {
  using namespace std::chrono_literals;
  sim::WorldConfig config;
  config.node_names = {"n1", "n2", "n3", "n4"};
  config.voters = {1, 2, 3};
  config.workload.clients = 2;
  sim::World world(config);
  world.start_clients();
  AbstractStateTracker tracker;
  sim::SimTime now = sim::kTimeZero;
  auto agrees = [&] { return tracker.read(world) == abstract_state(world); };
  // Read every 2 ms: the moments when the servers act on different configurations are short.
  auto agrees_after = [&](sim::Duration d) {
    for (const sim::SimTime end = now + d; now < end;) {
      now += 2ms;
      world.run_until(now);
      if (!agrees()) return false;
    }
    return true;
  };
  auto leader = [&] {
    for (uint32_t id = 1; id <= world.node_count(); ++id)
      if (world.is_up(id) && world.node(id)->core().role() == raft::Role::kLeader) return id;
    return 0u;
  };
  ASSERT_TRUE(agrees_after(1s));
  const uint32_t first = leader();
  ASSERT_NE(first, 0u);
  const uint32_t follower = first == 1 ? 2 : 1;

  world.wipe(follower);
  EXPECT_TRUE(agrees()) << "after the wipe";
  EXPECT_TRUE(agrees_after(500ms));

  world.crash(first);
  EXPECT_TRUE(agrees()) << "after the leader's crash";
  ASSERT_TRUE(agrees_after(1s));
  ASSERT_NE(leader(), 0u);

  const uint64_t configurations = world.configurations_version();
  world.change_membership({.kind = raft::ConfChange::Kind::kAddVoter, .node = raft::NodeId{4}},
                          now + 2s, {});
  EXPECT_TRUE(agrees()) << "after the change was asked";
  EXPECT_TRUE(agrees_after(1s)) << "after the change";
  EXPECT_NE(world.configurations_version(), configurations);

  world.partition({{first}, {follower, 4}});
  EXPECT_TRUE(agrees()) << "after the partition";
  world.restart(first);
  EXPECT_TRUE(agrees()) << "after the restart";
  EXPECT_TRUE(agrees_after(1s));
}

// Reordered messages arrive after newer ones: the world tells the change listener so (late
// appends and their responses above all), and a small snapshot interval compacts within a run.
TEST(Coverage, LateMessagesAndSnapshotsAreSeen) {
  std::string yaml = kMinimal;
  yaml.replace(yaml.find("vote_without_log_check"), 22, "");
  yaml.replace(yaml.find("heartbeat: 50ms"), 15, "heartbeat: 50ms\n  snapshot_every: 5");
  yaml += "network: {latency: {shape: uniform, min: 1ms, max: 20ms}, reorder: 0.3}\n";
  const Scenario s = parse(yaml);
  std::set<uint32_t> late;
  bool snapshot = false;
  scenario::RunOptions o = scenario::search_options("");
  o.observe = [&](sim::World& world) {
    world.set_change_listener([&] {
      if (world.late_delivery() != 0) late.insert(world.late_delivery());
      if (const node::Node* n = world.node(1))
        snapshot |= n->core().log().snapshot_index().value > 0;
    });
  };
  EXPECT_TRUE(scenario::run_scenario(s, o).passed());
  EXPECT_TRUE(late.contains(1 + static_cast<uint32_t>(raft::MessageType::kAppendResponse)));
  EXPECT_TRUE(snapshot);
}

}  // namespace
}  // namespace raftsim::explore

#include "explore/swarm.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace raftsim::explore {

namespace {

constexpr uint64_t kSwarmStream = 4100;

// Every kind inside Raft's fault model that a nemesis can draw.
constexpr FaultKind kDefaultKinds[] = {
    FaultKind::kPartition,   FaultKind::kCrash,        FaultKind::kPause, FaultKind::kDelay,
    FaultKind::kLoss,        FaultKind::kDuplicate,    FaultKind::kClog,  FaultKind::kClockSkew,
    FaultKind::kCrashLeader, FaultKind::kIsolateLeader};

// Uniform on a log scale between `lo` and `hi` (microseconds): 1 ms is as likely as 1 s.
Duration log_uniform(raft::Random& rng, Duration lo, Duration hi) {
  const double a = std::log(static_cast<double>(std::max<int64_t>(1, lo.count())));
  const double b = std::log(static_cast<double>(std::max(lo, hi).count()));
  return Duration{static_cast<int64_t>(std::exp(a + (b - a) * rng.unit()))};
}

Duration between(raft::Random& rng, Duration lo, Duration hi) {
  return Duration{rng.between(lo.count(), std::max(lo, hi).count())};
}

using namespace std::chrono_literals;

// The nemesis: kinds, then timings within the scenario's (when it has a nemesis) or defaults.
Nemesis draw_nemesis(const Scenario& base, raft::Random& rng) {
  const Nemesis& given = base.nemesis;
  Nemesis n;
  // One draw in sixteen runs no faults at all (a bug that needs none is found there first);
  // the others switch each kind on with even odds, so a mix may still come out empty.
  const bool none = rng.chance(1.0 / 16);
  for (FaultKind kind : swarm_kinds(base))
    if (rng.chance(0.5) && !none) n.faults.push_back(kind);
  if (given.enabled()) {
    n.every_min = between(rng, given.every_min, given.every_max);
    n.every_max = between(rng, n.every_min, given.every_max);
    n.duration_min = between(rng, given.duration_min, given.duration_max);
    n.duration_max = between(rng, n.duration_min, given.duration_max);
    n.quiet = given.quiet;
    n.overlap = rng.chance(0.5) ? given.overlap : rng.chance(0.3);
    n.delay = rng.chance(0.5) ? given.delay : log_uniform(rng, 5ms, 2s);
    n.loss = rng.chance(0.5) ? given.loss : 0.05 + 0.55 * rng.unit();
  } else {
    n.every_min = log_uniform(rng, 100ms, 2s);
    n.every_max = between(rng, n.every_min, n.every_min * 3);
    n.duration_min = log_uniform(rng, 10ms, 1s);
    n.duration_max = between(rng, n.duration_min, n.duration_min * 4);
    n.quiet = std::min<Duration>(3s, base.duration / 3);
    n.overlap = rng.chance(0.3);
    n.delay = log_uniform(rng, 5ms, 2s);
    n.loss = 0.05 + 0.55 * rng.unit();
  }
  return n;
}

void draw_cluster(sim::WorldConfig& w, raft::Random& rng) {
  if (rng.chance(0.5)) {
    // Election timeouts of 8 .. 40 ticks; heartbeats at most a third of them.
    w.election_timeout_ticks = static_cast<int>(rng.between(8, 40));
    w.heartbeat_ticks = static_cast<int>(rng.between(1, w.election_timeout_ticks / 3));
  }
  if (rng.chance(0.5)) {
    constexpr size_t kBatches[] = {1, 2, 4, 16, 64};
    w.max_entries_per_append = kBatches[rng.uniform(std::size(kBatches))];
  }
  if (rng.chance(0.5)) {
    sim::Latency& fsync = w.disk.fsync;
    fsync.shape = sim::Latency::Shape::kUniform;  // the language gives fsync a range only
    if (rng.chance(0.3)) {                        // a slow disk
      fsync.min = log_uniform(rng, 5ms, 30ms);
      fsync.max = between(rng, fsync.min, 80ms);
    } else {
      fsync.min = log_uniform(rng, 100us, 2ms);
      fsync.max = between(rng, fsync.min, fsync.min * 4);
    }
  }
  if (rng.chance(0.5)) w.snapshot_every = rng.chance(0.5) ? 0 : rng.between(5, 200);
}

void draw_network(sim::LinkModel& link, raft::Random& rng) {
  if (rng.chance(0.5)) {
    sim::Latency& l = link.latency;
    l.shape = static_cast<sim::Latency::Shape>(rng.uniform(4));
    l.min = log_uniform(rng, 100us, 5ms);
    l.max = between(rng, l.min, std::max<Duration>(l.min, 30ms));
    if (l.shape == sim::Latency::Shape::kLongTail) {
      l.tail_chance = 0.005 + 0.045 * rng.unit();
      l.tail_max = log_uniform(rng, 100ms, 1s);
    }
  }
  if (rng.chance(0.5)) link.reorder = rng.chance(0.5) ? 0 : 0.3 * rng.unit();
}

void draw_workload(sim::WorkloadModel& w, raft::Random& rng) {
  // Up to five clients thinking 2 ms or more: a heavier load costs runs per second (and the
  // linearizability check grows faster than the history) more than it finds.
  if (rng.chance(0.5)) w.clients = static_cast<uint32_t>(rng.between(1, 5));
  if (rng.chance(0.5)) w.keys = static_cast<uint32_t>(rng.between(1, 8));
  if (rng.chance(0.5)) w.think = log_uniform(rng, 2ms, 50ms);
}

std::string describe(const Nemesis& n, uint64_t seed) {
  std::string kinds;
  for (FaultKind k : n.faults)
    kinds += fmt::format("{}{}", kinds.empty() ? "" : ", ", scenario::to_string(k));
  if (kinds.empty()) return fmt::format("swarm seed {} drew no faults", seed);
  return fmt::format(
      "swarm seed {} drew faults [{}] every {}..{}us lasting {}..{}us{}, delay {}us, loss {:.2f}",
      seed, kinds, n.every_min.count(), n.every_max.count(), n.duration_min.count(),
      n.duration_max.count(), n.overlap ? ", overlapping" : "", n.delay.count(), n.loss);
}

}  // namespace

std::vector<FaultKind> swarm_kinds(const Scenario& base) {
  if (base.nemesis.enabled()) return base.nemesis.faults;
  return {std::begin(kDefaultKinds), std::end(kDefaultKinds)};
}

Schedule swarm_schedule(const Scenario& base, uint64_t seed) {
  raft::Random rng(raft::Random::derive_seed(seed, kSwarmStream));
  Schedule s;
  s.seed = seed;
  s.world = base.world;
  s.nemesis = draw_nemesis(base, rng);
  draw_cluster(s.world, rng);
  draw_network(s.world.network, rng);
  draw_workload(s.world.workload, rng);
  s.spans = draw_spans(s.nemesis, s.world, sim::kTimeZero + base.duration, rng);
  s.drawn = describe(s.nemesis, seed);
  return s;
}

}  // namespace raftsim::explore

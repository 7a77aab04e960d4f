#include "explore/swarm.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <utility>

namespace raftsim::explore {

namespace {

constexpr uint64_t kSwarmStream = 4100;

// Whether swarm draws `kind` unasked: every kind a nemesis can list that lies inside Raft's fault
// model (messages lost, delayed, duplicated and reordered; nodes that crash with their unsynced
// writes, or stall, whenever they like) and needs nothing of the cluster. A lost disk is outside
// it (Raft assumes stable storage); membership changes need servers to add (see swarm_kinds).
bool drawn_by_default(FaultKind kind) {
  return kind != FaultKind::kWipe && !scenario::is_reconfigure(kind) &&
         !scenario::is_triggered_reconfigure(kind);
}

// Whether a fault of `kind` needs what only an external node's init_ok tells: message faults
// pick messages by the types the node declares, and event-triggered ones fire on its state
// reports, which cannot show two of the events at all (a sync about to release its messages, a
// snapshot installed). A file that names them is checked against the nodes; a draw is not.
bool needs_node_features(FaultKind kind) {
  return scenario::is_triggered_fault(kind) || scenario::is_message_fault(kind);
}

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

template <typename T>
T within(raft::Random& rng, const scenario::Range<T>& r) {
  return static_cast<T>(rng.between(static_cast<int64_t>(r.min), static_cast<int64_t>(r.max)));
}

Duration within(raft::Random& rng, const scenario::Range<Duration>& r) {
  return between(rng, r.min, r.max);
}

// Whether to draw a setting: always when the scenario gives a range, else with even odds.
template <typename R>
bool redraw(raft::Random& rng, const std::optional<R>& range) {
  return range.has_value() || rng.chance(0.5);
}

int ticks(Duration d, Duration tick) {
  return static_cast<int>(std::max<int64_t>(1, d / tick));
}

void draw_timers(sim::WorldConfig& w, const scenario::SwarmRanges& r, raft::Random& rng) {
  if (!redraw(rng, r.election_timeout) && !r.heartbeat) return;
  // Election timeouts of 8 .. 40 ticks; heartbeats at most a third of them.
  if (r.election_timeout) {
    w.election_timeout_ticks = std::max(2, ticks(within(rng, *r.election_timeout), w.tick));
  } else if (!r.heartbeat) {
    w.election_timeout_ticks = static_cast<int>(rng.between(8, 40));
  }
  w.heartbeat_ticks =
      r.heartbeat ? ticks(within(rng, *r.heartbeat), w.tick)
                  : static_cast<int>(rng.between(1, std::max(1, w.election_timeout_ticks / 3)));
  w.heartbeat_ticks = std::min(w.heartbeat_ticks, w.election_timeout_ticks - 1);
}

void draw_disk(sim::Latency& fsync, const scenario::SwarmRanges& r, raft::Random& rng) {
  if (!redraw(rng, r.fsync)) return;
  fsync.shape = sim::Latency::Shape::kUniform;  // the language gives fsync a range only
  if (r.fsync) {
    fsync.min = within(rng, *r.fsync);
    fsync.max = between(rng, fsync.min, r.fsync->max);
  } else if (rng.chance(0.3)) {  // a slow disk
    fsync.min = log_uniform(rng, 5ms, 30ms);
    fsync.max = between(rng, fsync.min, 80ms);
  } else {
    fsync.min = log_uniform(rng, 100us, 2ms);
    fsync.max = between(rng, fsync.min, fsync.min * 4);
  }
}

void draw_cluster(sim::WorldConfig& w, const scenario::SwarmRanges& r, raft::Random& rng) {
  draw_timers(w, r, rng);
  if (r.max_entries_per_append) {
    w.max_entries_per_append = within(rng, *r.max_entries_per_append);
  } else if (rng.chance(0.5)) {
    constexpr size_t kBatches[] = {1, 2, 4, 16, 64};
    w.max_entries_per_append = kBatches[rng.uniform(std::size(kBatches))];
  }
  draw_disk(w.disk.fsync, r, rng);
  if (r.snapshot_every) {
    w.snapshot_every = within(rng, *r.snapshot_every);
  } else if (rng.chance(0.5)) {
    // Mostly small enough that snapshots are taken, and sent to a lagging node, within a run:
    // 2 .. 200 entries on a log scale.
    const double entries = std::exp(std::log(2.0) + (std::log(200.0) - std::log(2.0)) * rng.unit());
    w.snapshot_every = rng.chance(0.25) ? 0 : static_cast<uint64_t>(entries);
  }
}

// The send budget (raft::Config::max_appends_per_round). Small budgets make the flow-control rule
// bind, where a core that breaks it shows; but never so small that a round carries a follower
// fewer than kEntriesPerRound entries, or a correct cluster under load falls behind its clients
// for good and fails liveness for want of bandwidth.
void draw_send_budget(sim::WorldConfig& w, const scenario::SwarmRanges& r, raft::Random& rng) {
  if (!redraw(rng, r.max_appends_per_round)) return;
  if (r.max_appends_per_round) {
    w.max_appends_per_round = within(rng, *r.max_appends_per_round);
    return;
  }
  constexpr size_t kBudgets[] = {1, 2, 4, 8, 16};
  constexpr size_t kEntriesPerRound = 64;
  const size_t batch = std::max<size_t>(w.max_entries_per_append, 1);
  w.max_appends_per_round =
      std::max(kBudgets[rng.uniform(std::size(kBudgets))], (kEntriesPerRound + batch - 1) / batch);
}

// The protocol's options: pre-vote, check-quorum and the vote lease each change how elections
// go and bring rules of their own, which a cluster that runs without them never exercises. Each
// keeps the scenario's setting with even odds, else is on with even odds.
void draw_options(raft::Options& options, raft::Random& rng) {
  for (bool* option : {&options.pre_vote, &options.check_quorum, &options.vote_lease})
    if (rng.chance(0.5)) *option = rng.chance(0.5);
}

void draw_network(sim::WorldConfig& w, const scenario::SwarmRanges& r, raft::Random& rng) {
  sim::LinkModel& link = w.network;
  if (redraw(rng, r.latency)) {
    sim::Latency& l = link.latency;
    l.shape = static_cast<sim::Latency::Shape>(rng.uniform(4));
    if (r.latency) {
      l.min = within(rng, *r.latency);
      l.max = between(rng, l.min, r.latency->max);
    } else {
      l.min = log_uniform(rng, 100us, 5ms);
      l.max = between(rng, l.min, std::max<Duration>(l.min, 30ms));
    }
    if (l.shape == sim::Latency::Shape::kLongTail) {
      l.tail_chance = 0.005 + 0.045 * rng.unit();
      l.tail_max = std::max(l.max, log_uniform(rng, 100ms, 1s));
    }
  }
  if (r.reorder) {
    link.reorder = r.reorder->min + (r.reorder->max - r.reorder->min) * rng.unit();
  } else if (rng.chance(0.5)) {
    link.reorder = rng.chance(0.5) ? 0 : 0.3 * rng.unit();
  }
  // A PCT delivery order: a few chosen messages overtaken by those sent after them.
  if (r.pct_depth) {
    w.pct = draw_pct_config(rng);
    w.pct.depth = within(rng, *r.pct_depth);
  } else if (rng.chance(0.5)) {
    w.pct = draw_pct_config(rng);
  }
}

void draw_workload(sim::WorkloadModel& w, const scenario::SwarmRanges& r, raft::Random& rng) {
  // Up to five clients thinking 2 ms or more: a heavier load costs runs per second (and the
  // linearizability check grows faster than the history) more than it finds.
  if (r.clients) {
    w.clients = within(rng, *r.clients);
  } else if (rng.chance(0.5)) {
    w.clients = static_cast<uint32_t>(rng.between(1, 5));
  }
  if (r.keys) {
    w.keys = within(rng, *r.keys);
  } else if (rng.chance(0.5)) {
    w.keys = static_cast<uint32_t>(rng.between(1, 8));
  }
  if (r.think) {
    w.think = within(rng, *r.think);
  } else if (rng.chance(0.5)) {
    w.think = log_uniform(rng, 2ms, 50ms);
  }
}

// Raft stays live only while a round trip takes well under an election timeout (§5.6:
// "broadcastTime << electionTimeout"). Latency, disk and timers are drawn one by one, and together
// they can break it: under an 80 ms election timeout, a 74 ms fsync before each vote and each
// acknowledgement gets every new leader deposed before its first heartbeat lands, and liveness
// fails with no bug anywhere. A round trip here is a message and its answer at the latency's
// usual worst (the rare long tail aside) with a sync at the disk's slowest between them.
Duration round_trip(const sim::WorldConfig& w) {
  const sim::Latency& l = w.network.latency;
  const Duration one_way = l.shape == sim::Latency::Shape::kConstant ? l.min : l.max;
  return 2 * one_way + w.disk.fsync.max;
}

bool keeps_timing_requirement(const sim::WorldConfig& w) {
  return w.tick * w.election_timeout_ticks >= 2 * round_trip(w);
}

// A draw that breaks the requirement gets an election timeout of two round trips (no longer than
// the scenario's range allows), unless the scenario's own settings break it already: then that is
// what the scenario is about. Draws that keep it are left exactly as drawn.
void keep_timing_requirement(sim::WorldConfig& w, const Scenario& base) {
  if (keeps_timing_requirement(w) || !keeps_timing_requirement(base.world)) return;
  int needed = static_cast<int>((2 * round_trip(w) + w.tick - Duration{1}) / w.tick);
  if (const auto& range = base.swarm.election_timeout)
    needed = std::min(needed, std::max(w.election_timeout_ticks, ticks(range->max, w.tick)));
  w.election_timeout_ticks = std::max(w.election_timeout_ticks, needed);
}

// The highest node id the scenario's timeline or expectations name (a drawn cluster keeps it).
uint32_t highest_named_node(const Scenario& base) {
  uint32_t top = 0;
  auto see = [&top](uint32_t id) {
    if (id != scenario::kTriggerNode) top = std::max(top, id);
  };
  for (const Fault& f : base.timeline) {
    for (const auto& group : f.groups)
      for (uint32_t id : group)
        see(id);
    for (uint32_t id : f.nodes)
      see(id);
    for (const auto& [from, to] : f.links) {
      see(from);
      see(to);
    }
    see(f.from);
    see(f.to);
    if (f.when) see(f.when->node);
  }
  for (const scenario::Expectation& e : base.expectations)
    for (uint32_t id : e.group)
      see(id);
  return top;
}

// The cluster's size from the scenario's range: its own names first, then n<id> (skipping names
// it already uses).
void draw_size(sim::WorldConfig& w, const Scenario& base, raft::Random& rng) {
  if (!base.swarm.nodes) return;
  const uint32_t size = std::max(within(rng, *base.swarm.nodes), highest_named_node(base));
  std::vector<std::string>& names = w.node_names;
  if (size <= names.size()) {
    names.resize(size);
    return;
  }
  for (uint32_t k = 1; names.size() < size; ++k) {
    std::string name = fmt::format("n{}", k);
    if (std::find(names.begin(), names.end(), name) == names.end())
      names.push_back(std::move(name));
  }
}

std::string describe(const Nemesis& n, const sim::WorldConfig& w, uint64_t seed) {
  std::string kinds;
  for (FaultKind k : n.faults)
    kinds += fmt::format("{}{}", kinds.empty() ? "" : ", ", scenario::to_string(k));
  std::string nodes = fmt::format("{} nodes", w.node_names.size());
  std::string options;
  for (const auto& [on, name] : {std::pair{w.options.pre_vote, "pre_vote"},
                                 std::pair{w.options.check_quorum, "check_quorum"},
                                 std::pair{w.options.vote_lease, "vote_lease"}}) {
    if (on) options += fmt::format("{}{}", options.empty() ? "" : ", ", name);
  }
  if (!options.empty()) nodes += fmt::format(" running {}", options);
  if (kinds.empty()) return fmt::format("swarm seed {} drew {} and no faults", seed, nodes);
  return fmt::format(
      "swarm seed {} drew {} and faults [{}] every {}..{}us lasting {}..{}us{}, delay {}us, loss "
      "{:.2f}",
      seed, nodes, kinds, n.every_min.count(), n.every_max.count(), n.duration_min.count(),
      n.duration_max.count(), n.overlap ? ", overlapping" : "", n.delay.count(), n.loss);
}

}  // namespace

std::vector<FaultKind> finer_forms(FaultKind kind) {
  switch (kind) {
    case FaultKind::kPartition:
    case FaultKind::kIsolateLeader:
      return {FaultKind::kTriggeredIsolate};
    case FaultKind::kCrash:
    case FaultKind::kCrashLeader:
      return {FaultKind::kTriggeredCrash};
    case FaultKind::kPause:
      return {FaultKind::kTriggeredPause};
    case FaultKind::kDelay:
      return {FaultKind::kDelayMessages, FaultKind::kHoldMessages, FaultKind::kTriggeredDelay};
    case FaultKind::kLoss:
      return {FaultKind::kDropMessages};
    case FaultKind::kDuplicate:
      return {FaultKind::kDuplicateMessages};
    case FaultKind::kClog:
      return {FaultKind::kHoldMessages};
    default:
      return {};
  }
}

std::vector<FaultKind> swarm_kinds(const Scenario& base) {
  if (!base.swarm.faults.empty()) return base.swarm.faults;
  // External nodes take the kinds their scenario lists, and else faults of whole nodes and links,
  // which every node takes.
  const bool external = !base.implementation.empty();
  if (base.nemesis.enabled() && external) return base.nemesis.faults;
  if (base.nemesis.enabled()) {
    // The nemesis's kinds first, then each finer form once, in the nemesis language's order.
    const std::vector<FaultKind>& listed_kinds = base.nemesis.faults;
    std::vector<FaultKind> kinds = listed_kinds;
    for (FaultKind finer : scenario::kNemesisKinds) {
      const bool refines =
          std::any_of(listed_kinds.begin(), listed_kinds.end(), [&](FaultKind listed) {
            const std::vector<FaultKind> forms = finer_forms(listed);
            return std::find(forms.begin(), forms.end(), finer) != forms.end();
          });
      if (refines && std::find(kinds.begin(), kinds.end(), finer) == kinds.end())
        kinds.push_back(finer);
    }
    return kinds;
  }
  std::vector<FaultKind> kinds;
  std::copy_if(scenario::kNemesisKinds.begin(), scenario::kNemesisKinds.end(),
               std::back_inserter(kinds), [&](FaultKind kind) {
                 return drawn_by_default(kind) && !(external && needs_node_features(kind));
               });
  // A cluster with servers outside its starting configuration (spares, learners) is there to
  // change membership: the draws change it too, at times and on events, one voter at a time,
  // through the learner path, and two servers at once (joint consensus).
  const bool spares =
      !base.world.voters.empty() &&
      base.world.voters.size() + base.world.learners.size() < base.world.node_names.size();
  if (spares || !base.world.learners.empty()) {
    kinds.push_back(FaultKind::kReconfigure);
    kinds.push_back(FaultKind::kTriggeredReconfigure);
    kinds.push_back(FaultKind::kReconfigureLearner);
    kinds.push_back(FaultKind::kTriggeredReconfigureLearner);
    kinds.push_back(FaultKind::kReconfigureJoint);
    kinds.push_back(FaultKind::kTriggeredReconfigureJoint);
  }
  return kinds;
}

Schedule swarm_schedule(const Scenario& base, uint64_t seed) {
  raft::Random rng(raft::Random::derive_seed(seed, kSwarmStream));
  Schedule s;
  s.seed = seed;
  s.world = base.world;
  draw_size(s.world, base, rng);
  s.nemesis = draw_nemesis(base, rng);
  draw_cluster(s.world, base.swarm, rng);
  draw_network(s.world, base.swarm, rng);
  // The PCT scheduler orders the simulator's deliveries; an external host's go by the link model
  // alone. Drawn and put back, so every later draw stays what it is for raftsim's own nodes.
  if (!base.implementation.empty()) s.world.pct = base.world.pct;
  draw_workload(s.world.workload, base.swarm, rng);
  keep_timing_requirement(s.world, base);
  s.spans = draw_spans(s.nemesis, s.world, sim::kTimeZero + base.duration, rng);
  // Drawn last, so that every draw above stays what it was before these were added; an
  // external node keeps its own budget and runs its own protocol.
  if (base.implementation.empty()) {
    draw_send_budget(s.world, base.swarm, rng);
    draw_options(s.world.options, rng);
  }
  s.drawn = describe(s.nemesis, s.world, seed);
  return s;
}

}  // namespace raftsim::explore

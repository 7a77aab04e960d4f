#include "scenario/nemesis.h"

#include <algorithm>

#include "raft/random.h"

namespace raftsim::scenario {

namespace {

Duration draw(raft::Random& rng, Duration lo, Duration hi) {
  return Duration{rng.between(lo.count(), std::max(lo, hi).count())};
}

// A random minority (1 .. n/2 nodes) against the rest.
std::vector<std::vector<uint32_t>> random_split(raft::Random& rng, uint32_t n) {
  std::vector<uint32_t> nodes(n);
  for (uint32_t i = 0; i < n; ++i)
    nodes[i] = i + 1;
  for (uint32_t i = n - 1; i > 0; --i)
    std::swap(nodes[i], nodes[rng.uniform(i + 1)]);
  const auto minority = static_cast<size_t>(rng.between(1, std::max<int64_t>(1, n / 2)));
  std::vector<uint32_t> a(nodes.begin(), nodes.begin() + static_cast<ptrdiff_t>(minority));
  std::vector<uint32_t> b(nodes.begin() + static_cast<ptrdiff_t>(minority), nodes.end());
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return {a, b};
}

// Every directed link touching `node`.
std::vector<std::pair<uint32_t, uint32_t>> links_of(uint32_t node, uint32_t n) {
  std::vector<std::pair<uint32_t, uint32_t>> links;
  for (uint32_t other = 1; other <= n; ++other) {
    if (other == node) continue;
    links.emplace_back(node, other);
    links.emplace_back(other, node);
  }
  return links;
}

// `node` and another node drawn at random (the two a `reconfigure_joint` flips); `node` alone in
// a cluster of one.
std::vector<uint32_t> pair_with(raft::Random& rng, uint32_t node, uint32_t n) {
  if (n < 2) return {node};
  auto other = static_cast<uint32_t>(1 + rng.uniform(n - 1));
  if (other >= node) ++other;
  return {node, other};
}

// A message fault on a random kind of message from `node`, to one other node or to any: it
// affects 1-5 messages within `length`.
void draw_message_fault(raft::Random& rng, const Nemesis& nemesis, uint32_t node, uint32_t n,
                        Duration length, Fault& f) {
  f.messages = sim::bit(static_cast<sim::MessageKind>(rng.uniform(sim::kMessageKinds)));
  f.from = node;
  if (n > 1 && rng.chance(0.5)) {
    f.to = static_cast<uint32_t>(1 + rng.uniform(n - 1));
    if (f.to >= node) ++f.to;
  }
  f.count = 1 + rng.uniform(5);
  if (f.kind == FaultKind::kDelayMessages) f.delay = nemesis.delay;
  if (f.kind == FaultKind::kDuplicateMessages) f.delay = draw(rng, Duration{0}, length);
  f.undo_after = length;
}

// An event-triggered fault armed at `f.at` until `by`: the first node to do a random thing
// (become leader or candidate, grant a vote, ...) is crashed, paused, isolated, or its next 1-5
// messages are delayed, for `length`.
void draw_triggered_fault(raft::Random& rng, const Nemesis& nemesis, Duration length, SimTime by,
                          uint32_t node, uint32_t n, Fault& f) {
  constexpr uint64_t kEvents = 7;
  Trigger t;
  t.event = static_cast<sim::NodeEventKind>(rng.uniform(kEvents));
  if (t.event == sim::NodeEventKind::kUncommitted) t.entries = 1 + rng.uniform(5);
  t.by = by;
  const FaultKind drawn = f.kind;
  f.when = t;
  f.undo_after = length;
  f.nodes = {kTriggerNode};
  switch (drawn) {
    case FaultKind::kTriggeredCrash:
      f.kind = FaultKind::kCrash;
      break;
    case FaultKind::kTriggeredPause:
      f.kind = FaultKind::kPause;
      break;
    case FaultKind::kTriggeredIsolate:
      f.kind = FaultKind::kIsolate;
      break;
    case FaultKind::kTriggeredReconfigure:
    case FaultKind::kTriggeredReconfigureLearner:
    case FaultKind::kTriggeredReconfigureJoint:
      // Of the drawn node(s), not the trigger: "when someone becomes leader, add n4".
      f.kind = drawn == FaultKind::kTriggeredReconfigure          ? FaultKind::kReconfigure
               : drawn == FaultKind::kTriggeredReconfigureLearner ? FaultKind::kReconfigureLearner
                                                                  : FaultKind::kReconfigureJoint;
      f.nodes = f.kind == FaultKind::kReconfigureJoint ? pair_with(rng, node, n)
                                                       : std::vector<uint32_t>{node};
      break;
    default:
      f.kind = FaultKind::kDelayMessages;
      f.nodes.clear();
      f.from = kTriggerNode;
      f.count = 1 + rng.uniform(5);
      f.delay = nemesis.delay;
      break;
  }
}

}  // namespace

NemesisFault draw_nemesis_fault(FaultKind kind, SimTime start, Duration length, SimTime end,
                                const Nemesis& nemesis, const sim::WorldConfig& world,
                                raft::Random& rng) {
  const auto n = static_cast<uint32_t>(world.node_names.size());
  length = std::max(length, Duration{1000});
  const SimTime stop = start + length;
  const auto node = static_cast<uint32_t>(1 + rng.uniform(n));
  // A lone node has no link to clog (a swarm may draw one node); a partition into one group is
  // the same nothing, and a repro writes it back as a valid timeline.
  if (kind == FaultKind::kClog && n < 2) kind = FaultKind::kPartition;

  Fault begin{.at = start, .kind = kind};
  Fault undo{.at = stop, .kind = FaultKind::kHeal};
  switch (kind) {
    case FaultKind::kPartition:
      begin.groups = random_split(rng, n);
      break;
    case FaultKind::kCrash:
    case FaultKind::kPause:
      begin.nodes = {node};
      undo.kind = kind == FaultKind::kCrash ? FaultKind::kRestart : FaultKind::kResume;
      undo.nodes = {node};
      break;
    case FaultKind::kDelay:
      begin.links = links_of(node, n);
      begin.delay = nemesis.delay;
      undo.kind = FaultKind::kDelay;
      undo.links = begin.links;
      undo.delay = world.network.extra_delay;
      break;
    case FaultKind::kLoss:
    case FaultKind::kDuplicate:
      begin.rate = nemesis.loss;  // one nemesis rate serves both loss and duplication
      undo.kind = kind;
      undo.rate = kind == FaultKind::kLoss ? world.network.loss : world.network.duplicate;
      break;
    case FaultKind::kClog: {
      auto other = static_cast<uint32_t>(1 + rng.uniform(n - 1));
      if (other >= node) ++other;
      begin.links = {{node, other}};
      undo.kind = FaultKind::kUnclog;
      undo.links = begin.links;
      break;
    }
    case FaultKind::kWipe:
      begin.nodes = {node};
      break;  // nothing to undo: the disk is gone
    case FaultKind::kReconfigure:
    case FaultKind::kReconfigureLearner:
    case FaultKind::kReconfigureJoint:
      begin.nodes = kind == FaultKind::kReconfigureJoint ? pair_with(rng, node, n)
                                                         : std::vector<uint32_t>{node};
      undo.kind = kind;  // the same toggle: the node's membership back, or one step further
      undo.nodes = begin.nodes;
      break;
    case FaultKind::kClockSkew:
      begin.nodes = {node};
      begin.factor = rng.chance(0.5) ? 2.0 : 0.5;
      undo.kind = FaultKind::kClockSkew;
      undo.nodes = {node};
      undo.factor = 1.0;
      break;
    case FaultKind::kCrashLeader:
    case FaultKind::kIsolateLeader:
      // Who leads is known only when the fault fires; the fault undoes itself `length` later.
      begin.length = length;
      break;
    case FaultKind::kDropMessages:
    case FaultKind::kDelayMessages:
    case FaultKind::kDuplicateMessages:
    case FaultKind::kHoldMessages:
      draw_message_fault(rng, nemesis, node, n, length, begin);
      break;
    case FaultKind::kTriggeredCrash:
    case FaultKind::kTriggeredPause:
    case FaultKind::kTriggeredIsolate:
    case FaultKind::kTriggeredDelay:
    case FaultKind::kTriggeredReconfigure:
    case FaultKind::kTriggeredReconfigureLearner:
    case FaultKind::kTriggeredReconfigureJoint:
      draw_triggered_fault(rng, nemesis, length, std::min(stop, end), node, n, begin);
      break;
    default:
      break;  // the parser admits only the kinds above
  }
  // A wipe has nothing to undo; the others carry their own undo (`length`, `for`).
  if (kind == FaultKind::kWipe || is_leader_fault(kind) || begin.undo_after.count() != 0)
    return {begin, std::nullopt};
  return {begin, undo};
}

std::vector<NemesisFault> draw_nemesis_spans(const Nemesis& nemesis, const sim::WorldConfig& world,
                                             SimTime end, raft::Random& rng) {
  std::vector<NemesisFault> out;
  if (!nemesis.enabled()) return out;
  const SimTime last_start = end - nemesis.quiet;
  SimTime start = sim::kTimeZero + draw(rng, nemesis.every_min, nemesis.every_max);
  while (start < last_start) {
    const Duration gap = draw(rng, nemesis.every_min, nemesis.every_max);
    Duration length = draw(rng, nemesis.duration_min, nemesis.duration_max);
    if (!nemesis.overlap) length = std::min(length, gap - Duration{10000});
    const FaultKind kind = nemesis.faults[rng.uniform(nemesis.faults.size())];
    out.push_back(draw_nemesis_fault(kind, start, length, end, nemesis, world, rng));
    start += gap;
  }
  return out;
}

std::vector<Fault> draw_nemesis_faults(const Nemesis& nemesis, const sim::WorldConfig& world,
                                       SimTime end, uint64_t seed) {
  raft::Random rng(raft::Random::derive_seed(seed, kNemesisStream));
  std::vector<Fault> out;
  for (NemesisFault& f : draw_nemesis_spans(nemesis, world, end, rng)) {
    out.push_back(f.fault);
    if (f.undo) out.push_back(*f.undo);
  }
  return out;
}

std::vector<Fault> concrete_timeline(const Scenario& scenario, uint64_t seed) {
  std::vector<Fault> all = scenario.timeline;
  const SimTime end = sim::kTimeZero + scenario.duration;
  std::vector<Fault> drawn = draw_nemesis_faults(scenario.nemesis, scenario.world, end, seed);
  all.insert(all.end(), drawn.begin(), drawn.end());
  std::stable_sort(all.begin(), all.end(),
                   [](const Fault& a, const Fault& b) { return a.at < b.at; });
  return all;
}

}  // namespace raftsim::scenario

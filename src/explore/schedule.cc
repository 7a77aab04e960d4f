#include "explore/schedule.h"

#include <algorithm>

namespace raftsim::explore {

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
  const auto minority = static_cast<ptrdiff_t>(rng.between(1, std::max<int64_t>(1, n / 2)));
  std::vector<uint32_t> a(nodes.begin(), nodes.begin() + minority);
  std::vector<uint32_t> b(nodes.begin() + minority, nodes.end());
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return {a, b};
}

std::vector<std::pair<uint32_t, uint32_t>> links_of(uint32_t node, uint32_t n) {
  std::vector<std::pair<uint32_t, uint32_t>> links;
  for (uint32_t other = 1; other <= n; ++other) {
    if (other == node) continue;
    links.emplace_back(node, other);
    links.emplace_back(other, node);
  }
  return links;
}

Duration span_length(const Span& s) {
  if (s.undo) return s.undo->at - s.fault.at;
  return s.fault.length;
}

void sort_spans(std::vector<Span>& spans) {
  std::stable_sort(spans.begin(), spans.end(),
                   [](const Span& a, const Span& b) { return a.fault.at < b.fault.at; });
}

// Moves a span to start at `start`, keeping its length.
void move_span(Span& s, SimTime start) {
  const Duration length = span_length(s);
  s.fault.at = start;
  if (s.undo) s.undo->at = start + length;
}

void set_length(Span& s, Duration length) {
  length = std::max(length, Duration{1000});
  if (s.undo) {
    s.undo->at = s.fault.at + length;
  } else if (scenario::is_leader_fault(s.fault.kind)) {
    s.fault.length = length;
  }
}

// A duration of 1 ms .. ~1 s on a log scale: small nudges as often as large moves.
Duration nudge(raft::Random& rng) {
  return Duration{int64_t{1000} << rng.uniform(11)};
}

SimTime clamp_start(SimTime t, SimTime last) {
  return std::clamp(t, sim::kTimeZero, std::max(sim::kTimeZero, last));
}

void insert_span(Schedule& child, const Scenario& base, raft::Random& rng) {
  const Nemesis& nemesis = child.nemesis;
  if (nemesis.faults.empty()) return;
  const SimTime last = last_start(base, nemesis);
  if (last <= sim::kTimeZero) return;
  const SimTime start = sim::kTimeZero + Duration{rng.between(0, (last - sim::kTimeZero).count())};
  const FaultKind kind = nemesis.faults[rng.uniform(nemesis.faults.size())];
  const Duration length = draw(rng, nemesis.duration_min, nemesis.duration_max);
  child.spans.push_back(draw_span(kind, start, length, nemesis, child.world, rng));
}

void edit(Schedule& child, const Schedule& other, const Scenario& base, raft::Random& rng) {
  const SimTime last = last_start(base, child.nemesis);
  const uint64_t choice = rng.uniform(6);
  if (child.spans.empty() && choice <= 3 && choice != 2) {
    insert_span(child, base, rng);
    return;
  }
  switch (choice) {
    case 0: {  // shift one fault, or stretch or shorten it
      Span& s = child.spans[rng.uniform(child.spans.size())];
      const Duration by = nudge(rng);
      if (rng.chance(0.5)) {
        move_span(s, clamp_start(rng.chance(0.5) ? s.fault.at + by : s.fault.at - by, last));
      } else {
        set_length(s, rng.chance(0.5) ? span_length(s) + by : span_length(s) - by);
      }
      break;
    }
    case 1: {  // the same fault, at the same time, on other targets
      Span& s = child.spans[rng.uniform(child.spans.size())];
      s = draw_span(s.fault.kind, s.fault.at, span_length(s), child.nemesis, child.world, rng);
      break;
    }
    case 2:
      insert_span(child, base, rng);
      break;
    case 3:
      child.spans.erase(child.spans.begin() +
                        static_cast<ptrdiff_t>(rng.uniform(child.spans.size())));
      break;
    case 4: {  // this schedule up to a moment, the other one's after it
      const SimTime cut =
          sim::kTimeZero + Duration{rng.between(0, (last - sim::kTimeZero).count())};
      std::erase_if(child.spans, [&](const Span& s) { return s.fault.at >= cut; });
      for (const Span& s : other.spans)
        if (s.fault.at >= cut) child.spans.push_back(s);
      break;
    }
    default:
      child.seed = rng.next_u64();
      break;
  }
}

}  // namespace

Span draw_span(FaultKind kind, SimTime start, Duration length, const Nemesis& nemesis,
               const sim::WorldConfig& world, raft::Random& rng) {
  const auto n = static_cast<uint32_t>(world.node_names.size());
  const auto node = static_cast<uint32_t>(1 + rng.uniform(n));
  length = std::max(length, Duration{1000});
  Span s{.fault = {.at = start, .kind = kind}, .undo = Fault{.at = start + length}};
  Fault& f = s.fault;
  Fault& undo = *s.undo;
  switch (kind) {
    case FaultKind::kPartition:
      f.groups = random_split(rng, n);
      undo.kind = FaultKind::kHeal;
      break;
    case FaultKind::kCrash:
    case FaultKind::kPause:
      f.nodes = undo.nodes = {node};
      undo.kind = kind == FaultKind::kCrash ? FaultKind::kRestart : FaultKind::kResume;
      break;
    case FaultKind::kDelay:
      f.links = undo.links = links_of(node, n);
      f.delay = nemesis.delay;
      undo.kind = FaultKind::kDelay;
      undo.delay = world.network.extra_delay;
      break;
    case FaultKind::kLoss:
    case FaultKind::kDuplicate:
      f.rate = nemesis.loss;
      undo.kind = kind;
      undo.rate = kind == FaultKind::kLoss ? world.network.loss : world.network.duplicate;
      break;
    case FaultKind::kClog: {
      auto other = static_cast<uint32_t>(1 + rng.uniform(n - 1));
      if (other >= node) ++other;
      f.links = undo.links = {{node, other}};
      undo.kind = FaultKind::kUnclog;
      break;
    }
    case FaultKind::kClockSkew:
      f.nodes = undo.nodes = {node};
      f.factor = rng.chance(0.5) ? 2.0 : 0.5;
      undo.kind = FaultKind::kClockSkew;
      undo.factor = 1.0;
      break;
    case FaultKind::kWipe:
      f.nodes = {node};
      s.undo.reset();  // the disk is gone
      break;
    case FaultKind::kCrashLeader:
    case FaultKind::kIsolateLeader:
      f.length = length;  // undone inside the world, on the node it hit
      s.undo.reset();
      break;
    default:
      s.undo.reset();  // a nemesis admits only the kinds above
      break;
  }
  return s;
}

std::vector<Span> draw_spans(const Nemesis& nemesis, const sim::WorldConfig& world, SimTime end,
                             raft::Random& rng) {
  std::vector<Span> out;
  if (!nemesis.enabled()) return out;
  const SimTime last = end - nemesis.quiet;
  SimTime start = sim::kTimeZero + draw(rng, nemesis.every_min, nemesis.every_max);
  while (start < last) {
    const Duration gap = draw(rng, nemesis.every_min, nemesis.every_max);
    Duration length = draw(rng, nemesis.duration_min, nemesis.duration_max);
    if (!nemesis.overlap) length = std::min(length, gap - Duration{10000});
    const FaultKind kind = nemesis.faults[rng.uniform(nemesis.faults.size())];
    out.push_back(draw_span(kind, start, length, nemesis, world, rng));
    start += gap;
  }
  return out;
}

SimTime last_start(const Scenario& base, const Nemesis& nemesis) {
  return sim::kTimeZero + base.duration - nemesis.quiet;
}

Scenario to_scenario(const Scenario& base, const Schedule& schedule) {
  Scenario s = base;
  s.world = schedule.world;
  s.nemesis = Nemesis{};
  s.seed = schedule.seed;
  for (const Span& span : schedule.spans) {
    s.timeline.push_back(span.fault);
    if (span.undo) s.timeline.push_back(*span.undo);
  }
  std::stable_sort(s.timeline.begin(), s.timeline.end(),
                   [](const Fault& a, const Fault& b) { return a.at < b.at; });
  return s;
}

Schedule mutate(const Schedule& parent, const Schedule& other, const Scenario& base,
                raft::Random& rng) {
  Schedule child = parent;
  const uint64_t edits = 1 + rng.uniform(3);
  for (uint64_t i = 0; i < edits; ++i)
    edit(child, other, base, rng);
  sort_spans(child.spans);
  return child;
}

std::vector<std::string> outside_fault_model(const Scenario& s) {
  std::vector<std::string> out;
  auto note = [&out](FaultKind kind) {
    const std::string name(scenario::to_string(kind));
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  };
  for (FaultKind kind : s.nemesis.faults)
    if (kind == FaultKind::kWipe) note(kind);
  for (const Fault& f : s.timeline) {
    switch (f.kind) {
      case FaultKind::kWipe:
      case FaultKind::kTornWrite:
      case FaultKind::kCorrupt:
        note(f.kind);
        break;
      case FaultKind::kFsyncLies:
        if (f.on) note(f.kind);
        break;
      case FaultKind::kLie:
        if (f.lies.any()) note(f.kind);
        break;
      default:
        break;
    }
  }
  return out;
}

}  // namespace raftsim::explore

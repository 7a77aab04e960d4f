#include "explore/schedule.h"

#include <algorithm>

#include "scenario/nemesis.h"

namespace raftsim::explore {

namespace {

Duration draw(raft::Random& rng, Duration lo, Duration hi) {
  return Duration{rng.between(lo.count(), std::max(lo, hi).count())};
}

Duration span_length(const Span& s) {
  if (s.undo) return s.undo->at - s.fault.at;
  if (scenario::is_leader_fault(s.fault.kind)) return s.fault.length;
  return s.fault.undo_after;
}

// An event-triggered fault stays armed until its span ends.
void arm_until_end(Span& s) {
  if (s.fault.when && s.fault.when->by != SimTime::max())
    s.fault.when->by = s.fault.at + span_length(s);
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
  arm_until_end(s);
}

void set_length(Span& s, Duration length) {
  length = std::max(length, Duration{1000});
  if (s.undo) {
    s.undo->at = s.fault.at + length;
  } else if (scenario::is_leader_fault(s.fault.kind)) {
    s.fault.length = length;
  } else if (s.fault.undo_after.count() != 0) {
    s.fault.undo_after = length;
    arm_until_end(s);
  }
}

// The nemesis kind a drawn fault came from: an event-triggered crash is written as a crash with
// a `when`.
FaultKind nemesis_kind(const Fault& f) {
  if (!f.when) return f.kind;
  switch (f.kind) {
    case FaultKind::kCrash:
      return FaultKind::kTriggeredCrash;
    case FaultKind::kPause:
      return FaultKind::kTriggeredPause;
    case FaultKind::kIsolate:
      return FaultKind::kTriggeredIsolate;
    case FaultKind::kReconfigure:
      return FaultKind::kTriggeredReconfigure;
    case FaultKind::kReconfigureLearner:
      return FaultKind::kTriggeredReconfigureLearner;
    case FaultKind::kReconfigureJoint:
      return FaultKind::kTriggeredReconfigureJoint;
    default:
      return FaultKind::kTriggeredDelay;
  }
}

// A duration of 1 ms .. ~1 s on a log scale: small nudges as often as large moves.
Duration nudge(raft::Random& rng) {
  return Duration{int64_t{1000} << rng.uniform(11)};
}

SimTime clamp_start(SimTime t, SimTime last) {
  return std::clamp(t, sim::kTimeZero, std::max(sim::kTimeZero, last));
}

SimTime end_of(const Scenario& base) {
  return sim::kTimeZero + base.duration;
}

void insert_span(Schedule& child, const Scenario& base, raft::Random& rng) {
  const Nemesis& nemesis = child.nemesis;
  if (nemesis.faults.empty()) return;
  const SimTime last = last_start(base, nemesis);
  if (last <= sim::kTimeZero) return;
  const SimTime start = sim::kTimeZero + Duration{rng.between(0, (last - sim::kTimeZero).count())};
  const FaultKind kind = nemesis.faults[rng.uniform(nemesis.faults.size())];
  const Duration length = draw(rng, nemesis.duration_min, nemesis.duration_max);
  child.spans.push_back(draw_span(kind, start, length, end_of(base), nemesis, child.world, rng));
}

sim::PctConfig draw_pct(raft::Random& rng) {
  sim::PctConfig pct;
  if (rng.chance(0.5)) return pct;
  pct.depth = static_cast<uint32_t>(rng.between(2, 4));
  pct.messages = static_cast<uint64_t>(rng.between(100, 3000));
  pct.hold = Duration{int64_t{5000} << rng.uniform(8)};
  return pct;
}

void edit(Schedule& child, const Schedule& other, const Scenario& base, raft::Random& rng) {
  const SimTime last = last_start(base, child.nemesis);
  const uint64_t choice = rng.uniform(8);
  if (child.spans.empty() && choice <= 5 && choice != 2) {
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
    case 1: {  // the same kind of fault at the same time, on other targets, messages or events
      Span& s = child.spans[rng.uniform(child.spans.size())];
      s = draw_span(nemesis_kind(s.fault), s.fault.at, span_length(s), end_of(base), child.nemesis,
                    child.world, rng);
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
      if (other.world.node_names.size() != child.world.node_names.size()) break;  // not its nodes
      const SimTime cut =
          sim::kTimeZero + Duration{rng.between(0, (last - sim::kTimeZero).count())};
      std::erase_if(child.spans, [&](const Span& s) { return s.fault.at >= cut; });
      for (const Span& s : other.spans)
        if (s.fault.at >= cut) child.spans.push_back(s);
      break;
    }
    case 5: {  // the same fault again a little later: a second lost message, a second crash
      Span copy = child.spans[rng.uniform(child.spans.size())];
      move_span(copy, clamp_start(copy.fault.at + nudge(rng), last));
      child.spans.push_back(std::move(copy));
      break;
    }
    case 6:  // another message delivery order
      child.world.pct = draw_pct(rng);
      break;
    default:
      child.seed = rng.next_u64();
      break;
  }
}

}  // namespace

Span draw_span(FaultKind kind, SimTime start, Duration length, SimTime end, const Nemesis& nemesis,
               const sim::WorldConfig& world, raft::Random& rng) {
  scenario::NemesisFault f =
      scenario::draw_nemesis_fault(kind, start, length, end, nemesis, world, rng);
  return {.fault = std::move(f.fault), .undo = std::move(f.undo)};
}

std::vector<Span> draw_spans(const Nemesis& nemesis, const sim::WorldConfig& world, SimTime end,
                             raft::Random& rng) {
  std::vector<Span> out;
  for (scenario::NemesisFault& f : scenario::draw_nemesis_spans(nemesis, world, end, rng))
    out.push_back({.fault = std::move(f.fault), .undo = std::move(f.undo)});
  return out;
}

sim::PctConfig draw_pct_config(raft::Random& rng) {
  return draw_pct(rng);
}

SimTime last_start(const Scenario& base, const Nemesis& nemesis) {
  return sim::kTimeZero + base.duration - nemesis.quiet;
}

Scenario to_scenario(const Scenario& base, const Schedule& schedule) {
  Scenario s = base;
  s.world = schedule.world;
  s.nemesis = Nemesis{};
  s.swarm = scenario::SwarmRanges{};  // drawn already: the settings above
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
  for (Span& s : child.spans)  // a stretched trigger is still disarmed by the end of the run
    if (s.fault.when) s.fault.when->by = std::min(s.fault.when->by, end_of(base));
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

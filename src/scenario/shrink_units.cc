#include "scenario/shrink_units.h"

#include <algorithm>

#include "scenario/faults.h"
#include "scenario/shrink_sizes.h"

namespace raftsim::scenario {

// Whether `undo` reverts `begin`, as the nemesis pairs them (nemesis.cc) and as a hand-written
// timeline usually does.
bool undoes(const Fault& begin, const Fault& undo) {
  switch (begin.kind) {
    case FaultKind::kPartition:
    case FaultKind::kCut:
      return undo.kind == FaultKind::kHeal;
    case FaultKind::kClog:
      return undo.kind == FaultKind::kHeal ||
             (undo.kind == FaultKind::kUnclog && undo.links == begin.links);
    case FaultKind::kCrash:
      return undo.kind == FaultKind::kRestart && undo.nodes == begin.nodes;
    case FaultKind::kPause:
      return undo.kind == FaultKind::kResume && undo.nodes == begin.nodes;
    case FaultKind::kDelay:
    case FaultKind::kLoss:
    case FaultKind::kDuplicate:
      return undo.kind == begin.kind && undo.links == begin.links;
    case FaultKind::kClockSkew:
      return undo.kind == begin.kind && undo.nodes == begin.nodes && undo.factor == 1.0;
    case FaultKind::kFsyncLies:
      return begin.on && undo.kind == begin.kind && !undo.on && undo.nodes == begin.nodes;
    case FaultKind::kLie:
      return begin.lies.any() && undo.kind == begin.kind && !undo.lies.any() &&
             undo.nodes == begin.nodes;
    // A node joined and removed again, or removed and back (pinned `reconfigure`s come so).
    case FaultKind::kAddVoter:
    case FaultKind::kAddLearner:
      return undo.kind == FaultKind::kRemove && undo.nodes == begin.nodes;
    case FaultKind::kRemove:
      return (undo.kind == FaultKind::kAddVoter || undo.kind == FaultKind::kAddLearner) &&
             undo.nodes == begin.nodes;
    default:
      return false;
  }
}

std::vector<Unit> units_of(const std::vector<Fault>& timeline) {
  std::vector<bool> used(timeline.size(), false);
  std::vector<Unit> units;
  for (size_t i = 0; i < timeline.size(); ++i) {
    if (used[i]) continue;
    used[i] = true;
    Unit unit{{i, timeline[i]}};
    for (size_t j = i + 1; j < timeline.size(); ++j) {
      if (!used[j] && undoes(timeline[i], timeline[j])) {
        used[j] = true;
        unit.emplace_back(j, timeline[j]);
        break;
      }
    }
    units.push_back(std::move(unit));
  }
  return units;
}

std::vector<Fault> flatten(const std::vector<Unit>& units) {
  std::vector<std::pair<size_t, Fault>> all;
  for (const Unit& u : units)
    all.insert(all.end(), u.begin(), u.end());
  return in_time_order(std::move(all));
}

// Whether every fault of `s`, a leader fault's undo included, happens within the run, as the
// scenario parser requires of a file.
bool fits_in_run(const Scenario& s) {
  const SimTime end = SimTime{} + s.duration;
  return std::all_of(s.timeline.begin(), s.timeline.end(), [end](const Fault& f) {
    return f.at < end && (!is_leader_fault(f.kind) || f.at + f.length <= end) &&
           (f.when ? f.when->by >= f.at && (f.when->by == SimTime::max() || f.when->by <= end)
                   : f.at + f.undo_after <= end);
  });
}

SimTime round_up_ms(SimTime t) {
  const auto ms = (t.time_since_epoch().count() + kMillisecond.count() - 1) / kMillisecond.count();
  return SimTime{} + Duration{ms * kMillisecond.count()};
}

}  // namespace raftsim::scenario

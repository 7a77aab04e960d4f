// The shrinker's view of a timeline: faults paired with their undos, and the checks a candidate
// timeline must pass before it is run.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "scenario/scenario.h"

namespace raftsim::scenario {

// Whether `undo` reverts `begin`, as the nemesis pairs them (nemesis.cc), as a hand-written
// timeline usually does, and as pinned membership changes come (a node added, then removed).
bool undoes(const Fault& begin, const Fault& undo);

// A fault together with its undo (when it has one), each with its position in the timeline so
// that faults at the same instant keep their order.
using Unit = std::vector<std::pair<size_t, Fault>>;

// The timeline's units: each fault with the first later fault that undoes it.
std::vector<Unit> units_of(const std::vector<Fault>& timeline);

// The faults of `units` in time order, same-instant ones in their old timeline order.
std::vector<Fault> flatten(const std::vector<Unit>& units);

// Whether every fault of `s`, a leader fault's undo included, happens within the run, and every
// trigger is armed before its `by`, as the scenario parser requires of a file.
bool fits_in_run(const Scenario& s);

// `t` rounded up to a whole millisecond.
SimTime round_up_ms(SimTime t);

}  // namespace raftsim::scenario

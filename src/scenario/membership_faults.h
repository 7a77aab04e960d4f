// Membership faults: the change each asks of the leader, and how the toggles the nemesis draws
// (`reconfigure`, `reconfigure_learner`, `reconfigure_joint`), decided only when they fire, are
// pinned to the explicit changes they made.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "raft/configuration.h"
#include "scenario/scenario.h"

namespace raftsim::scenario {

// The change a membership fault asks the leader for; `leader_configuration` (the one the leader
// acts on now) decides what a toggle does:
// - `reconfigure`: a voter is removed, anyone else added as a voter;
// - `reconfigure_learner`: a voter is removed, a learner promoted, anyone else added as a learner;
// - `reconfigure_joint` (two nodes): the voters become the incoming voters with each of the pair
//   flipped (a voter leaves, anyone else joins as a voter), one change_voters that goes through
//   joint consensus. When that would leave no voter (the pair are the only voters), the first
//   alone leaves.
raft::ConfChange change_of(const Fault& fault, const raft::Configuration& leader_configuration);

// A toggle as it fired in one run: the explicit change it asked of the leader then (add_voter,
// add_learner, promote, remove or change_voters, without `for`: at the instant it fired, or, for
// an event-triggered toggle, armed at the same time on the same trigger), and whether the leader
// appended it. A toggle with a `for` fires twice: both are recorded, the undo at its instant.
struct FiredChange {
  size_t entry = 0;  // the timeline entry it came from
  Fault change;
  SimTime fired;          // the instant it was asked
  bool appended = false;  // false: refused (no leader in time, nothing to change, ...), or not yet
};

// `change` written as the explicit fault that asks for it, at `fault`'s time, without its
// trigger or `for`.
Fault pinned_change(const Fault& fault, const raft::ConfChange& change);

// `timeline` with every toggle pinned to what it did in the run that recorded `fired`: the change
// it asked of the leader, each at the instant it was asked (or on the event that asked it); a
// toggle that never fired is dropped. A change the leader refused, or had not yet answered when
// the run stopped, stays: asking steps the leader, and a change waiting for a new voter to catch
// up has the leader send it entries, so the run without it is another run (the shrinker drops it
// like any fault, if it can). Toggling is relative to the configuration when a toggle fires, so
// dropping one changes what every later one does; an explicit change means the same without the
// others. Entries stay in time order, same-instant ones in their timeline order.
std::vector<Fault> pin_reconfigures(const std::vector<Fault>& timeline,
                                    const std::vector<FiredChange>& fired);

// Asks the world's leader for the change `fault` (a membership fault) makes, retrying while the
// leader cannot make it yet. `id` (the timeline entry's index + 1; 0: none) and `fired`, when
// set, record what a toggle asked for and whether the leader appended it.
void change_membership(sim::World& world, const Fault& fault, uint64_t id,
                       std::vector<FiredChange>* fired);

}  // namespace raftsim::scenario

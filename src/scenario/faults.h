// Applying a scenario's faults to the simulated world, and saying what each one does.
#pragma once

#include <string>
#include <vector>

#include "scenario/scenario.h"

namespace raftsim::scenario {

// "partition {n1 n2 n3} | {n4 n5}", "crash n3", "delay 10s on n1->n2", ...
std::string describe_fault(const Fault& fault, const Scenario& scenario);

// Records the fault in the trace, then does it. `fault` names its nodes: not a leader fault.
void apply_fault(sim::World& world, const Fault& fault, const Scenario& scenario);

// Of the running nodes that believe they lead, the one in the highest term (a deposed leader cut
// off from the others may still believe it leads an older one); 0 when none does.
uint32_t current_leader(const sim::World& world);

// Puts every fault of `timeline` on the world's event queue, in timeline order. A leader fault
// puts two events there at once: the fault at `at`, which picks the node leading at that moment,
// and its undo at `at + length`, which acts on the node the fault picked (none: it does nothing).
// Scheduling both up front keeps the order of same-instant events a function of the timeline.
void schedule_faults(sim::World& world, const std::vector<Fault>& timeline,
                     const Scenario& scenario);

// When the last fault of `timeline` happens, undos of leader faults included (the start of the
// run when there is none).
SimTime last_fault_time(const std::vector<Fault>& timeline);

}  // namespace raftsim::scenario

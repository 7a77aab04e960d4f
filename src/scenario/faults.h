// Applying a scenario's faults to the simulated world, and saying what each one does.
#pragma once

#include <string>

#include "scenario/scenario.h"

namespace raftsim::scenario {

// "partition {n1 n2 n3} | {n4 n5}", "crash n3", "delay 10s on n1->n2", ...
std::string describe_fault(const Fault& fault, const Scenario& scenario);

// Records the fault in the trace, then does it.
void apply_fault(sim::World& world, const Fault& fault, const Scenario& scenario);

}  // namespace raftsim::scenario

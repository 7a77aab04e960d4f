// The narration of a run against external nodes, beside the runner's own lines for the faults:
// elections, step-downs and commit progress as the nodes report them (nodes that report nothing
// give none), and with `verbose` every client operation, asked and done — the lines a simulated
// run prints, told from outside the nodes.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "external/clients.h"
#include "external/host.h"
#include "real/observed_trace.h"
#include "scenario/narrator.h"
#include "scenario/scenario.h"

namespace raftsim::external {

// Feeds the returned narrator from `trace`'s node reports and `clients`' operations, stamped
// with `host`'s clock; it must outlive the run.
std::unique_ptr<scenario::Narrator> narrate_from_outside(
    const scenario::Scenario& s, bool verbose, std::function<void(const std::string&)> print,
    real::ObservedTrace& trace, Clients& clients, const Host& host);

}  // namespace raftsim::external

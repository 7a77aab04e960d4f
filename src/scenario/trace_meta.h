// The last line of a JSON Lines trace: what describes the run rather than happens in it (the
// scenario, seed and node names, and the verdict). `raftsim view` builds its page from it and the
// events before it; it is written after the run, so the digest never sees it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scenario/runner.h"
#include "scenario/scenario.h"

namespace raftsim::scenario {

// {"raftsim_run":{"scenario":...,"seed":...,"nodes":[...],"verdict":{...}}}.
// `violation_events`: per safety violation, how many events had been recorded when it was found.
std::string trace_summary_json(const Scenario& scenario, const RunReport& report,
                               const std::vector<uint64_t>& violation_events);

}  // namespace raftsim::scenario

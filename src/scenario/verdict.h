// Verdict-table rows that the simulated and the real world judge the same way.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check/linearizability.h"
#include "scenario/runner.h"
#include "scenario/scenario.h"

namespace raftsim::scenario {

// What the scenario expects of `property`: violated (true), holding (false), or nothing said.
std::optional<bool> expected_violated(const Scenario& scenario, Property property);

// The linearizability row. `result` is empty when the check did not run (`why_not` says why).
// A violation is added to `violated`. An expected violation is timed (Verdict::timed): it needs
// the scripted story to play out.
Verdict linearizability_verdict(const Scenario& scenario,
                                const std::optional<check::CheckResult>& result, size_t ops,
                                std::string_view why_not, std::vector<std::string>& violated);

// The liveness row. `committed_after`: how long after `probe_at` the probe's write was
// acknowledged, if it was within the scenario's bound. A failure is added to `violated`. The row
// is timed: it is a promise about when things happen.
Verdict liveness_verdict(const Scenario& scenario, SimTime probe_at,
                         std::optional<Duration> committed_after,
                         std::vector<std::string>& violated);

}  // namespace raftsim::scenario

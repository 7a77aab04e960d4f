// Writing a scenario back as YAML: a concrete, commented, runnable file in which every setting is
// explicit and the timeline is fully expanded. parse_scenario_text(write_scenario_yaml(s)) equals
// `s` (scenario.h's operator==), which is how a shrunk failing schedule becomes a repro file.
#pragma once

#include <string>

#include "scenario/scenario.h"

namespace raftsim::scenario {

std::string write_scenario_yaml(const Scenario& s);

}  // namespace raftsim::scenario

// Internal to the parser: one function per part of a scenario file.
#pragma once

#include <yaml-cpp/yaml.h>

#include <vector>

#include "scenario/reader.h"
#include "scenario/scenario.h"

namespace raftsim::scenario::detail {

// Appends the faults of the `timeline` list; entries are sorted by `at` afterwards by the caller.
void parse_timeline(Reader& r, const YAML::Node& node, std::vector<Fault>& timeline);
void parse_expectations(Reader& r, const YAML::Node& node, std::vector<Expectation>& out);

}  // namespace raftsim::scenario::detail

// Reading a scenario file: YAML text -> a validated Scenario, or every error found (up to 20),
// each naming its place as `file:line:col: message`. The language is described in
// scenarios/README.md and scenarios/scenario.schema.json.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "scenario/scenario.h"

namespace raftsim::scenario {

struct ParseError {
  std::vector<std::string> messages;  // `file:line:col: message`, in the order found
  std::string text() const;           // the messages, one per line
};

// Far more than any scenario needs, and small enough that reading a device such as /dev/zero by
// mistake ends in a message instead of exhausting memory.
inline constexpr size_t kMaxScenarioBytes = size_t{4} << 20;

// Never throws; a file that cannot be read gives `path: cannot read file`, a device, pipe or
// directory `path: not a regular file ...`, a file over kMaxScenarioBytes `path: too large ...`.
std::variant<Scenario, ParseError> parse_scenario_file(const std::string& path);
// `file_name` is used in messages and `Scenario::file`; its stem is the default name.
std::variant<Scenario, ParseError> parse_scenario_text(std::string_view yaml,
                                                       const std::string& file_name);

}  // namespace raftsim::scenario

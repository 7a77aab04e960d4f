// Reading a scenario file: YAML text -> a validated Scenario, or every error found (up to 20),
// each naming its place as `file:line:col: message`. The language is described in
// scenarios/README.md and scenarios/scenario.schema.json.
#pragma once

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

// Never throws; a file that cannot be read gives `path: cannot read file`.
std::variant<Scenario, ParseError> parse_scenario_file(const std::string& path);
// `file_name` is used in messages and `Scenario::file`; its stem is the default name.
std::variant<Scenario, ParseError> parse_scenario_text(std::string_view yaml,
                                                       const std::string& file_name);

}  // namespace raftsim::scenario

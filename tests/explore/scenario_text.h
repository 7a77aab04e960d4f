// Scenarios the tests of exploration write inline.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "scenario/parse.h"

namespace raftsim::test {

// The scenario `yaml` says; a test failure naming the error when it says none. `name` is the file
// name the error cites.
inline scenario::Scenario parse(const std::string& yaml, const std::string& name = "test.yaml") {
  auto parsed = scenario::parse_scenario_text(yaml, name);
  if (auto* e = std::get_if<scenario::ParseError>(&parsed)) ADD_FAILURE() << e->text();
  return std::get<scenario::Scenario>(parsed);
}

}  // namespace raftsim::test

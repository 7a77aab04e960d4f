// Scenario files: any bytes given to the parser end in a Scenario or in messages, never a crash
// or a hang. A scenario that parses also survives the writer (write.h's promise): written back
// as YAML and parsed again, it is the same scenario, and writing it again gives the same text.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "scenario/parse.h"
#include "scenario/write.h"

namespace {

using raftsim::scenario::ParseError;
using raftsim::scenario::Scenario;

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "scenario_fuzzer: %s\n%.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  auto parsed = raftsim::scenario::parse_scenario_text(yaml, "fuzz.yaml");
  const auto* scenario = std::get_if<Scenario>(&parsed);
  if (scenario == nullptr) {
    if (std::get<ParseError>(parsed).messages.empty()) fail("refused without a message", yaml);
    return 0;
  }
  const std::string written = raftsim::scenario::write_scenario_yaml(*scenario);
  auto again = raftsim::scenario::parse_scenario_text(written, "fuzz.yaml");
  if (const auto* error = std::get_if<ParseError>(&again)) {
    fail("the writer's YAML does not parse", written + "\n" + error->text());
  }
  if (!(std::get<Scenario>(again) == *scenario))
    fail("the writer's YAML reads back different", written);
  if (raftsim::scenario::write_scenario_yaml(std::get<Scenario>(again)) != written) {
    fail("writing twice gives different text", written);
  }
  return 0;
}

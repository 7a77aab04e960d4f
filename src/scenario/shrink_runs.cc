// How a search runs a scenario and labels its failure: shared by explore and the shrinker.
#include <algorithm>

#include "scenario/nemesis.h"
#include "scenario/shrink.h"

namespace raftsim::scenario {

Scenario concrete_scenario(const Scenario& s, uint64_t seed) {
  Scenario c = s;
  c.timeline = concrete_timeline(s, seed);
  c.nemesis = Nemesis{};
  c.seed = seed;
  return c;
}

std::string failure_label(const RunReport& report) {
  if (!report.error.empty()) return "error: " + report.error;
  if (!report.violated_properties.empty()) return report.violated_properties.front();
  for (const Verdict& row : report.rows)
    if (!row.ok) return "expectation: " + row.name;
  return "";
}

bool is_per_event(const std::string& property) {
  for (Property p : kSafetyProperties)
    if (property == to_string(p)) return is_per_event(p);
  return false;
}

RunOptions search_options(const std::string& property) {
  RunOptions options;
  options.narrate = false;
  // Searching for one property, a run goes on past the others: one that breaks first must not
  // hide it.
  options.stop_on_violation = property.empty() || is_per_event(property);
  options.stop_on_property = property;
  options.check_linearizability = property.empty() || property == "linearizability";
  // Searching needs the verdicts, not the story behind a lost write: the replay that finds it
  // would double the cost of every failing durability candidate.
  options.durability_context = false;
  return options;
}

bool still_fails(const Scenario& s, const std::string& property) {
  const auto v = run_scenario(s, search_options(property)).violated_properties;
  return std::find(v.begin(), v.end(), property) != v.end();
}

}  // namespace raftsim::scenario

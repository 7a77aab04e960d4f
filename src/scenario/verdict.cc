#include "scenario/verdict.h"

#include <fmt/format.h>

namespace raftsim::scenario {

std::optional<bool> expected_violated(const Scenario& s, Property p) {
  for (const Expectation& e : s.expectations) {
    if (e.kind == Expectation::Kind::kSafetyViolated && is_safety(p)) return true;
    if (e.property != p) continue;
    if (e.kind == Expectation::Kind::kViolated) return true;
    if (e.kind == Expectation::Kind::kHolds) return false;
  }
  return std::nullopt;
}

Verdict linearizability_verdict(const Scenario& s, const std::optional<check::CheckResult>& result,
                                size_t ops, std::string_view why_not,
                                std::vector<std::string>& violated) {
  const bool expect_violation = expected_violated(s, Property::kLinearizability).value_or(false);
  Verdict row{"linearizability", expect_violation ? "violated" : "holds", "", false};
  row.timed = expect_violation;
  if (!result) {
    row.observed = std::string(why_not);
    row.ok = !expect_violation;
  } else if (result->verdict == check::Verdict::unknown) {
    row.observed = "unknown: " + result->reason;
    row.ok = !expect_violation;
  } else {
    const bool bad = result->verdict == check::Verdict::not_linearizable;
    if (bad) violated.emplace_back("linearizability");
    row.observed =
        fmt::format("{} ({} ops, {} keys)", bad ? "violated" : "holds", ops, result->partitions);
    row.ok = bad == expect_violation;
  }
  return row;
}

Verdict liveness_verdict(const Scenario& s, SimTime probe_at,
                         std::optional<Duration> committed_after,
                         std::vector<std::string>& violated) {
  const bool expect_failure = expected_violated(s, Property::kLiveness).value_or(false);
  const bool live = committed_after.has_value();
  if (!live) violated.emplace_back("liveness");
  Verdict row{fmt::format("liveness (quiet {:g}s, within {:g}s)", sim::seconds(s.liveness.quiet),
                          sim::seconds(s.liveness.within)),
              expect_failure ? "violated" : "holds",
              live ? fmt::format("a write committed {:.3f}s after {:.3f}s",
                                 sim::seconds(*committed_after), sim::seconds(probe_at))
                   : fmt::format("no write committed within {:g}s of {:.3f}s",
                                 sim::seconds(s.liveness.within), sim::seconds(probe_at)),
              live != expect_failure};
  row.timed = true;
  return row;
}

}  // namespace raftsim::scenario

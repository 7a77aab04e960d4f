#include "scenario/trace_meta.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "check/history.h"

namespace raftsim::scenario {

namespace {

using nlohmann::ordered_json;

// The operation a linearizability report names, by what identifies it in the history.
ordered_json operation_json(const check::Operation& op) {
  ordered_json j;
  j["client"] = op.client;
  j["key"] = op.key;
  j["invoke"] = op.invoke;
  if (op.complete != check::kNeverCompleted) j["complete"] = op.complete;
  return j;
}

ordered_json linearizability_json(const check::CheckResult& result) {
  ordered_json j;
  j["verdict"] = check::to_string(result.verdict);
  j["report"] = check::format_result(result);
  if (result.violation) {
    const check::Violation& v = *result.violation;
    j["key"] = v.partition;
    j["linearized_count"] = v.linearized_count;
    j["stuck"] = operation_json(v.stuck);
    ordered_json pending = ordered_json::array();
    for (const check::Operation& op : v.pending)
      pending.push_back(operation_json(op));
    j["pending"] = pending;
  }
  return j;
}

}  // namespace

std::string trace_summary_json(const Scenario& scenario, const RunReport& report,
                               const std::vector<uint64_t>& violation_events) {
  ordered_json v;
  v["passed"] = report.passed();
  v["digest"] = fmt::format("{:016x}", report.digest);
  v["events"] = report.events;
  v["end_us"] = sim::micros(report.end);
  ordered_json rows = ordered_json::array();
  for (const Verdict& row : report.rows) {
    rows.push_back({{"name", row.name},
                    {"expected", row.expected},
                    {"observed", row.observed},
                    {"ok", row.ok}});
  }
  v["rows"] = rows;
  // Wall-clock runs only: how the machine did not keep time, which leaves failed timed rows
  // unjudged (absent when it kept time, so a simulated trace's summary is unchanged).
  if (!report.disturbances.empty()) {
    v["outcome"] = report.outcome();
    v["disturbances"] = report.disturbances;
    for (size_t i = 0; i < report.rows.size(); ++i)
      if (report.unjudged(report.rows[i])) v["rows"][i]["judged"] = false;
  }
  ordered_json violations = ordered_json::array();
  for (size_t i = 0; i < report.violations.size(); ++i) {
    const check::PropertyViolation& pv = report.violations[i];
    ordered_json j;
    j["property"] = pv.property;
    // The 0-based number of the event after which it was found (durability: none, it is found
    // at the end).
    if (i < violation_events.size() && violation_events[i] > 0) {
      j["event"] = violation_events[i] - 1;
    }
    ordered_json nodes = ordered_json::array();
    for (raft::NodeId id : pv.nodes)
      nodes.push_back(id.value);
    j["nodes"] = nodes;
    j["term"] = pv.term.value;
    j["index"] = pv.index.value;
    j["t_us"] = pv.time;
    j["detail"] = pv.detail;
    j["report"] = check::to_string(pv, report.node_names);
    violations.push_back(j);
  }
  v["violations"] = violations;
  if (report.linearizability) v["linearizability"] = linearizability_json(*report.linearizability);

  ordered_json run;
  run["scenario"] = scenario.name;
  run["seed"] = report.seed;
  run["nodes"] = scenario.world.node_names;
  run["duration_us"] = scenario.duration.count();
  if (!scenario.teaches.empty()) run["teaches"] = scenario.teaches;
  run["verdict"] = v;
  ordered_json line;
  line["raftsim_run"] = run;
  return line.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace raftsim::scenario

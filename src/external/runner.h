// Runs a scenario against external node processes speaking Maelstrom's protocol, in wall-clock
// time (`raftsim run FILE --node 'CMD ARGS'`): the cluster's router applies the scenario's
// network and faults, clients c1..cM speak lin-kv, and the history goes through the same
// linearizability checker as a simulated run. Acknowledged writes are checked for durability
// by reading every written key once the run is over. Expectations about leaders and commits are
// judged from the nodes' state reports (raftsim's extension), the way real mode judges them from
// status polls.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "external/clients.h"
#include "external/process.h"
#include "scenario/runner.h"
#include "scenario/scenario.h"

namespace raftsim::external {

// Which clock the nodes run on. kAuto: deterministic when every node accepts it in its init_ok,
// else wall-clock time (the nodes are started again, and the narration says so).
enum class NodeClock : uint8_t { kAuto, kDeterministic, kRealTime };

struct ExternalRunOptions {
  std::vector<std::string> command;  // argv of every node
  NodeClock clock = NodeClock::kAuto;
  bool narrate = true;
  bool verbose = false;  // narrate every client operation and commit the nodes report
  std::function<void(const std::string&)> print;  // default: stdout
  std::optional<uint64_t> seed;                   // empty: the scenario's
  std::chrono::milliseconds init_timeout{5000};
  // Deterministic mode: how long a node may take over one step before it is reported.
  std::chrono::milliseconds step_timeout{10000};
  bool stop_on_violation = false;  // deterministic mode: the first invariant violation ends it
  bool keep_logs = false;  // keep the run's directory (the nodes' stderr) when the run passes too
  // Keep it when the run fails a check. A run that cannot go on (a node broke the protocol, say)
  // keeps it always: its error names it.
  bool keep_failed_logs = true;
  bool check_linearizability = true;
  // Deterministic mode: steps a run may take per simulated second of its length (0: no limit),
  // as the simulator's event budget (scenario::RunOptions). Past it the run stops and fails
  // `event_budget`.
  uint64_t max_events_per_second = scenario::kEventsPerSecond;
  ProcessLimits limits;
  // Where to write the observed trace (real/observed_trace.h) and the raftsim history; empty:
  // none.
  std::string trace_path;
  std::string history_path;
};

// What an external node can never be given, one "file:line:col: ..." message each, decided
// from the scenario alone before any process starts. Empty: it may run. `deterministic`: in
// deterministic mode, where the disk service and virtual clocks make more faults possible.
std::vector<std::string> external_mode_refusals(const scenario::Scenario& scenario,
                                                bool deterministic);

// A runner for scenario::set_implementation_runner: the scenario's nodes in deterministic mode
// (explore and the shrinker need runs that are functions of their seed).
scenario::RunReport run_implementation_deterministically(const scenario::Scenario& scenario,
                                                         const scenario::RunOptions& options);

// The workload nodes that take no `append` get: the scenario's, with the appends' share turned
// into writes (lin-kv has no append).
sim::WorkloadModel lin_kv_workload(const sim::WorkloadModel& workload);

// `--node 'CMD ARGS'` as argv: words split as a shell would (quotes, escapes), without running
// anything. Empty argv and an error message when it cannot be split.
std::vector<std::string> split_command(const std::string& text, std::string& error);

// Acknowledged writes lost by the end of the run: for each key, the final read must show the
// value of an acknowledged-or-unknown write that no acknowledged write followed for certain
// (invoked after it completed). One line per lost write.
std::vector<std::string> lost_acknowledged_writes(const std::vector<ClientOp>& workload,
                                                  const std::vector<ClientOp>& final_reads);

// An error in the report (exit 2) means a node broke the protocol or could not be started:
// the message names the node, the line and the bytes, and its stderr file.
scenario::RunReport run_external_scenario(const scenario::Scenario& scenario,
                                          const ExternalRunOptions& options);

}  // namespace raftsim::external

// The trace of a wall-clock run (`raftsim run --real`, or external nodes), built from what the
// runner observes from outside the nodes: each node's role, term, leader and commit index as its
// state reports or status polls show them, the faults the runner applied, and the clients'
// operations. Nothing inside a node is seen: no messages, no votes, no log entries, no election
// timers. Written in the simulated trace's JSON Lines form (docs/trace.md), with a last line that
// says so ("mode"), so `raftsim view` and the replay page read it like any other trace.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "check/history.h"
#include "scenario/runner.h"
#include "scenario/scenario.h"
#include "sim/trace.h"

namespace raftsim::real {

class ObservedTrace {
 public:
  // `mode`: "real" or "external", written into the last line.
  explicit ObservedTrace(std::string mode) : mode_(std::move(mode)) {}

  // One state report of node `id`, observed at `at_us` (microseconds since the run's start).
  // Records only what changed since its last report. Thread-safe.
  void on_status(uint32_t id, int64_t at_us, std::string_view role, uint64_t term, uint64_t commit,
                 uint32_t leader);
  // A fault the runner applied at `at_us`; `done` is what applying it reported (may be empty);
  // `undo`, the fault that will undo it, when it has one. Crashes and restarts of named nodes
  // also become their down and up events, as does a leader crash (its undo names the node).
  // Thread-safe.
  void on_fault(int64_t at_us, const scenario::Fault& fault, const scenario::Scenario& scenario,
                const std::string& done, const scenario::Fault* undo = nullptr);
  // The clients' operations, once the run is over: an invoke and, when the outcome is known, a
  // completion per operation.
  void add_history(const check::History& history);

  // Told each node state event (term, role, commit) as it is recorded, under the trace's lock:
  // the narration of a run that watches nodes from outside.
  std::function<void(const sim::TraceEvent&)> on_state;

  // Writes the events in time order, then `summary` (scenario::trace_summary_json) as the last
  // line. Returns an error message, or "" on success.
  std::string write(const std::string& path, const std::string& summary) const;

 private:
  struct Seen {
    bool any = false;
    uint64_t role = 0, term = 0, commit = 0;
    uint32_t leader = 0;
  };
  void add(sim::TraceEvent event);

  std::string mode_;
  mutable std::mutex mutex_;
  std::vector<sim::TraceEvent> events_;
  std::map<uint32_t, Seen> seen_;
};

// What `raftsim run --real` and external runs write when asked: adds the history's operations to
// `trace`, then writes the trace (with the run's verdict as its last line) to `trace_path` and the
// history, in raftsim's format, to `history_path`, each when not empty. Returns "" or an error.
std::string write_observed_run(ObservedTrace& trace, const check::History& history,
                               const scenario::Scenario& scenario,
                               const scenario::RunReport& report, const std::string& trace_path,
                               const std::string& history_path);

}  // namespace raftsim::real

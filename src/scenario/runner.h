// Runs a scenario in the simulated world and judges it: every safety property after every event,
// durability, linearizability and liveness at the end, and each of the scenario's expectations.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check/linearizability.h"
#include "check/raft_invariants.h"
#include "scenario/faults.h"
#include "scenario/scenario.h"

namespace raftsim::scenario {

// The label of a run stopped by RunOptions::max_events.
inline constexpr std::string_view kEventBudget = "event_budget";
// The label of a run ended by an exception thrown from inside the simulation: a core that broke
// its own preconditions. Nothing after it is judged.
inline constexpr std::string_view kCrash = "crash";

// The events a run may take per simulated second unless told otherwise, in the simulator and
// for external nodes in deterministic mode (RunOptions::max_events_per_second).
inline constexpr uint64_t kEventsPerSecond = 100'000;

struct RunOptions {
  std::optional<uint64_t> seed;            // overrides the scenario's
  std::string trace_path;                  // JSON Lines trace, when set
  std::string history_path;                // the client history, when set ...
  std::string history_format = "raftsim";  // ... in this format: raftsim | edn | porcupine
  bool narrate = true;                     // classroom narration while running
  bool verbose = false;                    // narration includes client operations and every commit
  bool stop_on_violation = false;          // exploration: the first violation ends the run ...
  std::string stop_on_property;            // ... or, when set, the first violation of this one
  bool check_linearizability = true;
  bool check_invariants = true;  // per-event Raft invariants (off only to measure their cost)
  // Events a run may process per simulated second of its length (0: no limit), and messages it
  // may hold in flight at once (0: no limit). Past either budget the run stops and fails
  // `event_budget`: nobody should wait on (or hold the memory of) a run whose messages multiply
  // without end. The defaults are some 100 times what a busy run needs, so only such a run
  // reaches them.
  uint64_t max_events_per_second = kEventsPerSecond;
  uint64_t max_in_flight = 50'000;
  // Attach the trace events before each lost acknowledged write to its durability report. Costs
  // a replay of the run up to the last such ack, only when a write was lost.
  bool durability_context = true;
  std::function<void(const std::string&)> print;  // where narration goes; default: stdout
  // Called with the world once it is built, before it runs: a search attaches its observers here.
  std::function<void(sim::World&)> observe;
};

// The events a run of `length` may take: `per_second` times its whole seconds (at least 1). 0
// (no limit) when that is past 2^64 - 1, as it is when `per_second` is 0.
uint64_t event_budget(uint64_t per_second, sim::Duration length);

// One row of the verdict table: a check or an expectation.
struct Verdict {
  std::string name;      // "election_safety", "no_commit [n4 n5] 6s..20s", ...
  std::string expected;  // "holds", "violated", "met"
  std::string observed;  // what the run showed, in a few words
  bool ok = false;
  // Judged in wall-clock time and true only if the machine kept time: a deadline, a quiet window,
  // a claim that a scripted story breaks something. A safety claim that must hold is never timed:
  // Raft's safety does not depend on timing.
  bool timed = false;
};

struct RunReport {
  std::string scenario;
  std::vector<std::string> node_names;
  uint64_t seed = 0;
  uint64_t digest = 0;
  uint64_t events = 0;
  sim::SimTime end;
  double wall_seconds = 0;
  std::vector<Verdict> rows;
  std::vector<check::PropertyViolation> violations;  // safety and durability, as found
  std::optional<check::CheckResult> linearizability;
  // Distinct: the safety properties in the order each first broke, then linearizability and
  // liveness as judged at the end.
  std::vector<std::string> violated_properties;
  // Per timeline entry: the node a leader fault picked when it fired (0: not a leader fault, or
  // no node led).
  std::vector<uint32_t> leader_fault_targets;
  // What each toggle (`reconfigure`, ...) of the timeline asked of the leader when it fired (what
  // pin_reconfigures writes as explicit changes), and whether the leader appended it.
  std::vector<FiredChange> fired_changes;
  std::string error;        // bad input found before or while running: there are no results
  bool wall_clock = false;  // judged in wall-clock time: no digest, no simulated time
  // The run is complete and judged, but an output file (the history) could not be written.
  std::string output_error;
  // A wall-clock run only: how the machine did not keep the run's time (a node process not
  // scheduled for longer than Raft's timers absorb, ...). Then a timed row that failed is not
  // judged (real/stall_watch.h).
  std::vector<std::string> disturbances;

  // The run stopped at its event budget (`limit` says which, `where` when): it fails
  // `event_budget`, first of all, and is judged on what it did up to there.
  void stopped_at_budget(std::string limit, std::string where);
  bool passed() const;
  // A failed row that the machine's disturbances leave unjudged.
  bool unjudged(const Verdict& row) const { return !row.ok && row.timed && !disturbances.empty(); }
  // Not passed, and every failed row is unjudged: the run neither passes nor fails.
  bool inconclusive() const;
  std::string_view outcome() const {
    return passed() ? "PASS" : inconclusive() ? "INCONCLUSIVE" : "FAIL";
  }
  // 0 passed, 1 failed, 2 bad input or output, 3 inconclusive.
  int exit_code() const {
    return !error.empty() || !output_error.empty() ? 2 : passed() ? 0 : inconclusive() ? 3 : 1;
  }
};

// The longest a node can stand still before Raft's timers notice: a follower that heard the
// leader's heartbeat just before the leader stopped times out after the shortest election
// timeout, by which time the leader would have sent again one heartbeat interval earlier. A
// wall-clock run counts a stall at least this long as a disturbance.
std::chrono::microseconds stall_tolerated(const Scenario& s);

// Why the run's client history cannot be written in `format` (raftsim | edn | porcupine), or ""
// when it can: decided from the scenario alone, before anything runs.
std::string export_refusal(const Scenario& scenario, const std::string& format);

// Runs `scenario` in the simulated world; one with cluster.implementation goes to the runner
// set below.
RunReport run_scenario(const Scenario& scenario, const RunOptions& options);

// Scenarios with cluster.implementation run their nodes as external processes, which this layer
// cannot host: the layer that can (src/external) is set here once, before any run starts
// (raftsim's main does it), so that explore and the shrinker run such scenarios too. Without
// one, such a run reports an error.
using ImplementationRunner = RunReport (*)(const Scenario&, const RunOptions&);
void set_implementation_runner(ImplementationRunner runner);

// The verdict table and the summary line, as printed at the end of `raftsim run`.
std::string format_report(const RunReport& report, bool with_details);

}  // namespace raftsim::scenario

// Shrinking a failing run: from the schedule a seed drew, down to the smallest scenario that still
// breaks the same property.
//
// The starting point is the run made concrete (concrete_scenario): the nemesis drawn into plain
// timeline entries and the seed fixed, so every candidate is an ordinary scenario. Each pass edits
// that scenario, runs it, and keeps the edit only if the same property is still violated:
//
//   1. end the run just after the violation was seen (and drop faults after the end);
//   2. drop faults, in chunks then one by one (a fault and its undo go together);
//   3. switch off checks the property does not need (liveness, linearizability);
//      steps 1 and 3 (except linearizability) only for per-event properties: durability and
//      linearizability are judged at the end, which must stay settled;
//   4. fewer clients, fewer keys;
//   5. shorter faults (the undo moves closer to its fault), faults moved earlier;
//   6. fewer nodes: the highest-numbered node is removed when no node fault names it (it is taken
//      out of partitions and link lists); nodes are never renumbered;
//   7. for per-event properties, undos dropped (the fault stays in force to the end), and a leader
//      fault written as the plain fault it became in the last failing run, without its undo.
//
// A long schedule (more than eight faults) is first cut by large stretches, for as long as that
// works, so the budget is not spent on one run per fault: a chunk of consecutive faults (a half, a
// quarter, an eighth) is dropped, or dropped with every later fault moved earlier by the time the
// chunk spanned.
//
// Each round first pins the timeline's toggles (`reconfigure`, `reconfigure_learner`,
// `reconfigure_joint`): a toggle's effect depends on the configuration when it fires, so dropping
// one would change what every later one does. Each is written as the explicit change it made in
// the last failing run (add_voter, add_learner, promote, remove or change_voters, at the instant
// it was asked, or on the same event for a triggered toggle; pin_reconfigures in
// membership_faults.h; one the leader refused too, as asking it is part of the run), and the
// pinned timeline is kept only if it still fails. A change and the change that reverts it
// on the same node are then a fault and its undo.
//
// The passes repeat until none helps. When they are stuck, more are tried: each fault is
// dropped while every later fault moves by the same amount (dropping a fault moves every later
// event, so faults timed to the old run miss); each two neighbouring faults are dropped together;
// each fault is dropped with two nodes of the same starting role (voters, learners, spares)
// swapped in the others (a fault there only so that a given node plays a part: another may play
// it); then the removals of steps 2 and 7 are tried under
// other seeds (a fixed list, so the search stays deterministic; the repro records the seed
// kept): 16 of them, and when that is stuck too, 64, 256 and 1,024, as the budget allows (a rare
// bug's alignment may hold under one seed in hundreds); a widening tries only the seeds not
// tried yet, and repeats none of the passes that had just failed. All of it ends when nothing
// helps or the budget of runs is spent. The same scenario, property and budget give the same
// result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "scenario/runner.h"
#include "scenario/scenario.h"

namespace raftsim::scenario {

// `s` as it runs with `seed`: nemesis faults drawn into the timeline, nemesis cleared, seed fixed.
// run_scenario gives the same digest on both.
Scenario concrete_scenario(const Scenario& s, uint64_t seed);

// How a run is labelled when it fails: its first violated property, or, when every property held,
// "expectation: <text>" of its first unmet expectation. Empty when the run passed.
std::string failure_label(const RunReport& report);

// Whether `property` is checked after every event (so a run may stop at its first violation).
bool is_per_event(const std::string& property);

// The options a shrink (and an exploration) run uses: quiet, stopped at the first violation when
// `property` is checked after every event, linearizability off when `property` is not
// linearizability, no trace context for durability reports. Empty `property`: exploration (every
// check on).
RunOptions search_options(const std::string& property);

// Runs `s` with search_options(property) and says whether `property` was violated.
bool still_fails(const Scenario& s, const std::string& property);

struct ShrinkOptions {
  size_t max_runs = 500;  // runs of candidate scenarios, in total
};

struct ShrinkResult {
  Scenario scenario;  // the smallest failing scenario found (== the input if nothing helped)
  std::string property;
  size_t original_faults = 0;  // timeline entries, undos included
  size_t shrunk_faults = 0;
  size_t runs = 0;          // candidate runs made
  bool reproduced = false;  // the input itself failed with `property` (checked first)
};

// `concrete` must have no nemesis (see concrete_scenario).
ShrinkResult shrink(const Scenario& concrete, const std::string& property,
                    const ShrinkOptions& options = {});

// The repro file: write_scenario_yaml of the shrunk scenario under a header naming the property,
// the original seed, the fault counts and the command that reproduces it. No expectation is added,
// so `raftsim run` on the file reports the violation and exits 1.
std::string repro_yaml(const ShrinkResult& result, uint64_t original_seed,
                       const std::string& source_file, const std::string& repro_path);

}  // namespace raftsim::scenario

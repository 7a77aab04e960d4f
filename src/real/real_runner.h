// Runs a scenario against real `raftsim node` processes on localhost (`raftsim run --real`):
// the cluster is started by the launcher, the timeline is applied in wall-clock time through
// signals and the control service, the clients talk gRPC through KvClient, and the history goes
// through the same durability and linearizability checkers as a simulated run. Expectations
// are judged from outside, from a Status poll of every node every 20 ms. Per-event Raft
// invariants need the nodes' internals and are reported as not checked.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "check/durability.h"
#include "node/storage.h"
#include "real/cluster_file.h"
#include "scenario/runner.h"
#include "scenario/scenario.h"

namespace raftsim::real {

struct RealRunOptions {
  std::string binary;  // the raftsim executable for the nodes; empty: this process's own
  bool narrate = true;
  bool verbose = false;  // narrate every client operation and every commit the polls show
  std::function<void(const std::string&)> print;  // default: stdout
  // The seed of the nemesis's draw and of the clients' choices (empty: the scenario's). The
  // faults it picks are the simulated run's for that seed; their interleaving with the nodes'
  // messages is the machine's.
  std::optional<uint64_t> seed;
  // Where to write the observed trace (observed_trace.h) and the raftsim history; empty: none.
  std::string trace_path;
  std::string history_path;
};

// What real mode cannot do, one "file:line:col: ..." message each. Empty: the scenario can run.
std::vector<std::string> real_mode_refusals(const scenario::Scenario& scenario);

// The commands of a node's committed log as its disk holds them, for the durability check:
// every command in its log up to `commit`, and, for the entries its snapshot replaced, every
// write of `acked` that the snapshot's client sessions have got past (a store applies a
// client's requests in order, one at a time). The snapshot keeps no more than that: a lost write
// followed by a kept later one of the same client would pass unseen there. nullopt: the
// snapshot does not load.
std::optional<std::vector<check::CommittedCommand>> committed_on_disk(
    const node::Loaded& loaded, raft::Index commit, std::span<const check::AckedWrite> acked);

// The cluster a scenario runs on: its node names (addresses are chosen at launch), timers,
// options and compaction, as far as the node process takes them. No start time.
ClusterFile real_cluster_shape(const scenario::Scenario& scenario);

scenario::RunReport run_real_scenario(const scenario::Scenario& scenario,
                                      const RealRunOptions& options);

}  // namespace raftsim::real

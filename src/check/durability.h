// Durability: every write acknowledged to a client is in the committed log at the end of the run,
// or — where the run ends with the cluster unable to commit it everywhere (no leader, a stuck
// cluster) — still on the disks of a majority of the voters of the configuration in force (of
// each half when it is joint). Such a write is not lost: every later leader holds it (§5.4.1),
// and whether the cluster makes progress again is for liveness to judge. Servers outside that
// configuration (spares never added, servers removed) neither help nor hurt: no election needs
// their votes.
//
// The inputs are plain values so the caller can fill them from whatever it decodes commands into
// (src/node's KvCommand, a Jepsen history, ...) without this library depending on it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "check/raft_invariants.h"
#include "raft/configuration.h"
#include "raft/types.h"

namespace raftsim::check {

// A write a client was told succeeded. (client_id, seq) names the request; the rest is for the
// report.
struct AckedWrite {
  uint64_t client_id = 0;
  uint64_t seq = 0;
  std::string op;  // "put", "append", "cas", ...
  std::string key;
  raft::NodeId node;  // the node that acknowledged it (kNoNode if unknown)
  SimTime acked_at = 0;
  std::string value;  // the value written
  // The log entry the acknowledging node said it was committed as (0, 0 if unknown).
  raft::Index index;
  raft::Term term;
};

// One command in the final committed log, decoded.
struct CommittedCommand {
  uint64_t client_id = 0;
  uint64_t seq = 0;
};

// What one node's storage holds durably at the end of a run: what a restart would load.
struct DurableLog {
  std::vector<CommittedCommand> commands;  // the commands of its log, in any order
  // Its snapshot's client sessions: (client, the highest seq applied). Every write of that client
  // up to that seq is in the snapshot (a client sends one request at a time).
  std::vector<CommittedCommand> sessions;
};

// The cluster's disks, for the acknowledged writes the committed log has not reached.
struct DurableLogs {
  // The last index of the committed log the caller read `committed` from. An acknowledged entry
  // at or below it that the committed log lacks was replaced: lost, whatever the disks hold.
  raft::Index committed_through;
  std::vector<DurableLog> nodes;  // every server, up or down: nodes[i] is server i + 1
  // The configuration in force (the latest in the log of the node that committed the most):
  // only its voters' disks count, a majority of each half. Unset: every server is a voter.
  std::optional<raft::Configuration> configuration;
};

// The acknowledged writes missing from `committed`, in the order of `acked`, as violations of
// `durability` detected at `end`. A command committed several times (a retried request) counts
// once; commands never acknowledged are ignored. O((A + C) log C).
//
// Each report names the client, the request, the acknowledging node, the time of the ack and the
// entry the node committed it as; its term and index are that entry's. `names[i]` names node
// i+1 (without them nodes read "n<id>"). The trace context before the ack is the caller's to
// attach: the checker sees only the end of the run.
std::vector<PropertyViolation> check_durability(std::span<const AckedWrite> acked,
                                                std::span<const CommittedCommand> committed,
                                                SimTime end = 0, uint64_t seed = 0,
                                                std::span<const std::string> names = {});

// The same check in two steps, for a caller that attaches more to each report: the positions in
// `acked` of the writes missing from `committed` (ascending), and the report of one of them.
//
// With `disks`, a missing write acknowledged past `committed_through` (or as an unknown entry) is
// lost only when the voters holding it are not a majority (of each half) of `disks->configuration`
// (of all of `disks->nodes` when unset); its report then says how many do. Without, every missing
// write is lost.
std::vector<size_t> lost_writes(std::span<const AckedWrite> acked,
                                std::span<const CommittedCommand> committed,
                                const DurableLogs* disks = nullptr);
PropertyViolation durability_violation(const AckedWrite& lost, SimTime end, uint64_t seed,
                                       std::span<const std::string> names = {},
                                       const DurableLogs* disks = nullptr);
// How many of `disks` hold `write` durably, members of the configuration or not.
size_t nodes_holding(const AckedWrite& write, const DurableLogs& disks);
// Whether the voters whose disks hold `write` are a quorum of the configuration in force.
bool held_by_quorum(const AckedWrite& write, const DurableLogs& disks);

}  // namespace raftsim::check

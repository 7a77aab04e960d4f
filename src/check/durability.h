// Durability: every write acknowledged to a client is in the committed log at the end of the run.
//
// The inputs are plain values so the caller can fill them from whatever it decodes commands into
// (src/node's KvCommand, a Jepsen history, ...) without this library depending on it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "check/raft_invariants.h"
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
};

// One command in the final committed log, decoded.
struct CommittedCommand {
  uint64_t client_id = 0;
  uint64_t seq = 0;
};

// The acknowledged writes missing from `committed`, in the order of `acked`, as violations of
// `durability` detected at `end`. A command committed several times (a retried request) counts
// once; commands never acknowledged are ignored. O((A + C) log C).
std::vector<PropertyViolation> check_durability(std::span<const AckedWrite> acked,
                                                std::span<const CommittedCommand> committed,
                                                SimTime end = 0, uint64_t seed = 0);

}  // namespace raftsim::check

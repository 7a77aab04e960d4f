// Linearizability of a client history (Wing & Gong / Lowe search with P-compositionality).
//
// The history is split into independent partitions (one per key for the KV model; the register,
// multi-register and mutex models are a single partition) and each partition is searched alone
// (wgl_search.h). Partitions are checked in parallel on a pool of hardware_concurrency() threads,
// smallest first, under a per-partition step and memory budget; a history is linearizable iff
// every partition is.
//
// Determinism: searches advance in rounds with a doubling step allowance (4096, 8192, ...). After
// each round, if any partition failed, the check stops, and the violation reported is the one of
// the failing partition that comes first in check order (fewest operations, then smallest key).
// Which partitions fail within a given allowance does not depend on thread timing, so the same
// history always gives the same verdict and the same explanation text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "check/history.h"

namespace raftsim::check {

enum class Verdict : std::uint8_t { linearizable, not_linearizable, unknown };
const char* to_string(Verdict verdict);

struct Budget {
  // Search steps (one per call tried or backtrack) allowed to each partition.
  std::uint64_t max_steps_per_partition = 200'000'000;
  // Memory for the whole check (memo caches, model states), shared evenly by the partitions
  // still being searched in a round; finished partitions free theirs. Each partition may use at
  // least 4 MiB (capped by this budget), so a history with more than budget / 4 MiB hard keys
  // at once can exceed it by that floor per key.
  std::size_t max_memory_bytes = std::size_t{512} << 20;
};

struct CheckOptions {
  Budget budget;
  unsigned threads = 0;  // 0: std::thread::hardware_concurrency()
};

// Why a partition is not linearizable: the longest linearizable prefix the search found, and
// the operations that could not extend it.
struct Violation {
  std::string partition;                   // the key for the KV model, "" otherwise
  std::size_t linearized_count = 0;        // length of the longest linearizable prefix found
  std::vector<Operation> linearized_tail;  // its last few operations, in linearization order
  std::string state;                       // the model state after that prefix
  std::vector<Operation> pending;          // ops invoked but not linearized at that point
  Operation stuck;  // the pending op that returned first: no order lets it take effect in time
};

struct CheckResult {
  Verdict verdict = Verdict::linearizable;
  std::optional<Violation> violation;  // iff verdict == not_linearizable
  std::string reason;                  // for unknown: which partition ran out of what
  std::size_t partitions = 0;
  std::uint64_t steps = 0;  // total search steps over all partitions
};

CheckResult check_linearizability(const History& history, const CheckOptions& options = {});

// Readable multi-line text: the verdict, and the explanation of a violation.
std::string format_result(const CheckResult& result);

}  // namespace raftsim::check

// A run as recorded on disk: the JSON Lines trace (`raftsim run --trace`, docs/trace.md) and,
// optionally, the clients' history (`--history`, docs/history-format.md). The replay page and the
// Perfetto export are built from this alone, never from a live world, so any recorded run can be
// watched later.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "check/history.h"
#include "sim/trace.h"

namespace raftsim::view {

struct RecordedRun {
  std::string scenario;  // from the header; the file's name when there is none
  uint64_t seed = 0;
  std::vector<std::string> nodes;  // node names, by id - 1
  std::string teaches;             // the scenario's header comment
  // "simulated", or "real" / "external": a wall-clock run's trace, of what its runner observed
  // from outside the nodes (no messages, votes, log entries or election timers).
  std::string mode = "simulated";
  std::vector<sim::TraceEvent> events;
  // From the trace's last line, when it has one; each violation's "event" is an index into
  // `events` (the file numbers recorded events only, without the election timer lines).
  std::optional<nlohmann::ordered_json> verdict;
  std::optional<check::History> history;
};

struct ReadRunResult {
  std::optional<RecordedRun> run;
  std::string error;  // "path:line: what is wrong" when !run
};

// Reads a trace and, when `history_path` is not empty, a raftsim history. A trace without its
// last line (a run cut short) gets node names n1..nK from the highest node id its events name.
ReadRunResult read_recorded_run(const std::string& trace_path, const std::string& history_path);

// The same, from text already in memory (`path` only names the place in error messages).
ReadRunResult parse_trace(std::string_view text, const std::string& path);

}  // namespace raftsim::view

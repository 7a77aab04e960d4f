// The logic of `raftsim check-history FILE --format F [--model M] [--max-steps N]
// [--max-memory-mb N]`, callable without the binary.
#pragma once

#include <optional>
#include <string>

#include "check/history_io.h"
#include "check/linearizability.h"

namespace raftsim::check {

// Exit codes of check-history.
inline constexpr int kExitLinearizable = 0;
inline constexpr int kExitNotLinearizable = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitUnknown = 3;

struct CheckHistoryRequest {
  std::string path;
  std::string format = "raftsim";  // raftsim | porcupine-etcd | porcupine-kv | knossos-edn
  std::string model;  // "" = infer from the ops; else kv | register | multi-register | mutex
  CheckOptions options;
};

struct CheckHistoryOutcome {
  int exit_code = kExitBadInput;
  std::string output;  // for stdout: the verdict and explanation
  std::string error;   // for stderr: "path:line: what is wrong" on bad input
};

CheckHistoryOutcome run_check_history(const CheckHistoryRequest& request);

}  // namespace raftsim::check

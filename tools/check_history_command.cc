#include "check_history_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <limits>
#include <memory>

#include "check/check_history.h"
#include "number_flags.h"

namespace raftsim::tools {

void add_check_history_command(CLI::App& app, int& exit_code) {
  auto request = std::make_shared<check::CheckHistoryRequest>();
  auto max_memory_mb =
      std::make_shared<std::size_t>(request->options.budget.max_memory_bytes >> 20);
  CLI::App* cmd =
      app.add_subcommand("check-history", "Check that a recorded client history is linearizable");
  cmd->add_option("file", request->path, "History file")->required();
  cmd->add_option("--format", request->format,
                  "raftsim | porcupine-etcd | porcupine-kv | knossos-edn")
      ->capture_default_str();
  cmd->add_option("--model", request->model,
                  "kv | register | multi-register | mutex (default: from the operations)");
  add_whole_number_option(
      *cmd, "--max-steps",
      [request](uint64_t n) { request->options.budget.max_steps_per_partition = n; },
      fmt::format("Search steps allowed per partition before the verdict is 'unknown' (default {})",
                  request->options.budget.max_steps_per_partition),
      0, std::numeric_limits<uint64_t>::max());
  // In whole MiB: the budget in bytes must fit in 64 bits.
  add_whole_number_option(
      *cmd, "--max-memory-mb", [max_memory_mb](uint64_t n) { *max_memory_mb = n; },
      fmt::format("Memory for the whole search before the verdict is 'unknown' (default {})",
                  *max_memory_mb),
      0, std::numeric_limits<uint64_t>::max() >> 20);
  add_whole_number_option(
      *cmd, "--threads",
      [request](uint64_t n) { request->options.threads = static_cast<unsigned>(n); },
      "Worker threads (0: one per core)", 0, 1024);
  cmd->callback([request, max_memory_mb, &exit_code] {
    request->options.budget.max_memory_bytes = *max_memory_mb << 20;
    check::CheckHistoryOutcome outcome = check::run_check_history(*request);
    if (!outcome.error.empty()) fmt::print(stderr, "error: {}\n", outcome.error);
    fmt::print("{}", outcome.output);
    std::fflush(stdout);
    exit_code = outcome.exit_code;
  });
}

}  // namespace raftsim::tools

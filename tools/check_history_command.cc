#include "check_history_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "check/check_history.h"

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
  cmd->add_option("--max-steps", request->options.budget.max_steps_per_partition,
                  "Search steps allowed per partition before the verdict is 'unknown'")
      ->capture_default_str();
  cmd->add_option("--max-memory-mb", *max_memory_mb,
                  "Memory for the whole search before the verdict is 'unknown'")
      ->capture_default_str();
  cmd->add_option("--threads", request->options.threads, "Worker threads (0: one per core)");
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

// `raftsim kv put|get|append|cas [--dir DIR | --cluster FILE] ...`: one request to a real cluster.
//
// Exit codes: 0 done; 1 a cas found another value (nothing changed); 2 bad input or usage;
// 3 unknown: the write may or may not have happened; 4 not done: no leader answered in time.
#pragma once

#include <CLI/CLI.hpp>

namespace raftsim::tools {

void add_kv_command(CLI::App& app, int& exit_code);

}  // namespace raftsim::tools

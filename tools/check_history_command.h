// `raftsim check-history`: linearizability of a recorded history, ours or another tool's.
#pragma once

#include <CLI/CLI.hpp>

namespace raftsim::tools {

// Registers the subcommand on `app`. Its callback prints the verdict (and the explanation of a
// violation) and sets exit_code: 0 linearizable, 1 not, 2 bad input, 3 unknown (budget).
void add_check_history_command(CLI::App& app, int& exit_code);

}  // namespace raftsim::tools

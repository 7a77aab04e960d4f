// `raftsim run FILE`: runs a scenario in the simulated world and judges it.
#pragma once

#include <CLI/CLI.hpp>

namespace raftsim::tools {

void add_run_command(CLI::App& app, int& exit_code);

}  // namespace raftsim::tools

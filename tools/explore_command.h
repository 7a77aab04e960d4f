// `raftsim explore FILE --runs N`: many seeds of one scenario, each with its own random faults;
// every kind of failure found is shrunk and written as a runnable repro.
#pragma once

#include <CLI/CLI.hpp>

namespace raftsim::tools {

void add_explore_command(CLI::App& app, int& exit_code);

}  // namespace raftsim::tools

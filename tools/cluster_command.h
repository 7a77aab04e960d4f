// `raftsim cluster up|down|status|partition|heal|kill|restart|pause|resume|wipe`: a local
// multi-process cluster under one directory (default ./raftsim-cluster).
#pragma once

#include <CLI/CLI.hpp>

namespace raftsim::tools {

void add_cluster_command(CLI::App& app, int& exit_code);

}  // namespace raftsim::tools

// `raftsim node --id ID --cluster FILE --data DIR`: runs one real Raft node process.
#pragma once

#include <CLI/CLI.hpp>

namespace raftsim::tools {

void add_node_command(CLI::App& app, int& exit_code);

}  // namespace raftsim::tools

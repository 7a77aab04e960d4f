// --tls-cert, --tls-key and --tls-ca, the same on every command that talks to real nodes.
#pragma once

#include <CLI/CLI.hpp>

#include "real/cluster_file.h"

namespace raftsim::tools {

// `whose`: says whose certificate it is ("the node's").
void add_tls_options(CLI::App& cmd, real::TlsFiles& tls, const std::string& whose);

}  // namespace raftsim::tools

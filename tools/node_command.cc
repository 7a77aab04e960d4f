#include "node_command.h"

#include <fmt/format.h>

#include "real/cluster_file.h"
#include "real/node_process.h"
#include "real/tls.h"
#include "tls_flags.h"

namespace raftsim::tools {

void add_node_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("node", "Run one real Raft node (gRPC on localhost, file WAL)");
  struct Args {
    std::string id;
    std::string cluster;
    std::string data;
    real::TlsFiles tls;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("--id", args->id, "This node's id or name in the cluster file")->required();
  cmd->add_option("--cluster", args->cluster, "The cluster file (YAML)")->required();
  cmd->add_option("--data", args->data, "The data directory (log + metadata)")->required();
  add_tls_options(*cmd, args->tls, "this node's (default: the cluster file's tls)");
  cmd->callback([args, &exit_code] {
    auto cluster = real::read_cluster_file(args->cluster);
    if (auto* error = std::get_if<std::string>(&cluster)) {
      fmt::print(stderr, "{}\n", *error);
      exit_code = 2;
      return;
    }
    real::ClusterFile& file = std::get<real::ClusterFile>(cluster);
    if (args->tls.enabled()) file.tls = args->tls;
    auto tls = real::load_tls(file.tls);
    if (auto* error = std::get_if<std::string>(&tls)) {
      fmt::print(stderr, "{}\n", *error);
      exit_code = 2;
      return;
    }
    for (const real::ClusterMember& m : file.nodes) {
      if (file.tls.enabled() && m.control.empty()) {
        fmt::print(stderr,
                   "{}: with TLS every node needs its own `control` address (node {} has none)\n",
                   args->cluster, m.name);
        exit_code = 2;
        return;
      }
    }
    const real::ClusterMember* self = file.find(args->id);
    if (!self) {
      fmt::print(stderr, "{}: no node '{}' in the cluster file\n", args->cluster, args->id);
      exit_code = 2;
      return;
    }
    exit_code = real::run_node_process({file, self->id, args->data, std::get<0>(tls)});
  });
}

}  // namespace raftsim::tools

#include "kv_command.h"

#include <fmt/format.h>

#include <filesystem>

#include "real/kv_client.h"
#include "real/launcher.h"
#include "real/tls.h"
#include "tls_flags.h"

namespace raftsim::tools {

namespace {

struct KvArgs {
  std::string cluster;  // empty: DIR/cluster.yaml
  std::string dir = "./raftsim-cluster";
  std::string key;
  std::string value;
  std::string expected;
  int timeout_ms = 10000;
  real::TlsFiles tls;  // none: the cluster file's
};

int run_kv(node::KvOp op, const KvArgs& args) {
  // The cluster `raftsim cluster` manages in the same directory, unless a file is named.
  std::string path = args.cluster;
  if (path.empty()) {
    path = real::Launcher(args.dir).cluster_path();
    if (!std::filesystem::exists(path)) {
      fmt::print(stderr,
                 "{}: no cluster here (start one with `raftsim cluster up --dir {}`, or name its "
                 "file with --cluster)\n",
                 args.dir, args.dir);
      return 2;
    }
  }
  auto cluster = real::read_cluster_file(path);
  if (auto* error = std::get_if<std::string>(&cluster)) {
    fmt::print(stderr, "{}\n", *error);
    return 2;
  }
  real::ClusterFile file = std::get<real::ClusterFile>(std::move(cluster));
  auto tls = real::load_tls(args.tls.enabled() ? args.tls : file.tls);
  if (auto* error = std::get_if<std::string>(&tls)) {
    fmt::print(stderr, "{}\n", *error);
    return 2;
  }
  real::KvClientOptions options;
  options.total_timeout = std::chrono::milliseconds(args.timeout_ms);
  options.credentials = real::channel_credentials(std::get<0>(tls));
  real::KvClient client(std::move(file), real::random_client_id(), options);
  const real::KvOutcome outcome = client.run(op, args.key, args.value, args.expected);
  switch (outcome.kind) {
    case real::KvOutcome::Kind::kOk:
      if (op == node::KvOp::kGet) {
        fmt::print("{}\n", outcome.result.value);
      } else if (op == node::KvOp::kCas && !outcome.result.ok) {
        fmt::print("cas failed: the value is \"{}\", not \"{}\"\n", outcome.result.value,
                   args.expected);
        return 1;
      } else {
        fmt::print("ok\n");
      }
      return 0;
    case real::KvOutcome::Kind::kUnknown:
      fmt::print("unknown: the write may or may not have happened ({})\n", outcome.detail);
      return 3;
    case real::KvOutcome::Kind::kNotDone:
      fmt::print(stderr, "not done: {}\n", outcome.detail);
      return 4;
  }
  return 4;
}

}  // namespace

void add_kv_command(CLI::App& app, int& exit_code) {
  auto* kv = app.add_subcommand("kv", "Talk to a real cluster's key-value store");
  kv->require_subcommand(1);
  auto args = std::make_shared<KvArgs>();
  auto add = [&](const char* name, const char* help, node::KvOp op) {
    auto* cmd = kv->add_subcommand(name, help);
    auto* file = cmd->add_option("--cluster", args->cluster, "The cluster file (YAML)");
    cmd->add_option("--dir", args->dir, "The directory of a `raftsim cluster` (without --cluster)")
        ->capture_default_str()
        ->excludes(file);
    add_tls_options(*cmd, args->tls, "the client's (default: the cluster file's tls)");
    cmd->add_option("--timeout-ms", args->timeout_ms, "Give up after this long (every retry)")
        ->check(CLI::Range(100, 600000));
    cmd->add_option("key", args->key, "The key")->required();
    if (op == node::KvOp::kCas) {
      cmd->add_option("expected", args->expected, "The value that must be current")->required();
    }
    if (op != node::KvOp::kGet) cmd->add_option("value", args->value, "The value")->required();
    cmd->callback([args, op, &exit_code] { exit_code = run_kv(op, *args); });
  };
  add("get", "Read a key (a missing key reads as \"\")", node::KvOp::kGet);
  add("put", "Set a key", node::KvOp::kPut);
  add("append", "Append to a key's value", node::KvOp::kAppend);
  add("cas", "Set a key to VALUE if it is EXPECTED", node::KvOp::kCas);
}

}  // namespace raftsim::tools

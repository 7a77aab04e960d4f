#include "cluster_command.h"

#include <fmt/format.h>

#include <thread>

#include "real/cluster_membership.h"
#include "real/launcher.h"
#include "tls_flags.h"

namespace raftsim::tools {

namespace {

struct ClusterArgs {
  std::string dir = "./raftsim-cluster";
  int nodes = 3;
  int voters = 0;  // 0: every node
  bool learner = false;
  int timeout_ms = 20000;
  real::ClusterFile settings;  // of `up`: options and compaction
  std::string node;
  std::string groups;
  std::string senders, receivers;
  bool watch = false;
  int interval_ms = 1000;
};

int report(const real::LaunchResult& result) {
  for (const std::string& note : result.notes)
    fmt::print("{}\n", note);
  if (!result.ok()) {
    fmt::print(stderr, "{}\n", result.error);
    return result.bad_input ? 2 : 1;
  }
  return 0;
}

int show_status(const ClusterArgs& args) {
  real::Launcher launcher(args.dir);
  if (!std::filesystem::exists(launcher.cluster_path())) {
    fmt::print(stderr, "{}: no cluster here\n", args.dir);
    return 2;
  }
  for (;;) {
    const std::string table = real::Launcher::format_status(launcher.status());
    if (args.watch) fmt::print("\x1b[H\x1b[2J");
    fmt::print("{}", table);
    if (!args.watch) return 0;
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::milliseconds(args.interval_ms));
  }
}

}  // namespace

void add_cluster_command(CLI::App& app, int& exit_code) {
  auto* cluster = app.add_subcommand("cluster", "A local multi-process cluster of real nodes");
  cluster->require_subcommand(1);
  auto args = std::make_shared<ClusterArgs>();
  auto sub = [&](const char* name, const char* help) {
    auto* cmd = cluster->add_subcommand(name, help);
    cmd->add_option("--dir", args->dir, "The cluster's directory")->capture_default_str();
    return cmd;
  };
  auto* up = sub("up", "Start N node processes on free loopback ports");
  up->add_option("-n,--nodes", args->nodes, "How many nodes")->check(CLI::Range(1, 99));
  up->add_option("--snapshot-every", args->settings.snapshot_every,
                 "Compact each node's log into a snapshot after this many applied entries "
                 "(0: never)")
      ->check(CLI::Range(uint64_t{0}, uint64_t{1'000'000'000}))
      ->capture_default_str();
  up->add_option("--pre-vote", args->settings.pre_vote,
                 "Pre-vote (§9.6): false shows how a node that cannot win raises every term")
      ->capture_default_str();
  up->add_option("--check-quorum", args->settings.check_quorum,
                 "Check-quorum: a leader without a live majority steps down")
      ->capture_default_str();
  up->add_option("--voters", args->voters,
                 "How many of the nodes (the first) start as voters; the rest are spares that "
                 "`cluster add` makes members (default: all)")
      ->check(CLI::Range(1, 99));
  add_tls_options(*up, args->settings.tls, "every node's");
  up->callback([args, &exit_code] {
    exit_code = report(real::Launcher(args->dir).up(args->nodes, args->settings, args->voters));
  });

  sub("down", "Kill every node process and wait for it to exit")->callback([args, &exit_code] {
    exit_code = report(real::Launcher(args->dir).down());
  });

  auto* status = sub("status", "Each node's role, term, commit and last log index");
  status->add_flag("--watch", args->watch, "Refresh until interrupted");
  status->add_option("--interval-ms", args->interval_ms, "Refresh period for --watch")
      ->check(CLI::Range(100, 60000));
  status->callback([args, &exit_code] { exit_code = show_status(*args); });

  auto* partition = sub("partition", "Split the cluster: groups like n1,n2,n3/n4,n5");
  partition->add_option("groups", args->groups, "Groups of node names, separated by /")->required();
  partition->callback([args, &exit_code] {
    exit_code = report(real::Launcher(args->dir).partition(args->groups));
  });
  auto* cut = sub("cut", "Cut links one way: SENDERS' messages to RECEIVERS are dropped");
  cut->add_option("senders", args->senders, "Node names, comma-separated (n2,n3)")->required();
  cut->add_option("receivers", args->receivers, "Node names, comma-separated (n1)")->required();
  cut->callback([args, &exit_code] {
    exit_code = report(real::Launcher(args->dir).cut(args->senders, args->receivers));
  });
  sub("heal", "Open every link again")->callback([args, &exit_code] {
    exit_code = report(real::Launcher(args->dir).heal());
  });

  using Action = real::LaunchResult (real::Launcher::*)(const std::string&);
  auto on_node = [&](const char* name, const char* help, Action action) {
    auto* cmd = sub(name, help);
    cmd->add_option("node", args->node, "The node's name (or id)")->required();
    cmd->callback([args, action, &exit_code] {
      real::Launcher launcher(args->dir);
      exit_code = report((launcher.*action)(args->node));
    });
  };
  on_node("kill", "Crash a node (SIGKILL)", &real::Launcher::kill);
  on_node("restart", "Start a node again (killing it first if it runs)", &real::Launcher::restart);
  on_node("pause", "Freeze a node (SIGSTOP)", &real::Launcher::pause);
  on_node("resume", "Unfreeze a node (SIGCONT)", &real::Launcher::resume);
  on_node("wipe", "Kill a node, delete its data directory, start it empty", &real::Launcher::wipe);

  // Membership changes (thesis ch. 4), each waiting until it commits.
  using Change = real::LaunchResult (*)(real::Launcher&, const real::MembershipRequest&);
  auto on_member = [&](const char* name, const char* help, Change change) {
    auto* cmd = sub(name, help);
    cmd->add_option("node", args->node, "The server's name (or id)")->required();
    cmd->add_option("--timeout-ms", args->timeout_ms, "Give up waiting for the commit after this")
        ->check(CLI::Range(100, 600000))
        ->capture_default_str();
    cmd->callback([args, change, &exit_code] {
      real::Launcher launcher(args->dir);
      exit_code = report(change(
          launcher, {args->node, args->learner, std::chrono::milliseconds(args->timeout_ms)}));
    });
    return cmd;
  };
  on_member("add",
            "Make a server a member: start it if down, add it as a learner, promote it once "
            "caught up",
            &real::add_server)
      ->add_flag("--learner", args->learner, "Stop once it is a learner (promote it later)");
  on_member("promote", "Make a learner a voter, once it has caught up", &real::promote_server);
  on_member("remove", "Take a server out of the configuration, then stop its process",
            &real::remove_server);
}

}  // namespace raftsim::tools

// raftsim: a Raft consensus fault-injection simulator.
//
// Exit codes, for every subcommand: 0 all checks and expectations held; 1 a violation or an
// unmet expectation; 2 bad input or usage; 3 (check-history only) the verdict is unknown.
// `raftsim kv` has its own codes for outcomes a client cannot know (see kv_command.h).
#include <CLI/CLI.hpp>

#include "check_history_command.h"
#include "explore_command.h"
#include "run_command.h"
#include "view_command.h"
#ifdef RAFTSIM_REAL
#include "cluster_command.h"
#include "external/runner.h"
#include "kv_command.h"
#include "node_command.h"
#endif

int main(int argc, char** argv) {
  CLI::App app{"raftsim: break Raft on purpose, and watch it hold", "raftsim"};
  app.require_subcommand(1);
  int exit_code = 0;
  raftsim::tools::add_run_command(app, exit_code);
  raftsim::tools::add_check_history_command(app, exit_code);
  raftsim::tools::add_explore_command(app, exit_code);
  raftsim::tools::add_view_command(app, exit_code);
#ifdef RAFTSIM_REAL
  // Scenarios with external nodes (cluster.implementation, `explore --node`) run them in
  // deterministic mode wherever the scenario layer runs a scenario: explore, the shrinker.
  raftsim::scenario::set_implementation_runner(
      raftsim::external::run_implementation_deterministically);
  raftsim::tools::add_node_command(app, exit_code);
  raftsim::tools::add_cluster_command(app, exit_code);
  raftsim::tools::add_kv_command(app, exit_code);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;  // --help is success; any usage error is bad input
  }
  return exit_code;
}

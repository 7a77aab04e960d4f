#include "run_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "scenario/parse.h"
#include "scenario/runner.h"

namespace raftsim::tools {

namespace {

struct RunFlags {
  std::string file;
  std::optional<uint64_t> seed;
  std::string trace;
  std::string history;
  std::string export_format;
  bool quiet = false;
  bool verbose = false;
};

int run(const RunFlags& flags) {
  auto parsed = scenario::parse_scenario_file(flags.file);
  if (auto* error = std::get_if<scenario::ParseError>(&parsed)) {
    std::fputs(error->text().c_str(), stderr);
    return 2;
  }
  const scenario::Scenario& s = std::get<scenario::Scenario>(parsed);
  scenario::RunOptions options;
  options.seed = flags.seed;
  options.trace_path = flags.trace;
  options.narrate = !flags.quiet;
  options.verbose = flags.verbose;
  if (!flags.export_format.empty() || !flags.history.empty()) {
    options.history_format = flags.export_format.empty() ? "raftsim" : flags.export_format;
    const char* extension = options.history_format == "edn"         ? "edn"
                            : options.history_format == "porcupine" ? "txt"
                                                                    : "jsonl";
    options.history_path =
        flags.history.empty()
            ? fmt::format("{}-seed{}.history.{}", s.name, flags.seed.value_or(s.seed), extension)
            : flags.history;
  }
  if (!flags.quiet) {
    if (!s.teaches.empty()) fmt::print("{}\n\n", s.teaches);
    const size_t nodes = s.world.node_names.size();
    fmt::print("running {} (seed {}, {:g}s simulated, {} node{})\n", s.name,
               flags.seed.value_or(s.seed), sim::seconds(s.duration), nodes, nodes == 1 ? "" : "s");
  }
  const scenario::RunReport report = scenario::run_scenario(s, options);
  if (!report.error.empty()) {
    fmt::print(stderr, "raftsim: {}\n", report.error);
    return 2;
  }
  if (flags.quiet) {
    const std::string table = scenario::format_report(report, false);
    // The last line is the summary.
    const auto last = table.rfind('\n', table.size() - 2);
    fmt::print("{}", table.substr(last + 1));
  } else {
    fmt::print("{}", scenario::format_report(report, true));
  }
  if (!options.history_path.empty() && !flags.quiet) {
    fmt::print("history written to {}\n", options.history_path);
  }
  return report.exit_code();
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* cmd = app.add_subcommand("run", "Run a scenario in the simulated world and check it");
  cmd->add_option("file", flags->file, "Scenario YAML file")->required();
  cmd->add_option("--seed", flags->seed, "Seed (overrides the scenario's)");
  cmd->add_option("--trace", flags->trace, "Write every trace event to this file (JSON Lines)");
  cmd->add_option("--history", flags->history, "Write the client history to this file");
  cmd->add_option("--export", flags->export_format, "History format: raftsim, edn, porcupine")
      ->check(CLI::IsMember({"raftsim", "edn", "porcupine"}));
  cmd->add_flag("--quiet,-q", flags->quiet, "Print only the summary line");
  cmd->add_flag("--verbose,-v", flags->verbose, "Narrate client operations and every commit");
  cmd->callback([flags, &exit_code] { exit_code = run(*flags); });
}

}  // namespace raftsim::tools

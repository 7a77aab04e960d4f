#include "run_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "number_flags.h"
#include "scenario/parse.h"
#include "scenario/runner.h"
#include "view_command.h"
#ifdef RAFTSIM_REAL
#include "external/runner.h"
#include "real/real_runner.h"
#endif

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
  bool real = false;
  std::string html;                    // the replay page, when set
  std::string trace_format = "jsonl";  // of --trace: jsonl | perfetto
  std::string node;                    // an external node's command
  std::string clock = "auto";          // external nodes: auto | deterministic | wall
  double init_timeout = 5;
  bool keep_logs = false;
  uint64_t event_budget = scenario::kEventsPerSecond;
};

// A file in the temporary directory, removed when this goes.
class TempFile {
 public:
  explicit TempFile(const std::string& what)
      : path_((std::filesystem::temp_directory_path() /
               fmt::format("raftsim-{}-{}", ::getpid(), what))
                  .string()) {}
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

#ifdef RAFTSIM_REAL
// A run in wall-clock time (real or external processes): the verdict table, less the simulated
// run's last line, and a summary naming the world (`world`) and what `report.events` counts.
// Quiet still says why a run failed: a failing test's log must name the row that broke.
int print_wall_clock_report(const RunFlags& flags, const scenario::RunReport& report,
                            std::string_view world, std::string_view counted) {
  if (!report.error.empty()) {
    fmt::print(stderr, "raftsim: {}\n", report.error);
    return 2;
  }
  std::string table = scenario::format_report(report, true);
  // The last line of a simulated run's table names seed, digest and simulated time: not ours.
  table.erase(table.rfind('\n', table.size() - 2) + 1);
  const std::string summary = fmt::format(
      "{} {} {} seed={} nodes={} {}={} wall={:.2f}s\n", report.outcome(), report.scenario, world,
      report.seed, report.node_names.size(), counted, report.events, report.wall_seconds);
  fmt::print("{}", flags.quiet && report.passed() ? summary : table + summary);
  if (!report.output_error.empty()) fmt::print(stderr, "raftsim: {}\n", report.output_error);
  return report.exit_code();
}

// A wall-clock run's --trace, --history and --html: the runner writes the trace of what it
// observed (node state reports, faults, client operations) and the history; the page and a
// Perfetto export are built from that trace afterwards. `run` takes the trace and history paths.
template <typename Run>
int run_wall_clock(const RunFlags& flags, Run run) {
  if (!flags.export_format.empty()) {
    fmt::print(stderr,
               "raftsim: --export applies to simulated runs only (--history writes "
               "raftsim's format)\n");
    return 2;
  }
  const bool perfetto = flags.trace_format == "perfetto";
  if (perfetto && flags.trace.empty()) {
    fmt::print(stderr, "raftsim: --trace-format perfetto needs --trace OUT.json\n");
    return 2;
  }
  for (const std::string& path : {flags.trace, flags.history, flags.html}) {
    if (!path.empty() && !std::ofstream(path, std::ios::app)) {
      fmt::print(stderr, "raftsim: {}: cannot open for writing\n", path);
      return 2;
    }
  }
  const TempFile temp_trace("trace.jsonl");
  const std::string trace =
      perfetto || (flags.trace.empty() && !flags.html.empty()) ? temp_trace.path() : flags.trace;
  const int code = run(trace, flags.history);
  if (code == 2 || trace.empty()) return code;
  std::string error;
  if (perfetto) error = write_perfetto_file(trace, flags.trace);
  if (error.empty() && !flags.html.empty())
    error = write_page_file(trace, flags.history, flags.html, {}, flags.quiet);
  if (!error.empty()) {
    fmt::print(stderr, "raftsim: {}\n", error);
    return 2;
  }
  return code;
}

int run_external(const RunFlags& flags, const scenario::Scenario& s) {
  std::string error;
  external::ExternalRunOptions options;
  options.command =
      flags.node.empty() ? s.implementation : external::split_command(flags.node, error);
  if (!error.empty()) {
    fmt::print(stderr, "raftsim: --node '{}': {}\n", flags.node, error);
    return 2;
  }
  const bool wall = flags.clock == "wall";
  const std::vector<std::string> refusals = external::external_mode_refusals(s, !wall);
  if (!refusals.empty()) {
    for (const std::string& r : refusals)
      fmt::print(stderr, "{}\n", r);
    fmt::print(stderr, "raftsim: {} cannot run against external nodes\n", flags.file);
    return 2;
  }
  if (flags.real) {
    fmt::print(stderr, "raftsim: --node and --real exclude each other\n");
    return 2;
  }
  if (!flags.quiet) {
    if (!s.teaches.empty()) fmt::print("{}\n\n", s.teaches);
    fmt::print("running {} against '{}' (seed {}, {:g}s, {} node processes)\n", s.name,
               fmt::join(options.command, " "), flags.seed.value_or(s.seed),
               sim::seconds(s.duration), s.world.node_names.size());
  }
  options.clock = wall                             ? external::NodeClock::kRealTime
                  : flags.clock == "deterministic" ? external::NodeClock::kDeterministic
                                                   : external::NodeClock::kAuto;
  options.narrate = !flags.quiet;
  options.verbose = flags.verbose;
  options.seed = flags.seed;
  options.init_timeout = std::chrono::milliseconds(static_cast<int64_t>(flags.init_timeout * 1000));
  options.keep_logs = flags.keep_logs;
  options.max_events_per_second = flags.event_budget;
  return run_wall_clock(flags, [&](const std::string& trace, const std::string& history) {
    options.trace_path = trace;
    options.history_path = history;
    const scenario::RunReport report = external::run_external_scenario(s, options);
    if (report.wall_clock || !report.error.empty())
      return print_wall_clock_report(flags, report, "external", "routed");
    // Deterministic: reported as a simulated run is, with its digest.
    const std::string table = scenario::format_report(report, true);
    if (flags.quiet && report.passed()) {
      fmt::print("{}", table.substr(table.rfind('\n', table.size() - 2) + 1));
    } else {
      fmt::print("{}", table);
    }
    if (!report.output_error.empty()) fmt::print(stderr, "raftsim: {}\n", report.output_error);
    return report.exit_code();
  });
}

int run_real(const RunFlags& flags, const scenario::Scenario& s) {
  const std::vector<std::string> refusals = real::real_mode_refusals(s);
  if (!refusals.empty()) {
    for (const std::string& r : refusals)
      fmt::print(stderr, "{}\n", r);
    fmt::print(stderr,
               "raftsim: {} cannot run in real mode (it runs in the simulator: raftsim run {})\n",
               flags.file, flags.file);
    return 2;
  }
  if (!flags.quiet) {
    if (!s.teaches.empty()) fmt::print("{}\n\n", s.teaches);
    fmt::print("running {} for real (seed {}, {:g}s of wall-clock time, {} node processes)\n",
               s.name, flags.seed.value_or(s.seed), sim::seconds(s.duration),
               s.world.node_names.size());
  }
  real::RealRunOptions options;
  options.narrate = !flags.quiet;
  options.verbose = flags.verbose;
  options.seed = flags.seed;
  return run_wall_clock(flags, [&](const std::string& trace, const std::string& history) {
    options.trace_path = trace;
    options.history_path = history;
    return print_wall_clock_report(flags, real::run_real_scenario(s, options), "real", "ops");
  });
}
#endif

int run(const RunFlags& flags) {
  auto parsed = scenario::parse_scenario_file(flags.file);
  if (auto* error = std::get_if<scenario::ParseError>(&parsed)) {
    std::fputs(error->text().c_str(), stderr);
    return 2;
  }
  const scenario::Scenario& s = std::get<scenario::Scenario>(parsed);
#ifdef RAFTSIM_REAL
  if (!flags.node.empty() || !s.implementation.empty()) return run_external(flags, s);
  if (flags.real) return run_real(flags, s);
#endif
  if (flags.trace_format == "perfetto" && flags.trace.empty()) {
    fmt::print(stderr, "raftsim: --trace-format perfetto needs --trace OUT.json\n");
    return 2;
  }
  scenario::RunOptions options;
  options.seed = flags.seed;
  options.max_events_per_second = flags.event_budget;
  options.trace_path = flags.trace;
  // The page and the Perfetto export are built from the JSON Lines trace (and the raftsim
  // history), exactly as `raftsim view` builds them from files a run left behind.
  const TempFile temp_trace("trace.jsonl");
  const TempFile temp_history("history.jsonl");
  const bool perfetto = flags.trace_format == "perfetto";
  if (perfetto || (!flags.html.empty() && flags.trace.empty())) {
    options.trace_path = temp_trace.path();
  }
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
    const std::string refusal = scenario::export_refusal(s, options.history_format);
    if (!refusal.empty()) {
      fmt::print(stderr, "raftsim: {}: {}\n", flags.file, refusal);
      return 2;
    }
  }
  std::string page_history = options.history_format == "raftsim" ? options.history_path : "";
  if (!flags.html.empty() && options.history_path.empty()) {
    options.history_path = page_history = temp_history.path();
  }
  // The run opens the trace file before its first event; a path it cannot open is reported now,
  // before the header and the narration, not after them. So are the other outputs.
  for (const std::string& path : {options.trace_path, flags.trace, flags.html}) {
    if (!path.empty() && !std::ofstream(path, std::ios::app)) {
      fmt::print(stderr, "raftsim: {}: cannot open for writing\n", path);
      return 2;
    }
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
  if (flags.quiet && report.passed()) {
    const std::string table = scenario::format_report(report, false);
    // The last line is the summary.
    const auto last = table.rfind('\n', table.size() - 2);
    fmt::print("{}", table.substr(last + 1));
  } else {
    fmt::print("{}", scenario::format_report(report, true));
  }
  // After the table: a history that could not be written does not cost the run's results.
  if (!report.output_error.empty()) {
    fmt::print(stderr, "raftsim: {}\n", report.output_error);
  } else if (!options.history_path.empty() && options.history_path != temp_history.path() &&
             !flags.quiet) {
    fmt::print("history written to {}\n", options.history_path);
  }
  std::string error;
  if (perfetto) error = write_perfetto_file(options.trace_path, flags.trace);
  if (error.empty() && !flags.html.empty()) {
    error = write_page_file(options.trace_path, report.output_error.empty() ? page_history : "",
                            flags.html, {}, flags.quiet);
  }
  if (!error.empty()) {
    fmt::print(stderr, "raftsim: {}\n", error);
    return 2;
  }
  return report.exit_code();
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* cmd = app.add_subcommand("run", "Run a scenario in the simulated world and check it");
  cmd->add_option("file", flags->file, "Scenario YAML file")->required();
  add_seed_option(
      *cmd, [flags](uint64_t seed) { flags->seed = seed; },
      "Seed (overrides the scenario's), 0 to 2^64-1");
  cmd->add_option("--trace", flags->trace, "Write every trace event to this file");
  cmd->add_option("--trace-format", flags->trace_format,
                  "jsonl (docs/trace.md) or perfetto (Chrome trace-event JSON for ui.perfetto.dev)")
      ->check(CLI::IsMember({"jsonl", "perfetto"}))
      ->capture_default_str();
  cmd->add_option("--html", flags->html,
                  "Write a self-contained replay page of the run to this file");
  cmd->add_option("--history", flags->history, "Write the client history to this file");
  cmd->add_option("--export", flags->export_format, "History format: raftsim, edn, porcupine")
      ->check(CLI::IsMember({"raftsim", "edn", "porcupine"}));
  cmd->add_flag("--quiet,-q", flags->quiet,
                "Print only the summary line (and the verdict table if the run fails)");
  cmd->add_flag("--verbose,-v", flags->verbose, "Narrate client operations and every commit");
  add_whole_number_option(
      *cmd, "--event-budget", [flags](uint64_t n) { flags->event_budget = n; },
      fmt::format("Events a run may take per simulated second (a step of an external node in "
                  "deterministic mode is one; default {}); past it the run stops and fails "
                  "event_budget. 0: no limit",
                  flags->event_budget),
      0, std::numeric_limits<uint64_t>::max());
#ifdef RAFTSIM_REAL
  cmd->add_flag("--real", flags->real,
                "Run against real node processes on localhost (see README, Real mode)");
  cmd->add_option("--node", flags->node,
                  "Run against external nodes: this command, speaking Maelstrom's protocol "
                  "(docs/external-protocol.md)");
  cmd->add_option("--clock", flags->clock,
                  "External nodes' clock: auto (deterministic when every node supports it), "
                  "deterministic, or wall")
      ->check(CLI::IsMember({"auto", "deterministic", "wall"}))
      ->capture_default_str();
  cmd->add_flag("--keep-logs", flags->keep_logs,
                "Keep external nodes' stderr logs and data directories when the run passes too");
  cmd->add_option("--init-timeout", flags->init_timeout,
                  "Seconds an external node has to answer init (default 5)")
      ->check(CLI::Range(0.01, 600.0));
#endif
  cmd->callback([flags, &exit_code] { exit_code = run(*flags); });
}

}  // namespace raftsim::tools

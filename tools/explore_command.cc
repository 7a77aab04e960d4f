#include "explore_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "explore/explore.h"
#include "explore/svg.h"
#include "number_flags.h"
#include "scenario/parse.h"
#include "view_command.h"
#ifdef RAFTSIM_REAL
#include "external/runner.h"
#endif

namespace raftsim::tools {

namespace {

struct ExploreFlags {
  std::string file;
  uint64_t runs = 0;
  uint64_t seed = 1;
  unsigned jobs = 0;
  std::string shard;
  std::string out = "out/explore";
  bool no_shrink = false;
  size_t shrink_runs = 500;
  std::string strategy = "guided";
  std::string coverage;  // SVG path
  std::string node;      // external nodes' command (deterministic mode)
  bool strategy_given = false;
};

// "guided", or several separated by commas ("random,guided"), run one after another over the
// same seeds: the coverage picture then compares them.
std::variant<std::vector<explore::Strategy>, std::string> parse_strategies(
    const std::string& text) {
  std::vector<explore::Strategy> out;
  size_t from = 0;
  while (from <= text.size()) {
    const size_t comma = std::min(text.find(',', from), text.size());
    const std::string name = text.substr(from, comma - from);
    const auto strategy = explore::parse_strategy(name);
    if (!strategy) {
      return fmt::format("--strategy {}: unknown strategy '{}' (expected random, swarm or guided)",
                         text, name);
    }
    out.push_back(*strategy);
    from = comma + 1;
  }
  return out;
}

std::optional<uint64_t> whole(std::string_view text) {
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// "I/N" with 0 <= I < N; the error names what is wrong.
std::string parse_shard(const std::string& text, explore::ExploreOptions& options) {
  const auto slash = text.find('/');
  const auto index = whole(std::string_view(text).substr(0, slash));
  const auto count =
      slash == std::string::npos ? std::nullopt : whole(std::string_view(text).substr(slash + 1));
  if (!index || !count) return fmt::format("--shard {}: expected I/N, e.g. 0/4", text);
  if (*count == 0) return fmt::format("--shard {}: the shard count N must be at least 1", text);
  if (*index >= *count) {
    return fmt::format("--shard {}: the shard index must be below the count (0 <= I < N = {})",
                       text, *count);
  }
  options.shard_index = *index;
  options.shard_count = *count;
  return "";
}

void print_progress(const explore::ExploreProgress& p) {
  const double rate = p.wall_seconds > 0 ? static_cast<double>(p.done) / p.wall_seconds : 0;
  const double eta = rate > 0 ? static_cast<double>(p.total - p.done) / rate : 0;
  fmt::print(stderr, "\r{}/{} runs  {:.1f} runs/s  {} failure{}  ETA {:.0f}s   ", p.done, p.total,
             rate, p.failures, p.failures == 1 ? "" : "s", eta);
  std::fflush(stderr);
}

void print_summary(const scenario::Scenario& s, const explore::ExploreOptions& options,
                   const explore::ExploreResult& r) {
  const double rate = r.wall_seconds > 0 ? static_cast<double>(r.seeds.size()) / r.wall_seconds : 0;
  const bool guided = r.strategy == explore::Strategy::kGuided;
  const bool external = !s.implementation.empty();
  fmt::print("explored {} ({}): {} runs", s.name, explore::to_string(r.strategy), r.seeds.size());
  if (!r.seeds.empty() && !guided) fmt::print(" (seeds {}..{}", r.seeds.front(), r.seeds.back());
  if (!r.seeds.empty() && guided)
    fmt::print(" (fresh seeds from {}", options.first_seed + options.shard_index);
  if (options.shard_count > 1)
    fmt::print(", shard {}/{}", options.shard_index, options.shard_count);
  if (!r.seeds.empty()) fmt::print(")");
  fmt::print(" in {:.1f}s ({:.{}f} runs/s", r.wall_seconds, rate, rate < 10 ? 1 : 0);
  if (!r.states_after.empty())
    fmt::print(", {}{} abstract states and {} transitions", r.coverage_bounded ? "at least " : "",
               r.states_after.back(), r.transitions);
  fmt::print("): ");
  if (!r.found()) {
    fmt::print("no failures\n");
    return;
  }
  fmt::print("{} failing run{}\n", r.failures.size(), r.failures.size() == 1 ? "" : "s");
  for (const explore::Finding& f : r.findings) {
    fmt::print("  {}: {} run{}, first at run {} (seed {})", f.label, f.count,
               f.count == 1 ? "" : "s", f.first_run + 1, f.first_seed);
    if (f.shrunk) {
      if (f.seeds_shrunk > 1)
        fmt::print("; smallest of {} seeds shrunk: seed {}", f.seeds_shrunk, f.repro_seed);
      fmt::print(", shrunk from {} to {} faults in {} runs", f.original_faults, f.shrunk_faults,
                 f.shrink_runs);
    } else {
      fmt::print(", not shrunk ({} faults)", f.original_faults);
    }
    if (!f.repro_path.empty()) {
      fmt::print("\n    repro: raftsim run {}", f.repro_path);
      // The replay page of the repro, beside it: the smallest failing run, to watch.
      const std::string page =
          std::filesystem::path(f.repro_path).replace_extension(".html").string();
      // External nodes' runs record no trace to replay.
      const std::string error = external ? "" : write_scenario_page(f.repro_path, page);
      if (external) {
        // no page
      } else if (error.empty()) {
        fmt::print("\n    page:  {}", page);
      } else {
        fmt::print("\n    warning: no replay page: {}", error);
      }
    }
    if (!f.reproduced) fmt::print("\n    warning: the repro did not show the failure again");
    if (!f.outside_model.empty()) {
      std::string kinds;
      for (const std::string& k : f.outside_model)
        kinds += (kinds.empty() ? "" : ", ") + k;
      fmt::print(
          "\n    note: the repro has faults outside Raft's fault model ({}): the "
          "violation may be theirs",
          kinds);
    }
    fmt::print("\n");
  }
}

int explore(ExploreFlags flags) {
  auto parsed = scenario::parse_scenario_file(flags.file);
  if (auto* error = std::get_if<scenario::ParseError>(&parsed)) {
    std::fputs(error->text().c_str(), stderr);
    return 2;
  }
  scenario::Scenario s = std::get<scenario::Scenario>(parsed);
  if (!flags.node.empty()) {
#ifdef RAFTSIM_REAL
    std::string error;
    s.implementation = external::split_command(flags.node, error);
    if (!error.empty()) {
      fmt::print(stderr, "raftsim: --node '{}': {}\n", flags.node, error);
      return 2;
    }
#else
    fmt::print(stderr, "raftsim: this build has no external nodes (RAFTSIM_REAL is off)\n");
    return 2;
#endif
  }
  if (!s.implementation.empty()) {
#ifdef RAFTSIM_REAL
    // Every run must be a function of its seed: external nodes run in deterministic mode, and a
    // node that does not support it is reported by the first run.
    const std::vector<std::string> refusals = external::external_mode_refusals(s, true);
    for (const std::string& r : refusals)
      fmt::print(stderr, "{}\n", r);
    if (!refusals.empty()) {
      fmt::print(stderr, "raftsim: {} cannot be explored with external nodes\n", flags.file);
      return 2;
    }
    if (flags.strategy.find("guided") != std::string::npos) {
      if (flags.strategy_given) {
        fmt::print(stderr,
                   "raftsim: --strategy guided steers by the states of raftsim's own core, "
                   "which external nodes do not expose; use random or swarm\n");
        return 2;
      }
      // The nearest search to guided that external nodes can take: each seed draws its own
      // faults and settings, where random would run one nemesis, or none at all, on every seed.
      flags.strategy = "swarm";
    }
#endif
  }
  explore::ExploreOptions options;
  options.runs = flags.runs;
  options.first_seed = flags.seed;
  options.jobs = flags.jobs;
  options.out_dir = flags.out;
  options.shrink = !flags.no_shrink;
  options.shrink_runs = flags.shrink_runs;
  if (!flags.shard.empty()) {
    if (const std::string error = parse_shard(flags.shard, options); !error.empty()) {
      fmt::print(stderr, "raftsim: {}\n", error);
      return 2;
    }
  }
  auto strategies = parse_strategies(flags.strategy);
  if (auto* error = std::get_if<std::string>(&strategies)) {
    fmt::print(stderr, "raftsim: {}\n", *error);
    return 2;
  }
  const auto& chosen = std::get<std::vector<explore::Strategy>>(strategies);
  const bool random_only = std::all_of(chosen.begin(), chosen.end(), [](explore::Strategy x) {
    return x == explore::Strategy::kRandom;
  });
  if (!s.nemesis.enabled() && random_only) {
    fmt::print(stderr,
               "raftsim: warning: {} has no nemesis section; every seed runs the same faults "
               "(--strategy swarm or guided draws faults of their own)\n",
               flags.file);
  }
  const bool terminal = isatty(fileno(stderr)) != 0;
  if (terminal) options.progress = print_progress;
  options.coverage = !flags.coverage.empty();
  bool found = false;
  std::vector<explore::CoverageLine> lines;
  for (explore::Strategy strategy : chosen) {
    options.strategy = strategy;
    const explore::ExploreResult result = explore::explore(s, options);
    if (terminal) fmt::print(stderr, "\n");
    if (!result.error.empty()) {
      fmt::print(stderr, "raftsim: {}\n", result.error);
      return 2;
    }
    print_summary(s, options, result);
    found = found || result.found();
    const double rate = result.wall_seconds > 0
                            ? static_cast<double>(result.seeds.size()) / result.wall_seconds
                            : 0;
    lines.push_back({fmt::format("{} ({:.0f} runs/s)", explore::to_string(strategy), rate),
                     result.states_after});
  }
  if (!flags.coverage.empty()) {
    std::ofstream out(flags.coverage);
    out << explore::coverage_svg(fmt::format("{}: coverage by strategy", s.name), lines);
    if (!out.flush()) {
      fmt::print(stderr, "raftsim: {}: cannot write file\n", flags.coverage);
      return 2;
    }
  }
  return found ? 1 : 0;
}

}  // namespace

void add_explore_command(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<ExploreFlags>();
  CLI::App* cmd = app.add_subcommand(
      "explore", "Search a scenario's fault schedules; shrink every failure found");
  cmd->add_option("file", flags->file, "Scenario YAML file")->required();
  add_whole_number_option(
      *cmd, "--runs", [flags](uint64_t runs) { flags->runs = runs; },
      "Number of seeds to run (before sharding), at least 1", 1,
      std::numeric_limits<uint64_t>::max())
      ->required();
  add_seed_option(
      *cmd, [flags](uint64_t seed) { flags->seed = seed; }, "First seed, 0 to 2^64-1")
      ->default_str("1");
  cmd->add_option("--jobs,-j", flags->jobs, "Threads (default: every core), at least 1")
      ->check(CLI::Range(1u, 4096u, "1 to 4096"));
  cmd->add_option("--shard", flags->shard,
                  "I/N: run only the seeds whose offset from --seed is I modulo N");
  cmd->add_option("--out", flags->out, "Directory for repro files")->capture_default_str();
  cmd->add_option("--strategy", flags->strategy,
                  "random (the nemesis as written), swarm (each seed draws its own configuration) "
                  "or guided (coverage-guided mutation); several, comma-separated, run in turn. "
                  "External nodes (--node): swarm unless named")
      ->capture_default_str()
      ->each([flags](const std::string&) { flags->strategy_given = true; });
#ifdef RAFTSIM_REAL
  cmd->add_option("--node", flags->node,
                  "Explore external nodes: this command, speaking Maelstrom's protocol with "
                  "raftsim's deterministic extension (docs/external-protocol.md)");
#endif
  cmd->add_option("--coverage", flags->coverage,
                  "Write distinct abstract states against runs, one line per strategy, as SVG");
  cmd->add_flag("--no-shrink", flags->no_shrink, "Write the failing run as found, unshrunk");
  cmd->add_option("--shrink-runs", flags->shrink_runs,
                  "Runs the shrinker may make per failing seed it shrinks")
      ->check(CLI::Range(size_t{1}, size_t{1000000}))
      ->capture_default_str();
  cmd->callback([flags, &exit_code] { exit_code = explore(*flags); });
}

}  // namespace raftsim::tools

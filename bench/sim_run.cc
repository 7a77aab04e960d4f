// Whole-run timer for the simulated world: runs a scenario once without narration and reports
// events per wall second, simulated seconds per wall second, and peak memory.
//
//   sim_run FILE [--seed N] [--no-invariants] [--no-linearizability]
#include <fmt/format.h>
#include <sys/resource.h>

#include <chrono>
#include <cstring>

#include "scenario/parse.h"
#include "scenario/runner.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: sim_run FILE [--seed N] [--no-invariants] [--no-linearizability]\n");
    return 2;
  }
  raftsim::scenario::RunOptions options;
  options.narrate = false;
  for (int i = 2; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--no-invariants")) options.check_invariants = false;
    if (!std::strcmp(argv[i], "--no-linearizability")) options.check_linearizability = false;
    if (!std::strcmp(argv[i], "--seed") && i + 1 < argc) options.seed = std::stoull(argv[++i]);
  }
  auto parsed = raftsim::scenario::parse_scenario_file(argv[1]);
  if (auto* error = std::get_if<raftsim::scenario::ParseError>(&parsed)) {
    fmt::print(stderr, "{}", error->text());
    return 2;
  }
  const auto& scenario = std::get<raftsim::scenario::Scenario>(parsed);
  const auto start = std::chrono::steady_clock::now();
  const raftsim::scenario::RunReport report = raftsim::scenario::run_scenario(scenario, options);
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double simulated = raftsim::sim::seconds(report.end);
  fmt::print(
      "{}: seed={} invariants={} linearizability={} events={} wall={:.2f}s events/s={:.0f} "
      "simulated/wall={:.0f}x peak_rss={}MB verdict={} digest={:016x}\n",
      scenario.name, report.seed, options.check_invariants ? "on" : "off",
      options.check_linearizability ? "on" : "off", report.events, wall, report.events / wall,
      simulated / wall, usage.ru_maxrss / 1024, report.passed() ? "PASS" : "FAIL", report.digest);
  for (const auto& row : report.rows) {
    if (!row.ok) fmt::print("  not ok: {}: {}\n", row.name, row.observed);
  }
  return report.exit_code();
}

#include "scenario/explore.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "scenario/parse.h"
#include "scenario/runner.h"

namespace raftsim::scenario {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A label as a file-name fragment: letters, digits and `_`.
std::string file_fragment(const std::string& label) {
  std::string out;
  for (char c : label) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (plain) {
      out += c;
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_')
    out.pop_back();
  return out.substr(0, 60);
}

// Runs every seed on `jobs` threads; outcome i belongs to seeds[i].
std::vector<Failure> run_seeds(const Scenario& scenario, const std::vector<uint64_t>& seeds,
                               const ExploreOptions& options, Clock::time_point start) {
  std::vector<std::optional<Failure>> outcomes(seeds.size());
  std::atomic<size_t> next{0};
  std::mutex mutex;
  std::condition_variable changed;
  size_t done = 0;
  uint64_t failures = 0;

  auto work = [&] {
    const RunOptions run_options = search_options("");
    for (size_t i = next++; i < seeds.size(); i = next++) {
      RunOptions o = run_options;
      o.seed = seeds[i];
      const RunReport report = run_scenario(scenario, o);
      std::optional<Failure> failure;
      if (!report.passed()) {
        failure =
            Failure{seeds[i], failure_label(report), report.violated_properties, report.digest};
      }
      std::lock_guard lock(mutex);
      outcomes[i] = std::move(failure);
      failures += outcomes[i].has_value();
      ++done;
      changed.notify_all();
    }
  };
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const unsigned jobs = static_cast<unsigned>(std::min<size_t>(
      options.jobs == 0 ? cores : options.jobs, std::max<size_t>(1, seeds.size())));
  {
    std::vector<std::jthread> pool;
    for (unsigned t = 0; t < jobs; ++t)
      pool.emplace_back(work);
    std::unique_lock lock(mutex);
    auto last_report = Clock::now();
    while (done < seeds.size()) {
      changed.wait_for(lock, std::chrono::milliseconds(250));
      if (options.progress &&
          (done == seeds.size() || Clock::now() - last_report >= std::chrono::milliseconds(250))) {
        last_report = Clock::now();
        options.progress({done, seeds.size(), failures, since(start)});
      }
    }
  }
  std::vector<Failure> out;
  for (auto& o : outcomes)
    if (o) out.push_back(std::move(*o));
  return out;
}

// Whether `raftsim run` on the repro text shows the failure again.
bool reproduces(const std::string& yaml, const std::string& path, const std::string& label) {
  auto parsed = parse_scenario_text(yaml, path);
  if (!std::holds_alternative<Scenario>(parsed)) return false;
  RunOptions options;
  options.narrate = false;
  const RunReport report = run_scenario(std::get<Scenario>(parsed), options);
  if (label.starts_with("expectation: ")) return !report.passed();
  const auto& v = report.violated_properties;
  return std::find(v.begin(), v.end(), label) != v.end();
}

Finding investigate(const Scenario& scenario, const Failure& first, uint64_t count,
                    const ExploreOptions& options) {
  Finding f;
  f.label = first.label;
  f.count = count;
  f.first_seed = f.repro_seed = first.seed;
  f.seeds_shrunk = 1;
  const Scenario concrete = concrete_scenario(scenario, first.seed);
  f.original_faults = count_faults(concrete.timeline);
  f.shrunk_faults = f.original_faults;

  // Only a violated property can be shrunk towards; an unmet expectation is written as found.
  ShrinkResult shrunk;
  shrunk.scenario = concrete;
  shrunk.property = first.label;
  shrunk.original_faults = shrunk.shrunk_faults = count_faults(concrete.timeline);
  const bool property = !first.label.starts_with("expectation: ");
  if (options.shrink && property) {
    shrunk = shrink(concrete, first.label, {.max_runs = options.shrink_runs});
    f.shrunk = shrunk.reproduced;
    f.shrunk_faults = shrunk.shrunk_faults;
    f.shrink_runs = shrunk.runs;
  }
  if (f.shrunk) {
    shrunk.scenario.name =
        fmt::format("{}_{}_seed{}", scenario.name, file_fragment(first.label), first.seed);
  }
  const std::string name =
      fmt::format("{}-{}-seed{}.yaml", scenario.name, file_fragment(first.label), first.seed);
  const std::string path =
      options.out_dir.empty() ? name : (std::filesystem::path(options.out_dir) / name).string();
  f.repro_yaml = repro_yaml(shrunk, first.seed, scenario.file, path);
  f.reproduced = reproduces(f.repro_yaml, path, first.label);
  if (!options.out_dir.empty()) f.repro_path = path;
  return f;
}

// Shrinks the first failing seeds of one label and keeps the smallest repro (ties: the lowest
// seed), so the answer depends only on the seeds, never on the threads.
Finding smallest_repro(const Scenario& scenario, const std::vector<const Failure*>& failures,
                       const ExploreOptions& options) {
  const uint64_t count = failures.size();
  Finding best = investigate(scenario, *failures.front(), count, options);
  if (!best.shrunk) return best;  // not shrinkable (or --no-shrink): the first one, as found
  const size_t tries = std::min<size_t>(failures.size(), std::max<size_t>(1, options.shrink_seeds));
  size_t runs = best.shrink_runs;
  for (size_t i = 1; i < tries; ++i) {
    Finding next = investigate(scenario, *failures[i], count, options);
    runs += next.shrink_runs;
    if (next.shrunk && next.reproduced && next.shrunk_faults < best.shrunk_faults)
      best = std::move(next);
  }
  best.first_seed = failures.front()->seed;
  best.seeds_shrunk = tries;
  best.shrink_runs = runs;
  return best;
}

std::string write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  if (!out || !(out << text) || !out.flush()) return fmt::format("{}: cannot write file", path);
  return "";
}

}  // namespace

std::vector<uint64_t> shard_seeds(const ExploreOptions& options) {
  std::vector<uint64_t> seeds;
  if (options.shard_count == 0 || options.shard_index >= options.shard_count) return seeds;
  for (uint64_t offset = options.shard_index; offset < options.runs; offset += options.shard_count)
    seeds.push_back(options.first_seed + offset);
  return seeds;
}

ExploreResult explore(const Scenario& scenario, const ExploreOptions& options) {
  ExploreResult result;
  const auto start = Clock::now();
  result.seeds = shard_seeds(options);
  result.failures = run_seeds(scenario, result.seeds, options, start);
  result.wall_seconds = since(start);

  // The failures of each label, in seed order; labels in the order they were first seen.
  std::map<std::string, std::vector<const Failure*>> by_label;
  std::vector<std::string> labels;
  for (const Failure& f : result.failures) {
    auto& seen = by_label[f.label];
    if (seen.empty()) labels.push_back(f.label);
    seen.push_back(&f);
  }
  const auto shrink_start = Clock::now();
  for (const std::string& label : labels) {
    Finding finding = smallest_repro(scenario, by_label[label], options);
    if (!finding.repro_path.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(options.out_dir, ec);
      if (ec) {
        result.error =
            fmt::format("{}: cannot create directory: {}", options.out_dir, ec.message());
        return result;
      }
      result.error = write_file(finding.repro_path, finding.repro_yaml);
      if (!result.error.empty()) return result;
    }
    result.findings.push_back(std::move(finding));
  }
  result.shrink_wall_seconds = since(shrink_start);
  return result;
}

}  // namespace raftsim::scenario

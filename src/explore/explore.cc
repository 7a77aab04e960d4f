#include "explore/explore.h"

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

namespace raftsim::explore {

using scenario::RunOptions;
using scenario::RunReport;
using scenario::ShrinkResult;

namespace {

// The stream a shard's search draws its mutations from.
constexpr uint64_t kShardStream = 5000;

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

// One run's outcome: its failure, if any, and the states it visited (when tracked).
struct Outcome {
  std::optional<Failure> failure;
  std::vector<uint64_t> coverage;  // each state, transition and situation once
};

Outcome run_one(const RunInput& input, bool coverage) {
  RunOptions o = scenario::search_options("");
  o.seed = input.seed;
  RunCoverage tracked;
  if (coverage) o.observe = [&tracked](sim::World& world) { tracked.attach(world); };
  const RunReport report = scenario::run_scenario(input.scenario, o);
  Outcome out;
  if (!report.passed()) {
    out.failure = Failure{0, input.seed, scenario::failure_label(report),
                          report.violated_properties, report.digest};
  }
  if (coverage) out.coverage = tracked.seen();
  return out;
}

struct Progress {
  uint64_t done = 0;
  uint64_t total = 0;
  uint64_t failures = 0;
  Clock::time_point start;
};

// Runs one batch on `jobs` threads; outcome i belongs to inputs[i].
std::vector<Outcome> run_batch(const std::vector<RunInput>& inputs, bool coverage,
                               const ExploreOptions& options, Progress& progress) {
  std::vector<Outcome> outcomes(inputs.size());
  std::atomic<size_t> next{0};
  std::mutex mutex;
  std::condition_variable changed;
  size_t done = 0;

  auto work = [&] {
    for (size_t i = next++; i < inputs.size(); i = next++) {
      Outcome outcome = run_one(inputs[i], coverage);
      std::lock_guard lock(mutex);
      progress.failures += outcome.failure.has_value();
      outcomes[i] = std::move(outcome);
      ++done;
      changed.notify_all();
    }
  };
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const unsigned jobs = static_cast<unsigned>(std::min<size_t>(
      options.jobs == 0 ? cores : options.jobs, std::max<size_t>(1, inputs.size())));
  std::vector<std::jthread> pool;
  for (unsigned t = 0; t < jobs; ++t)
    pool.emplace_back(work);
  std::unique_lock lock(mutex);
  auto last_report = Clock::now();
  while (done < inputs.size()) {
    changed.wait_for(lock, std::chrono::milliseconds(250));
    if (options.progress && Clock::now() - last_report >= std::chrono::milliseconds(250)) {
      last_report = Clock::now();
      options.progress(
          {progress.done + done, progress.total, progress.failures, since(progress.start)});
    }
  }
  lock.unlock();
  pool.clear();
  progress.done += inputs.size();
  return outcomes;
}

// Whether `raftsim run` on the repro text shows the failure again.
bool reproduces(const std::string& yaml, const std::string& path, const std::string& label) {
  auto parsed = scenario::parse_scenario_text(yaml, path);
  if (!std::holds_alternative<Scenario>(parsed)) return false;
  RunOptions options;
  options.narrate = false;
  const RunReport report = scenario::run_scenario(std::get<Scenario>(parsed), options);
  if (label.starts_with("expectation: ")) return !report.passed();
  const auto& v = report.violated_properties;
  return std::find(v.begin(), v.end(), label) != v.end();
}

// A failing run as it ran, with its drawn faults on the timeline, and what swarm drew for it.
struct FailedRun {
  const Failure* failure;
  Scenario concrete;
  std::string drawn;
};

// Comment lines above a repro: what swarm drew (its settings are written out below, so the
// file replays the run), and faults Raft's fault model excludes.
std::string header(const FailedRun& run, const Finding& f) {
  std::string out;
  if (!run.drawn.empty()) out += fmt::format("# {}.\n", run.drawn);
  if (!f.outside_model.empty()) {
    std::string kinds;
    for (const std::string& k : f.outside_model)
      kinds += (kinds.empty() ? "" : ", ") + k;
    out += fmt::format(
        "# Outside Raft's fault model: {}. Raft assumes stable storage and honest nodes, so this\n"
        "# violation may be the fault's doing rather than a bug's.\n",
        kinds);
  }
  return out;
}

Finding investigate(const Scenario& scenario, const FailedRun& run, uint64_t count,
                    const ExploreOptions& options) {
  const Failure& first = *run.failure;
  const Scenario& concrete = run.concrete;
  Finding f;
  f.label = first.label;
  f.count = count;
  f.first_seed = f.repro_seed = first.seed;
  f.first_run = first.run;
  f.seeds_shrunk = 1;
  f.original_faults = count_faults(concrete.timeline);
  f.shrunk_faults = f.original_faults;

  // Only a violated property can be shrunk towards; an unmet expectation is written as found.
  ShrinkResult shrunk;
  shrunk.scenario = concrete;
  shrunk.property = first.label;
  shrunk.original_faults = shrunk.shrunk_faults = count_faults(concrete.timeline);
  const bool property = !first.label.starts_with("expectation: ");
  if (options.shrink && property) {
    shrunk = scenario::shrink(concrete, first.label, {.max_runs = options.shrink_runs});
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
  f.outside_model = outside_fault_model(shrunk.scenario);
  f.repro_yaml = scenario::repro_yaml(shrunk, first.seed, scenario.file, path);
  if (!run.drawn.empty() || !f.outside_model.empty()) f.repro_yaml = header(run, f) + f.repro_yaml;
  f.reproduced = reproduces(f.repro_yaml, path, first.label);
  if (!options.out_dir.empty()) f.repro_path = path;
  return f;
}

// Shrinks the first failing seeds of one label and keeps the smallest repro (ties: the lowest
// seed), so the answer depends only on the seeds, never on the threads.
Finding smallest_repro(const Scenario& scenario, const std::vector<FailedRun>& failures,
                       const ExploreOptions& options) {
  const uint64_t count = failures.size();
  Finding best = investigate(scenario, failures.front(), count, options);
  if (!best.shrunk) return best;  // not shrinkable (or --no-shrink): the first one, as found
  const size_t tries = std::min<size_t>(failures.size(), std::max<size_t>(1, options.shrink_seeds));
  size_t runs = best.shrink_runs;
  for (size_t i = 1; i < tries; ++i) {
    Finding next = investigate(scenario, failures[i], count, options);
    runs += next.shrink_runs;
    if (next.shrunk && next.reproduced && next.shrunk_faults < best.shrunk_faults)
      best = std::move(next);
  }
  best.first_seed = failures.front().failure->seed;
  best.first_run = failures.front().failure->run;
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

SeedRange shard_seeds(const ExploreOptions& options) {
  if (options.shard_count == 0 || options.shard_index >= options.shard_count) return {};
  // The offsets shard_index, shard_index + shard_count, ... below runs.
  const uint64_t count = options.runs <= options.shard_index
                             ? 0
                             : (options.runs - options.shard_index - 1) / options.shard_count + 1;
  return {.first = options.first_seed + options.shard_index,
          .stride = options.shard_count,
          .count = count};
}

namespace {

// Runs the whole search, batch by batch, learning between batches in run order.
void run_search(const Scenario& scenario, const ExploreOptions& options, ExploreResult& result,
                std::vector<FailedRun>& failed) {
  const SeedRange seeds = shard_seeds(options);
  const uint64_t search_seed = raft::Random::derive_seed(
      options.first_seed ^ (options.shard_count << 32), kShardStream + options.shard_index);
  std::unique_ptr<Search> search = make_search(options.strategy, scenario, seeds, search_seed);
  const bool coverage = options.coverage || search->needs_coverage();
  Coverage seen;
  Progress progress{.total = seeds.size(), .start = Clock::now()};
  while (progress.done < seeds.size()) {
    const std::vector<RunInput> inputs =
        search->next(std::min<uint64_t>(search->batch(), seeds.size() - progress.done));
    if (inputs.empty()) break;
    std::vector<Outcome> outcomes = run_batch(inputs, coverage, options, progress);
    std::vector<Coverage::Gain> gains(inputs.size());
    std::vector<bool> failed_here(inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) {
      const uint64_t run = result.seeds.size();
      result.seeds.push_back(inputs[i].seed);
      if (coverage) {
        gains[i] = seen.add(std::move(outcomes[i].coverage));
        result.states_after.push_back(seen.states());
      }
      if (!outcomes[i].failure) continue;
      failed_here[i] = true;
      outcomes[i].failure->run = run;
      result.failures.push_back(std::move(*outcomes[i].failure));
      failed.push_back({nullptr,
                        inputs[i].concrete
                            ? inputs[i].scenario
                            : scenario::concrete_scenario(inputs[i].scenario, inputs[i].seed),
                        inputs[i].drawn});
    }
    search->learn(gains, failed_here);
  }
  result.transitions = seen.transitions();
  result.coverage_bounded = seen.bounded();
  for (size_t i = 0; i < failed.size(); ++i)
    failed[i].failure = &result.failures[i];
  if (options.progress)
    options.progress({progress.done, progress.total, progress.failures, since(progress.start)});
}

}  // namespace

ExploreResult explore(const Scenario& scenario, const ExploreOptions& options) {
  ExploreResult result;
  result.strategy = options.strategy;
  const auto start = Clock::now();
  std::vector<FailedRun> failed;
  run_search(scenario, options, result, failed);
  result.wall_seconds = since(start);

  // The failures of each label, in run order; labels in the order they were first seen.
  std::map<std::string, std::vector<FailedRun>> by_label;
  std::vector<std::string> labels;
  for (FailedRun& f : failed) {
    auto& seen = by_label[f.failure->label];
    if (seen.empty()) labels.push_back(f.failure->label);
    seen.push_back(std::move(f));
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

}  // namespace raftsim::explore

// Exploration: run one scenario many times, each run with its own fault schedule chosen by a
// strategy (search.h: random, swarm or guided), and shrink the failures of each kind to a small
// runnable repro.
//
// Each run is deterministic and a strategy decides each batch of runs before it runs (search.h),
// so the outcome depends only on the scenario, the seeds, the strategy and the shard — never on
// how many threads ran it: results are collected in run order, and each property's first failing
// runs are the ones shrunk.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "explore/search.h"
#include "scenario/scenario.h"
#include "scenario/shrink.h"

namespace raftsim::explore {

struct ExploreProgress {
  uint64_t done = 0;
  uint64_t total = 0;
  uint64_t failures = 0;
  double wall_seconds = 0;
};

struct ExploreOptions {
  // The library keeps seeds meaning what they always meant; `raftsim explore` defaults to guided.
  Strategy strategy = Strategy::kRandom;
  uint64_t runs = 100;      // seeds first_seed .. first_seed + runs - 1, before sharding
  uint64_t first_seed = 1;  //
  unsigned jobs = 0;        // threads; 0: every core
  // This shard takes the seeds whose offset from first_seed is shard_index modulo shard_count,
  // so shards 0/N .. N-1/N together make exactly the unsharded sweep.
  uint64_t shard_index = 0;
  uint64_t shard_count = 1;  // 0 <= shard_index < shard_count
  std::string out_dir;       // repro files go here; empty: none are written
  bool shrink = true;
  size_t shrink_runs = 500;  // per failing seed shrunk
  // Each property's first `shrink_seeds` failing seeds are shrunk and the smallest repro is kept:
  // runs are chaotic, so one schedule can shrink far better than another breaking the same rule.
  size_t shrink_seeds = 8;
  // Track the abstract states every run visits (coverage.h), for the coverage curve. Guided
  // always does: it steers by them.
  bool coverage = false;
  // Called from the calling thread about four times a second while seeds run, and once at the end.
  std::function<void(const ExploreProgress&)> progress;
};

// One failing run.
struct Failure {
  uint64_t run = 0;  // its place in the sweep, from 0
  uint64_t seed = 0;
  std::string label;  // failure_label(): the first violated property, or the unmet expectation
  std::vector<std::string> violated;
  uint64_t digest = 0;
};

// Every failure with one label, with the first one shrunk.
struct Finding {
  std::string label;
  uint64_t count = 0;
  uint64_t first_seed = 0;
  uint64_t first_run = 0;      // of the sweep, from 0: runs to first detection is first_run + 1
  uint64_t repro_seed = 0;     // the failing seed the repro comes from
  size_t seeds_shrunk = 0;     // failing seeds shrunk to choose it
  size_t original_faults = 0;  // of repro_seed's run
  size_t shrunk_faults = 0;
  size_t shrink_runs = 0;   // over every seed shrunk
  bool shrunk = false;      // false: not shrunk (--no-shrink, or an unmet expectation)
  bool reproduced = false;  // the repro, run as `raftsim run` runs it, shows the violation
  std::string repro_path;   // empty when no file was written
  std::string repro_yaml;   // the file's text
  // Faults of the repro that Raft's fault model excludes (wipe, fsync_lies, ...): Raft promises
  // nothing under them, so the violation may be theirs rather than a bug's.
  std::vector<std::string> outside_model;
};

struct ExploreResult {
  Strategy strategy = Strategy::kRandom;
  std::vector<uint64_t> seeds;    // the seed of each run, in run order (random, swarm: ascending)
  std::vector<Failure> failures;  // by run
  std::vector<Finding> findings;  // by first run
  // With coverage: distinct abstract states seen after each run, and transitions after the last.
  std::vector<uint64_t> states_after;
  uint64_t transitions = 0;
  bool coverage_bounded = false;  // the exact set filled up: the counts are lower bounds
  std::string error;              // e.g. the output directory cannot be written
  double wall_seconds = 0;        // running the seeds (shrinking excluded)
  double shrink_wall_seconds = 0;
  bool found() const { return !failures.empty(); }
};

// The seeds a shard runs (random, swarm) or draws its fresh schedules from (guided) (empty if the
// shard is out of range).
SeedRange shard_seeds(const ExploreOptions& options);

ExploreResult explore(const scenario::Scenario& scenario, const ExploreOptions& options);

}  // namespace raftsim::explore

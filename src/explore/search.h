// The strategies of `raftsim explore`: each decides which runs come next.
//
// A search hands out runs in batches whose inputs are all decided before any of them runs, and
// learns from a batch only once all of it has run, in input order. So what runs depends only on
// the scenario, the seeds and the strategy — never on how many threads ran the batch.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "explore/coverage.h"
#include "explore/schedule.h"

namespace raftsim::explore {

enum class Strategy : uint8_t {
  kRandom,  // every seed draws faults from the scenario's nemesis, as written
  kSwarm,   // every seed first draws its own configuration and fault mix (swarm.h)
  kGuided,  // swarm draws, plus mutations of the schedules that reached new coverage
};

std::string_view to_string(Strategy strategy);
std::optional<Strategy> parse_strategy(std::string_view name);

struct RunInput {
  Scenario scenario;  // as it runs (random: the file's, its nemesis drawn by the run itself)
  uint64_t seed = 0;
  bool concrete = false;  // the scenario's faults are all on its timeline (swarm, guided)
  std::string drawn;      // what swarm drew (empty: random)
};

class Search {
 public:
  virtual ~Search() = default;
  // The next `count` runs.
  virtual std::vector<RunInput> next(size_t count) = 0;
  // What each run of the last batch added to the search's coverage, and whether it failed.
  virtual void learn(const std::vector<Coverage::Gain>& /*gains*/,
                     const std::vector<bool>& /*failed*/) {}
  // Runs per batch: learning happens between batches.
  virtual size_t batch() const { return 256; }
  virtual bool needs_coverage() const { return false; }
};

// The seeds of one shard: `first`, `first + stride`, ..., `count` of them (wrapping past
// 2^64 - 1 as seeds do). A value, not a list: a sweep of any length costs no memory up front.
struct SeedRange {
  uint64_t first = 0;
  uint64_t stride = 1;
  uint64_t count = 0;

  uint64_t size() const { return count; }
  bool empty() const { return count == 0; }
  uint64_t operator[](uint64_t i) const { return first + i * stride; }
  bool operator==(const SeedRange&) const = default;
};

// A search over `seeds` (the shard's). Random and swarm run exactly those seeds, one run each, so
// shards together make the unsharded sweep; guided draws its fresh runs from them in order and
// mutates from `search_seed`, so each shard is a search of its own.
std::unique_ptr<Search> make_search(Strategy strategy, const Scenario& base, SeedRange seeds,
                                    uint64_t search_seed);

}  // namespace raftsim::explore

#include "explore/search.h"

#include "explore/guided.h"
#include "explore/swarm.h"

namespace raftsim::explore {

namespace {

// Seeds run one after another; the batch size matters only for progress and memory.
class SeedSearch final : public Search {
 public:
  SeedSearch(const Scenario& base, SeedRange seeds, bool swarm)
      : base_(base), seeds_(std::move(seeds)), swarm_(swarm) {}

  std::vector<RunInput> next(size_t count) override {
    std::vector<RunInput> out;
    for (; out.size() < count && next_ < seeds_.size(); ++next_) {
      const uint64_t seed = seeds_[next_];
      if (!swarm_) {
        out.push_back({.scenario = base_, .seed = seed});
        continue;
      }
      const Schedule s = swarm_schedule(base_, seed);
      out.push_back(
          {.scenario = to_scenario(base_, s), .seed = seed, .concrete = true, .drawn = s.drawn});
    }
    return out;
  }

 private:
  const Scenario& base_;
  SeedRange seeds_;
  bool swarm_;
  size_t next_ = 0;
};

}  // namespace

std::string_view to_string(Strategy strategy) {
  switch (strategy) {
    case Strategy::kRandom:
      return "random";
    case Strategy::kSwarm:
      return "swarm";
    case Strategy::kGuided:
      return "guided";
  }
  return "?";
}

std::optional<Strategy> parse_strategy(std::string_view name) {
  for (Strategy s : {Strategy::kRandom, Strategy::kSwarm, Strategy::kGuided})
    if (to_string(s) == name) return s;
  return std::nullopt;
}

std::unique_ptr<Search> make_search(Strategy strategy, const Scenario& base, SeedRange seeds,
                                    uint64_t search_seed) {
  if (strategy == Strategy::kGuided) return make_guided_search(base, std::move(seeds), search_seed);
  return std::make_unique<SeedSearch>(base, std::move(seeds), strategy == Strategy::kSwarm);
}

}  // namespace raftsim::explore

#include "explore/guided.h"

#include <algorithm>
#include <cmath>

#include "explore/swarm.h"

namespace raftsim::explore {

namespace {

constexpr size_t kBatch = 64;
constexpr uint64_t kNemesisStream = 4000;  // the random nemesis's (nemesis.cc): the same draws
constexpr double kFresh = 0.2;             // share of runs that are fresh swarm draws
constexpr double kSpent = 0.9;             // a parent's energy after each pick
constexpr double kLeast = 0.05;            // energy never falls below this
constexpr size_t kCorpusLimit = 4096;      // past this, the weakest entry makes room
constexpr double kRarity = 10;             // see worth_of

class GuidedSearch final : public Search {
 public:
  GuidedSearch(const Scenario& base, SeedRange seeds, uint64_t search_seed)
      : base_(base), seeds_(std::move(seeds)), rng_(search_seed), kinds_(swarm_kinds(base)) {}

  std::vector<RunInput> next(size_t count) override {
    pending_.clear();
    std::vector<RunInput> out;
    while (out.size() < count && fresh_ + mutants_ < seeds_.size()) {
      const bool fresh = corpus_.empty() || rng_.chance(kFresh);
      Pending p;
      if (fresh) {
        // A scenario's own nemesis is somebody's best guess: half the fresh runs take it as
        // written, the other half draw a configuration of their own.
        const uint64_t seed = seeds_[fresh_++];
        p.schedule = base_.nemesis.enabled() && rng_.chance(0.5) ? as_written(seed)
                                                                 : swarm_schedule(base_, seed);
      } else {
        p.parent = pick();
        const size_t other = rng_.uniform(corpus_.size());
        p.schedule =
            mutate(with_kinds(corpus_[p.parent].schedule), corpus_[other].schedule, base_, rng_);
        ++mutants_;
      }
      out.push_back({.scenario = to_scenario(base_, p.schedule),
                     .seed = p.schedule.seed,
                     .concrete = true,
                     .drawn = p.schedule.drawn});
      pending_.push_back(std::move(p));
    }
    return out;
  }

  void learn(const std::vector<Coverage::Gain>& gains, const std::vector<bool>& failed) override {
    for (size_t i = 0; i < pending_.size(); ++i) {
      // A run that found nothing new earns nothing, however rare its situations: its parent's
      // energy is spent as it was picked.
      if (gains[i].total() == 0) continue;
      const double worth = worth_of(gains[i]);
      if (pending_[i].parent != kNone) corpus_[pending_[i].parent].energy += worth;
      // A failing run stopped at its violation: mutating it finds the same failure again.
      if (!failed[i]) corpus_.push_back({std::move(pending_[i].schedule), worth});
    }
    while (corpus_.size() > kCorpusLimit) {
      auto weakest =
          std::min_element(corpus_.begin(), corpus_.end(),
                           [](const Entry& a, const Entry& b) { return a.energy < b.energy; });
      corpus_.erase(weakest);
    }
    pending_.clear();
  }

  size_t batch() const override { return kBatch; }
  bool needs_coverage() const override { return true; }

 private:
  static constexpr size_t kNone = SIZE_MAX;
  struct Entry {
    Schedule schedule;
    double energy = 0;
  };
  struct Pending {
    Schedule schedule;
    size_t parent = kNone;
  };

  // What a run that found something new earns its schedule (and its parent): new states,
  // transitions and situations count on a log scale, since every run of a long schedule finds
  // hundreds; rare delivery situations count in full. A situation no run met before is worth as
  // much as about 2^kRarity new states: a schedule that makes a message meet its receiver in a
  // rare way is the one to mutate, as a rule broken there shows only there. kRarity is a
  // judgement, not a measured optimum.
  static double worth_of(const Coverage::Gain& gain) {
    return std::log2(1.0 + static_cast<double>(gain.total())) + kRarity * gain.rarity;
  }

  // A corpus entry chosen with odds by energy; the pick spends some of it.
  size_t pick() {
    double total = 0;
    for (const Entry& e : corpus_)
      total += e.energy;
    double at = rng_.unit() * total;
    size_t chosen = corpus_.size() - 1;
    for (size_t i = 0; i < corpus_.size(); ++i) {
      at -= corpus_[i].energy;
      if (at < 0) {
        chosen = i;
        break;
      }
    }
    corpus_[chosen].energy = std::max(kLeast, corpus_[chosen].energy * kSpent);
    return chosen;
  }

  // The scenario's settings, and faults drawn from its nemesis as the random strategy draws them.
  Schedule as_written(uint64_t seed) const {
    raft::Random rng(raft::Random::derive_seed(seed, kNemesisStream));
    Schedule s{.world = base_.world, .nemesis = base_.nemesis, .seed = seed};
    s.spans = draw_spans(base_.nemesis, base_.world, sim::kTimeZero + base_.duration, rng);
    return s;
  }

  // A schedule whose swarm draw switched every fault kind off may still gain faults by mutation:
  // inserts draw from every kind the scenario allows.
  Schedule with_kinds(Schedule s) const {
    if (s.nemesis.faults.empty()) s.nemesis.faults = kinds_;
    return s;
  }

  const Scenario& base_;
  SeedRange seeds_;
  raft::Random rng_;
  const std::vector<FaultKind> kinds_;  // every kind the scenario allows
  std::vector<Entry> corpus_;
  std::vector<Pending> pending_;
  size_t fresh_ = 0;    // seeds used by fresh draws
  size_t mutants_ = 0;  // runs of mutated schedules
};

}  // namespace

std::unique_ptr<Search> make_guided_search(const Scenario& base, SeedRange seeds,
                                           uint64_t search_seed) {
  return std::make_unique<GuidedSearch>(base, std::move(seeds), search_seed);
}

}  // namespace raftsim::explore

#include "scenario/shrink.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "scenario/faults.h"
#include "scenario/nemesis.h"
#include "scenario/shrink_sizes.h"
#include "scenario/shrink_units.h"
#include "scenario/write.h"

namespace raftsim::scenario {

namespace {

size_t total_nodes(const Scenario& s) {
  return s.world.node_names.size();
}

class Shrinker {
 public:
  Shrinker(Scenario start, std::string property, size_t max_runs)
      : first_seed_(start.seed),
        best_(std::move(start)),
        property_(std::move(property)),
        max_runs_(max_runs) {}

  const Scenario& best() const { return best_; }
  size_t runs() const { return runs_; }

  // Runs `candidate`; keeps it if it still violates the property. With `reseed_`, a candidate
  // that does not is tried under the other seeds too (see round()).
  bool attempt(Scenario candidate) {
    if (candidate == best_) return false;
    if (try_seed(candidate)) return true;
    if (!reseed_) return false;
    const uint64_t tried = candidate.seed;
    for (uint64_t k = reseeds_from_; k <= reseeds_; ++k) {
      candidate.seed = first_seed_ + k;
      if (candidate.seed != tried && try_seed(candidate)) return true;
    }
    return false;
  }

  bool check_start() {
    ++runs_;
    best_report_ = run_scenario(best_, search_options(property_));
    return violates(best_report_);
  }

  // One round of every pass; true if any of them made the scenario smaller.
  //
  // When they are stuck, the passes that take faults away run again, each candidate under other
  // seeds as well. The seed draws only latencies, timeouts and client choices around the
  // schedule, and the schedule is what is being shrunk: a violation needs its events to line up
  // within milliseconds, dropping a fault moves every later event, and another seed often lines
  // them up again. The seeds tried are a fixed list after the first one, so shrinking stays
  // deterministic; the repro file records the seed kept.
  bool round() {
    if (plain_round()) return true;
    if (drop_and_shift()) return true;
    if (drop_neighbours()) return true;
    if (drop_and_rename()) return true;
    // Stuck under these seeds: a rarer alignment may be there under more of them. Each widening
    // tries four times as many, for as long as the budget lasts, and only the seeds not tried
    // yet: the passes above and the seeds already tried would fail again as they did.
    for (reseeds_from_ = 1;; reseeds_from_ = reseeds_ + 1, reseeds_ *= 4) {
      reseed_ = true;
      bool progress = drop_faults(/*one_at_a_time=*/true);
      progress |= drop_undos();
      progress |= pin_leader_faults();
      reseed_ = false;
      if (progress) return true;
      if (reseeds_ >= kMostReseeds || runs_ >= max_runs_) return false;
    }
  }

 private:
  bool plain_round() {
    bool progress = false;
    progress |= pin_toggles();
    progress |= drop_checks();
    progress |= cut_run();
    progress |= drop_faults();
    // A long schedule would spend the whole budget on the single-fault passes below (a run or
    // more per fault each): it is cut by large stretches first, for as long as that works.
    if (units_of(best_.timeline).size() > kLong && cut_stretches()) return true;
    progress |= fewer(&sim::WorkloadModel::clients, uint32_t{0});
    progress |= fewer(&sim::WorkloadModel::keys, uint32_t{1});
    progress |= shorten_faults();
    progress |= smaller_faults();
    progress |= move_faults_earlier();
    progress |= fewer_nodes();
    progress |= drop_undos();
    progress |= pin_leader_faults();
    progress |= cut_run();
    return progress;
  }

  bool try_seed(const Scenario& candidate) {
    if (runs_ >= max_runs_) return false;
    ++runs_;
    RunReport report = run_scenario(candidate, search_options(property_));
    if (!violates(report)) return false;
    best_ = candidate;
    best_report_ = std::move(report);
    return true;
  }

  bool violates(const RunReport& report) const {
    const auto& v = report.violated_properties;
    return std::find(v.begin(), v.end(), property_) != v.end();
  }

  // Durability, linearizability and liveness are judged at the end of the run, which must stay
  // settled (faults healed, a quiet window, a leader): cutting the run short or dropping the
  // liveness window could end it mid-election, when no node has yet re-learned the commit index
  // and a committed write looks lost. Only per-event properties get a shorter run.
  bool drop_checks() {
    if (!is_per_event(property_) || !best_.liveness.enabled) return false;
    Scenario c = best_;
    c.liveness.enabled = false;
    return attempt(std::move(c));
  }

  // The run ends just after the violation or, failing that, at half its length; faults past the
  // end go with it.
  bool cut_run() {
    if (!is_per_event(property_)) return false;
    bool progress = false;
    for (int i = 0; i < 8; ++i) {
      SimTime end = SimTime{} + best_.duration / 2;
      for (const auto& v : best_report_.violations) {
        if (v.property == property_) {
          end = round_up_ms(SimTime{} + Duration{v.time}) + kMillisecond;
          break;
        }
      }
      if (end - SimTime{} >= best_.duration || end - SimTime{} < kMillisecond) break;
      Scenario c = best_;
      c.duration = end - SimTime{};
      std::erase_if(c.timeline, [end](const Fault& f) { return f.at >= end; });
      // A leader fault still in force at the new end is undone there, as a scenario file must
      // say; the run stops at the violation before it, so nothing it shows changes.
      for (Fault& f : c.timeline) {
        if (is_leader_fault(f.kind) && f.at + f.length > end) f.length = end - f.at;
        if (!f.when && f.at + f.undo_after > end) f.undo_after = end - f.at;
        if (f.when && f.when->by != SimTime::max() && f.when->by > end) f.when->by = end;
      }
      if (!attempt(std::move(c))) break;
      progress = true;
    }
    return progress;
  }

  // Delta debugging over faults: drop chunks of half, a quarter, ... then single faults (only
  // single faults with `one_at_a_time`).
  bool drop_faults(bool one_at_a_time = false) {
    std::vector<Unit> units = units_of(best_.timeline);
    bool progress = false;
    for (size_t chunk = one_at_a_time ? 1 : std::max<size_t>(1, units.size() / 2);
         !units.empty();) {
      bool dropped = false;
      for (size_t start = 0; start < units.size();) {
        std::vector<Unit> rest = units;
        rest.erase(rest.begin() + static_cast<ptrdiff_t>(start),
                   rest.begin() + static_cast<ptrdiff_t>(std::min(units.size(), start + chunk)));
        Scenario c = best_;
        c.timeline = flatten(rest);
        if (attempt(std::move(c))) {
          units = std::move(rest);
          dropped = progress = true;
        } else {
          start += chunk;
        }
      }
      if (chunk == 1 && !dropped) break;
      if (chunk > 1) chunk /= 2;
      if (runs_ >= max_runs_) break;
    }
    return progress;
  }

  // Delta debugging over large stretches of the run, halves down to eighths: a chunk of
  // consecutive faults is dropped; failing that, dropped with every later fault moved earlier by
  // the time the chunk spanned, as if that stretch of the run had never happened (dropping faults
  // alone moves every later event, and later faults timed to the old run then miss).
  bool cut_stretches() {
    std::vector<Unit> units = units_of(best_.timeline);
    const size_t smallest = std::max<size_t>(1, units.size() / 8);
    bool progress = false;
    for (size_t chunk = units.size() / 2; chunk >= smallest && runs_ < max_runs_; chunk /= 2) {
      for (size_t start = 0; start < units.size() && runs_ < max_runs_;) {
        const size_t stop = std::min(units.size(), start + chunk);
        const SimTime from = units[start][0].second.at;
        const SimTime to = stop < units.size() ? units[stop][0].second.at : from;
        const Duration span = (to - from) / kMillisecond * kMillisecond;
        bool cut = false;
        // First the chunk alone, then the stretch (when later faults have something to move by).
        for (int moved = 1; moved <= 1 && !cut; ++moved) {
          const Duration shift = moved ? span : Duration{0};
          if (moved && span == Duration{0}) break;
          std::vector<Unit> rest = units;
          rest.erase(rest.begin() + static_cast<ptrdiff_t>(start),
                     rest.begin() + static_cast<ptrdiff_t>(stop));
          for (Unit& unit : rest)
            for (auto& [i, f] : unit)
              if (f.at >= to) f.at = std::max(from, f.at - shift);
          Scenario c = best_;
          c.timeline = flatten(rest);
          cut = fits_in_run(c) && attempt(std::move(c));
        }
        if (cut) {
          units = units_of(best_.timeline);
          progress = true;
        } else {
          start += chunk;
        }
      }
      if (chunk == 1) break;
    }
    return progress;
  }

  // A fault left in force to the end of the run is one entry where it and its undo were two.
  // Only for per-event properties: the end-of-run judges need the run to end settled, and a node
  // left down or cut off at the end could make them see a loss that is not there.
  bool drop_undos() {
    if (!is_per_event(property_)) return false;
    bool progress = false;
    std::vector<Unit> units = units_of(best_.timeline);
    for (size_t u = 0; u < units.size(); ++u) {
      if (units[u].size() != 2) continue;
      std::vector<Unit> next = units;
      next[u].pop_back();
      Scenario c = best_;
      c.timeline = flatten(next);
      if (!attempt(std::move(c))) continue;
      units = std::move(next);
      progress = true;
    }
    return progress;
  }

  // A fault that matters sets the pace of what follows it: dropping one moves every later event
  // (a node not crashed wins its election earlier, say), and the later faults, timed to the
  // old run, then miss. So each fault is also dropped with every later fault moved by the same
  // amount, earlier or later, in steps of a fraction of the dropped fault's span (from it to its
  // undo, or to the next fault).
  bool drop_and_shift() {
    bool progress = false;
    std::vector<Unit> units = units_of(best_.timeline);
    for (size_t u = 0; u < units.size() && runs_ < max_runs_;) {
      const Duration span = span_of(units, u);
      const SimTime from = units[u][0].second.at;
      bool dropped = false;
      for (int64_t divisor : {1, 2, 4, 8, 16}) {
        for (int64_t sign : {-1, 1}) {
          const Duration shift = sign * (span / divisor / kMillisecond * kMillisecond);
          if (dropped || shift == Duration{0}) continue;
          std::vector<Unit> rest = units;
          rest.erase(rest.begin() + static_cast<ptrdiff_t>(u));
          for (Unit& unit : rest)
            for (auto& [i, f] : unit)
              if (f.at > from) f.at = std::max(from, f.at + shift);
          Scenario c = best_;
          c.timeline = flatten(rest);
          if (fits_in_run(c) && attempt(std::move(c))) {
            units = units_of(best_.timeline);
            dropped = true;
          }
        }
      }
      if (dropped) {
        progress = true;
      } else {
        ++u;
      }
    }
    return progress;
  }

  // From a fault to its undo; for a fault without one, to the next fault (or the run's end).
  Duration span_of(const std::vector<Unit>& units, size_t u) const {
    const Fault& first = units[u][0].second;
    if (units[u].size() == 2) return units[u][1].second.at - first.at;
    if (is_leader_fault(first.kind)) return first.length;
    SimTime next = SimTime{} + best_.duration;
    for (const Fault& f : best_.timeline)
      if (f.at > first.at) next = std::min(next, f.at);
    return next - first.at;
  }

  // A leader fault always comes with its undo (its length). Once a run has shown which node it
  // picks, it can be written as the plain fault on that node, left in force to the end: one entry
  // where there were two, as drop_undos makes of a plain fault and its undo. The run to the
  // fault's instant is the same, so only what follows the undo's absence can differ.
  bool pin_leader_faults() {
    if (!is_per_event(property_)) return false;
    bool progress = false;
    for (size_t i = 0; i < best_.timeline.size() && runs_ < max_runs_; ++i) {
      const Fault& f = best_.timeline[i];
      const std::vector<uint32_t>& picked = best_report_.leader_fault_targets;
      if (!is_leader_fault(f.kind) || i >= picked.size() || picked[i] == 0) continue;
      Scenario c = best_;
      // Same instant, so the entry keeps its place in the timeline's order.
      c.timeline[i] =
          pin_leader_fault(f, picked[i], static_cast<uint32_t>(total_nodes(best_))).first;
      progress |= attempt(std::move(c));
    }
    return progress;
  }

  // A toggle (`reconfigure`, `reconfigure_learner`, `reconfigure_joint`) changes membership
  // relative to the configuration when it fires, so dropping one
  // changes what every later one does and a pair of them never goes one at a time. Written as the
  // changes they made in the last failing run (pin_reconfigures), each means the same without the
  // others, and a toggle that never fired goes; kept, like any candidate, only if it fails.
  bool pin_toggles() {
    const auto& t = best_.timeline;
    if (std::none_of(t.begin(), t.end(), [](const Fault& f) { return is_reconfigure(f.kind); }))
      return false;
    Scenario c = best_;
    c.timeline = pin_reconfigures(t, best_report_.fired_changes);
    return fits_in_run(c) && attempt(std::move(c));
  }

  // Two neighbouring faults that matter only together (one undoing the other without being paired
  // as its undo, say) are dropped at once, where drop_faults drops one, or an aligned chunk.
  bool drop_neighbours() {
    bool progress = false;
    std::vector<Unit> units = units_of(best_.timeline);
    for (size_t u = 0; u + 1 < units.size() && runs_ < max_runs_;) {
      std::vector<Unit> rest = units;
      rest.erase(rest.begin() + static_cast<ptrdiff_t>(u),
                 rest.begin() + static_cast<ptrdiff_t>(u + 2));
      Scenario c = best_;
      c.timeline = flatten(rest);
      if (attempt(std::move(c))) {
        units = std::move(rest);
        progress = true;
      } else {
        ++u;
      }
    }
    return progress;
  }

  // A fault may be there only so that one node rather than another plays a part (an `elect`, so
  // that the node a partition cuts off is the leader). Without it another node may play that
  // part: each fault is dropped with two nodes of the same starting role swapped in the others.
  bool drop_and_rename() {
    const auto n = static_cast<uint32_t>(total_nodes(best_));
    bool progress = false;
    std::vector<Unit> units = units_of(best_.timeline);
    for (size_t u = 0; u < units.size() && runs_ < max_runs_;) {
      bool dropped = false;
      for (uint32_t a = 1; a <= n && !dropped; ++a) {
        for (uint32_t b = a + 1; b <= n && !dropped; ++b) {
          if (!same_role(best_.world, a, b)) continue;
          std::vector<Unit> rest = units;
          rest.erase(rest.begin() + static_cast<ptrdiff_t>(u));
          Scenario c = best_;
          c.timeline = swap_nodes(flatten(rest), a, b);
          dropped = attempt(std::move(c));
        }
      }
      if (dropped) {
        units = units_of(best_.timeline);
        progress = true;
      } else {
        ++u;
      }
    }
    return progress;
  }

  // Message faults and event-triggered faults doing less: fewer messages, shorter delays and
  // `for`s, an earlier event (shrink_sizes.h); and, for per-event properties, no `for` at all
  // (the fault stays in force, one entry where it was a fault and its undo).
  bool smaller_faults() {
    bool progress = false;
    for (size_t i = 0; i < best_.timeline.size() && runs_ < max_runs_; ++i) {
      std::vector<Fault> candidates = smaller_versions(best_.timeline[i]);
      if (is_per_event(property_) && best_.timeline[i].undo_after.count() > 0) {
        Fault stays = best_.timeline[i];
        stays.undo_after = Duration{0};
        candidates.insert(candidates.begin(), stays);
      }
      for (size_t k = 0; k < candidates.size(); ++k) {
        Scenario c = best_;
        c.timeline[i] = candidates[k];
        if (!attempt(std::move(c))) continue;
        progress = true;
        candidates = smaller_versions(best_.timeline[i]);  // and on from the smaller one
        k = static_cast<size_t>(-1);
      }
    }
    return progress;
  }

  template <typename T>
  bool fewer(T sim::WorkloadModel::*field, T floor) {
    bool progress = false;
    for (bool moved = true; moved;) {
      moved = false;
      const T now = best_.world.workload.*field;
      for (T to : {floor, static_cast<T>(now / 2), static_cast<T>(now - 1)}) {
        if (now <= floor || to < floor || to >= now) continue;
        Scenario c = best_;
        c.world.workload.*field = to;
        if (attempt(std::move(c))) {
          moved = progress = true;
          break;
        }
      }
    }
    return progress;
  }

  // Each fault's undo moves halfway towards it (a leader fault's own length halves), while that
  // still fails.
  bool shorten_faults() {
    bool progress = false;
    std::vector<Unit> units = units_of(best_.timeline);
    for (size_t u = 0; u < units.size(); ++u) {
      const bool leader = is_leader_fault(units[u][0].second.kind);
      for (int step = 0; step < 6 && (units[u].size() == 2 || leader); ++step) {
        const Fault& first = units[u][0].second;
        const Duration length = leader ? first.length : units[u][1].second.at - first.at;
        if (length < 2 * kMillisecond) break;
        std::vector<Unit> next = units;
        const SimTime undo_at = round_up_ms(first.at + length / 2);
        if (undo_at >= first.at + length) break;
        if (leader) {
          next[u][0].second.length = undo_at - first.at;
        } else {
          next[u][1].second.at = undo_at;
        }
        Scenario c = best_;
        c.timeline = flatten(next);
        if (!attempt(std::move(c))) break;
        units = units_of(best_.timeline);
        progress = true;
      }
    }
    return progress;
  }

  // Each fault (with its undo) moves halfway towards the fault before it, while that still fails.
  bool move_faults_earlier() {
    bool progress = false;
    std::vector<Unit> units = units_of(best_.timeline);
    for (size_t u = 0; u < units.size(); ++u) {
      for (int step = 0; step < 4; ++step) {
        const SimTime at = units[u][0].second.at;
        SimTime before{};
        for (const Fault& f : best_.timeline)
          if (f.at < at) before = std::max(before, f.at);
        const Duration shift = (at - before) / 2 / kMillisecond * kMillisecond;
        if (shift < kMillisecond) break;
        std::vector<Unit> next = units;
        for (auto& [i, f] : next[u])
          f.at -= shift;
        Scenario c = best_;
        c.timeline = flatten(next);
        if (!attempt(std::move(c))) break;
        units = units_of(best_.timeline);
        progress = true;
      }
    }
    return progress;
  }

  bool fewer_nodes() {
    bool progress = false;
    while (total_nodes(best_) > 1) {
      Scenario c = best_;
      if (!remove_node(c, static_cast<uint32_t>(total_nodes(best_)))) break;
      if (!attempt(std::move(c))) break;
      progress = true;
    }
    return progress;
  }

  static constexpr uint64_t kFirstReseeds = 16, kMostReseeds = 1024;
  static constexpr size_t kLong = 8;  // faults (with their undos) past which a schedule is long
  bool reseed_ = false;
  // The other seeds a candidate is tried under: first_seed_ + reseeds_from_ .. + reseeds_.
  uint64_t reseeds_from_ = 1;
  uint64_t reseeds_ = kFirstReseeds;

  uint64_t first_seed_;
  Scenario best_;
  RunReport best_report_;
  std::string property_;
  size_t max_runs_;
  size_t runs_ = 0;
};

}  // namespace

ShrinkResult shrink(const Scenario& concrete, const std::string& property,
                    const ShrinkOptions& options) {
  ShrinkResult result;
  result.property = property;
  result.original_faults = count_faults(concrete.timeline);
  Scenario start = concrete;
  start.expectations.clear();  // the property is the only judge while shrinking
  Shrinker shrinker(std::move(start), property, options.max_runs);
  result.reproduced = shrinker.check_start();
  if (result.reproduced) {
    while (shrinker.runs() < options.max_runs && shrinker.round()) {
    }
  }
  result.scenario = result.reproduced ? shrinker.best() : concrete;
  result.shrunk_faults = count_faults(result.scenario.timeline);
  result.runs = shrinker.runs();
  return result;
}

std::string repro_yaml(const ShrinkResult& result, uint64_t original_seed,
                       const std::string& source_file, const std::string& repro_path) {
  Scenario s = result.scenario;
  s.teaches = fmt::format(
      "Found by `raftsim explore {}`: seed {} violates {}.\n"
      "Shrunk from {} timeline faults to {} ({} shrink runs); the random faults are written out\n"
      "below and the seed is fixed, so this file is the whole failing run.{}\n"
      "\n"
      "No expectation names the violation, so running the file fails, as the bug does:\n"
      "  raftsim run {}    # exits 1: {} violated",
      source_file, original_seed, result.property, result.original_faults, result.shrunk_faults,
      result.runs,
      s.seed == original_seed
          ? ""
          : fmt::format("\nThe shrunk schedule fails under seed {}, which draws the latencies and\n"
                        "timeouts around it; the file sets that seed.",
                        s.seed),
      repro_path, result.property);
  return write_scenario_yaml(s);
}

}  // namespace raftsim::scenario

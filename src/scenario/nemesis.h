// The random nemesis: turns a scenario's `nemesis` section into concrete faults on the timeline.
//
// The draw comes from the run's seed (a stream of its own), so a seed names one schedule, and a
// schedule is plain timeline entries — exactly what the shrinker edits and the repro writer prints.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "raft/random.h"
#include "scenario/scenario.h"

namespace raftsim::scenario {

// The stream of a run's seed the random nemesis draws from.
inline constexpr uint64_t kNemesisStream = 4000;

// One drawn fault and, when it is a separate timeline entry, its undo (heal, restart, resume, ...).
// A wipe has none, and neither has a fault that undoes itself: a leader fault (`length`), a
// message or event-triggered fault (`for`).
struct NemesisFault {
  Fault fault;
  std::optional<Fault> undo;
};

// One fault of `kind` starting at `start` and lasting `length` (at least 1 ms), its targets drawn
// from `rng`: nodes, links, a minority to cut off, the kind, direction and count of messages, the
// event a triggered fault waits for (armed until the fault's end, or `end`).
NemesisFault draw_nemesis_fault(FaultKind kind, SimTime start, Duration length, SimTime end,
                                const Nemesis& nemesis, const sim::WorldConfig& world,
                                raft::Random& rng);

// Faults start one after another: each waits a gap drawn from [every_min, every_max] after the
// previous one started, lasts a duration drawn from [duration_min, duration_max] (cut short before
// the next one starts, unless `overlap`), and is followed by its undo (heal, restart, resume, ...);
// a leader fault (crash_leader, isolate_leader) carries its duration as its `length` and undoes
// itself. No fault starts within `quiet` of `end`.
std::vector<NemesisFault> draw_nemesis_spans(const Nemesis& nemesis, const sim::WorldConfig& world,
                                             SimTime end, raft::Random& rng);
// The same drawn from `seed`'s nemesis stream and flattened, each fault followed by its undo.
std::vector<Fault> draw_nemesis_faults(const Nemesis& nemesis, const sim::WorldConfig& world,
                                       SimTime end, uint64_t seed);

// The scenario's timeline with the nemesis faults for `seed` merged in, sorted by time (stable).
std::vector<Fault> concrete_timeline(const Scenario& scenario, uint64_t seed);

}  // namespace raftsim::scenario

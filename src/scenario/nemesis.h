// The random nemesis: turns a scenario's `nemesis` section into concrete faults on the timeline.
//
// The draw comes from the run's seed (a stream of its own), so a seed names one schedule, and a
// schedule is plain timeline entries — exactly what the shrinker edits and the repro writer prints.
#pragma once

#include <cstdint>
#include <vector>

#include "scenario/scenario.h"

namespace raftsim::scenario {

// Faults start one after another: each waits a gap drawn from [every_min, every_max] after the
// previous one started, lasts a duration drawn from [duration_min, duration_max] (cut short before
// the next one starts, unless `overlap`), and is followed by its undo (heal, restart, resume, ...);
// a leader fault (crash_leader, isolate_leader) carries its duration as its `length` and undoes
// itself. No fault starts within `quiet` of `end`.
std::vector<Fault> draw_nemesis_faults(const Nemesis& nemesis, const sim::WorldConfig& world,
                                       SimTime end, uint64_t seed);

// The scenario's timeline with the nemesis faults for `seed` merged in, sorted by time (stable).
std::vector<Fault> concrete_timeline(const Scenario& scenario, uint64_t seed);

}  // namespace raftsim::scenario

// Smaller versions of one fault, for the shrinker: the same fault doing less.
#pragma once

#include <vector>

#include "scenario/scenario.h"

namespace raftsim::scenario {

// The shrinker moves and cuts times in whole milliseconds, so a repro's times stay readable.
inline constexpr Duration kMillisecond{1000};

// Each candidate changes one thing, most reduced first: a message fault's count (to 1, then
// halved), its delay (halved), a `for` (halved, whole milliseconds), an event-triggered fault's
// `nth` and `entries` (to 1, then halved). Empty when there is nothing left to reduce.
std::vector<Fault> smaller_versions(const Fault& fault);

// Takes node `n` out of the message faults and triggers of `timeline`: a message fault from or
// to it, and a fault waiting for its events, are dropped (one that names "any node" stays).
void drop_faults_of_node(std::vector<Fault>& timeline, uint32_t n);

// Takes node `n` (the highest id) out of every fault of `s` and out of the cluster; false when a
// node fault names it, or it is the only voter.
bool remove_node(Scenario& s, uint32_t n);

// Whether nodes `a` and `b` start in the same role in `world` (both voters, both learners, or both
// outside the configuration), so that a schedule naming one instead of the other is the same run
// with other names, but for what the seed draws.
bool same_role(const sim::WorldConfig& world, uint32_t a, uint32_t b);

// `timeline` with `a` and `b` swapped wherever a fault names a node: its nodes, partition groups,
// links, message ends and trigger.
std::vector<Fault> swap_nodes(std::vector<Fault> timeline, uint32_t a, uint32_t b);

}  // namespace raftsim::scenario

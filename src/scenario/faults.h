// Applying a scenario's faults to the simulated world, and saying what each one does.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "scenario/membership_faults.h"
#include "scenario/scenario.h"

namespace raftsim::scenario {

// "partition {n1 n2 n3} | {n4 n5}", "crash n3", "delay 10s on n1->n2", "when a node
// becomes_leader: crash the trigger for 300ms", ...
std::string describe_fault(const Fault& fault, const Scenario& scenario);
// The same without its `when` and `for`.
std::string describe_plain(const Fault& fault, const Scenario& scenario);
// "when n2 grants_vote (the 2nd time)"
std::string describe_trigger(const Trigger& trigger, const Scenario& scenario);

// "becomes leader", "grants its vote to n3", "applies entry 7", ... for the narration of an
// event-triggered fault.
std::string what_happened(sim::NodeEventKind event, uint64_t value, const Scenario& scenario);

// What a delay, loss or duplicate fault does to a network's link models, whoever keeps them
// (the simulated world, the real cluster's router, the external nodes' hosts): the model of
// each link it names (every link when it names none) changes. False when `fault` is none of
// these kinds.
bool change_link_models(const Fault& fault, uint32_t nodes,
                        const std::function<sim::LinkModel&(uint32_t from, uint32_t to)>& link);

// The filter a message fault (drop_messages, ...) installs; `id` names it for its removal.
sim::MessageFilter message_filter_of(const Fault& fault, uint64_t id);

// Records the fault in the trace, then does it. `fault` names its nodes: not a leader fault.
void apply_fault(sim::World& world, const Fault& fault, const Scenario& scenario);

// The faults of `entries` (each with its place in a timeline) in time order, same-instant ones in
// timeline order.
std::vector<Fault> in_time_order(std::vector<std::pair<size_t, Fault>> entries);

// Of the running nodes that believe they lead, the one in the highest term (a deposed leader cut
// off from the others may still believe it leads an older one); 0 when none does.
uint32_t current_leader(const sim::World& world);

// The plain fault and undo a leader fault becomes when it finds `leader` leading: a crash of it
// and its restart, or a partition that isolates it and the heal. `nodes`: the cluster's size.
std::pair<Fault, Fault> pin_leader_fault(const Fault& fault, uint32_t leader, uint32_t nodes);

// Puts every fault of `timeline` on the world's event queue, in timeline order; event-triggered
// faults are armed through the world's node-event listener (set only when there are some). A leader
// fault puts two events there at once: the fault at `at`, which picks the node leading at that
// moment, and its undo at `at + length`, which acts on the node the fault picked (none: it does
// nothing). Scheduling both up front keeps the order of same-instant events a function of the
// timeline. `targets`, when given, is sized to the timeline and receives, for each leader fault
// that fired, the node it picked (0 elsewhere): what pin_leader_fault needs to replay the run
// without it. `fired`, when given, receives what each toggle (`reconfigure`, ...) did (see
// FiredChange).
void schedule_faults(sim::World& world, const std::vector<Fault>& timeline,
                     const Scenario& scenario, std::vector<uint32_t>* targets = nullptr,
                     std::vector<FiredChange>* fired = nullptr);

// When the last fault of `timeline` happens, undos of leader faults and `for` included (the start
// of the run when there is none). An event-triggered fault counts as firing at its `by`, or at
// `end` (the end of the run) when it has none.
SimTime last_fault_time(const std::vector<Fault>& timeline, SimTime end);

}  // namespace raftsim::scenario

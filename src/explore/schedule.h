// A fault schedule as the search edits it: each fault paired with its undo, over a world whose
// settings were drawn for it, under one seed.
//
// A scenario's timeline is a flat list in which a fault and its undo are two unrelated entries;
// moving or dropping one without the other makes a different fault (a partition never healed).
// The search therefore keeps spans — a fault and, when it has one, its undo — and flattens them
// into a timeline only to run (to_scenario), so every schedule it runs is an ordinary concrete
// scenario, which the shrinker and the repro writer take as they are.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "raft/random.h"
#include "scenario/scenario.h"

namespace raftsim::explore {

using scenario::Fault;
using scenario::FaultKind;
using scenario::Nemesis;
using scenario::Scenario;
using sim::Duration;
using sim::SimTime;

struct Span {
  Fault fault;
  std::optional<Fault> undo;  // none: the fault undoes itself (leader faults) or cannot be undone
};

struct Schedule {
  sim::WorldConfig world;   // the scenario's, or as swarm drew it
  Nemesis nemesis;          // the fault kinds and rates new spans are drawn from
  std::vector<Span> spans;  // by start time
  uint64_t seed = 1;
  std::string drawn;  // what swarm drew, for the repro's header (empty: nothing drawn)
};

// One span of `kind` starting at `start` and lasting `length`, its targets drawn from `rng` as
// the random nemesis draws them (scenario::draw_nemesis_fault): nodes and links, or the kind,
// direction and count of messages, or the event a triggered fault waits for (armed until the
// span ends, and never past `end`, the end of the run).
Span draw_span(FaultKind kind, SimTime start, Duration length, SimTime end, const Nemesis& nemesis,
               const sim::WorldConfig& world, raft::Random& rng);

// Spans as the random nemesis lays them out: one every [every_min, every_max], none within
// `quiet` of `end`. With the random nemesis's stream, the same faults as its draw.
std::vector<Span> draw_spans(const Nemesis& nemesis, const sim::WorldConfig& world, SimTime end,
                             raft::Random& rng);

// A PCT delivery scheduler (sim/message_faults.h): off with even odds, else 2 .. 4 deep among the
// first 100 .. 3,000 messages, holding a message back 5 ms .. 640 ms at each change point.
sim::PctConfig draw_pct_config(raft::Random& rng);

// `base` with the schedule's world and spans: the spans flattened and merged into the base's own
// timeline (stable by time), the nemesis cleared, the seed fixed. run_scenario runs it as is.
Scenario to_scenario(const Scenario& base, const Schedule& schedule);

// The latest moment a span may start: `quiet` before the end of the run.
SimTime last_start(const Scenario& base, const Nemesis& nemesis);

// One to three random edits of `parent`: shift a fault (or stretch it), retarget it (other nodes,
// other messages, another triggering event), insert a new one, delete one, repeat one a little
// later, splice in the tail of `other` (another schedule of the corpus), draw another PCT
// delivery order, or reseed.
Schedule mutate(const Schedule& parent, const Schedule& other, const Scenario& base,
                raft::Random& rng);

// The kinds a nemesis may draw that Raft's fault model excludes (a lost disk), and the timeline
// faults that do the same (fsyncs that lie, torn writes, corruption, lying nodes), as written.
std::vector<std::string> outside_fault_model(const Scenario& s);

}  // namespace raftsim::explore

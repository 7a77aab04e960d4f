// Swarm testing: every seed first draws its own configuration, then its faults.
//
// One fixed mix of faults and settings explores one neighbourhood of behaviours; some bugs need a
// fault to be absent (a crash that keeps coming back hides a slow disk's lost write), others a
// setting nobody thought to try. So each seed, from one stream of its own, draws: which fault
// kinds are on (each with even odds; none at all is a valid draw), how often they come and how
// long they last, whether they overlap, the delay and loss they set; and for the cluster its size
// (only where the scenario's `swarm:` section gives a range), the election timeout and
// heartbeat, entries per AppendEntries, fsync latency (slow disks of tens of milliseconds among
// them), the network's latency shape and reordering, a PCT delivery order, the number of clients
// and keys and their think time, the snapshot interval, and for raftsim's own nodes the send
// budget and the protocol's options (pre-vote, check-quorum, the vote lease). An election timeout
// drawn under two round trips of the drawn latency and disk is raised to that (Raft's timing
// requirement, §5.6). A setting with a range in the scenario's `swarm:` section is drawn from it on
// every run; any other keeps the scenario's value with even odds, so a scenario written for a bug
// keeps pulling towards it.
//
// The fault kinds come from `swarm: {faults}`, else the scenario's nemesis when it has one (its
// timings bound the drawn ones too) with the finer forms of its kinds, else every kind inside
// Raft's fault model: partitions, lost, delayed, duplicated and held-back messages (whole links,
// or single messages by type and direction), crashes and pauses at a time or triggered by an
// event, clock skew, leader faults.
// A lost disk is outside it (Raft assumes stable storage) and is drawn only when the scenario
// lists `wipe`.
#pragma once

#include <cstdint>
#include <vector>

#include "explore/schedule.h"

namespace raftsim::explore {

// The kinds that do what `kind` does, aimed finer: at single messages of one type (a nemesis
// that loses, delays, duplicates or clogs messages loses, delays, duplicates or holds back a few
// chosen ones), or at the moment a node does something rather than at a clock time (one that
// crashes, pauses or partitions nodes does so to the node that wins an election, grants a vote,
// applies, ...). They add no new way to fail: a message a lossy network drops may be any
// message, and a crash may come at any moment. A scenario's nemesis names what can go wrong;
// these let the search choose which message and which moment. None for the other kinds.
std::vector<FaultKind> finer_forms(FaultKind kind);

// The fault kinds a draw chooses among: `swarm: {faults}` as written; else the scenario's
// nemesis's kinds and their finer forms; else every kind inside Raft's fault model — membership
// changes included (reconfigure, reconfigure_learner, reconfigure_joint and their triggered_
// forms) when the cluster starts with servers outside its configuration or with learners. For
// external nodes (`cluster.implementation`, `--node`), no finer forms and, without a nemesis, no
// message-level or event-triggered kind: those need features a node declares only when it starts.
std::vector<FaultKind> swarm_kinds(const Scenario& base);

// The configuration and faults `seed` draws for `base`; the schedule's seed is `seed`.
Schedule swarm_schedule(const Scenario& base, uint64_t seed);

}  // namespace raftsim::explore

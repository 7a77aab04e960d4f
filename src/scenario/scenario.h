// A scenario: a cluster, its network, a client workload, faults on a timeline or at random, and
// what the run is expected to show. Parsed from YAML (parse.h), validated before anything runs,
// and run in the simulated world (runner.h).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "raft/config.h"
#include "scenario/property.h"
#include "sim/world.h"

namespace raftsim::scenario {

// The latency shapes' names in files, in the order of sim::Latency::Shape.
inline constexpr std::array<std::string_view, 4> kLatencyShapes = {"constant", "uniform",
                                                                   "exponential", "long_tail"};

using sim::Duration;
using sim::SimTime;

// Where something was written, for messages about it ("file:line:col").
struct Where {
  std::string file;
  int line = 0;
  int column = 0;
};

enum class FaultKind : uint8_t {
  kPartition,  // groups: nodes in different groups cannot talk (a node in no group: isolated)
  kCut,        // links: these directions stop delivering (one-way cut)
  kHeal,       // every partition, cut and clog is removed (link models stay as set)
  kDelay,      // links (empty: all): extra delay added to every message
  kLoss,       // links (empty: all): probability a message is lost
  kDuplicate,  // links (empty: all): probability a message arrives twice
  kClog,       // links: messages are held ...
  kUnclog,     // ... and released together
  kCrash,      // nodes: stop at once; unsynced writes are lost
  kRestart,    // nodes: start again from what the disk kept
  kPause,      // nodes: stop processing, keep state (a GC pause, SIGSTOP)
  kResume,     // nodes
  kWipe,       // nodes: the disk is lost; the node restarts empty with the same identity
  kFsyncLies,  // nodes, on: fsync reports success without syncing
  kTornWrite,  // nodes: the next crash keeps part of an unsynced record
  kCorrupt,    // nodes, record: flip a bit in a stored log record (0 = the last)
  kClockSkew,  // nodes, factor: ticks come `factor` times as far apart
  kLie,        // nodes, lies: start (or, with all lies false, stop) breaking protocol
  kElect,      // nodes (one): campaign now
  kTransfer,   // nodes (two): the first, if leader, hands leadership to the second
  // Aimed at whoever leads when the fault fires (resolved inside the simulated world, so a run
  // stays a function of its seed); `length` later the fault is undone on that same node. When no
  // node leads at that moment, both do nothing.
  kCrashLeader,    // length: crash the leader, restart it after `length`
  kIsolateLeader,  // length: partition the leader from every other node, heal after `length`
  // Message faults: the next `count` messages of `messages` from `from` to `to` (0: any) are ...
  kDropMessages,       // ... lost
  kDelayMessages,      // ... delayed by `delay`
  kDuplicateMessages,  // ... sent twice, the copy `delay` after the original
  kHoldMessages,       // ... held back until the next message on their link has left
  kIsolate,            // nodes (one): partitioned from every other node (an event-triggered fault)
  // Only in a nemesis's list: an event-triggered crash, pause, isolation or message delay of the
  // node a random event happens on.
  kTriggeredCrash,
  kTriggeredPause,
  kTriggeredIsolate,
  kTriggeredDelay,
  // Membership changes, asked of whoever leads when the fault fires (retried while the leader
  // cannot yet make one; see sim::World::change_membership).
  kAddLearner,    // nodes (one): joins as a learner
  kPromote,       // nodes (one): a learner becomes a voter once caught up
  kAddVoter,      // nodes (one): joins as a voter directly
  kRemove,        // nodes (one): leaves the configuration
  kChangeVoters,  // nodes: the voters become exactly these (several at once: joint consensus)
  kReconfigure,   // nodes (one), nemesis: removed if a voter, else added as one (its undo: again)
  // Only in a nemesis's list: a reconfigure of a random node, fired by a random event (a new
  // leader's first moments, a node holding uncommitted entries, ...) instead of at a time.
  kTriggeredReconfigure,
  // Like kReconfigure, resolved when it fires from the leader's configuration; each is its own
  // undo.
  kReconfigureLearner,  // nodes (one): added as a learner if not a member, a learner promoted, a
                        // voter removed (the learner path, one step per firing)
  kReconfigureJoint,    // nodes (two): each voter of the pair leaves, each other joins as a voter,
                        // in one change_voters (joint consensus); the first alone when both would
                        // leave the last voters
  // Only in a nemesis's list: those two fired by a random event, as kTriggeredReconfigure.
  kTriggeredReconfigureLearner,
  kTriggeredReconfigureJoint,
};

// The kinds a nemesis (or a swarm draw) may list; swarm draws from them in this order.
inline constexpr std::array kNemesisKinds = {FaultKind::kPartition,
                                             FaultKind::kCrash,
                                             FaultKind::kPause,
                                             FaultKind::kDelay,
                                             FaultKind::kLoss,
                                             FaultKind::kDuplicate,
                                             FaultKind::kClog,
                                             FaultKind::kWipe,
                                             FaultKind::kClockSkew,
                                             FaultKind::kCrashLeader,
                                             FaultKind::kIsolateLeader,
                                             FaultKind::kDropMessages,
                                             FaultKind::kDelayMessages,
                                             FaultKind::kDuplicateMessages,
                                             FaultKind::kHoldMessages,
                                             FaultKind::kTriggeredCrash,
                                             FaultKind::kTriggeredPause,
                                             FaultKind::kTriggeredIsolate,
                                             FaultKind::kTriggeredDelay,
                                             FaultKind::kReconfigure,
                                             FaultKind::kTriggeredReconfigure,
                                             FaultKind::kReconfigureLearner,
                                             FaultKind::kReconfigureJoint,
                                             FaultKind::kTriggeredReconfigureLearner,
                                             FaultKind::kTriggeredReconfigureJoint};

// In an event-triggered fault, the node the event happened on (`crash: trigger`).
inline constexpr uint32_t kTriggerNode = UINT32_MAX;

// An event-triggered fault waits for an event (`when`) instead of a time: armed at the entry's
// `at`, it fires on the `nth` matching event before `by`, once.
struct Trigger {
  sim::NodeEventKind event = sim::NodeEventKind::kBecomesLeader;
  uint32_t node = 0;            // 0: any node
  uint64_t nth = 1;             // counted from when it is armed
  uint64_t entries = 1;         // kUncommitted: fires when a node first holds this many
  SimTime by = SimTime::max();  // disarmed then; max: the end of the run
  bool operator==(const Trigger&) const = default;
};

struct Fault {
  SimTime at;
  FaultKind kind = FaultKind::kHeal;
  std::vector<std::vector<uint32_t>> groups;         // kPartition
  std::vector<uint32_t> nodes;                       // node faults (ids from 1)
  std::vector<std::pair<uint32_t, uint32_t>> links;  // directed (from, to)
  Duration delay{0};                                 // kDelay
  double rate = 0;                                   // kLoss, kDuplicate
  double factor = 1;                                 // kClockSkew
  bool on = true;                                    // kFsyncLies
  uint64_t record = 0;                               // kCorrupt
  sim::Lies lies;                                    // kLie
  Duration length{0};                                // kCrashLeader, kIsolateLeader
  sim::MessageKinds messages = sim::kAnyMessage;     // message faults
  uint32_t from = 0;                                 // message faults (0: any; kTriggerNode)
  uint32_t to = 0;                                   // message faults (0: any; kTriggerNode)
  uint64_t count = 1;                                // message faults
  // `for`: a message fault is removed, an event-triggered crash, pause or isolation undone
  // (restart, resume, heal) this long after it takes effect. 0: it stays.
  Duration undo_after{0};
  std::optional<Trigger> when;  // event-triggered: fires on this event, not at `at`
  Where where;
};

// Random faults, drawn from the run's seed (its own stream): a fault starts every
// [every_min, every_max], lasts [duration_min, duration_max], then heals; none starts within
// `quiet` of the end of the run.
struct Nemesis {
  std::vector<FaultKind> faults;  // from: partition, crash, pause, delay, loss, duplicate, clog,
                                  // wipe, clock_skew, crash_leader, isolate_leader, ...
  Duration every_min{2000000};
  Duration every_max{5000000};
  Duration duration_min{1000000};
  Duration duration_max{3000000};
  Duration quiet{5000000};
  Duration delay{10000000};  // the extra delay a `delay` fault adds
  double loss = 0.3;         // the loss rate a `loss` fault sets
  // Off: a fault is cut short before the next one starts, so at most one is in force at a time.
  // On: each lasts its whole drawn duration, so faults pile up (a crash during a partition...).
  bool overlap = false;
  bool enabled() const { return !faults.empty(); }
};

// `swarm:`: the ranges a swarm draw (`raftsim explore --strategy swarm|guided`) picks each run's
// settings from. Each range written is drawn from on every run; a setting without one keeps the
// scenario's value with even odds, else draws from swarm's own default range (explore/swarm.h).
// `raftsim run` ignores the section: a run's settings are the file's.
template <typename T>
struct Range {
  T min{};
  T max{};  // min <= max
  bool operator==(const Range&) const = default;
};
struct SwarmRanges {
  // The cluster's size, the only way it varies: nodes past the file's list are named n<id>. A draw
  // never goes below the highest node the timeline or an expectation names.
  std::optional<Range<uint32_t>> nodes;
  std::optional<Range<Duration>> election_timeout;
  std::optional<Range<Duration>> heartbeat;  // kept below the drawn election timeout
  std::optional<Range<uint64_t>> max_entries_per_append;
  std::optional<Range<uint64_t>> max_appends_per_round;
  std::optional<Range<Duration>> fsync;
  std::optional<Range<Duration>> latency;  // the network's latency, its shape drawn
  std::optional<Range<double>> reorder;
  std::optional<Range<uint32_t>> clients;
  std::optional<Range<uint32_t>> keys;
  std::optional<Range<Duration>> think;
  std::optional<Range<uint64_t>> snapshot_every;  // 0: never compact
  std::optional<Range<uint32_t>> pct_depth;       // 0 or 1: the PCT scheduler off
  // The fault kinds a draw switches on or off (names as in a nemesis). Empty: the nemesis's, else
  // every kind inside Raft's fault model.
  std::vector<FaultKind> faults;
  bool operator==(const SwarmRanges&) const = default;
  bool empty() const { return *this == SwarmRanges{}; }
};

struct Expectation {
  enum class Kind : uint8_t {
    kHolds,               // property holds (the default for every property)
    kViolated,            // property is violated at least once
    kSafetyViolated,      // some safety property (any but linearizability and liveness) is violated
    kLeaderWithin,        // some node is leader at a moment in [from, from + within]
    kNoLeader,            // no node of `group` is leader at any moment in [from, to]
    kNoElection,          // no node of `group` becomes leader in [from, to]
    kNoCommit,            // no node of `group` advances its commit index in [from, to]
    kCommitsAtLeast,      // the highest commit index reached is at least `count`
    kAckedWritesAtLeast,  // at least `count` writes were acknowledged to clients
    kTermAtMost,          // no node's term exceeds `count` at any moment in [from, to]
    kTermAbove,           // some node's term exceeds `count` by `to`
  };
  Kind kind = Kind::kHolds;
  Property property = Property::kElectionSafety;
  std::vector<uint32_t> group;  // empty: every node
  SimTime from;
  SimTime to = SimTime::max();
  Duration within{0};
  uint64_t count = 0;
  Where where;
  std::string text;  // as written, for the verdict table
};

// After the last timeline fault (and any nemesis fault) and a quiet window, a leader exists and a
// new proposal commits within `within`.
struct Liveness {
  bool enabled = true;
  Duration quiet{2000000};
  Duration within{5000000};
};

struct Scenario {
  std::string file;
  std::string name;
  std::string teaches;  // the header comment: what the scenario shows
  uint64_t seed = 1;
  Duration duration{30000000};
  sim::WorldConfig world;       // cluster, options, bugs, timers, network, disk, workload
  std::vector<Fault> timeline;  // sorted by time
  Nemesis nemesis;
  SwarmRanges swarm;
  Liveness liveness;
  std::vector<Expectation> expectations;
  // cluster.implementation.command: the argv of external nodes speaking Maelstrom's protocol
  // (docs/external-protocol.md); empty: raftsim's own core.
  std::vector<std::string> implementation;

  uint32_t node_id(const std::string& name) const;  // 0 when unknown
  const std::string& node_name(uint32_t id) const { return world.node_names[id - 1]; }
};

std::string_view to_string(FaultKind kind);
// crash_leader and isolate_leader: one timeline entry that stands for a fault and its undo.
bool is_leader_fault(FaultKind kind);
bool is_message_fault(FaultKind kind);
bool is_membership_fault(FaultKind kind);
// reconfigure, reconfigure_learner, reconfigure_joint: a change decided when it fires, from the
// leader's configuration then (the shrinker pins each to the change it made).
bool is_reconfigure(FaultKind kind);
// triggered_crash, triggered_pause, triggered_isolate, triggered_delay: a fault that fires when
// a node does something rather than at a clock time, and changes no members.
bool is_triggered_fault(FaultKind kind);
// triggered_reconfigure and its learner and joint forms: a nemesis's toggles fired by an event.
bool is_triggered_reconfigure(FaultKind kind);
// Timeline entries, undos included; a leader fault counts as two (the fault and its undo), and so
// does an entry with `for`.
size_t count_faults(const std::vector<Fault>& timeline);
// "becomes_leader", "grants_vote", ... as scenario files write them.
std::string_view to_string(sim::NodeEventKind event);
// The short human form of an expectation for the verdict table, e.g. `no_commit [n4 n5] 6s..20s`.
std::string describe(const Expectation& e, const std::vector<std::string>& node_names);

// Equality of meaning: where things were written (`file`, every `where`) is ignored, and so are the
// settings of a nemesis with no faults and of disabled liveness, which nothing reads.
bool operator==(const Fault& a, const Fault& b);
bool operator==(const Nemesis& a, const Nemesis& b);
bool operator==(const Expectation& a, const Expectation& b);
bool operator==(const Liveness& a, const Liveness& b);
bool operator==(const Scenario& a, const Scenario& b);

}  // namespace raftsim::scenario

// Coverage over an abstract state of the cluster: what guided exploration steers by.
//
// A run's concrete states never repeat (terms and indexes only grow), so they are folded into an
// abstract state that keeps what Raft's rules branch on and drops the rest. Per node: up, paused
// or down; role; its term behind the highest term (0, 1, 2, 3 or more); its commit index ahead of
// the lowest commit index of the nodes that are up (0 .. 3 or more); its last log term behind the
// highest last log term (0, 1, 2 or more); how many entries it holds past its commit index (0, 1,
// 2-4, 5 or more) and whether it has applied them all; whom it voted for (nobody, itself, another
// node); how many peers it can exchange messages with both ways, and whether some link of it
// works one way only; and its log beside the leader's: a snapshot held (with entries past it or
// not), a log ending before the leader's snapshot, a suffix disagreeing with the leader's, a log
// longer than the leader's; and its membership in the configuration it acts on (none, learner,
// voter), whether that configuration is uncommitted or joint, and whether it is the leader's.
// The nodes' codes are sorted, so two states that differ only by
// naming the nodes differently are one (the protocol is symmetric in them). A message delivered
// late (an older term than its receiver's, or an older heartbeat round than its link already
// delivered) marks the state it arrived in with its type: a stale response counted, an old
// append applied, are races only such a message can start.
//
// A run's coverage is the set of abstract states it visited, the transitions between them (pairs
// of consecutive distinct states), and the situations its delivered messages met
// (situation.h); a search counts how many it had not seen before, and how rare the run's
// situations are.
#pragma once

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/world.h"

namespace raftsim::explore {

// The abstract state of the cluster now (a hash; equal states give equal hashes).
uint64_t abstract_state(const sim::World& world);

// The abstract state of one world, call after call. A guided run asks for it after nearly every
// event, some ten thousand times a run, so each call reads again only what the world says may
// have changed since the last: a node that took part in an event or went up or down, its log
// beside the leader's when either of them changed, the configurations when one did, the reach of
// each node when a link did. Every call returns what abstract_state(world) would (a test holds
// the two equal along whole runs).
class AbstractStateTracker {
 public:
  uint64_t read(const sim::World& world);

 private:
  // What the state needs of one node, as of its world.node_version() `version`.
  struct NodeView {
    bool up = false;
    uint64_t version = 0;
    uint32_t own = 0;  // the bits of its code that depend on it alone
    bool leads = false;
    uint64_t term = 0;
    uint64_t last_term = 0;
    uint64_t last_index = 0;
    uint64_t snapshot_index = 0;
    uint64_t commit = 0;
    uint32_t configuration = 0;  // which of the distinct configurations in use it acts on
    struct {
      uint32_t leader = 0;  // none yet
      uint64_t version = 0;
      uint64_t leader_version = 0;
      bool divergent = false;
    } divergence;  // whether its log disagrees with `leader`'s, both as of their versions
  };
  void read_node(const node::Node& node, uint32_t id, NodeView& view);
  void group_configurations(const sim::World& world);
  bool divergent_from_leader(const sim::World& world, uint32_t id, uint32_t leader);

  std::vector<NodeView> nodes_;
  std::vector<uint32_t> reaches_;  // each node's reach, as of links_version_
  std::vector<uint32_t> codes_;
  uint32_t configurations_ = 0;  // distinct configurations in use
  uint64_t links_version_ = 0;
  uint64_t configurations_version_ = 0;
  bool read_once_ = false;
};

// Records what one run visits. Attach it to the world before the run starts; it must outlive the
// run.
class RunCoverage {
 public:
  void attach(sim::World& world);
  // Every state, transition and situation the run visited, each once, in no particular order.
  // The two lowest bits tell them apart (key_kind): one set holds all three.
  std::vector<uint64_t> seen() const;

 private:
  void observe(const sim::World& world);
  void observe(const sim::World& world, const raft::Message& m);

  // A run of bench/explore/correct.yaml visits some 20,000 states and transitions, a third of
  // them distinct: an open-addressing set keeps each once as it is visited, without the
  // allocations and the sort of a list.
  absl::flat_hash_set<uint64_t> seen_;
  AbstractStateTracker tracker_;
  std::vector<bool> situations_met_;  // by situation code, once the first message is delivered
  uint64_t last_ = 0;
  bool started_ = false;
};

enum class KeyKind : uint8_t { kState = 0, kTransition = 1, kSituation = 2 };

inline KeyKind key_kind(uint64_t key) {
  return static_cast<KeyKind>(key & 3);
}

// Everything a search has seen.
//
// States and transitions are kept exactly up to a bound: a long search of a large cluster finds
// more every run (some 1,500 per run of bench/mutants/membership.yaml, whose five servers change
// membership), and an exact set of them would grow past any machine's memory. Past the bound, a
// key not in the exact set is looked up in a fixed table of bits, one bit per key; a new key whose
// bit another key set already is taken for seen, so past the bound the counts are a lower bound and
// a run's novelty is underrated by the table's fill (a few per cent at 2^26 keys in 2^30 bits).
// Below the bound nothing changes: the same keys, the same counts, the same search.
class Coverage {
 public:
  // The defaults bound the exact set at 2^23 keys (some 150 MB) and the table at 2^30 bits (128
  // MB, allocated only once the set is full).
  explicit Coverage(size_t exact_keys = size_t{1} << 23, uint32_t table_bits_log2 = 30)
      : exact_keys_(exact_keys), table_bits_log2_(table_bits_log2) {}

  struct Gain {
    size_t states = 0;
    size_t transitions = 0;
    size_t situations = 0;
    // The sum, over the run's situations, of 1 / the number of runs (this one included) that
    // met each: 1 for a situation no run met before, near 0 for one every run meets.
    double rarity = 0;
    size_t total() const { return states + transitions + situations; }
  };
  // Adds one run's coverage; returns how much of it was new.
  Gain add(std::vector<uint64_t> run);
  size_t states() const { return states_; }
  size_t transitions() const { return transitions_; }
  size_t situations() const { return runs_meeting_.size(); }
  // Whether a key has gone to the table (the exact set was full): the counts are lower bounds.
  bool bounded() const { return !table_.empty(); }

 private:
  // Whether `key` (a state or a transition) is seen for the first time; records it.
  bool first_sight(uint64_t key);

  size_t exact_keys_;
  uint32_t table_bits_log2_;
  absl::flat_hash_set<uint64_t> seen_;  // states and transitions, up to exact_keys_
  std::vector<uint64_t> table_;         // one bit per key past that
  absl::flat_hash_map<uint64_t, uint64_t> runs_meeting_;  // per situation
  size_t states_ = 0;
  size_t transitions_ = 0;
};

}  // namespace raftsim::explore

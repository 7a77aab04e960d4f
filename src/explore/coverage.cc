#include "explore/coverage.h"

#include <algorithm>
#include <array>
#include <memory>

#include "explore/situation.h"

namespace raftsim::explore {

namespace {

uint64_t mix(uint64_t h, uint64_t v) {
  // splitmix64's finalizer over a running combination: cheap, and well spread for set keys.
  h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
  h ^= h >> 30;
  h *= 0xBF58476D1CE4E5B9ULL;
  h ^= h >> 27;
  h *= 0x94D049BB133111EBULL;
  return h ^ (h >> 31);
}

uint32_t clip(uint64_t value, uint32_t most) {
  return static_cast<uint32_t>(std::min<uint64_t>(value, most));
}

// How many peers `id` exchanges messages with both ways (capped at 7, 3 bits), and whether some
// link of it works one way only (bit 3).
uint32_t reach(const sim::World& world, uint32_t id) {
  uint32_t both = 0;
  bool one_way = false;
  for (uint32_t other = 1; other <= world.node_count(); ++other) {
    if (other == id) continue;
    const bool out = world.link_open(id, other);
    const bool in = world.link_open(other, id);
    both += out && in;
    one_way = one_way || out != in;
  }
  return std::min(both, 7u) | (one_way ? 8u : 0u);
}

void reach_codes(const sim::World& world, std::vector<uint32_t>& out) {
  out.resize(world.node_count());
  for (uint32_t id = 1; id <= world.node_count(); ++id)
    out[id - 1] = reach(world, id);
}

// 0, 1, 2..4, 5 or more: how many entries a node holds past its commit index.
uint32_t suffix_bucket(uint64_t entries) {
  return entries == 0 ? 0 : entries == 1 ? 1 : entries <= 4 ? 2 : 3;
}

// What a node's log looks like beside the leader's (when there is one): whether the node holds a
// snapshot (none, entries past it, nothing past it); whether its log ends before the leader's
// snapshot (only an InstallSnapshot can bring it up); whether it disagrees with the leader on the
// term of an entry both hold, at the shorter log's end (a suffix the leader must overwrite); and
// whether it is longer than the leader's. 5 bits.
uint32_t log_shape(const raft::Log& log, const raft::Log* leader) {
  const raft::Index snapshot = log.snapshot_index();
  uint32_t code = snapshot.value == 0 ? 0 : log.last_index() > snapshot ? 1 : 2;
  if (!leader) return code;
  code |= (log.last_index() < leader->snapshot_index() ? 1u : 0u) << 2;
  const raft::Index both = std::min(log.last_index(), leader->last_index());
  const bool divergent =
      log.contains(both) && leader->contains(both) && log.term_at(both) != leader->term_at(both);
  code |= (divergent ? 1u : 0u) << 3;
  code |= (log.last_index() > leader->last_index() ? 1u : 0u) << 4;
  return code;
}

// What abstract_state reads of one running node, read once: an observation follows nearly every
// event of a guided run, so its cost is paid some ten thousand times a run. Plain values, left
// unset until read, so that a cluster's worth of them costs nothing to lay out.
struct Reading {
  const node::Node* node;  // null: down
  uint64_t term;
  uint64_t last_term;
  uint64_t commit;
  uint32_t configuration;  // which of the distinct configurations in use it acts on
};

// Where a node stands in membership, from the configuration it acts on (the latest in its log):
// not a member, a learner or a voter (2 bits); whether that configuration is still uncommitted on
// it (the window in which two leaders' single-server changes can fail to overlap); whether it is
// joint; and whether it is not the leader's. 5 bits; constant in a cluster that never changes.
uint32_t membership(const Reading& node, const Reading* leader) {
  const raft::Raft& core = node.node->core();
  const raft::Configuration& configuration = core.configuration();
  const raft::NodeId id = core.id();
  uint32_t code = configuration.is_voter(id) ? 2 : configuration.is_learner(id) ? 1 : 0;
  code |= (core.configuration_index().value > node.commit ? 1u : 0u) << 2;
  code |= (configuration.joint() ? 1u : 0u) << 3;
  const bool unlike_leader = leader && leader->configuration != node.configuration;
  code |= (unlike_leader ? 1u : 0u) << 4;
  return code;
}

// Sorts a handful of codes: a cluster's few nodes are below where std::sort's setup pays off.
template <typename Slot>
void sort_codes(Slot* slots, uint32_t n) {
  for (uint32_t i = 1; i < n; ++i) {
    const uint32_t code = slots[i].code;
    uint32_t j = i;
    for (; j > 0 && slots[j - 1].code > code; --j)
      slots[j].code = slots[j - 1].code;
    slots[j].code = code;
  }
}

// The abstract state, given every node's reach (which changes only with the links).
uint64_t abstract_state(const sim::World& world, const std::vector<uint32_t>& reaches) {
  const uint32_t n = world.node_count();
  // Clusters are small: their readings live on the stack (a larger one's on the heap).
  constexpr uint32_t kSmall = 16;
  struct Scratch {
    Reading reading;
    uint32_t code;
    // Slot k names the k-th distinct configuration the running nodes act on (k < configurations).
    const raft::Configuration* distinct;
  };
  Scratch small[kSmall];
  std::unique_ptr<Scratch[]> large(n > kSmall ? new Scratch[n] : nullptr);
  Scratch* const scratch = large ? large.get() : small;

  uint64_t highest_term = 0;
  uint64_t highest_last_term = 0;
  uint64_t lowest_commit = UINT64_MAX;
  const Reading* leader = nullptr;  // the leader of the highest term, if any
  uint32_t configurations = 0;
  for (uint32_t id = 1; id <= n; ++id) {
    Reading& r = scratch[id - 1].reading;
    r.node = world.node(id);
    if (!r.node) continue;
    const raft::Raft& core = r.node->core();
    r.term = core.term().value;
    r.last_term = core.log().last_term().value;
    r.commit = core.commit_index().value;
    const raft::Configuration& configuration = core.configuration();
    r.configuration = 0;
    while (r.configuration < configurations && *scratch[r.configuration].distinct != configuration)
      ++r.configuration;
    if (r.configuration == configurations) scratch[configurations++].distinct = &configuration;
    highest_term = std::max(highest_term, r.term);
    highest_last_term = std::max(highest_last_term, r.last_term);
    lowest_commit = std::min(lowest_commit, r.commit);
    if (core.role() == raft::Role::kLeader && (!leader || r.term > leader->term)) leader = &r;
  }
  // One 32-bit code per node, laid out low to high: reach 4 bits, status 2, role 2, term
  // behind 2, commit ahead 2, last log term behind 2, vote 2, entries past the commit index 2,
  // applied behind commit 1, the log's shape beside the leader's 5, membership 5.
  for (uint32_t id = 1; id <= n; ++id) {
    const Reading& r = scratch[id - 1].reading;
    uint32_t code = reaches[id - 1];
    if (!r.node) {
      scratch[id - 1].code = code | (2u << 4);
      continue;
    }
    const raft::Raft& core = r.node->core();
    const raft::Log& log = core.log();
    const uint32_t vote = core.voted_for().is_none()             ? 0
                          : core.voted_for() == raft::NodeId{id} ? 1
                                                                 : 2;
    code |= (world.is_paused(id) ? 1u : 0u) << 4;
    code |= static_cast<uint32_t>(core.role()) << 6;
    code |= clip(highest_term - r.term, 3) << 8;
    code |= clip(r.commit - lowest_commit, 3) << 10;
    code |= clip(highest_last_term - r.last_term, 2) << 12;
    code |= vote << 14;
    const uint64_t past_commit =
        log.last_index().value - std::min(log.last_index().value, r.commit);
    code |= suffix_bucket(past_commit) << 16;
    code |= (r.node->applied_index().value < r.commit ? 1u : 0u) << 18;
    const bool follows = leader && leader != &r;
    code |= log_shape(log, follows ? &leader->node->core().log() : nullptr) << 19;
    code |= membership(r, follows ? leader : nullptr) << 24;
    scratch[id - 1].code = code;
  }
  sort_codes(scratch, n);
  // A message that just arrived late belongs to the state it arrived in: a search sees the
  // races of stale terms and reordered appends only this way. How many configurations the
  // running nodes act on (1, 2, 3 or more) tells apart the elections held while the cluster
  // disagrees about who votes, leader or none.
  uint64_t h =
      n | (uint64_t{world.late_delivery()} << 8) | (uint64_t{std::min(configurations, 3u)} << 24);
  for (uint32_t i = 0; i < n; ++i)
    h = mix(h, scratch[i].code);
  return h;
}

}  // namespace

uint64_t abstract_state(const sim::World& world) {
  std::vector<uint32_t> reaches;
  reach_codes(world, reaches);
  return abstract_state(world, reaches);
}

std::vector<uint64_t> RunCoverage::seen() const {
  return {seen_.begin(), seen_.end()};
}

void RunCoverage::attach(sim::World& world) {
  seen_.reserve(8192);
  world.set_change_listener([this, &world] { observe(world); });
  world.set_delivery_listener([this, &world](const raft::Message& m) { observe(world, m); });
}

void RunCoverage::observe(const sim::World& world, const raft::Message& m) {
  const uint32_t situation = delivery_situation(world, m);
  if (situation == 0) return;
  seen_.insert((mix(0x5170A7105ULL, situation) & ~uint64_t{3}) |
               static_cast<uint64_t>(KeyKind::kSituation));
}

void RunCoverage::observe(const sim::World& world) {
  if (!started_ || world.links_version() != links_version_) {
    reach_codes(world, reaches_);
    links_version_ = world.links_version();
  }
  const uint64_t state = abstract_state(world, reaches_) & ~uint64_t{3};
  if (started_ && state == last_) return;
  seen_.insert(state);
  if (started_)
    seen_.insert((mix(last_, state) & ~uint64_t{3}) | static_cast<uint64_t>(KeyKind::kTransition));
  last_ = state;
  started_ = true;
}

Coverage::Gain Coverage::add(const std::vector<uint64_t>& run) {
  Gain gain;
  std::vector<uint64_t> situations;
  for (uint64_t key : run) {
    const KeyKind kind = key_kind(key);
    if (kind == KeyKind::kSituation) {
      situations.push_back(key);
      continue;
    }
    if (!seen_.insert(key).second) continue;
    if (kind == KeyKind::kTransition) {
      ++gain.transitions;
    } else {
      ++gain.states;
    }
  }
  // A run lists its keys in hash order, which differs between processes: summed in key order, the
  // rarity comes out the same to the last bit everywhere, and so does the search it steers.
  std::sort(situations.begin(), situations.end());
  for (uint64_t key : situations) {
    const uint64_t runs = ++runs_meeting_[key];
    gain.situations += runs == 1;
    gain.rarity += 1.0 / static_cast<double>(runs);
  }
  states_ += gain.states;
  transitions_ += gain.transitions;
  return gain;
}

}  // namespace raftsim::explore

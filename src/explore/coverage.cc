#include "explore/coverage.h"

#include <algorithm>
#include <array>

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

// Where a node stands in membership, from the configuration it acts on (the latest in its log):
// not a member, a learner or a voter (2 bits); whether that configuration is still uncommitted on
// it (the window in which two leaders' single-server changes can fail to overlap); whether it is
// joint; and whether it is not the leader's. 5 bits; constant in a cluster that never changes.
uint32_t membership(const raft::Raft& core, const raft::Raft* leader) {
  const raft::Configuration& configuration = core.configuration();
  const raft::NodeId id = core.id();
  uint32_t code = configuration.is_voter(id) ? 2 : configuration.is_learner(id) ? 1 : 0;
  code |= (core.configuration_index() > core.commit_index() ? 1u : 0u) << 2;
  code |= (configuration.joint() ? 1u : 0u) << 3;
  const bool unlike_leader = leader && leader != &core && leader->configuration() != configuration;
  code |= (unlike_leader ? 1u : 0u) << 4;
  return code;
}

// How many distinct configurations the running nodes act on, capped at 3.
uint32_t configurations_in_use(const sim::World& world) {
  std::array<const raft::Configuration*, 3> seen{};
  uint32_t count = 0;
  for (uint32_t id = 1; id <= world.node_count() && count < seen.size(); ++id) {
    const node::Node* node = world.node(id);
    if (!node) continue;
    const raft::Configuration& configuration = node->core().configuration();
    if (std::none_of(seen.begin(), seen.begin() + count,
                     [&](const raft::Configuration* c) { return *c == configuration; }))
      seen[count++] = &configuration;
  }
  return count;
}

// The abstract state, given every node's reach (which changes only with the links).
uint64_t abstract_state(const sim::World& world, const std::vector<uint32_t>& reaches) {
  const uint32_t n = world.node_count();
  raft::Term highest_term;
  raft::Term highest_last_term;
  raft::Index lowest_commit{UINT64_MAX};
  const raft::Raft* leader = nullptr;  // the leader of the highest term, if any
  for (uint32_t id = 1; id <= n; ++id) {
    const node::Node* node = world.node(id);
    if (!node) continue;
    const raft::Raft& core = node->core();
    highest_term = std::max(highest_term, core.term());
    highest_last_term = std::max(highest_last_term, core.log().last_term());
    lowest_commit = std::min(lowest_commit, core.commit_index());
    if (core.role() == raft::Role::kLeader && (!leader || core.term() > leader->term()))
      leader = &core;
  }
  // One 32-bit code per node, laid out low to high: reach 4 bits, status 2, role 2, term
  // behind 2, commit ahead 2, last log term behind 2, vote 2, entries past the commit index 2,
  // applied behind commit 1, the log's shape beside the leader's 5, membership 5.
  // Clusters are small: the codes live on the stack (a larger one falls back to the heap).
  std::array<uint32_t, 16> small;
  std::vector<uint32_t> large(n > small.size() ? n : 0);
  uint32_t* const codes = n > small.size() ? large.data() : small.data();
  for (uint32_t id = 1; id <= n; ++id) {
    const node::Node* node = world.node(id);
    uint32_t code = reaches[id - 1];
    if (!node) {
      codes[id - 1] = code | (2u << 4);
      continue;
    }
    const raft::Raft& core = node->core();
    const raft::Log& log = core.log();
    const uint32_t vote = core.voted_for().is_none()             ? 0
                          : core.voted_for() == raft::NodeId{id} ? 1
                                                                 : 2;
    code |= (world.is_paused(id) ? 1u : 0u) << 4;
    code |= static_cast<uint32_t>(core.role()) << 6;
    code |= clip(highest_term.value - core.term().value, 3) << 8;
    code |= clip(core.commit_index().value - lowest_commit.value, 3) << 10;
    code |= clip(highest_last_term.value - log.last_term().value, 2) << 12;
    code |= vote << 14;
    const uint64_t past_commit =
        log.last_index().value - std::min(log.last_index().value, core.commit_index().value);
    code |= suffix_bucket(past_commit) << 16;
    code |= (node->applied_index() < core.commit_index() ? 1u : 0u) << 18;
    code |= log_shape(log, leader && leader != &core ? &leader->log() : nullptr) << 19;
    code |= membership(core, leader) << 24;
    codes[id - 1] = code;
  }
  std::sort(codes, codes + n);
  // A message that just arrived late belongs to the state it arrived in: a search sees the
  // races of stale terms and reordered appends only this way. How many configurations the
  // running nodes act on (1, 2, 3 or more) tells apart the elections held while the cluster
  // disagrees about who votes, leader or none.
  uint64_t h =
      n | (uint64_t{world.late_delivery()} << 8) | (uint64_t{configurations_in_use(world)} << 24);
  for (uint32_t i = 0; i < n; ++i)
    h = mix(h, codes[i]);
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

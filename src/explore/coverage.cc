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

// What a node's log looks like beside the leader's (when there is one), 5 bits: whether the
// node holds a snapshot (none, entries past it, nothing past it); whether its log ends before
// the leader's snapshot (only an InstallSnapshot can bring it up); whether it disagrees with the
// leader on the term of an entry both hold, at the shorter log's end (a suffix the leader must
// overwrite); and whether it is longer than the leader's. The first is the node's alone
// (snapshot_code), the rest are read beside the leader (AbstractStateTracker::read).
uint32_t snapshot_code(const raft::Log& log) {
  const raft::Index snapshot = log.snapshot_index();
  return snapshot.value == 0 ? 0 : log.last_index() > snapshot ? 1 : 2;
}

bool divergent(const raft::Log& log, const raft::Log& leader) {
  const raft::Index both = std::min(log.last_index(), leader.last_index());
  return log.contains(both) && leader.contains(both) && log.term_at(both) != leader.term_at(both);
}

// Where a node stands in membership, from the configuration it acts on (the latest in its log),
// 5 bits: not a member, a learner or a voter (2 bits); whether that configuration is still
// uncommitted on it (the window in which two leaders' single-server changes can fail to
// overlap); whether it is joint; and whether it is not the leader's (read beside the leader).
// Constant in a cluster that never changes.
uint32_t membership_code(const raft::Raft& core) {
  const raft::Configuration& configuration = core.configuration();
  uint32_t code = configuration.is_voter(core.id())     ? 2
                  : configuration.is_learner(core.id()) ? 1
                                                        : 0;
  code |= (core.configuration_index() > core.commit_index() ? 1u : 0u) << 2;
  code |= (configuration.joint() ? 1u : 0u) << 3;
  return code;
}

// One 32-bit code per node, laid out low to high: reach 4 bits, status 2, role 2, term behind
// 2, commit ahead 2, last log term behind 2, vote 2, entries past the commit index 2, applied
// behind commit 1, the log's shape beside the leader's 5, membership 5.
constexpr uint32_t kStatusShift = 4;
constexpr uint32_t kDown = 2u << kStatusShift;
constexpr uint32_t kPaused = 1u << kStatusShift;
constexpr uint32_t kRoleShift = 6;
constexpr uint32_t kTermBehindShift = 8;
constexpr uint32_t kCommitAheadShift = 10;
constexpr uint32_t kLastTermBehindShift = 12;
constexpr uint32_t kVoteShift = 14;
constexpr uint32_t kPastCommitShift = 16;
constexpr uint32_t kAppliedBehindShift = 18;
constexpr uint32_t kLogShapeShift = 19;
constexpr uint32_t kMembershipShift = 24;

// Sorts a handful of codes: a cluster's few nodes are below where std::sort's setup pays off.
void sort_codes(std::vector<uint32_t>& codes) {
  for (size_t i = 1; i < codes.size(); ++i) {
    const uint32_t code = codes[i];
    size_t j = i;
    for (; j > 0 && codes[j - 1] > code; --j)
      codes[j] = codes[j - 1];
    codes[j] = code;
  }
}

}  // namespace

void AbstractStateTracker::read_node(const node::Node& node, uint32_t id, NodeView& view) {
  const raft::Raft& core = node.core();
  const raft::Log& log = core.log();
  view.term = core.term().value;
  view.last_term = log.last_term().value;
  view.last_index = log.last_index().value;
  view.snapshot_index = log.snapshot_index().value;
  view.commit = core.commit_index().value;
  view.leads = core.role() == raft::Role::kLeader;
  const uint32_t vote = core.voted_for().is_none()             ? 0
                        : core.voted_for() == raft::NodeId{id} ? 1
                                                               : 2;
  const uint64_t past_commit = view.last_index - std::min(view.last_index, view.commit);
  view.own = static_cast<uint32_t>(core.role()) << kRoleShift | vote << kVoteShift |
             suffix_bucket(past_commit) << kPastCommitShift |
             (node.applied_index() < core.commit_index() ? 1u : 0u) << kAppliedBehindShift |
             snapshot_code(log) << kLogShapeShift | membership_code(core) << kMembershipShift;
}

void AbstractStateTracker::group_configurations(const sim::World& world) {
  std::vector<const raft::Configuration*> distinct;
  for (uint32_t id = 1; id <= world.node_count(); ++id) {
    const node::Node* node = world.node(id);
    if (!node) continue;
    const raft::Configuration& configuration = node->core().configuration();
    uint32_t group = 0;
    while (group < distinct.size() && *distinct[group] != configuration)
      ++group;
    if (group == distinct.size()) distinct.push_back(&configuration);
    nodes_[id - 1].configuration = group;
  }
  configurations_ = static_cast<uint32_t>(distinct.size());
}

bool AbstractStateTracker::divergent_from_leader(const sim::World& world, uint32_t id,
                                                 uint32_t leader) {
  NodeView& view = nodes_[id - 1];
  const NodeView& lead = nodes_[leader - 1];
  const bool fresh = view.divergence.leader == leader && view.divergence.version == view.version &&
                     view.divergence.leader_version == lead.version;
  if (!fresh) {
    view.divergence = {
        .leader = leader,
        .version = view.version,
        .leader_version = lead.version,
        .divergent = divergent(world.node(id)->core().log(), world.node(leader)->core().log())};
  }
  return view.divergence.divergent;
}

uint64_t AbstractStateTracker::read(const sim::World& world) {
  const uint32_t n = world.node_count();
  if (nodes_.size() != n) {
    nodes_.assign(n, NodeView{});
    read_once_ = false;
  }
  if (!read_once_ || world.links_version() != links_version_) {
    reach_codes(world, reaches_);
    links_version_ = world.links_version();
  }
  // Only a node that took part in an event since the last call, or went up or down, is read
  // again.
  bool regroup = !read_once_ || world.configurations_version() != configurations_version_;
  for (uint32_t id = 1; id <= n; ++id) {
    NodeView& view = nodes_[id - 1];
    const node::Node* node = world.node(id);
    const bool up = node != nullptr;
    if (read_once_ && up == view.up && (!up || view.version == world.node_version(id))) continue;
    regroup = regroup || up != view.up;
    view.up = up;
    if (!up) continue;
    view.version = world.node_version(id);
    read_node(*node, id, view);
  }
  if (regroup) {
    group_configurations(world);
    configurations_version_ = world.configurations_version();
  }
  read_once_ = true;

  uint64_t highest_term = 0;
  uint64_t highest_last_term = 0;
  uint64_t lowest_commit = UINT64_MAX;
  uint32_t leader = 0;  // the leader of the highest term, if any
  for (uint32_t id = 1; id <= n; ++id) {
    const NodeView& view = nodes_[id - 1];
    if (!view.up) continue;
    highest_term = std::max(highest_term, view.term);
    highest_last_term = std::max(highest_last_term, view.last_term);
    lowest_commit = std::min(lowest_commit, view.commit);
    if (view.leads && (leader == 0 || view.term > nodes_[leader - 1].term)) leader = id;
  }
  codes_.resize(n);
  for (uint32_t id = 1; id <= n; ++id) {
    const NodeView& view = nodes_[id - 1];
    uint32_t code = reaches_[id - 1];
    if (!view.up) {
      codes_[id - 1] = code | kDown;
      continue;
    }
    code |= (world.is_paused(id) ? kPaused : 0u) | view.own;
    code |= clip(highest_term - view.term, 3) << kTermBehindShift;
    code |= clip(view.commit - lowest_commit, 3) << kCommitAheadShift;
    code |= clip(highest_last_term - view.last_term, 2) << kLastTermBehindShift;
    if (leader != 0 && leader != id) {
      const NodeView& lead = nodes_[leader - 1];
      const uint32_t beside_leader = (view.last_index < lead.snapshot_index ? 1u : 0u) << 2 |
                                     (divergent_from_leader(world, id, leader) ? 1u : 0u) << 3 |
                                     (view.last_index > lead.last_index ? 1u : 0u) << 4;
      code |= beside_leader << kLogShapeShift;
      code |= (view.configuration != lead.configuration ? 1u : 0u) << (kMembershipShift + 4);
    }
    codes_[id - 1] = code;
  }
  sort_codes(codes_);
  // A message that just arrived late belongs to the state it arrived in: a search sees the
  // races of stale terms and reordered appends only this way. How many configurations the
  // running nodes act on (1, 2, 3 or more) tells apart the elections held while the cluster
  // disagrees about who votes, leader or none.
  uint64_t h =
      n | (uint64_t{world.late_delivery()} << 8) | (uint64_t{std::min(configurations_, 3u)} << 24);
  for (uint32_t code : codes_)
    h = mix(h, code);
  return h;
}

uint64_t abstract_state(const sim::World& world) {
  AbstractStateTracker tracker;
  return tracker.read(world);
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
  // Most deliveries meet a situation the run met already: a bit per code says so for less than
  // a hash set's lookup. (A code grown past the bits goes to the set alone.)
  if (situation >> kSituationBits == 0) {
    if (situations_met_.empty()) situations_met_.resize(size_t{1} << kSituationBits);
    if (situations_met_[situation]) return;
    situations_met_[situation] = true;
  }
  seen_.insert((mix(0x5170A7105ULL, situation) & ~uint64_t{3}) |
               static_cast<uint64_t>(KeyKind::kSituation));
}

void RunCoverage::observe(const sim::World& world) {
  const uint64_t state = tracker_.read(world) & ~uint64_t{3};
  if (started_ && state == last_) return;
  seen_.insert(state);
  if (started_)
    seen_.insert((mix(last_, state) & ~uint64_t{3}) | static_cast<uint64_t>(KeyKind::kTransition));
  last_ = state;
  started_ = true;
}

bool Coverage::first_sight(uint64_t key) {
  if (seen_.contains(key)) return false;
  if (seen_.size() < exact_keys_) {
    seen_.insert(key);
    return true;
  }
  if (table_.empty()) table_.assign(std::max<size_t>(1, (size_t{1} << table_bits_log2_) / 64), 0);
  // A key is a hash already; its two lowest bits say its kind, so the bit comes from the rest.
  const uint64_t bit = (key >> 2) & ((uint64_t{1} << table_bits_log2_) - 1);
  uint64_t& word = table_[bit / 64];
  const uint64_t mask = uint64_t{1} << (bit % 64);
  if (word & mask) return false;
  word |= mask;
  return true;
}

Coverage::Gain Coverage::add(std::vector<uint64_t> run) {
  Gain gain;
  // A run lists its keys in hash order, which differs between processes. Taken in key order,
  // the same keys fill the exact set before the table, and the rarity comes out the same to the
  // last bit, everywhere: so does the search they steer.
  std::sort(run.begin(), run.end());
  std::vector<uint64_t> situations;
  for (uint64_t key : run) {
    const KeyKind kind = key_kind(key);
    if (kind == KeyKind::kSituation) {
      situations.push_back(key);
      continue;
    }
    if (!first_sight(key)) continue;
    if (kind == KeyKind::kTransition) {
      ++gain.transitions;
    } else {
      ++gain.states;
    }
  }
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

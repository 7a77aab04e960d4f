#include "scenario/membership_faults.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "scenario/faults.h"

namespace raftsim::scenario {

namespace {

using Kind = raft::ConfChange::Kind;

// The voters `reconfigure_joint` asks for: `voters` with each node of `pair` flipped, or with
// only the first flipped when flipping both would leave none.
std::vector<raft::NodeId> flipped(std::vector<raft::NodeId> voters,
                                  const std::vector<uint32_t>& pair) {
  const auto flip = [](std::vector<raft::NodeId> v, raft::NodeId id) {
    const auto at = std::find(v.begin(), v.end(), id);
    if (at != v.end()) {
      v.erase(at);
    } else {
      v.insert(std::upper_bound(v.begin(), v.end(), id), id);
    }
    return v;
  };
  std::vector<raft::NodeId> first = flip(std::move(voters), raft::NodeId{pair[0]});
  if (pair.size() < 2) return first;
  std::vector<raft::NodeId> both = flip(first, raft::NodeId{pair[1]});
  return both.empty() ? first : both;
}

}  // namespace

raft::ConfChange change_of(const Fault& f, const raft::Configuration& leader_configuration) {
  const raft::Configuration& c = leader_configuration;
  raft::ConfChange change{.node = raft::NodeId{f.nodes[0]}};
  switch (f.kind) {
    case FaultKind::kAddLearner:
      change.kind = Kind::kAddLearner;
      break;
    case FaultKind::kPromote:
      change.kind = Kind::kPromote;
      break;
    case FaultKind::kAddVoter:
      change.kind = Kind::kAddVoter;
      break;
    case FaultKind::kRemove:
      change.kind = Kind::kRemove;
      break;
    case FaultKind::kChangeVoters:
      change.kind = Kind::kReplace;
      change.node = raft::kNoNode;
      for (uint32_t id : f.nodes)
        change.voters.push_back(raft::NodeId{id});
      break;
    case FaultKind::kReconfigureLearner:
      change.kind = c.is_voter(change.node)     ? Kind::kRemove
                    : c.is_learner(change.node) ? Kind::kPromote
                                                : Kind::kAddLearner;
      break;
    case FaultKind::kReconfigureJoint:
      change.kind = Kind::kReplace;
      change.node = raft::kNoNode;
      change.voters = flipped(c.voters, f.nodes);
      break;
    default:  // kReconfigure
      change.kind = c.is_voter(change.node) ? Kind::kRemove : Kind::kAddVoter;
      break;
  }
  return change;
}

Fault pinned_change(const Fault& f, const raft::ConfChange& change) {
  Fault pinned = f;
  pinned.when.reset();
  pinned.undo_after = Duration{0};
  switch (change.kind) {
    case Kind::kAddLearner:
      pinned.kind = FaultKind::kAddLearner;
      break;
    case Kind::kPromote:
      pinned.kind = FaultKind::kPromote;
      break;
    case Kind::kAddVoter:
      pinned.kind = FaultKind::kAddVoter;
      break;
    case Kind::kRemove:
      pinned.kind = FaultKind::kRemove;
      break;
    case Kind::kReplace:
      pinned.kind = FaultKind::kChangeVoters;
      pinned.nodes.clear();
      for (raft::NodeId id : change.voters)
        pinned.nodes.push_back(static_cast<uint32_t>(id.value));
      break;
  }
  return pinned;
}

std::vector<Fault> pin_reconfigures(const std::vector<Fault>& timeline,
                                    const std::vector<FiredChange>& fired) {
  std::vector<std::pair<size_t, Fault>> kept;  // (timeline entry, fault)
  for (size_t i = 0; i < timeline.size(); ++i)
    if (!is_reconfigure(timeline[i].kind)) kept.emplace_back(i, timeline[i]);
  for (const FiredChange& c : fired)
    if (c.entry < timeline.size()) kept.emplace_back(c.entry, c.change);
  return in_time_order(std::move(kept));
}

namespace {

// A membership fault becomes a change asked of the leader, retried for up to this many election
// timeouts while the leader cannot make it yet (a fresh leader, a change still uncommitted).
constexpr int kChangeRetryTimeouts = 20;

}  // namespace

void change_membership(sim::World& world, const Fault& f, uint64_t id,
                       std::vector<FiredChange>* fired) {
  const bool toggle = is_reconfigure(f.kind);
  const raft::ConfChange change =
      change_of(f, toggle ? world.leader_configuration() : raft::Configuration{});
  const sim::Duration timeout = world.config().tick * world.config().election_timeout_ticks;
  std::function<void()> appended;
  if (fired && id > 0 && toggle) {
    Fault pinned = pinned_change(f, change);
    pinned.at = world.now();
    const size_t slot = fired->size();
    fired->push_back({.entry = id - 1, .change = std::move(pinned), .fired = world.now()});
    appended = [fired, slot] { (*fired)[slot].appended = true; };
  }
  world.change_membership(change, world.now() + timeout * kChangeRetryTimeouts,
                          std::move(appended));
}

}  // namespace raftsim::scenario

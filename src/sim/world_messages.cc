// The world's message faults, its PCT scheduler, and the node events event-triggered faults wait
// for.
#include <fmt/format.h>

#include "sim/world.h"

namespace raftsim::sim {

std::string World::message_text(const raft::Message& m) const {
  return fmt::format("{}->{} {} t{}", name(m.from.value), name(m.to.value), to_string(kind_of(m)),
                     m.term.value);
}

bool World::shape_delivery(uint32_t from, raft::Message& m, Routing& r) {
  const uint32_t to = m.to.value;
  if (pct_ && pct_->next()) {
    r.delay += config_.pct.hold;
    note_fault(fmt::format("pct: {} held back {}us (a priority change point)", message_text(m),
                           config_.pct.hold.count()));
  }
  if (filters_.empty()) return true;
  const std::optional<MessageFilter> filter = filters_.take(from, to, m);
  if (!filter) return true;
  const std::string left = fmt::format("({} more to come)", filter->count - 1);
  switch (filter->action) {
    case MessageFilter::Action::kDrop:
      note_fault(fmt::format("drop_messages: {} dropped {}", message_text(m), left));
      return false;
    case MessageFilter::Action::kDelay:
      r.delay += filter->delay;
      note_fault(fmt::format("delay_messages: {} delayed {}us {}", message_text(m),
                             filter->delay.count(), left));
      return true;
    case MessageFilter::Action::kDuplicate:
      r.duplicated = true;
      r.duplicate_delay = r.delay + filter->delay;
      note_fault(fmt::format("duplicate_messages: {} sent twice {}", message_text(m), left));
      return true;
    case MessageFilter::Action::kHold:
      note_fault(fmt::format("hold_messages: {} held back until the next message on its link {}",
                             message_text(m), left));
      held_[(from - 1) * node_count() + (to - 1)].push_back(std::move(m));
      return false;
  }
  return true;
}

void World::release_held(uint32_t from, uint32_t to, SimTime after) {
  std::vector<raft::Message> release;
  release.swap(held_[(from - 1) * node_count() + (to - 1)]);
  for (raft::Message& m : release)
    queue_.push(after, EventKind::kDeliver, to, messages_.put(std::move(m)));
}

void World::tell_in_step(const NodeEvent& event) {
  stepping_ = event.node;
  node_events_(event);
  stepping_ = 0;
}

void World::tell_node_events(uint32_t id) {
  SimNode& sn = nodes_[id - 1];
  const raft::Raft& core = sn.node->core();
  const raft::Role role = core.role();
  const uint64_t uncommitted = raft::distance(core.commit_index(), core.log().last_index());
  const bool leader = role != sn.told_role && role == raft::Role::kLeader;
  const bool candidate = role != sn.told_role && role == raft::Role::kCandidate;
  const bool grew = uncommitted != sn.told_uncommitted;
  sn.told_role = role;
  sn.told_uncommitted = uncommitted;
  // Each may crash the node: the ones after it then have no node to speak of.
  if (candidate && sn.node) node_events_({NodeEventKind::kBecomesCandidate, id, 0});
  if (leader && sn.node) node_events_({NodeEventKind::kBecomesLeader, id, 0});
  if (grew && sn.node) node_events_({NodeEventKind::kUncommitted, id, uncommitted});
}

}  // namespace raftsim::sim

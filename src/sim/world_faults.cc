// The faults the world applies to nodes and links (partitions, cuts, clogs, crashes, pauses, disk
// faults, clock skew) and the nudges a timeline may give (campaign, leadership transfer).
#include <fmt/format.h>

#include <string_view>

#include "sim/world.h"

namespace raftsim::sim {

void World::note_fault(std::string text) {
  trace_.record({.time = now_, .kind = TraceKind::kFault, .text = std::move(text)});
}

void World::partition(const std::vector<std::vector<uint32_t>>& groups) {
  network_.partition(groups);
  ++links_version_;
}

void World::cut(uint32_t from, uint32_t to) {
  network_.block(from, to, true);
  ++links_version_;
}

void World::heal() {
  for (uint32_t from = 1; from <= node_count(); ++from) {
    for (uint32_t to = 1; to <= node_count(); ++to) {
      if (network_.clogged(from, to)) unclog(from, to);
    }
  }
  network_.heal();
  ++links_version_;
}

void World::clog(uint32_t from, uint32_t to) {
  network_.clog(from, to, true);
  ++links_version_;
}

void World::unclog(uint32_t from, uint32_t to) {
  network_.clog(from, to, false);
  ++links_version_;
  auto& held = clogged_[(from - 1) * node_count() + (to - 1)];
  std::vector<raft::Message> release;
  release.swap(held);
  for (raft::Message& m : release)
    route(from, std::move(m));
}

void World::crash(uint32_t id) {
  SimNode& sn = nodes_[id - 1];
  if (!sn.node) return;
  if (stepping_ == id) {
    sn.crash_pending = true;  // it is inside its own step: down at the end of it
    return;
  }
  sn.crash_pending = false;
  sn.node.reset();
  ++sn.life;
  sn.disk->crash();
  sn.paused = false;
  sn.tick_held = false;
  sn.held.clear();
  sn.seen_timer_deadline_us = -1;  // a restarted node's timer is annotated afresh
  trace_.record({.time = now_, .kind = TraceKind::kNodeDown, .node = id, .text = "crashed"});
}

void World::restart(uint32_t id) {
  SimNode& sn = nodes_[id - 1];
  if (sn.node) return;
  ++sn.life;
  boot(id);
}

void World::pause(uint32_t id) {
  SimNode& sn = nodes_[id - 1];
  if (sn.node) sn.paused = true;
}

void World::resume(uint32_t id) {
  SimNode& sn = nodes_[id - 1];
  if (!sn.paused) return;
  sn.paused = false;
  std::vector<Event> held;
  held.swap(sn.held);
  for (const Event& e : held)
    queue_.requeue(e, now_);
  if (sn.tick_held) {
    sn.tick_held = false;
    schedule_tick(id);
  }
}

void World::wipe(uint32_t id) {
  const bool was_up = is_up(id);
  crash(id);
  nodes_[id - 1].disk->wipe();
  nodes_[id - 1].disk_lost = true;
  if (was_up) restart(id);
}

void World::set_fsync_lies(uint32_t id, bool lies) {
  nodes_[id - 1].disk->set_fsync_lies(lies);
}

void World::arm_torn_write(uint32_t id) {
  nodes_[id - 1].disk->arm_torn_write();
}

void World::corrupt(uint32_t id, uint64_t record) {
  note_fault(nodes_[id - 1].disk->corrupt(record));
}

void World::set_clock_skew(uint32_t id, double factor) {
  nodes_[id - 1].skew = factor;
}

void World::campaign(uint32_t id) {
  SimNode& sn = nodes_[id - 1];
  if (!sn.node || sn.paused) return;
  sn.node->campaign();
  after_event(id);
}

void World::transfer_leader(uint32_t from, uint32_t to) {
  SimNode& sn = nodes_[from - 1];
  // The narration has said "n1 hands leadership to n2"; when nothing is handed over, it says why.
  auto refused = [&](std::string_view why) {
    note_fault(fmt::format("{} hands nothing to {}: {}", sn.name, name(to), why));
  };
  if (!sn.node) return refused("it is down");
  if (sn.paused) return refused("it is paused");
  sn.node->transfer_leader(raft::NodeId{to});
  const raft::Raft& core = sn.node->core();
  if (core.transfer_target() != raft::NodeId{to}) {
    refused(core.role() != raft::Role::kLeader ? "it is not the leader"
            : !core.config().options.leadership_transfer
                ? "leadership transfer is off (cluster.leadership_transfer: false)"
            : !core.configuration().is_voter(raft::NodeId{to})
                ? fmt::format("{} is not a voter", name(to))
                : "the leader refused it");
  }
  after_event(from);
}

}  // namespace raftsim::sim

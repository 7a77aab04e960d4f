// What each server holds on its disk, as its host reported completed syncs: the terms of its
// durable log and the point its durable snapshot covers. It answers the question the
// commit_quorum check asks of every server a leader counted: does it hold the entry
// (index, term) where a crash could not take it away?
//
// The view follows what the host believes durable (the syncs it was told completed), not what
// a faulty disk kept, and a restart leaves it as it was: within Raft's fault model a crash keeps
// exactly what was synced, so the restarted server loads what the view already says. A disk that
// loses synced data (wiped, a sync that lied, a corrupt record) is a fault outside the model; what
// it costs is for durability and the other checks to report, not a miscount by the core.
//
// Memory: one record per run of equal terms in each server's durable log. Costs: a sync O(E + 1)
// amortised for E entries; a question O(log R).
#pragma once

#include <map>
#include <span>
#include <vector>

#include "raft/log.h"
#include "raft/types.h"

namespace raftsim::check {

class DiskView {
 public:
  // A sync of `node` completed. `snapshot_index`, when non-zero, is a snapshot from a leader that
  // replaced the whole log; then `entries` (consecutive) were written, cutting away whatever the
  // log held from their first index on, the snapshot point too if they start at or below it.
  void synced(raft::NodeId node, raft::Index snapshot_index, std::span<const raft::Entry> entries);

  // Whether `node`'s disk holds (index, term): in its durable log, or below its durable snapshot
  // point (a snapshot covers only applied, so committed, entries: state-machine safety holds
  // them to what everyone applied there).
  bool holds(raft::NodeId node, raft::Index index, raft::Term term) const;

 private:
  // Indices [first, the next run's first) hold `term`.
  struct Run {
    raft::Index first;
    raft::Term term;
  };
  struct Disk {
    raft::Index snapshot;
    raft::Index last;
    std::vector<Run> runs;  // covering snapshot + 1 .. last, in index order
  };
  std::map<raft::NodeId, Disk> disks_;
};

}  // namespace raftsim::check

#include "check/disk_view.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace raftsim::check {

using raft::Index;
using raft::Term;

void DiskView::synced(raft::NodeId node, Index snapshot_index,
                      std::span<const raft::Entry> entries) {
  Disk& disk = disks_[node];
  if (snapshot_index.value > 0) {
    disk = Disk{snapshot_index, snapshot_index, {}};
  }
  if (entries.empty()) return;
  const Index first = entries.front().index;
  // Cut the log back to first - 1: whole runs that start at or after it go, and the run before
  // keeps what lies below it. Entries at or below the snapshot point mean the disk started over
  // (a wiped server refilled from index 1): the point goes too.
  if (first <= disk.snapshot) disk = Disk{first.prev(), first.prev(), {}};
  while (!disk.runs.empty() && disk.runs.back().first >= first)
    disk.runs.pop_back();
  // A gap before them (syncs completing out of order, as only the planted ack_before_persist
  // host lets them) is held as term 0, which no entry has: not on disk as far as this view knows.
  if (first > disk.last.next()) disk.runs.push_back({disk.last.next(), Term{}});
  for (const raft::Entry& e : entries) {
    if (disk.runs.empty() || disk.runs.back().term != e.term)
      disk.runs.push_back({e.index, e.term});
  }
  disk.last = entries.back().index;
}

bool DiskView::holds(raft::NodeId node, Index index, Term term) const {
  const auto found = disks_.find(node);
  if (found == disks_.end()) return false;
  const Disk& disk = found->second;
  if (index <= disk.snapshot) return true;
  if (index > disk.last) return false;
  auto run = std::upper_bound(disk.runs.begin(), disk.runs.end(), index,
                              [](Index i, const Run& r) { return i < r.first; });
  return run != disk.runs.begin() && std::prev(run)->term == term;
}

}  // namespace raftsim::check

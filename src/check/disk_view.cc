#include "check/disk_view.h"

#include <algorithm>
#include <cassert>
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
  assert(first > disk.snapshot && first <= disk.last.next());
  // Cut the log back to first - 1: whole runs that start at or after it go, and the run before
  // keeps what lies below it.
  while (!disk.runs.empty() && disk.runs.back().first >= first)
    disk.runs.pop_back();
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

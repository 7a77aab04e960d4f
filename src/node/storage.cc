#include "node/storage.h"

#include <algorithm>

namespace raftsim::node {

void MemoryStorage::write(const std::optional<raft::HardState>& hard_state,
                          const std::vector<raft::Entry>& entries) {
  if (hard_state) state_.hard_state = *hard_state;
  if (entries.empty()) return;
  state_.entries.resize(raft::distance(state_.snapshot.index, entries.front().index) - 1);
  state_.entries.insert(state_.entries.end(), entries.begin(), entries.end());
}

uint64_t entries_covered(raft::Index first, uint64_t stored, raft::Index through) {
  if (through < first) return 0;
  return std::min<uint64_t>(raft::distance(first, through) + 1, stored);
}

void MemoryStorage::write_snapshot(const raft::Snapshot& snapshot, bool replaces_log) {
  const uint64_t stored = state_.entries.size();
  const uint64_t covered =
      replaces_log ? stored : entries_covered(state_.snapshot.index.next(), stored, snapshot.index);
  state_.entries.erase(state_.entries.begin(),
                       state_.entries.begin() + static_cast<ptrdiff_t>(covered));
  state_.snapshot = snapshot;
}

}  // namespace raftsim::node

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

void MemoryStorage::write_snapshot(const raft::Snapshot& snapshot, bool replaces_log) {
  const uint64_t covered =
      replaces_log ? state_.entries.size()
                   : std::min<uint64_t>(raft::distance(state_.snapshot.index, snapshot.index),
                                        state_.entries.size());
  state_.entries.erase(state_.entries.begin(),
                       state_.entries.begin() + static_cast<ptrdiff_t>(covered));
  state_.snapshot = snapshot;
}

}  // namespace raftsim::node

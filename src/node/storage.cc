#include "node/storage.h"

namespace raftsim::node {

void MemoryStorage::write(const std::optional<raft::HardState>& hard_state,
                          const std::vector<raft::Entry>& entries) {
  if (hard_state) state_.hard_state = *hard_state;
  if (entries.empty()) return;
  state_.entries.resize(entries.front().index.value - 1);
  state_.entries.insert(state_.entries.end(), entries.begin(), entries.end());
}

}  // namespace raftsim::node

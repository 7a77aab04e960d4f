// What a search's change listener learns of messages that arrive late (World::late_delivery).
#include "sim/world.h"

namespace raftsim::sim {

void World::note_late_delivery(const raft::Message& m, raft::Term receiver_term) {
  const size_t n = nodes_.size();
  if (delivered_.size() != n * n) delivered_.resize(n * n);
  auto& [term, round] = delivered_[(m.from.value - 1) * n + (m.to.value - 1)];
  const bool rounds =
      m.type == raft::MessageType::kAppendEntries || m.type == raft::MessageType::kAppendResponse;
  const bool late = m.term < receiver_term || (rounds && m.term == term && m.round < round);
  if (m.term > term || (m.term == term && rounds && m.round > round)) {
    term = m.term;
    round = rounds ? m.round : 0;
  }
  if (!late) return;
  late_delivery_ = 1 + static_cast<uint32_t>(m.type);
  changed_ = true;
}

}  // namespace raftsim::sim

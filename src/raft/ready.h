// The batch of work a Raft core hands its host, and the state in it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "raft/message.h"

namespace raftsim::raft {

enum class Role : uint8_t { kFollower, kPreCandidate, kCandidate, kLeader };

std::string_view to_string(Role role);

// Figure 2's persistent state, plus the commit index (persisted so a restart re-applies quickly;
// safety never depends on it).
struct HardState {
  Term term;
  NodeId voted_for;
  Index commit;

  bool operator==(const HardState&) const = default;
};

// Volatile state worth reporting when it changes.
struct SoftState {
  Role role = Role::kFollower;
  NodeId leader;

  bool operator==(const SoftState&) const = default;
};

// The answer to a ReadIndex request: once the state machine has applied `index`, a read
// requested by `request_id` may be served locally. `ok == false`: this node cannot serve it
// (not the leader, or it lost leadership before confirming); the client should retry elsewhere.
struct ReadState {
  uint64_t request_id = 0;
  Index index;
  bool ok = false;
};

// One batch of work, to be handled in this order (see src/node):
//   1. if `snapshot` is set, store it in place of the whole stored log; then write `entries`
//      (first truncating the stored log from entries.front().index) and `hard_state` to storage;
//      if must_sync, make them durable;
//   2. send `messages` (these may also be sent before or during step 1);
//   3. after step 1 is durable, send `after_persist`;
//   4. restore the state machine from `snapshot` if set, then apply `committed` to it, in order;
//      answer `reads` once applied;
//   5. call Raft::advance().
struct Ready {
  std::shared_ptr<const Snapshot> snapshot;  // sent by the leader to replace this node's log
  std::optional<HardState> hard_state;
  std::vector<Entry> entries;
  std::vector<Message> messages;
  std::vector<Message> after_persist;
  std::vector<Entry> committed;
  std::optional<SoftState> soft_state;
  std::vector<ReadState> reads;

  // Step 1 must reach stable storage before step 3: new entries, or a new term or vote. A change
  // of commit index alone need not be synced (it is volatile state in the paper).
  bool must_sync = false;
};

}  // namespace raftsim::raft

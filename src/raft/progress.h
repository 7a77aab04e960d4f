// What a leader knows about one follower's log.
#pragma once

#include <cstdint>

#include "raft/types.h"

namespace raftsim::raft {

struct Progress {
  enum class State : uint8_t {
    // The leader does not know where the follower's log matches its own. It sends one
    // AppendEntries at a time (per heartbeat) and backs next_index off using the reject hints.
    kProbe,
    // The follower matched; the leader streams entries optimistically, advancing next_index as
    // soon as it sends.
    kReplicate,
  };

  // Invariant: match_index < next_index. Entries up to match_index are known to equal the leader's.
  Index match_index;
  Index next_index{1};
  State state = State::kProbe;
  // In kProbe: an AppendEntries is outstanding; wait for its answer or the next heartbeat.
  bool probe_sent = false;
  // Heard from this follower since the last check-quorum sweep.
  bool recently_active = false;
  // The highest heartbeat round this follower has echoed in the current term.
  uint64_t acked_round = 0;
  // The round of the acknowledgement that last raised match_index: a rejection from an older
  // round is stale, one from a newer round means the follower lost acknowledged entries.
  uint64_t match_round = 0;
  // The round in which entries were last sent: an echo of a later round with match_index still
  // below next_index - 1 means those entries were lost in flight.
  uint64_t sent_round = 0;

  bool operator==(const Progress&) const = default;

  void become_probe() {
    state = State::kProbe;
    next_index = match_index.next();
    probe_sent = false;
  }
  void become_replicate() {
    state = State::kReplicate;
    next_index = match_index.next();
  }
};

}  // namespace raftsim::raft

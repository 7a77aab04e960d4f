// Where a node keeps what Raft requires to survive a crash: its hard state, its log and its latest
// snapshot.
//
// Writes are buffered: nothing written is durable until a sync() that was called after the write
// completes. A crash may keep any prefix of the buffered writes, or none; synced data is kept
// (unless the storage lies about syncing, which the simulated disk can be told to do).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "raft/raft.h"

namespace raftsim::node {

// Storage that cannot be trusted (a corrupt record in the middle of the log) refuses to load and
// says where; a torn tail is not an error — it is truncated, and reported in `repaired`.
struct LoadError {
  std::string message;
};

struct Loaded {
  raft::Restored state;
  std::string repaired;  // empty, or what recovery had to truncate and why
};

// How many of `stored` entries, the first holding index `first`, a snapshot through `through`
// covers: the ones it makes redundant, which compaction drops (every storage applies this one
// rule).
uint64_t entries_covered(raft::Index first, uint64_t stored, raft::Index through);

class Storage {
 public:
  virtual ~Storage() = default;

  virtual std::variant<Loaded, LoadError> load() = 0;
  // Step 1 of a Ready: truncate the stored log from entries.front().index, append the entries,
  // and record the hard state. Not yet durable.
  virtual void write(const std::optional<raft::HardState>& hard_state,
                     const std::vector<raft::Entry>& entries) = 0;
  // Stores `snapshot` in place of the previous one and drops the stored entries it covers
  // (through snapshot.index), or the whole stored log when `replaces_log` (a leader's snapshot
  // that this node's log contradicts or does not reach). Ordered with write(): durable by the
  // next sync() at the latest, and a crash keeps either the old snapshot and log or the new.
  virtual void write_snapshot(const raft::Snapshot& snapshot, bool replaces_log) = 0;
  // Makes every earlier write durable, then calls `done` — at once or later, from the host's own
  // event loop, never from another thread.
  virtual void sync(std::function<void()> done) = 0;
};

// Storage that is durable the moment it is written: for tests of the core and the host loop.
class MemoryStorage final : public Storage {
 public:
  std::variant<Loaded, LoadError> load() override { return Loaded{state_, {}}; }
  void write(const std::optional<raft::HardState>& hard_state,
             const std::vector<raft::Entry>& entries) override;
  void write_snapshot(const raft::Snapshot& snapshot, bool replaces_log) override;
  void sync(std::function<void()> done) override { done(); }

  const raft::Restored& state() const { return state_; }

 private:
  raft::Restored state_;
};

}  // namespace raftsim::node

// Where the time of one request goes: timestamps of the stages a write passes through in a node
// process, for `real_bench stages` to line up across the nodes of a cluster.
//
// Off unless the environment names a directory: RAFTSIM_STAGE_LOG=DIR. Then every stage below is
// stamped with the monotonic clock (one clock for every process on the host, so stamps of
// different nodes compare), kept in a buffer allocated up front, and written to
// DIR/stages-<node id>.tsv when the process is told to stop. A node without the variable pays one
// null-pointer test per stage. The buffer is bounded; stamps past its end are not kept.
//
// The file has one line per stamp: `nanoseconds stage peer index seq`, where `index` is the last
// log index the stage covers (0 if none) and `seq` the client request's sequence number (0 if
// none).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "raft/types.h"

namespace raftsim::real {

enum class Stage : uint8_t {
  kRequestReceived,  // a client write reached the gRPC handler (leader)
  kProposed,         // the strand handed it to the core; `index` is its log index
  kAppendSent,       // the core sent AppendEntries with entries up to `index` to `peer`
  kSendStarted,      // the transport started writing them on its stream to `peer`
  kSendDone,         // that write completed: gRPC took the batch (gRPC thread)
  kLogWritten,       // entries up to `index` handed to the kernel (write(2))
  kLogSynced,        // fdatasync of them returned
  kSyncResumed,      // the strand resumed the host loop after that sync
  kAppendArrived,    // a batch with entries up to `index` reached the gRPC handler (follower)
  kAppendDelivered,  // the strand handed it to the core
  kAckSent,          // the core sent an AppendResponse matching up to `index` (after its sync)
  kAckArrived,       // that response reached the leader's gRPC handler
  kAckDelivered,     // the leader's strand handed it to the core (which commits and applies)
  kApplied,          // the entry at `index` was applied
  kReplySent,        // the client's reply was handed to gRPC
};

inline constexpr int kStageCount = static_cast<int>(Stage::kReplySent) + 1;

std::string_view to_string(Stage stage);

class StageLog {
 public:
  // nullptr unless RAFTSIM_STAGE_LOG is set.
  static std::unique_ptr<StageLog> from_environment(raft::NodeId self);

  StageLog(std::string path, size_t capacity);

  // Safe from any thread.
  void stamp(Stage stage, raft::NodeId peer, uint64_t index, uint64_t seq = 0);
  // Writes what was stamped; returns false (and says why on stderr) if the file cannot be written.
  bool write() const;

 private:
  struct Stamp {
    int64_t nanoseconds = 0;
    Stage stage = Stage::kRequestReceived;
    uint32_t peer = 0;
    uint64_t index = 0;
    uint64_t seq = 0;
    // Set last: write() may run while other threads still stamp, and skips a stamp half made.
    std::atomic<bool> complete{false};
  };
  std::string path_;
  size_t capacity_;
  std::unique_ptr<Stamp[]> stamps_;
  std::atomic<size_t> next_{0};
};

}  // namespace raftsim::real

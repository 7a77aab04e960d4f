// A node's simulated disk: the same Storage interface the real world implements with files.
//
// Three files, as a real node keeps them, in the format of node/log_record.h:
//   meta      one record (term, vote, commit), replaced atomically on each write;
//   snapshot  one record (the latest snapshot), replaced atomically with the log it compacts;
//   log       a sequence of records, one per entry after the snapshot, each with its CRC-32.
// Writes are buffered until a sync completes (after a sampled fsync latency). A crash keeps only
// synced data. Faults: wipe (the disk is lost), fsync that reports success without syncing, a
// torn last write (a crash keeps part of an unsynced record), and a flipped bit in a stored
// record. Recovery truncates a bad last record as a torn tail and refuses to start on a bad
// record in the middle, naming its offset — a checksum failure is never silently believed.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "node/log_record.h"
#include "node/storage.h"
#include "raft/random.h"
#include "sim/network.h"
#include "sim/time.h"

namespace raftsim::sim {

struct DiskModel {
  Latency fsync{Latency::Shape::kUniform, Duration{500}, Duration{2000}};
};

class SimDisk final : public node::Storage {
 public:
  using Scheduler = std::function<void(Duration, std::function<void()>)>;

  SimDisk(std::string name, DiskModel model, uint64_t seed, Scheduler schedule);

  std::variant<node::Loaded, node::LoadError> load() override;
  void write(const std::optional<raft::HardState>& hard_state,
             const std::vector<raft::Entry>& entries) override;
  void write_snapshot(const raft::Snapshot& snapshot, bool replaces_log) override;
  void sync(std::function<void()> done) override;

  // Faults.
  void crash();  // drops unsynced writes (tearing one if a torn write is armed)
  void wipe();   // the disk is gone: nothing survives, synced or not
  void set_fsync_lies(bool lies) { fsync_lies_ = lies; }
  bool fsync_lies() const { return fsync_lies_; }
  void arm_torn_write() { torn_write_armed_ = true; }
  // Flips one bit in the payload of stored log record `index` (1-based; 0 = the last record).
  // Returns what was done, or why nothing was.
  std::string corrupt(uint64_t index);

  // What load() would find now, without repairing anything: the durable snapshot and the log's
  // good records up to the first bad one (none when the snapshot record is bad).
  raft::Restored durable_state() const;

  size_t durable_records() const { return offsets_.size(); }
  size_t durable_bytes() const {
    return log_.size() + (meta_ ? node::kMetaRecordSize : 0) + snapshot_.size();
  }

 private:
  struct PendingWrite {
    uint64_t id;
    std::optional<raft::HardState> meta;
    uint64_t keep_through;  // entries kept before the appended ones: indices <= this
    std::string records;    // appended records, concatenated
    // A snapshot record, the index it covers through, and whether it replaces the whole log.
    std::optional<std::string> snapshot;
    uint64_t snapshot_index = 0;
    bool replaces_log = false;
  };
  void apply(const PendingWrite& write);
  void compact(const PendingWrite& write);
  // Cuts the durable log back to the entries with indices <= `index`.
  void keep_through(uint64_t index);
  void make_durable_through(uint64_t id);

  std::string name_;
  DiskModel model_;
  raft::Random rng_;
  Scheduler schedule_;

  // Durable image.
  std::optional<raft::HardState> meta_;  // the meta record's content
  std::string snapshot_;
  std::string log_;
  uint64_t first_index_ = 1;       // the index the first record of log_ holds
  std::vector<uint64_t> offsets_;  // start of each durable record in log_
  // log_[0, verified_) is exactly what this disk encoded, untouched by any fault since: load()
  // re-checks checksums only past it. (A real disk must re-read everything; the simulator knows
  // which bytes a fault could have changed, and a corrupted record is still always caught.)
  uint64_t verified_ = 0;

  // Written but not yet synced, oldest first.
  std::deque<PendingWrite> pending_;
  uint64_t next_write_id_ = 1;
  uint64_t last_index_ = 0;  // the log's last index as last written (durable or not)

  bool fsync_lies_ = false;
  bool torn_write_armed_ = false;
};

}  // namespace raftsim::sim

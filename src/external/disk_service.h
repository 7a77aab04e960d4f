// The `disk` service raftsim offers external nodes in deterministic mode
// (docs/external-protocol.md): named string records a node writes, syncs and reads back over the
// protocol, so that the simulated disk's faults reach a node raftsim cannot look inside.
//
// Like the simulated disk (src/sim/disk.h), it keeps what was written apart from what was synced:
// a crash keeps only synced records; a lying fsync answers "synced" and syncs nothing; an armed
// torn write lets the next crash keep the first half of the last unsynced write; a wipe loses
// everything. Corruption flips a bit in a durable record and, like a disk with checksums, says
// so: a read names the records whose bytes are not what was written.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>

#include "external/maelstrom.h"

namespace raftsim::external {

class DiskService {
 public:
  // Answers one request body a node sent to `raftsim` (disk_write, disk_sync, disk_read): the
  // reply body, or why the request is malformed.
  std::variant<Json, std::string> serve(const Json& request);

  // A crash: every record goes back to what was last synced (see above for a torn write).
  void crash();
  void wipe();
  void set_fsync_lies(bool lies) { fsync_lies_ = lies; }
  void arm_torn_write() { torn_armed_ = true; }
  // Flips one bit in durable record `record` (1-based, in the order the records were first
  // written; 0 = the last). Returns what was done, or why nothing was.
  std::string corrupt(uint64_t record);

  // What a read returns now (written, synced or not).
  const std::map<std::string, std::string>& records() const { return written_; }
  uint64_t syncs() const { return syncs_; }

 private:
  std::map<std::string, std::string> written_;  // what a read sees
  std::map<std::string, std::string> synced_;   // what a crash keeps
  std::map<std::string, uint64_t> born_;        // when each record was first written
  uint64_t births_ = 0;
  std::map<std::string, std::string> damaged_;  // corrupted records' bytes, while they last
  // The last write not yet synced: its name, and its value (nullopt: a delete).
  std::optional<std::pair<std::string, std::optional<std::string>>> last_unsynced_;
  bool fsync_lies_ = false;
  bool torn_armed_ = false;
  uint64_t syncs_ = 0;
};

}  // namespace raftsim::external

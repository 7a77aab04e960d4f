// A node's storage on a real disk: a write-ahead log and a metadata file under one data directory.
//
// The on-disk format is described in docs/storage-format.md. In short:
//   DIR/meta  one record (crc32 | term | vote | commit), replaced atomically: written to
//             DIR/meta.tmp, fsync'd, renamed over DIR/meta, then DIR itself fsync'd;
//   DIR/log   a sequence of records, one per entry (crc32 | length | term | index | type |
//             command); appended with write(2), cut back with ftruncate(2) when a new leader
//             overwrites a suffix, and made durable with fdatasync(2);
//   DIR/snapshot  the latest snapshot (crc32 | length | term | index | state-machine image),
//             replaced like meta. Compaction then rewrites the log without the entries it
//             covers (DIR/log.tmp, fsync, rename); a crash between the two renames leaves a log
//             that starts at or before the snapshot, and recovery skips what the snapshot covers.
//
// Durability: write() only hands bytes to the kernel. sync() makes every earlier write durable
// (fdatasync of the log, then the atomic metadata replace) and only then calls `done`, so nothing
// that depends on a write can leave the node before the write is on disk. The one exception is
// the commit index, which Raft keeps in volatile state: a hard state that differs from meta only
// in its commit index is stored with the next change of term or vote, not at every sync. After a
// crash meta's commit index may lag; it never runs ahead of what was committed.
//
// Recovery: a bad LAST log record is a torn write (the crash came mid-append) and is truncated;
// a bad record with good data after it is corruption, and load() refuses, naming the file and the
// byte offset. A failed write or fsync at run time is not survivable (the kernel may have dropped
// the dirty pages): it throws StorageFailure and the process must exit.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "node/storage.h"

namespace raftsim::real {

class StorageFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The syscalls that make data durable, injectable so tests can see when they happen.
struct SyncCalls {
  std::function<int(int fd)> fdatasync;
  std::function<int(int fd)> fsync;
  static SyncCalls system();
};

class FileStorage final : public node::Storage {
 public:
  // `dir` is created if missing. `post` runs a sync's `done` on the host's event loop; the default
  // calls it at once (from inside sync()).
  using Post = std::function<void(std::function<void()>)>;
  explicit FileStorage(std::string dir, SyncCalls calls = SyncCalls::system(), Post post = {});
  ~FileStorage() override;
  FileStorage(const FileStorage&) = delete;
  FileStorage& operator=(const FileStorage&) = delete;

  std::variant<node::Loaded, node::LoadError> load() override;
  void write(const std::optional<raft::HardState>& hard_state,
             const std::vector<raft::Entry>& entries) override;
  // Durable when it returns (stronger than the interface asks).
  void write_snapshot(const raft::Snapshot& snapshot, bool replaces_log) override;
  void sync(std::function<void()> done) override;

  const std::string& dir() const { return dir_; }
  std::string log_path() const { return dir_ + "/log"; }
  std::string meta_path() const { return dir_ + "/meta"; }
  std::string snapshot_path() const { return dir_ + "/snapshot"; }

 private:
  std::optional<node::LoadError> open_log();
  std::optional<node::LoadError> load_meta(raft::HardState& out);
  std::optional<node::LoadError> load_snapshot(node::Loaded& out);
  std::optional<node::LoadError> load_log(node::Loaded& out);
  void write_meta(const raft::HardState& hs);
  // Writes `bytes` to DIR/name.tmp, fsyncs it, renames it over DIR/name and fsyncs DIR.
  void replace_file(const std::string& name, const std::string& bytes);
  void check(bool ok, const std::string& what) const;

  std::string dir_;
  SyncCalls calls_;
  Post post_;
  int log_fd_ = -1;
  uint64_t log_size_ = 0;
  uint64_t first_index_ = 1;       // the index the log's first record holds
  std::vector<uint64_t> offsets_;  // start of each record; record i holds first_index_ + i
  raft::HardState stored_meta_;    // what DIR/meta holds
  raft::HardState latest_meta_;  // the last hard state written; its commit may be newer than meta's
  bool log_dirty_ = false;
};

}  // namespace raftsim::real

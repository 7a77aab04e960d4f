#include "real/file_storage.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "node/log_record.h"

namespace raftsim::real {

namespace {

bool write_all(int fd, const char* data, size_t size, uint64_t offset) {
  while (size > 0) {
    const ssize_t n = ::pwrite(fd, data, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return true;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

SyncCalls SyncCalls::system() {
  return {[](int fd) { return ::fdatasync(fd); }, [](int fd) { return ::fsync(fd); }};
}

FileStorage::FileStorage(std::string dir, SyncCalls calls, Post post)
    : dir_(std::move(dir)), calls_(std::move(calls)), post_(std::move(post)) {}

FileStorage::~FileStorage() {
  if (log_fd_ >= 0) ::close(log_fd_);
}

void FileStorage::check(bool ok, const std::string& what) const {
  if (!ok) throw StorageFailure(fmt::format("{}: {}: {}", dir_, what, std::strerror(errno)));
}

std::optional<node::LoadError> FileStorage::open_log() {
  if (log_fd_ >= 0) return std::nullopt;
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return node::LoadError{fmt::format("{}: cannot create: {}", dir_, ec.message())};
  log_fd_ = ::open(log_path().c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (log_fd_ < 0) {
    return node::LoadError{fmt::format("{}: cannot open: {}", log_path(), std::strerror(errno))};
  }
  // The log's directory entry must itself be durable before anything in the log counts.
  const int dir_fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0 || calls_.fsync(dir_fd) != 0) {
    if (dir_fd >= 0) ::close(dir_fd);
    return node::LoadError{fmt::format("{}: cannot fsync: {}", dir_, std::strerror(errno))};
  }
  ::close(dir_fd);
  return std::nullopt;
}

std::optional<node::LoadError> FileStorage::load_meta(raft::HardState& out) {
  // A leftover meta.tmp is a replace that never reached its rename: the old meta stands.
  std::error_code ec;
  std::filesystem::remove(dir_ + "/meta.tmp", ec);
  const std::optional<std::string> meta = read_file(meta_path());
  if (!meta) return std::nullopt;  // a fresh node
  const auto hs = node::decode_meta_record(*meta);
  if (!hs) {
    return node::LoadError{fmt::format(
        "{}: byte offset 0: metadata record ({} bytes) fails its checksum; refusing to start",
        meta_path(), meta->size())};
  }
  out = *hs;
  return std::nullopt;
}

std::optional<node::LoadError> FileStorage::load_snapshot(node::Loaded& out) {
  std::error_code ec;
  std::filesystem::remove(dir_ + "/snapshot.tmp", ec);  // a replace that never reached its rename
  const std::optional<std::string> bytes = read_file(snapshot_path());
  if (!bytes) return std::nullopt;  // never compacted
  auto snapshot = node::decode_snapshot_record(*bytes);
  if (!snapshot) {
    return node::LoadError{fmt::format(
        "{}: byte offset 0: snapshot record ({} bytes) fails its checksum; refusing to start",
        snapshot_path(), bytes->size())};
  }
  out.state.snapshot = std::move(*snapshot);
  return std::nullopt;
}

std::optional<node::LoadError> FileStorage::load_log(node::Loaded& out) {
  std::error_code ec;
  std::filesystem::remove(dir_ + "/log.tmp", ec);  // a compaction that never reached its rename
  const std::optional<std::string> bytes = read_file(log_path());
  if (!bytes) {
    return node::LoadError{fmt::format("{}: cannot read: {}", log_path(), std::strerror(errno))};
  }
  // The log starts right after the snapshot, or earlier when a crash fell between the snapshot's
  // rename and the compacted log's.
  const raft::Index after_snapshot = out.state.snapshot.index.next();
  first_index_ = after_snapshot.value;
  if (auto first = node::first_record_index(*bytes); first && *first < after_snapshot) {
    first_index_ = first->value;
  }
  node::LogScan scan = node::scan_log(*bytes, 0, raft::Index{first_index_});
  switch (scan.ending) {
    case node::LogScan::Ending::kClean:
      break;
    case node::LogScan::Ending::kCorrupt:
      return node::LoadError{fmt::format(
          "{}: byte offset {}: log record {} {}, and valid records follow it ({} bytes from "
          "here to the end); refusing to start on a corrupt log",
          log_path(), scan.bad_offset, scan.bad_index, scan.why, bytes->size() - scan.bad_offset)};
    case node::LogScan::Ending::kTornTail:
      // The record was being appended when the node died: nothing valid follows it.
      out.repaired = fmt::format(
          "{}: torn tail: record {} at byte offset {} ({} bytes) {}; truncated", log_path(),
          scan.bad_index, scan.bad_offset, bytes->size() - scan.bad_offset, scan.why);
      check(::ftruncate(log_fd_, static_cast<off_t>(scan.good_bytes)) == 0, "ftruncate");
      check(calls_.fsync(log_fd_) == 0, "fsync after truncating a torn tail");
      break;
  }
  offsets_ = std::move(scan.offsets);
  out.state.entries = std::move(scan.entries);
  log_size_ = scan.good_bytes;  // the end of the last good record
  // Entries the snapshot covers stay in the file until the next compaction rewrites it.
  const uint64_t covered = node::entries_covered(
      raft::Index{first_index_}, out.state.entries.size(), out.state.snapshot.index);
  out.state.entries.erase(out.state.entries.begin(),
                          out.state.entries.begin() + static_cast<ptrdiff_t>(covered));
  return std::nullopt;
}

std::variant<node::Loaded, node::LoadError> FileStorage::load() {
  if (auto error = open_log()) return *error;
  node::Loaded loaded;
  if (auto error = load_meta(loaded.state.hard_state)) return *error;
  stored_meta_ = loaded.state.hard_state;
  latest_meta_ = stored_meta_;
  if (auto error = load_snapshot(loaded)) return *error;
  if (auto error = load_log(loaded)) return *error;
  return loaded;
}

void FileStorage::write(const std::optional<raft::HardState>& hard_state,
                        const std::vector<raft::Entry>& entries) {
  if (log_fd_ < 0) {
    if (auto error = open_log()) throw StorageFailure(error->message);
  }
  if (hard_state) latest_meta_ = *hard_state;
  if (entries.empty()) return;
  if (entries.front().index.value < first_index_ ||
      entries.front().index.value > first_index_ + offsets_.size()) {
    throw StorageFailure(fmt::format("{}: write of entry {} does not follow entries {}..{}",
                                     log_path(), entries.front().index.value, first_index_,
                                     first_index_ + offsets_.size() - 1));
  }
  const uint64_t keep = entries.front().index.value - first_index_;
  if (keep < offsets_.size()) {
    // A new leader overwrote a suffix: the old records go before the new ones are appended.
    log_size_ = offsets_[keep];
    offsets_.resize(keep);
    check(::ftruncate(log_fd_, static_cast<off_t>(log_size_)) == 0, "ftruncate");
  }
  std::string records;
  for (const raft::Entry& e : entries) {
    offsets_.push_back(log_size_ + records.size());
    node::append_entry_record(records, e);
  }
  check(write_all(log_fd_, records.data(), records.size(), log_size_), "write");
  log_size_ += records.size();
  log_dirty_ = true;
}

void FileStorage::write_meta(const raft::HardState& hs) {
  replace_file("meta", node::encode_meta_record(hs));
}

void FileStorage::write_snapshot(const raft::Snapshot& snapshot, bool replaces_log) {
  if (log_fd_ < 0) {
    if (auto error = open_log()) throw StorageFailure(error->message);
  }
  // The entries the snapshot stands for are synced before it replaces them.
  if (log_dirty_) {
    check(calls_.fdatasync(log_fd_) == 0, "fdatasync log");
    log_dirty_ = false;
  }
  replace_file("snapshot", node::encode_snapshot_record(snapshot));
  const uint64_t covered = replaces_log ? offsets_.size()
                                        : node::entries_covered(raft::Index{first_index_},
                                                                offsets_.size(), snapshot.index);
  const uint64_t from = covered < offsets_.size() ? offsets_[covered] : log_size_;
  std::string kept(log_size_ - from, '\0');
  if (!kept.empty()) {
    check(::pread(log_fd_, kept.data(), kept.size(), static_cast<off_t>(from)) ==
              static_cast<ssize_t>(kept.size()),
          "read log for compaction");
  }
  replace_file("log", kept);
  ::close(log_fd_);
  log_fd_ = ::open(log_path().c_str(), O_RDWR | O_CLOEXEC);
  check(log_fd_ >= 0, "reopen log");
  offsets_.erase(offsets_.begin(), offsets_.begin() + static_cast<ptrdiff_t>(covered));
  for (uint64_t& offset : offsets_)
    offset -= from;
  log_size_ = kept.size();
  first_index_ = offsets_.empty() ? snapshot.index.value + 1 : first_index_ + covered;
}

void FileStorage::replace_file(const std::string& name, const std::string& bytes) {
  const std::string path = dir_ + "/" + name;
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  check(fd >= 0, "open " + name + ".tmp");
  const bool written = write_all(fd, bytes.data(), bytes.size(), 0) && calls_.fsync(fd) == 0;
  ::close(fd);
  check(written, "write + fsync " + name + ".tmp");
  check(::rename(tmp.c_str(), path.c_str()) == 0, "rename " + name + ".tmp over " + name);
  const int dir_fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  check(dir_fd >= 0, "open data dir");
  const bool synced = calls_.fsync(dir_fd) == 0;
  ::close(dir_fd);
  check(synced, "fsync data dir");
}

void FileStorage::sync(std::function<void()> done) {
  if (log_dirty_) {
    check(calls_.fdatasync(log_fd_) == 0, "fdatasync log");
    log_dirty_ = false;
  }
  // A new commit index alone does not replace meta: the replace costs two fsyncs, and a commit
  // index read back lower than it was only makes a restarted node wait to hear it again.
  if (latest_meta_.term != stored_meta_.term || latest_meta_.voted_for != stored_meta_.voted_for) {
    write_meta(latest_meta_);
    stored_meta_ = latest_meta_;
  }
  if (post_) {
    post_(std::move(done));
  } else {
    done();
  }
}

}  // namespace raftsim::real

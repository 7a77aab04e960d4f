#include "real/file_storage.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/crc.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace raftsim::real {

namespace {

constexpr size_t kHeader = 8;                // crc32 + payload length
constexpr size_t kFixedPayload = 8 + 8 + 1;  // term + index + type
constexpr size_t kMetaSize = 4 + 8 + 4 + 8;  // crc32 + term + vote + commit
// A record longer than this is not something we wrote (commands are small): the length is bad.
constexpr uint32_t kMaxPayload = 64u << 20;

uint32_t crc32(const char* data, size_t size) {
  boost::crc_32_type crc;
  crc.process_bytes(data, size);
  return crc.checksum();
}

template <class T>
void put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

template <class T>
T get(const char* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

void encode_entry(std::string& out, const raft::Entry& e) {
  const size_t start = out.size();
  put<uint32_t>(out, 0);  // crc, filled in below
  put<uint32_t>(out, static_cast<uint32_t>(kFixedPayload + e.command.size()));
  put<uint64_t>(out, e.term.value);
  put<uint64_t>(out, e.index.value);
  put<uint8_t>(out, static_cast<uint8_t>(e.type));
  out.append(e.command);
  const uint32_t crc = crc32(out.data() + start + 4, out.size() - start - 4);
  std::memcpy(out.data() + start, &crc, 4);
}

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

// Whether a whole, checksum-valid record starts anywhere after byte `from`. A torn append leaves
// nothing valid behind it; corruption in the middle of the log does (the records after it), even
// when the corrupt bytes are a length field that now points past the end of the file.
bool valid_record_after(const std::string& log, size_t from) {
  for (size_t p = from + 1; p + kHeader + kFixedPayload <= log.size(); ++p) {
    const uint32_t length = get<uint32_t>(log.data() + p + 4);
    if (length < kFixedPayload || length > log.size() - p - kHeader) continue;
    if (get<uint32_t>(log.data() + p) == crc32(log.data() + p + 4, 4 + length)) return true;
  }
  return false;
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
  if (meta->size() != kMetaSize || get<uint32_t>(meta->data()) != crc32(meta->data() + 4, 20)) {
    return node::LoadError{fmt::format(
        "{}: byte offset 0: metadata record ({} bytes) fails its checksum; refusing to start",
        meta_path(), meta->size())};
  }
  out = {raft::Term{get<uint64_t>(meta->data() + 4)},
         raft::NodeId{get<uint32_t>(meta->data() + 12)},
         raft::Index{get<uint64_t>(meta->data() + 16)}};
  return std::nullopt;
}

std::optional<node::LoadError> FileStorage::load_log(node::Loaded& out) {
  const std::optional<std::string> bytes = read_file(log_path());
  if (!bytes) {
    return node::LoadError{fmt::format("{}: cannot read: {}", log_path(), std::strerror(errno))};
  }
  const std::string& log = *bytes;
  offsets_.clear();
  size_t at = 0;
  while (at < log.size()) {
    const size_t remaining = log.size() - at;
    const uint64_t expected_index = out.state.entries.size() + 1;
    uint32_t length = 0;
    bool good = remaining >= kHeader + kFixedPayload;
    if (good) {
      length = get<uint32_t>(log.data() + at + 4);
      good = length >= kFixedPayload && length <= kMaxPayload && length <= remaining - kHeader &&
             get<uint32_t>(log.data() + at) == crc32(log.data() + at + 4, 4 + length) &&
             get<uint64_t>(log.data() + at + kHeader + 8) == expected_index;
    }
    if (!good) {
      // Torn: the record was being appended when the node died, so nothing valid follows it.
      const bool torn = !valid_record_after(log, at);
      if (!torn) {
        return node::LoadError{fmt::format(
            "{}: byte offset {}: log record {} is corrupt, and valid records follow it ({} "
            "bytes from here to the end); refusing to start on a corrupt log",
            log_path(), at, expected_index, remaining)};
      }
      out.repaired = fmt::format(
          "{}: torn tail: record {} at byte offset {} ({} bytes) is incomplete; truncated",
          log_path(), expected_index, at, remaining);
      check(::ftruncate(log_fd_, static_cast<off_t>(at)) == 0, "ftruncate");
      check(calls_.fsync(log_fd_) == 0, "fsync after truncating a torn tail");
      break;
    }
    const char* p = log.data() + at + kHeader;
    raft::Entry e;
    e.term = raft::Term{get<uint64_t>(p)};
    e.index = raft::Index{get<uint64_t>(p + 8)};
    const uint8_t type = get<uint8_t>(p + 16);
    if (type > static_cast<uint8_t>(raft::EntryType::kNoOp)) {
      return node::LoadError{fmt::format(
          "{}: byte offset {}: log record {} has unknown entry type {}; refusing to start",
          log_path(), at, expected_index, type)};
    }
    e.type = static_cast<raft::EntryType>(type);
    e.command.assign(p + kFixedPayload, length - kFixedPayload);
    out.state.entries.push_back(std::move(e));
    offsets_.push_back(at);
    at += kHeader + length;
  }
  log_size_ = at;  // the end of the last good record
  return std::nullopt;
}

std::variant<node::Loaded, node::LoadError> FileStorage::load() {
  if (auto error = open_log()) return *error;
  node::Loaded loaded;
  if (auto error = load_meta(loaded.state.hard_state)) return *error;
  if (auto error = load_log(loaded)) return *error;
  return loaded;
}

void FileStorage::write(const std::optional<raft::HardState>& hard_state,
                        const std::vector<raft::Entry>& entries) {
  if (log_fd_ < 0) {
    if (auto error = open_log()) throw StorageFailure(error->message);
  }
  if (hard_state) unsynced_meta_ = *hard_state;
  if (entries.empty()) return;
  const uint64_t keep = entries.front().index.value - 1;
  if (keep > offsets_.size()) {
    throw StorageFailure(fmt::format("{}: write of entry {} leaves a gap after entry {}",
                                     log_path(), keep + 1, offsets_.size()));
  }
  if (keep < offsets_.size()) {
    // A new leader overwrote a suffix: the old records go before the new ones are appended.
    log_size_ = offsets_[keep];
    offsets_.resize(keep);
    check(::ftruncate(log_fd_, static_cast<off_t>(log_size_)) == 0, "ftruncate");
  }
  std::string records;
  for (const raft::Entry& e : entries) {
    offsets_.push_back(log_size_ + records.size());
    encode_entry(records, e);
  }
  check(write_all(log_fd_, records.data(), records.size(), log_size_), "write");
  log_size_ += records.size();
  log_dirty_ = true;
}

void FileStorage::write_meta(const raft::HardState& hs) {
  std::string payload;
  put<uint64_t>(payload, hs.term.value);
  put<uint32_t>(payload, hs.voted_for.value);
  put<uint64_t>(payload, hs.commit.value);
  std::string record;
  put<uint32_t>(record, crc32(payload.data(), payload.size()));
  record += payload;

  const std::string tmp = dir_ + "/meta.tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  check(fd >= 0, "open meta.tmp");
  const bool written = write_all(fd, record.data(), record.size(), 0) && calls_.fsync(fd) == 0;
  ::close(fd);
  check(written, "write + fsync meta.tmp");
  check(::rename(tmp.c_str(), meta_path().c_str()) == 0, "rename meta.tmp over meta");
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
  if (unsynced_meta_) {
    write_meta(*unsynced_meta_);
    unsynced_meta_.reset();
  }
  if (post_) {
    post_(std::move(done));
  } else {
    done();
  }
}

}  // namespace raftsim::real

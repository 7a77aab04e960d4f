#include "sim/disk.h"

#include <fmt/format.h>

#include <boost/crc.hpp>
#include <cstring>

namespace raftsim::sim {

namespace {

constexpr size_t kHeader = 8;                // crc32 + payload length
constexpr size_t kFixedPayload = 8 + 8 + 1;  // term + index + type

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

}  // namespace

SimDisk::SimDisk(std::string name, DiskModel model, uint64_t seed, Scheduler schedule)
    : name_(std::move(name)), model_(model), rng_(seed), schedule_(std::move(schedule)) {}

std::string SimDisk::encode_meta(const raft::HardState& hs) {
  std::string payload;
  put<uint64_t>(payload, hs.term.value);
  put<uint32_t>(payload, hs.voted_for.value);
  put<uint64_t>(payload, hs.commit.value);
  std::string out;
  put<uint32_t>(out, crc32(payload.data(), payload.size()));
  return out + payload;
}

void SimDisk::encode_entry(std::string& out, const raft::Entry& e) {
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

void SimDisk::write(const std::optional<raft::HardState>& hard_state,
                    const std::vector<raft::Entry>& entries) {
  if (!hard_state && entries.empty()) return;
  PendingWrite w{next_write_id_++, std::nullopt, last_record_count_, {}};
  if (hard_state) w.meta = encode_meta(*hard_state);
  if (!entries.empty()) {
    w.keep_records = entries.front().index.value - 1;
    for (const raft::Entry& e : entries)
      encode_entry(w.records, e);
    last_record_count_ = entries.back().index.value;
  }
  pending_.push_back(std::move(w));
}

void SimDisk::sync(std::function<void()> done) {
  const uint64_t through = next_write_id_ - 1;
  const Duration latency = model_.fsync.sample(rng_);
  schedule_(latency, [this, through, done = std::move(done)] {
    // A lying fsync reports success and leaves the data in the volatile cache.
    if (!fsync_lies_) make_durable_through(through);
    done();
  });
}

void SimDisk::make_durable_through(uint64_t id) {
  while (!pending_.empty() && pending_.front().id <= id) {
    apply(pending_.front());
    pending_.pop_front();
  }
}

void SimDisk::apply(const PendingWrite& w) {
  if (w.meta) meta_ = *w.meta;
  if (w.records.empty()) return;
  if (w.keep_records < offsets_.size()) {
    log_.resize(offsets_[w.keep_records]);
    offsets_.resize(w.keep_records);
  }
  verified_ = std::min<uint64_t>(verified_, log_.size());
  const bool intact = verified_ == log_.size();
  size_t at = 0;
  while (at < w.records.size()) {
    offsets_.push_back(log_.size() + at);
    at += kHeader + get<uint32_t>(w.records.data() + at + 4);
  }
  log_ += w.records;
  if (intact) verified_ = log_.size();  // freshly encoded records are intact by construction
}

void SimDisk::crash() {
  if (torn_write_armed_) {
    torn_write_armed_ = false;
    for (const PendingWrite& w : pending_) {
      if (w.records.empty()) continue;
      // The write in progress when power failed: some of its bytes reached the platter.
      PendingWrite torn = w;
      torn.meta.reset();
      const auto cut =
          static_cast<size_t>(rng_.between(1, static_cast<int64_t>(w.records.size()) - 1));
      torn.records.resize(cut);
      if (torn.keep_records < offsets_.size()) {
        log_.resize(offsets_[torn.keep_records]);
        offsets_.resize(torn.keep_records);
      }
      verified_ = std::min<uint64_t>(verified_, log_.size());
      log_ += torn.records;  // offsets_ is rebuilt by load(), as a real recovery would
      break;
    }
  }
  pending_.clear();
  last_record_count_ = offsets_.size();
}

void SimDisk::wipe() {
  meta_.clear();
  log_.clear();
  offsets_.clear();
  pending_.clear();
  last_record_count_ = 0;
  verified_ = 0;
}

std::string SimDisk::corrupt(uint64_t index) {
  if (offsets_.empty()) return fmt::format("{}: no stored log record to corrupt", name_);
  if (index == 0 || index > offsets_.size()) index = offsets_.size();
  const uint64_t start = offsets_[index - 1];
  const uint32_t length = get<uint32_t>(log_.data() + start + 4);
  const uint64_t byte = start + kHeader + rng_.uniform(length);
  log_[byte] = static_cast<char>(log_[byte] ^ (1 << rng_.uniform(8)));
  verified_ = std::min<uint64_t>(verified_, start);
  return fmt::format("{}: flipped a bit in log record {} (byte offset {})", name_, index, byte);
}

std::variant<node::Loaded, node::LoadError> SimDisk::load() {
  node::Loaded loaded;
  if (!meta_.empty()) {
    const uint32_t crc = get<uint32_t>(meta_.data());
    if (meta_.size() != 24 || crc != crc32(meta_.data() + 4, meta_.size() - 4)) {
      return node::LoadError{
          fmt::format("{}: meta record fails its checksum; refusing to start", name_)};
    }
    loaded.state.hard_state = {raft::Term{get<uint64_t>(meta_.data() + 4)},
                               raft::NodeId{get<uint32_t>(meta_.data() + 12)},
                               raft::Index{get<uint64_t>(meta_.data() + 16)}};
  }
  offsets_.clear();
  loaded.state.entries.reserve(last_record_count_);
  size_t at = 0;
  while (at < log_.size()) {
    const size_t remaining = log_.size() - at;
    bool good = remaining >= kHeader + kFixedPayload;
    uint32_t length = 0;
    if (good) {
      length = get<uint32_t>(log_.data() + at + 4);
      good = length >= kFixedPayload && length <= remaining - kHeader &&
             (at + kHeader + length <= verified_ ||
              get<uint32_t>(log_.data() + at) == crc32(log_.data() + at + 4, 4 + length));
    }
    const uint64_t expected_index = loaded.state.entries.size() + 1;
    if (good && get<uint64_t>(log_.data() + at + 16) != expected_index) good = false;
    if (!good) {
      const bool last = !good && (remaining < kHeader + kFixedPayload ||
                                  at + kHeader + length >= log_.size() || length < kFixedPayload);
      if (!last) {
        return node::LoadError{fmt::format(
            "{}: log record {} at byte offset {} fails its checksum, with {} bytes after it; "
            "refusing to start on a corrupt log",
            name_, expected_index, at, remaining)};
      }
      loaded.repaired = fmt::format(
          "{}: torn tail: record {} at byte offset {} ({} bytes) failed its checksum; truncated",
          name_, expected_index, at, remaining);
      log_.resize(at);
      break;
    }
    const char* p = log_.data() + at + kHeader;
    raft::Entry e;
    e.term = raft::Term{get<uint64_t>(p)};
    e.index = raft::Index{get<uint64_t>(p + 8)};
    e.type = static_cast<raft::EntryType>(get<uint8_t>(p + 16));
    e.command.assign(p + kFixedPayload, length - kFixedPayload);
    loaded.state.entries.push_back(std::move(e));
    offsets_.push_back(at);
    at += kHeader + length;
  }
  last_record_count_ = offsets_.size();
  verified_ = log_.size();
  // Hard state that outlived its log (a lying fsync) may point past it; the core clamps it.
  return loaded;
}

}  // namespace raftsim::sim

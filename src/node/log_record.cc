#include "node/log_record.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>

namespace raftsim::node {

namespace {

// A record longer than this was not written by us (commands are small): its length is damaged.
constexpr uint32_t kMaxPayload = 64u << 20;

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

// Whether a whole record with a good checksum starts at `at`.
bool whole_record_at(std::string_view log, size_t at, bool trusted) {
  if (log.size() - at < kRecordHeader + kEntryFixedPayload) return false;
  const uint32_t length = get<uint32_t>(log.data() + at + 4);
  if (length < kEntryFixedPayload || length > kMaxPayload ||
      length > log.size() - at - kRecordHeader) {
    return false;
  }
  return trusted || get<uint32_t>(log.data() + at) == crc32(log.data() + at + 4, 4 + length);
}

bool valid_record_after(std::string_view log, size_t from) {
  for (size_t p = from + 1; p + kRecordHeader + kEntryFixedPayload <= log.size(); ++p) {
    if (whole_record_at(log, p, false)) return true;
  }
  return false;
}

}  // namespace

// zlib's CRC-32 is the same checksum (IEEE 802.3) computed several bytes at a time.
uint32_t crc32(const char* data, size_t size) {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  while (size > 0) {
    const auto chunk = static_cast<uInt>(std::min<size_t>(size, 1u << 30));
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(data), chunk);
    data += chunk;
    size -= chunk;
  }
  return static_cast<uint32_t>(crc);
}

void append_entry_record(std::string& out, const raft::Entry& e, bool sealed) {
  const size_t start = out.size();
  put<uint32_t>(out, 0);  // the checksum, filled in below
  put<uint32_t>(out, static_cast<uint32_t>(kEntryFixedPayload + e.command.size()));
  put<uint64_t>(out, e.term.value);
  put<uint64_t>(out, e.index.value);
  put<uint8_t>(out, static_cast<uint8_t>(e.type));
  out.append(e.command);
  if (!sealed) return;
  const uint32_t crc = crc32(out.data() + start + 4, out.size() - start - 4);
  std::memcpy(out.data() + start, &crc, 4);
}

void seal_records(std::string& bytes, size_t from, size_t to) {
  to = std::min(to, bytes.size());
  size_t at = from;
  while (at + kRecordHeader <= to) {
    const size_t size = record_size_at(bytes, at);
    if (size < kRecordHeader || at + size > to) break;  // a partial record: never valid anyway
    const uint32_t crc = crc32(bytes.data() + at + 4, size - 4);
    std::memcpy(bytes.data() + at, &crc, 4);
    at += size;
  }
}

size_t record_size_at(std::string_view log, size_t at) {
  return kRecordHeader + get<uint32_t>(log.data() + at + 4);
}

std::string encode_meta_record(const raft::HardState& hs) {
  std::string payload;
  put<uint64_t>(payload, hs.term.value);
  put<uint32_t>(payload, hs.voted_for.value);
  put<uint64_t>(payload, hs.commit.value);
  std::string out;
  put<uint32_t>(out, crc32(payload.data(), payload.size()));
  return out + payload;
}

std::optional<raft::HardState> decode_meta_record(std::string_view r) {
  if (r.size() != kMetaRecordSize || get<uint32_t>(r.data()) != crc32(r.data() + 4, 20)) {
    return std::nullopt;
  }
  return raft::HardState{raft::Term{get<uint64_t>(r.data() + 4)},
                         raft::NodeId{get<uint32_t>(r.data() + 12)},
                         raft::Index{get<uint64_t>(r.data() + 16)}};
}

// A payload length with this bit set marks a snapshot record that carries a configuration; no
// record is that long (kMaxPayload), so records written before configurations existed read as
// before.
constexpr uint32_t kConfigurationFlag = 1u << 31;

std::string encode_snapshot_record(const raft::Snapshot& snapshot) {
  const std::string configuration =
      snapshot.configuration.empty() ? std::string() : snapshot.configuration.encode();
  const size_t extra = configuration.empty() ? 0 : 4 + configuration.size();
  std::string out;
  put<uint32_t>(out, 0);  // the checksum, filled in below
  put<uint32_t>(out, static_cast<uint32_t>(16 + extra + snapshot.data.size()) |
                         (configuration.empty() ? 0 : kConfigurationFlag));
  put<uint64_t>(out, snapshot.term.value);
  put<uint64_t>(out, snapshot.index.value);
  if (!configuration.empty()) {
    put<uint32_t>(out, static_cast<uint32_t>(configuration.size()));
    out.append(configuration);
  }
  out.append(snapshot.data);
  const uint32_t crc = crc32(out.data() + 4, out.size() - 4);
  std::memcpy(out.data(), &crc, 4);
  return out;
}

std::optional<raft::Snapshot> decode_snapshot_record(std::string_view r) {
  if (r.size() < kRecordHeader + 16) return std::nullopt;
  const uint32_t length_field = get<uint32_t>(r.data() + 4);
  const bool has_configuration = (length_field & kConfigurationFlag) != 0;
  if ((length_field & ~kConfigurationFlag) != r.size() - kRecordHeader ||
      get<uint32_t>(r.data()) != crc32(r.data() + 4, r.size() - 4)) {
    return std::nullopt;
  }
  raft::Snapshot snapshot;
  snapshot.term = raft::Term{get<uint64_t>(r.data() + kRecordHeader)};
  snapshot.index = raft::Index{get<uint64_t>(r.data() + kRecordHeader + 8)};
  std::string_view rest = r.substr(kRecordHeader + 16);
  if (has_configuration) {
    if (rest.size() < 4) return std::nullopt;
    const uint32_t size = get<uint32_t>(rest.data());
    if (size > rest.size() - 4) return std::nullopt;
    auto configuration = raft::Configuration::decode(rest.substr(4, size));
    if (!configuration) return std::nullopt;
    snapshot.configuration = std::move(*configuration);
    rest = rest.substr(4 + size);
  }
  snapshot.data.assign(rest);
  if (snapshot.index.value == 0 || snapshot.term.value == 0) return std::nullopt;
  return snapshot;
}

std::optional<raft::Index> first_record_index(std::string_view log) {
  if (log.empty() || !whole_record_at(log, 0, false)) return std::nullopt;
  return raft::Index{get<uint64_t>(log.data() + kRecordHeader + 8)};
}

LogScan scan_log(std::string_view log, uint64_t trusted_bytes, raft::Index first_index) {
  LogScan scan;
  size_t at = 0;
  while (at < log.size()) {
    const uint64_t expected_index = first_index.value + scan.entries.size();
    std::string why;
    const bool trusted =
        log.size() - at >= kRecordHeader && at + record_size_at(log, at) <= trusted_bytes;
    if (!whole_record_at(log, at, trusted)) {
      why = "fails its checksum or length";
    } else if (get<uint64_t>(log.data() + at + kRecordHeader + 8) != expected_index) {
      why = "holds the wrong index";
    } else if (get<uint8_t>(log.data() + at + kRecordHeader + 16) >
               static_cast<uint8_t>(raft::EntryType::kConfiguration)) {
      why = "has an unknown entry type";
    }
    if (!why.empty()) {
      scan.ending =
          valid_record_after(log, at) ? LogScan::Ending::kCorrupt : LogScan::Ending::kTornTail;
      scan.bad_offset = at;
      scan.bad_index = expected_index;
      scan.why = std::move(why);
      break;
    }
    const size_t length = record_size_at(log, at) - kRecordHeader;
    const char* p = log.data() + at + kRecordHeader;
    raft::Entry e;
    e.term = raft::Term{get<uint64_t>(p)};
    e.index = raft::Index{expected_index};
    e.type = static_cast<raft::EntryType>(get<uint8_t>(p + 16));
    e.command.assign(p + kEntryFixedPayload, length - kEntryFixedPayload);
    scan.entries.push_back(std::move(e));
    scan.offsets.push_back(at);
    at += kRecordHeader + length;
  }
  scan.good_bytes = at;
  return scan;
}

}  // namespace raftsim::node

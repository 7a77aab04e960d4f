// Log entries and hard state as bytes on a disk: one format, shared by the real write-ahead log
// (src/real) and the simulated disk (src/sim), so both recover by the same rules.
//
//   entry record   u32 crc32 | u32 payload length | u64 term | u64 index | u8 type | command bytes
//   meta record    u32 crc32 | u64 term | u32 voted_for | u64 commit            (24 bytes)
//   snapshot       u32 crc32 | u32 payload length | u64 term | u64 index | state-machine bytes
//   snapshot with a configuration (one that differs from the bootstrap configuration):
//                  u32 crc32 | u32 payload length with its top bit set | u64 term | u64 index |
//                  u32 configuration length | configuration text | state-machine bytes
//
// An entry of type 2 (a configuration) holds Configuration::encode() as its command bytes.
//
// A log file that follows a snapshot starts at the snapshot's index + 1.
//
// Integers are little-endian (the host order on every supported machine); each CRC-32 covers
// everything after itself in its record.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "raft/message.h"
#include "raft/ready.h"

namespace raftsim::node {

inline constexpr size_t kRecordHeader = 8;        // crc32 + payload length
inline constexpr size_t kEntryFixedPayload = 17;  // term + index + type
inline constexpr size_t kMetaRecordSize = 24;

uint32_t crc32(const char* data, size_t size);

// `sealed == false` leaves the CRC field zero, for a caller that seals the record (computes its
// CRC) only if the bytes are ever read back without being trusted (the simulated disk).
void append_entry_record(std::string& out, const raft::Entry& entry, bool sealed = true);
// Computes and stores the CRC of every whole record in bytes[from, to).
void seal_records(std::string& bytes, size_t from, size_t to);
// The size of the record starting at `at` (header included), read from its length field.
size_t record_size_at(std::string_view log, size_t at);

std::string encode_meta_record(const raft::HardState& hard_state);
// nullopt when the record's size or checksum is wrong.
std::optional<raft::HardState> decode_meta_record(std::string_view record);

std::string encode_snapshot_record(const raft::Snapshot& snapshot);
// nullopt when the record's length or checksum is wrong.
std::optional<raft::Snapshot> decode_snapshot_record(std::string_view record);

// The index the log's first record holds, when that record is whole and passes its checksum.
std::optional<raft::Index> first_record_index(std::string_view log);

// What recovery found in a log file's bytes.
struct LogScan {
  enum class Ending : uint8_t {
    kClean,     // every byte belongs to a good record
    kTornTail,  // a bad record with nothing valid after it: an append cut short by a crash
    kCorrupt,   // a bad record with valid records after it: damage, never to be believed
  };
  std::vector<raft::Entry> entries;  // the good records, indices first_index..n
  std::vector<uint64_t> offsets;     // where each good record starts
  uint64_t good_bytes = 0;           // the end of the last good record
  Ending ending = Ending::kClean;
  uint64_t bad_offset = 0;  // kTornTail / kCorrupt: where the bad record starts
  uint64_t bad_index = 0;   // ... and the index it should have held
  std::string why;          // ... and what is wrong with it
};

// Reads records from the start. A bad record (a wrong checksum or length, an index out of
// sequence, an unknown entry type) ends the scan: it is a torn tail if no whole, checksum-valid
// record starts anywhere after it — even a corrupt length field that points past the end cannot
// hide the records that follow — and corruption otherwise. The first `trusted_bytes` are known to
// be exactly as written (the simulated disk knows which bytes a fault may have touched); their
// checksums are not recomputed. The first record must hold `first_index`.
LogScan scan_log(std::string_view log, uint64_t trusted_bytes = 0,
                 raft::Index first_index = raft::Index{1});

}  // namespace raftsim::node

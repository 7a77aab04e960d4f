// The on-disk record format shared by the real write-ahead log and the simulated disk.
#include "node/log_record.h"

#include <gtest/gtest.h>

namespace raftsim::node {
namespace {

using Ending = LogScan::Ending;

std::string log_of(uint64_t entries) {
  std::string out;
  for (uint64_t i = 1; i <= entries; ++i) {
    append_entry_record(
        out, raft::Entry{raft::Term{1 + i / 3}, raft::Index{i}, raft::EntryType::kCommand,
                         "command " + std::to_string(i)});
  }
  return out;
}

TEST(LogRecord, ACleanLogReadsBackEveryEntry) {
  const LogScan scan = scan_log(log_of(5));
  EXPECT_EQ(scan.ending, Ending::kClean);
  ASSERT_EQ(scan.entries.size(), 5u);
  EXPECT_EQ(scan.entries[3].command, "command 4");
  EXPECT_EQ(scan.entries[3].term, raft::Term{2});
  EXPECT_EQ(scan.offsets.size(), 5u);
}

TEST(LogRecord, ACutLastRecordIsATornTail) {
  std::string log = log_of(5);
  const size_t good = scan_log(log).offsets[4];
  log.resize(log.size() - 3);
  const LogScan scan = scan_log(log);
  EXPECT_EQ(scan.ending, Ending::kTornTail);
  EXPECT_EQ(scan.entries.size(), 4u);
  EXPECT_EQ(scan.good_bytes, good);
  EXPECT_EQ(scan.bad_index, 5u);
}

TEST(LogRecord, AFlippedBitInTheMiddleIsCorruption) {
  std::string log = log_of(5);
  const size_t second = scan_log(log).offsets[1];
  log[second + kRecordHeader + 20] ^= 0x04;  // a command byte of record 2
  const LogScan scan = scan_log(log);
  EXPECT_EQ(scan.ending, Ending::kCorrupt);
  EXPECT_EQ(scan.bad_offset, second);
  EXPECT_EQ(scan.bad_index, 2u);
  EXPECT_EQ(scan.entries.size(), 1u);
}

TEST(LogRecord, ADamagedLengthFieldCannotPassForATornTail) {
  // The length now points past the end of the file, as a torn append's would; but whole records
  // follow, so this is damage, not a crash mid-append.
  std::string log = log_of(5);
  const size_t second = scan_log(log).offsets[1];
  log[second + 7] = static_cast<char>(0x7f);
  EXPECT_EQ(scan_log(log).ending, Ending::kCorrupt);
}

TEST(LogRecord, TrustedBytesAreNotRechecked) {
  // The simulated disk vouches for bytes no fault touched; a flip it did not make is not looked
  // for.
  std::string log = log_of(3);
  log[scan_log(log).offsets[1] + kRecordHeader + 20] ^= 0x04;
  EXPECT_EQ(scan_log(log, log.size()).ending, Ending::kClean);
  EXPECT_EQ(scan_log(log, 0).ending, Ending::kCorrupt);
}

TEST(LogRecord, MetaRecordRoundTripsAndRefusesDamage) {
  const raft::HardState hs{raft::Term{7}, raft::NodeId{3}, raft::Index{42}};
  std::string record = encode_meta_record(hs);
  EXPECT_EQ(record.size(), kMetaRecordSize);
  EXPECT_EQ(decode_meta_record(record), hs);
  record[10] ^= 1;
  EXPECT_FALSE(decode_meta_record(record).has_value());
  EXPECT_FALSE(decode_meta_record(record.substr(0, 20)).has_value());
}

}  // namespace
}  // namespace raftsim::node

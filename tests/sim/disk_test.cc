// The simulated disk: durable means synced; recovery believes no record that fails its checksum.
#include "sim/disk.h"

#include <gtest/gtest.h>

namespace raftsim::sim {
namespace {

using raft::Entry;
using raft::Index;
using raft::Term;

// Runs sync completions when the test says so, like a disk whose fsync takes time.
struct ManualClock {
  std::vector<std::function<void()>> pending;
  SimDisk::Scheduler scheduler() {
    return [this](Duration, std::function<void()> f) { pending.push_back(std::move(f)); };
  }
  void complete_all() {
    auto run = std::move(pending);
    pending.clear();
    for (auto& f : run)
      f();
  }
};

std::vector<Entry> entries(uint64_t from, uint64_t to, uint64_t term) {
  std::vector<Entry> out;
  for (uint64_t i = from; i <= to; ++i) {
    out.push_back(
        Entry{Term{term}, Index{i}, raft::EntryType::kCommand, "cmd" + std::to_string(i)});
  }
  return out;
}

node::Loaded loaded(std::variant<node::Loaded, node::LoadError> v) {
  if (auto* e = std::get_if<node::LoadError>(&v)) {
    ADD_FAILURE() << e->message;
    return {};
  }
  return std::get<node::Loaded>(std::move(v));
}

TEST(SimDisk, SyncedWritesSurviveACrash) {
  ManualClock clock;
  SimDisk disk("n1", {}, 1, clock.scheduler());
  disk.write(raft::HardState{Term{3}, raft::NodeId{2}, Index{4}}, entries(1, 5, 3));
  bool synced = false;
  disk.sync([&] { synced = true; });
  clock.complete_all();
  ASSERT_TRUE(synced);
  disk.crash();
  const node::Loaded l = loaded(disk.load());
  EXPECT_EQ(l.state.entries, entries(1, 5, 3));
  EXPECT_EQ(l.state.hard_state, (raft::HardState{Term{3}, raft::NodeId{2}, Index{4}}));
  EXPECT_TRUE(l.repaired.empty());
}

TEST(SimDisk, UnsyncedWritesAreLostInACrash) {
  ManualClock clock;
  SimDisk disk("n1", {}, 1, clock.scheduler());
  disk.write(std::nullopt, entries(1, 3, 1));
  disk.sync([] {});
  clock.complete_all();
  disk.write(raft::HardState{Term{2}, raft::NodeId{1}, Index{}}, entries(4, 6, 2));
  disk.sync([] {});  // issued, not yet complete
  disk.crash();
  clock.pending.clear();
  const node::Loaded l = loaded(disk.load());
  EXPECT_EQ(l.state.entries, entries(1, 3, 1));
  EXPECT_EQ(l.state.hard_state.term, Term{});
}

TEST(SimDisk, TruncationIsDurableOnlyOnceSynced) {
  ManualClock clock;
  SimDisk disk("n1", {}, 1, clock.scheduler());
  disk.write(std::nullopt, entries(1, 5, 1));
  disk.sync([] {});
  clock.complete_all();
  disk.write(std::nullopt, entries(3, 3, 2));  // replaces 3..5 with one entry of term 2
  disk.sync([] {});
  clock.complete_all();
  disk.crash();
  auto expected = entries(1, 2, 1);
  expected.push_back(entries(3, 3, 2)[0]);
  EXPECT_EQ(loaded(disk.load()).state.entries, expected);
}

TEST(SimDisk, LyingFsyncReportsSuccessButKeepsNothing) {
  ManualClock clock;
  SimDisk disk("n1", {}, 1, clock.scheduler());
  disk.set_fsync_lies(true);
  disk.write(raft::HardState{Term{5}, raft::NodeId{1}, Index{}}, entries(1, 2, 5));
  bool acknowledged = false;
  disk.sync([&] { acknowledged = true; });
  clock.complete_all();
  EXPECT_TRUE(acknowledged) << "the lie: success is reported";
  disk.crash();
  const node::Loaded l = loaded(disk.load());
  EXPECT_TRUE(l.state.entries.empty());
  EXPECT_EQ(l.state.hard_state.term, Term{});
}

TEST(SimDisk, TornLastWriteIsTruncatedAndReported) {
  ManualClock clock;
  SimDisk disk("n1", {}, 7, clock.scheduler());
  disk.write(std::nullopt, entries(1, 3, 1));
  disk.sync([] {});
  clock.complete_all();
  disk.write(std::nullopt, entries(4, 4, 1));
  disk.arm_torn_write();
  disk.crash();
  const node::Loaded l = loaded(disk.load());
  EXPECT_EQ(l.state.entries, entries(1, 3, 1));
  EXPECT_NE(l.repaired.find("torn tail: record 4"), std::string::npos) << l.repaired;
}

TEST(SimDisk, CorruptRecordInTheMiddleRefusesToStart) {
  ManualClock clock;
  SimDisk disk("n1", {}, 1, clock.scheduler());
  disk.write(std::nullopt, entries(1, 5, 1));
  disk.sync([] {});
  clock.complete_all();
  const std::string what = disk.corrupt(2);
  EXPECT_NE(what.find("log record 2"), std::string::npos) << what;
  auto result = disk.load();
  ASSERT_TRUE(std::holds_alternative<node::LoadError>(result));
  const std::string& message = std::get<node::LoadError>(result).message;
  EXPECT_NE(message.find("log record 2 at byte offset"), std::string::npos) << message;
  EXPECT_NE(message.find("refusing to start"), std::string::npos) << message;
}

TEST(SimDisk, CorruptLastRecordIsTruncatedLikeATornTail) {
  ManualClock clock;
  SimDisk disk("n1", {}, 1, clock.scheduler());
  disk.write(std::nullopt, entries(1, 4, 1));
  disk.sync([] {});
  clock.complete_all();
  disk.corrupt(0);  // the last record
  const node::Loaded l = loaded(disk.load());
  EXPECT_EQ(l.state.entries, entries(1, 3, 1));
  EXPECT_FALSE(l.repaired.empty());
}

TEST(SimDisk, ARecordPastTheLastIsNotThereToCorrupt) {
  ManualClock clock;
  SimDisk disk("n1", {}, 1, clock.scheduler());
  disk.write(std::nullopt, entries(1, 4, 1));
  disk.sync([] {});
  clock.complete_all();
  EXPECT_EQ(disk.corrupt(5), "n1: no log record 5 to corrupt (the log holds 4): nothing changed");
  const node::Loaded l = loaded(disk.load());
  EXPECT_EQ(l.state.entries, entries(1, 4, 1));
  EXPECT_TRUE(l.repaired.empty());
}

TEST(SimDisk, WipeLosesEverything) {
  ManualClock clock;
  SimDisk disk("n1", {}, 1, clock.scheduler());
  disk.write(raft::HardState{Term{9}, raft::NodeId{1}, Index{2}}, entries(1, 2, 9));
  disk.sync([] {});
  clock.complete_all();
  disk.wipe();
  const node::Loaded l = loaded(disk.load());
  EXPECT_TRUE(l.state.entries.empty());
  EXPECT_EQ(l.state.hard_state, raft::HardState{});
}

// ---------------------------------------------------------------------------------------------
// Snapshots (§7)

raft::Snapshot snapshot(uint64_t index, uint64_t term) {
  return raft::Snapshot{Index{index}, Term{term}, "image through " + std::to_string(index)};
}

TEST(SimDisk, CompactionKeepsTheSnapshotAndTheEntriesAfterIt) {
  ManualClock clock;
  SimDisk disk("n1", {}, 1, clock.scheduler());
  disk.write(raft::HardState{Term{2}, raft::NodeId{}, Index{6}}, entries(1, 8, 2));
  disk.write_snapshot(snapshot(6, 2), /*replaces_log=*/false);
  disk.sync([] {});
  clock.complete_all();
  disk.write(std::nullopt, entries(9, 10, 2));  // appends continue after compaction
  disk.sync([] {});
  clock.complete_all();
  disk.crash();
  const node::Loaded l = loaded(disk.load());
  EXPECT_EQ(l.state.snapshot, snapshot(6, 2));
  EXPECT_EQ(l.state.entries, entries(7, 10, 2));
  EXPECT_EQ(disk.durable_records(), 4u);
}

TEST(SimDisk, AnUnsyncedCompactionIsLostWholeInACrash) {
  ManualClock clock;
  SimDisk disk("n1", {}, 1, clock.scheduler());
  disk.write(std::nullopt, entries(1, 8, 2));
  disk.sync([] {});
  clock.complete_all();
  disk.write_snapshot(snapshot(6, 2), /*replaces_log=*/false);
  disk.crash();
  const node::Loaded l = loaded(disk.load());
  EXPECT_EQ(l.state.snapshot.index, Index{0});
  EXPECT_EQ(l.state.entries, entries(1, 8, 2));
}

TEST(SimDisk, ALeadersSnapshotReplacesTheWholeLog) {
  ManualClock clock;
  SimDisk disk("n1", {}, 1, clock.scheduler());
  disk.write(std::nullopt, entries(1, 8, 1));  // a log that contradicts the leader's
  disk.write_snapshot(snapshot(5, 3), /*replaces_log=*/true);
  disk.write(std::nullopt, entries(6, 7, 3));
  disk.sync([] {});
  clock.complete_all();
  disk.crash();
  const node::Loaded l = loaded(disk.load());
  EXPECT_EQ(l.state.snapshot, snapshot(5, 3));
  EXPECT_EQ(l.state.entries, entries(6, 7, 3));
}

TEST(SimDisk, ACorruptRecordAfterASnapshotIsNamedByItsIndex) {
  ManualClock clock;
  SimDisk disk("n1", {}, 1, clock.scheduler());
  disk.write(std::nullopt, entries(1, 8, 2));
  disk.write_snapshot(snapshot(4, 2), /*replaces_log=*/false);
  disk.sync([] {});
  clock.complete_all();
  disk.corrupt(2);  // the second record kept: entry 6
  auto result = disk.load();
  ASSERT_TRUE(std::holds_alternative<node::LoadError>(result));
  EXPECT_NE(std::get<node::LoadError>(result).message.find("log record 6"), std::string::npos)
      << std::get<node::LoadError>(result).message;
}

TEST(SimDisk, WipeLosesTheSnapshotToo) {
  ManualClock clock;
  SimDisk disk("n1", {}, 1, clock.scheduler());
  disk.write(std::nullopt, entries(1, 8, 2));
  disk.write_snapshot(snapshot(6, 2), /*replaces_log=*/false);
  disk.sync([] {});
  clock.complete_all();
  disk.wipe();
  const node::Loaded l = loaded(disk.load());
  EXPECT_EQ(l.state.snapshot.index, Index{0});
  EXPECT_TRUE(l.state.entries.empty());
}

}  // namespace
}  // namespace raftsim::sim

// FileStorage: what survives on disk, how a torn tail is repaired, how corruption is refused,
// that a sync's callback runs only after the data reached the disk, and which syncs it needs.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "node/node.h"
#include "real/file_storage.h"

namespace raftsim::real {
namespace {

namespace fs = std::filesystem;
using raft::Entry;
using raft::HardState;
using raft::Index;
using raft::NodeId;
using raft::Term;

Entry entry(uint64_t term, uint64_t index, std::string command = "cmd") {
  return {Term{term}, Index{index}, raft::EntryType::kCommand, std::move(command)};
}

// Size of one log record: crc + length + term + index + type + command.
constexpr uint64_t record_size(size_t command) {
  return 4 + 4 + 8 + 8 + 1 + command;
}

class FileStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "raftsim-storage-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  node::Loaded load_ok(FileStorage& storage) {
    auto loaded = storage.load();
    if (auto* error = std::get_if<node::LoadError>(&loaded)) {
      ADD_FAILURE() << error->message;
      return {};
    }
    return std::get<node::Loaded>(loaded);
  }

  node::Loaded reload() {
    FileStorage storage(dir_);
    return load_ok(storage);
  }

  void write_synced(const std::optional<HardState>& hs, const std::vector<Entry>& entries) {
    FileStorage storage(dir_);
    load_ok(storage);
    storage.write(hs, entries);
    bool done = false;
    storage.sync([&] { done = true; });
    EXPECT_TRUE(done);
  }

  std::string log_path() const { return dir_ + "/log"; }

  std::string dir_;
};

TEST_F(FileStorageTest, FreshDirectoryLoadsEmpty) {
  node::Loaded loaded = reload();
  EXPECT_EQ(loaded.state.hard_state, HardState{});
  EXPECT_TRUE(loaded.state.entries.empty());
  EXPECT_TRUE(loaded.repaired.empty());
}

TEST_F(FileStorageTest, RoundTripsHardStateAndEntries) {
  const HardState hs{Term{3}, NodeId{2}, Index{2}};
  const std::vector<Entry> entries = {entry(1, 1),
                                      {Term{2}, Index{2}, raft::EntryType::kNoOp, ""},
                                      entry(3, 3, std::string("\0binary\xff", 8))};
  write_synced(hs, entries);

  node::Loaded loaded = reload();
  EXPECT_EQ(loaded.state.hard_state, hs);
  EXPECT_EQ(loaded.state.entries, entries);
  EXPECT_TRUE(loaded.repaired.empty());
}

TEST_F(FileStorageTest, OverwritingASuffixTruncatesTheOldRecords) {
  write_synced(HardState{Term{1}, {}, {}}, {entry(1, 1), entry(1, 2), entry(1, 3), entry(1, 4)});
  write_synced(HardState{Term{2}, {}, {}}, {entry(2, 3, "new3"), entry(2, 4, "new4")});
  write_synced(std::nullopt, {entry(2, 5)});

  node::Loaded loaded = reload();
  EXPECT_EQ(loaded.state.entries, (std::vector<Entry>{entry(1, 1), entry(1, 2), entry(2, 3, "new3"),
                                                      entry(2, 4, "new4"), entry(2, 5)}));
  EXPECT_EQ(fs::file_size(log_path()), 3 * record_size(3) + 2 * record_size(4));
}

TEST_F(FileStorageTest, RestartFromDiskGivesTheSameStateEveryTime) {
  write_synced(HardState{Term{1}, NodeId{1}, {}}, {entry(1, 1), entry(1, 2)});
  write_synced(HardState{Term{5}, NodeId{3}, Index{2}}, {entry(5, 3)});
  node::Loaded first = reload();
  node::Loaded second = reload();
  EXPECT_EQ(first.state.hard_state, (HardState{Term{5}, NodeId{3}, Index{2}}));
  EXPECT_EQ(first.state.entries.size(), 3u);
  EXPECT_EQ(first.state.hard_state, second.state.hard_state);
  EXPECT_EQ(first.state.entries, second.state.entries);
}

TEST_F(FileStorageTest, TornTailIsTruncatedAndReported) {
  write_synced(HardState{Term{1}, {}, {}}, {entry(1, 1), entry(1, 2), entry(1, 3)});
  // The crash came in the middle of appending record 3.
  fs::resize_file(log_path(), 2 * record_size(3) + 10);

  node::Loaded loaded = reload();
  EXPECT_EQ(loaded.state.entries, (std::vector<Entry>{entry(1, 1), entry(1, 2)}));
  EXPECT_NE(loaded.repaired.find("torn tail"), std::string::npos) << loaded.repaired;
  EXPECT_NE(loaded.repaired.find(log_path()), std::string::npos) << loaded.repaired;
  EXPECT_EQ(fs::file_size(log_path()), 2 * record_size(3));

  // The repaired log takes new appends where the good records end.
  write_synced(std::nullopt, {entry(2, 3, "again")});
  EXPECT_EQ(reload().state.entries.back(), entry(2, 3, "again"));
}

TEST_F(FileStorageTest, CorruptLastRecordIsATornTail) {
  write_synced(std::nullopt, {entry(1, 1), entry(1, 2)});
  {
    std::fstream f(log_path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(record_size(3) + 20));
    f.put('\x5a');
  }
  node::Loaded loaded = reload();
  EXPECT_EQ(loaded.state.entries, std::vector<Entry>{entry(1, 1)});
  EXPECT_FALSE(loaded.repaired.empty());
}

TEST_F(FileStorageTest, CorruptMiddleRecordIsRefusedNamingFileAndOffset) {
  write_synced(std::nullopt, {entry(1, 1), entry(1, 2), entry(1, 3)});
  const uint64_t second = record_size(3);
  {
    std::fstream f(log_path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(second + 26));  // a byte of record 2's command
    f.put('X');
  }
  FileStorage storage(dir_);
  auto loaded = storage.load();
  ASSERT_TRUE(std::holds_alternative<node::LoadError>(loaded));
  const std::string& message = std::get<node::LoadError>(loaded).message;
  EXPECT_NE(message.find(log_path()), std::string::npos) << message;
  EXPECT_NE(message.find("byte offset " + std::to_string(second)), std::string::npos) << message;
  // Refusing changes nothing on disk: the evidence is kept.
  EXPECT_EQ(fs::file_size(log_path()), 3 * record_size(3));
}

TEST_F(FileStorageTest, CorruptLengthFieldInTheMiddleIsRefusedNotTruncated) {
  write_synced(std::nullopt, {entry(1, 1), entry(1, 2), entry(1, 3), entry(1, 4)});
  const uint64_t second = record_size(3);
  {
    // The length now claims the record runs past the end of the file, as a torn one would.
    std::fstream f(log_path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(second + 6));
    f.put('\x40');
  }
  FileStorage storage(dir_);
  auto loaded = storage.load();
  ASSERT_TRUE(std::holds_alternative<node::LoadError>(loaded))
      << "committed entries 2..4 would have been dropped as a torn tail";
  EXPECT_NE(std::get<node::LoadError>(loaded).message.find("byte offset " + std::to_string(second)),
            std::string::npos);
  EXPECT_EQ(fs::file_size(log_path()), 4 * record_size(3));
}

TEST_F(FileStorageTest, CorruptMetadataIsRefused) {
  write_synced(HardState{Term{4}, NodeId{1}, {}}, {});
  {
    std::fstream f(dir_ + "/meta", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(5);
    f.put('\x7f');
  }
  FileStorage storage(dir_);
  auto loaded = storage.load();
  ASSERT_TRUE(std::holds_alternative<node::LoadError>(loaded));
  EXPECT_NE(std::get<node::LoadError>(loaded).message.find(dir_ + "/meta"), std::string::npos);
}

TEST_F(FileStorageTest, LeftoverTemporaryMetadataIsIgnored) {
  write_synced(HardState{Term{4}, NodeId{1}, {}}, {});
  { std::ofstream(dir_ + "/meta.tmp") << "half a replace"; }
  EXPECT_EQ(reload().state.hard_state, (HardState{Term{4}, NodeId{1}, {}}));
  EXPECT_FALSE(fs::exists(dir_ + "/meta.tmp"));
}

TEST_F(FileStorageTest, SyncCallsBackOnlyAfterTheDataIsOnDisk) {
  std::vector<std::string> events;
  SyncCalls calls{[&](int fd) {
                    events.push_back("fdatasync");
                    return SyncCalls::system().fdatasync(fd);
                  },
                  [&](int fd) {
                    events.push_back("fsync");
                    return SyncCalls::system().fsync(fd);
                  }};
  FileStorage storage(dir_, calls);
  load_ok(storage);
  events.clear();

  storage.write(HardState{Term{1}, NodeId{1}, {}}, {entry(1, 1)});
  EXPECT_TRUE(events.empty()) << "write() alone must not be mistaken for durability";
  storage.sync([&] { events.push_back("done"); });
  // The log's fdatasync, then meta.tmp's fsync, then the directory's fsync after the rename.
  EXPECT_EQ(events, (std::vector<std::string>{"fdatasync", "fsync", "fsync", "done"}));

  // An entry-only write needs only the log's fdatasync.
  events.clear();
  storage.write(std::nullopt, {entry(1, 2)});
  storage.sync([&] { events.push_back("done"); });
  EXPECT_EQ(events, (std::vector<std::string>{"fdatasync", "done"}));
}

TEST_F(FileStorageTest, ANewCommitIndexAloneCostsOnlyTheLogSync) {
  std::vector<std::string> events;
  SyncCalls calls{[&](int fd) {
                    events.push_back("fdatasync");
                    return SyncCalls::system().fdatasync(fd);
                  },
                  [&](int fd) {
                    events.push_back("fsync");
                    return SyncCalls::system().fsync(fd);
                  }};
  {
    FileStorage storage(dir_, calls);
    load_ok(storage);
    storage.write(HardState{Term{2}, NodeId{1}, Index{1}}, {entry(2, 1), entry(2, 2)});
    storage.sync([] {});
    events.clear();
    storage.write(HardState{Term{2}, NodeId{1}, Index{2}}, {entry(2, 3)});
    storage.sync([&] { events.push_back("done"); });
    EXPECT_EQ(events, (std::vector<std::string>{"fdatasync", "done"}));
  }
  // The commit index read back lags (Raft keeps it in volatile state); term and vote do not.
  EXPECT_EQ(reload().state.hard_state, (HardState{Term{2}, NodeId{1}, Index{1}}));

  {
    FileStorage storage(dir_, calls);
    load_ok(storage);
    storage.write(HardState{Term{2}, NodeId{1}, Index{3}}, {});
    storage.sync([] {});
    events.clear();
    // A new term replaces meta, and carries the newest commit index with it.
    storage.write(HardState{Term{3}, NodeId{}, Index{3}}, {});
    storage.sync([&] { events.push_back("done"); });
    EXPECT_EQ(events, (std::vector<std::string>{"fsync", "fsync", "done"}));
  }
  EXPECT_EQ(reload().state.hard_state, (HardState{Term{3}, NodeId{}, Index{3}}));
}

TEST_F(FileStorageTest, SyncPostsItsCallbackToTheHostLoop) {
  std::vector<std::function<void()>> posted;
  FileStorage storage(dir_, SyncCalls::system(),
                      [&](std::function<void()> fn) { posted.push_back(std::move(fn)); });
  load_ok(storage);
  storage.write(std::nullopt, {entry(1, 1)});
  bool done = false;
  storage.sync([&] { done = true; });
  EXPECT_FALSE(done);
  ASSERT_EQ(posted.size(), 1u);
  posted.front()();
  EXPECT_TRUE(done);
}

TEST_F(FileStorageTest, FailedFdatasyncIsFatalAndNeverCallsBack) {
  SyncCalls calls = SyncCalls::system();
  calls.fdatasync = [](int) {
    errno = EIO;
    return -1;
  };
  FileStorage storage(dir_, calls);
  load_ok(storage);
  storage.write(std::nullopt, {entry(1, 1)});
  bool done = false;
  EXPECT_THROW(storage.sync([&] { done = true; }), StorageFailure);
  EXPECT_FALSE(done);
}

// ---------------------------------------------------------------------------------------------
// Snapshots (§7)

raft::Snapshot image(uint64_t index, uint64_t term) {
  return raft::Snapshot{Index{index}, Term{term}, "image through " + std::to_string(index)};
}

TEST_F(FileStorageTest, CompactionKeepsTheSnapshotAndTheEntriesAfterIt) {
  {
    FileStorage storage(dir_);
    load_ok(storage);
    storage.write(HardState{Term{2}, NodeId{}, Index{6}},
                  {entry(2, 1), entry(2, 2), entry(2, 3), entry(2, 4), entry(2, 5)});
    storage.write_snapshot(image(3, 2), /*replaces_log=*/false);
    storage.write(std::nullopt, {entry(2, 6, "after")});  // appends go on after compaction
    storage.sync([] {});
  }
  const node::Loaded loaded = reload();
  EXPECT_EQ(loaded.state.snapshot, image(3, 2));
  ASSERT_EQ(loaded.state.entries.size(), 3u);
  EXPECT_EQ(loaded.state.entries.front().index, Index{4});
  EXPECT_EQ(loaded.state.entries.back().command, "after");
  EXPECT_EQ(fs::file_size(log_path()), 2 * record_size(3) + record_size(5));
}

TEST_F(FileStorageTest, ACrashBetweenTheSnapshotAndTheCompactedLogKeepsEveryEntry) {
  write_synced(std::nullopt, {entry(1, 1), entry(1, 2), entry(1, 3), entry(1, 4)});
  // The snapshot's rename reached the disk; the rewritten log's did not.
  {
    FileStorage storage(dir_ + "/other");
    load_ok(storage);
    storage.write_snapshot(image(2, 1), /*replaces_log=*/false);
  }
  fs::copy_file(dir_ + "/other/snapshot", dir_ + "/snapshot");
  const node::Loaded loaded = reload();
  EXPECT_EQ(loaded.state.snapshot, image(2, 1));
  ASSERT_EQ(loaded.state.entries.size(), 2u);
  EXPECT_EQ(loaded.state.entries.front().index, Index{3});
}

TEST_F(FileStorageTest, ALeadersSnapshotReplacesTheWholeLog) {
  write_synced(std::nullopt, {entry(1, 1), entry(1, 2), entry(1, 3)});
  {
    FileStorage storage(dir_);
    load_ok(storage);
    storage.write_snapshot(image(5, 3), /*replaces_log=*/true);
    storage.write(std::nullopt, {entry(3, 6)});
    storage.sync([] {});
  }
  const node::Loaded loaded = reload();
  EXPECT_EQ(loaded.state.snapshot, image(5, 3));
  ASSERT_EQ(loaded.state.entries.size(), 1u);
  EXPECT_EQ(loaded.state.entries.front().index, Index{6});
}

// Membership (thesis ch. 4): a node acts on the configuration its disk holds.

const raft::Configuration kJoint{.voters = {NodeId{1}, NodeId{2}, NodeId{4}},
                                 .outgoing = {NodeId{1}, NodeId{2}, NodeId{3}},
                                 .learners = {NodeId{5}}};

TEST_F(FileStorageTest, ConfigurationEntriesAndSnapshotConfigurationsRoundTrip) {
  raft::Snapshot snapshot = image(2, 1);
  snapshot.configuration = kJoint;
  {
    FileStorage storage(dir_);
    load_ok(storage);
    storage.write_snapshot(snapshot, /*replaces_log=*/true);
    storage.write(std::nullopt, {{Term{1}, Index{3}, raft::EntryType::kConfiguration,
                                  raft::Configuration{.voters = {NodeId{1}, NodeId{2}}}.encode()}});
    storage.sync([] {});
  }
  const node::Loaded loaded = reload();
  EXPECT_EQ(loaded.state.snapshot, snapshot);
  ASSERT_EQ(loaded.state.entries.size(), 1u);
  EXPECT_EQ(loaded.state.entries[0].type, raft::EntryType::kConfiguration);
  EXPECT_EQ(raft::Configuration::decode(loaded.state.entries[0].command),
            (raft::Configuration{.voters = {NodeId{1}, NodeId{2}}}));
}

class NoPeers final : public node::Transport {
 public:
  void send(const raft::Message&) override {}
};

// A one-voter cluster: node 1 leads alone and commits every change it makes.
struct SoloNode {
  explicit SoloNode(const std::string& dir, uint64_t snapshot_every = 0) : storage(dir) {
    raft::Config config;
    config.id = NodeId{1};
    config.voters = {NodeId{1}};
    config.servers = {NodeId{1}, NodeId{2}, NodeId{3}};
    node.emplace(config, storage, transport, [](const node::ClientReply&) {});
    node->set_snapshot_every(snapshot_every);
    node->start();
  }
  bool change(raft::ConfChange::Kind kind, uint32_t id) {
    return node->change({.kind = kind, .node = NodeId{id}}).accepted();
  }
  FileStorage storage;
  NoPeers transport;
  std::optional<node::Node> node;
};

TEST_F(FileStorageTest, ARestartedNodeActsOnTheConfigurationItsLogHolds) {
  {
    SoloNode solo(dir_);
    solo.node->campaign();
    ASSERT_EQ(solo.node->core().role(), raft::Role::kLeader);
    ASSERT_TRUE(solo.change(raft::ConfChange::Kind::kAddLearner, 3));
    ASSERT_TRUE(solo.change(raft::ConfChange::Kind::kAddLearner, 2));
  }
  SoloNode restarted(dir_);
  const raft::Configuration want{.voters = {NodeId{1}}, .learners = {NodeId{2}, NodeId{3}}};
  EXPECT_EQ(restarted.node->core().configuration(), want);
  EXPECT_EQ(restarted.node->core().configuration_index(), Index{3});
}

TEST_F(FileStorageTest, ARestartedNodeActsOnTheConfigurationItsSnapshotHolds) {
  {
    SoloNode solo(dir_, /*snapshot_every=*/1);
    solo.node->campaign();
    ASSERT_TRUE(solo.change(raft::ConfChange::Kind::kAddLearner, 3));
    solo.node->submit({.client_id = 1, .seq = 1, .op = node::KvOp::kPut, .key = "k", .value = "v"});
    ASSERT_EQ(solo.node->applied_index(), Index{3});
  }
  const node::Loaded loaded = reload();
  ASSERT_GE(loaded.state.snapshot.index, Index{2});
  EXPECT_EQ(loaded.state.snapshot.configuration.learners, std::vector<NodeId>{NodeId{3}});
  SoloNode restarted(dir_);
  EXPECT_EQ(restarted.node->core().configuration(),
            (raft::Configuration{.voters = {NodeId{1}}, .learners = {NodeId{3}}}));
  EXPECT_EQ(restarted.node->store().get("k"), "v");
}

TEST_F(FileStorageTest, ACorruptSnapshotRefusesToStartAndNamesTheFile) {
  {
    FileStorage storage(dir_);
    load_ok(storage);
    storage.write_snapshot(image(2, 1), /*replaces_log=*/false);
  }
  {
    std::fstream f(dir_ + "/snapshot", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.put('X');
  }
  FileStorage storage(dir_);
  auto loaded = storage.load();
  ASSERT_TRUE(std::holds_alternative<node::LoadError>(loaded));
  EXPECT_NE(std::get<node::LoadError>(loaded).message.find(dir_ + "/snapshot"), std::string::npos)
      << std::get<node::LoadError>(loaded).message;
}

TEST_F(FileStorageTest, ALogThatStartsAfterAGapRefusesToStart) {
  write_synced(std::nullopt, {entry(1, 1), entry(1, 2), entry(1, 3), entry(1, 4)});
  {
    FileStorage storage(dir_);
    load_ok(storage);
    storage.write_snapshot(image(2, 1), /*replaces_log=*/false);  // log now starts at 3
  }
  fs::remove(dir_ + "/snapshot");  // the snapshot that explained where it starts is gone
  FileStorage storage(dir_);
  auto loaded = storage.load();
  ASSERT_TRUE(std::holds_alternative<node::LoadError>(loaded));
  EXPECT_NE(std::get<node::LoadError>(loaded).message.find("refusing to start"), std::string::npos)
      << std::get<node::LoadError>(loaded).message;
}

}  // namespace
}  // namespace raftsim::real

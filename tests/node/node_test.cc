// The host loop: a single-node group serves writes and ReadIndex reads; and the order of
// persist and send, with and without the planted ack_before_persist.
#include "node/node.h"

#include <gtest/gtest.h>

#include <functional>
#include <vector>

namespace raftsim::node {
namespace {

using raft::Message;
using raft::MessageType;
using raft::NodeId;

struct RecordingTransport : Transport {
  void send(const Message& m) override { sent.push_back(m); }
  size_t count(MessageType type) const {
    size_t n = 0;
    for (const Message& m : sent)
      n += m.type == type ? 1 : 0;
    return n;
  }
  std::vector<Message> sent;
};

// Storage whose sync completes only when the test says so.
struct DeferredSyncStorage : Storage {
  std::variant<Loaded, LoadError> load() override { return memory.load(); }
  void write(const std::optional<raft::HardState>& hs,
             const std::vector<raft::Entry>& entries) override {
    memory.write(hs, entries);
  }
  void write_snapshot(const raft::Snapshot& snapshot, bool replaces_log) override {
    snapshots_written.push_back(snapshot.index);
    snapshots.push_back(snapshot);
    memory.write_snapshot(snapshot, replaces_log);
  }
  void sync(std::function<void()> done) override { waiting.push_back(std::move(done)); }
  void release_all() {
    auto callbacks = std::move(waiting);
    waiting.clear();
    for (auto& done : callbacks)
      done();
  }
  MemoryStorage memory;
  std::vector<std::function<void()>> waiting;
  std::vector<raft::Index> snapshots_written;
  std::vector<raft::Snapshot> snapshots;  // each as written
};

raft::Config config(uint32_t id, uint32_t n) {
  raft::Config c;
  c.id = NodeId{id};
  for (uint32_t i = 1; i <= n; ++i)
    c.voters.push_back(NodeId{i});
  return c;
}

TEST(Node, SingleNodeElectsItselfAppliesAPutAndServesAGetByReadIndex) {
  MemoryStorage storage;
  RecordingTransport transport;
  std::vector<ClientReply> replies;
  Node node(config(1, 1), storage, transport, [&](const ClientReply& r) { replies.push_back(r); });
  node.start();
  ASSERT_TRUE(node.ok());
  node.campaign();
  ASSERT_EQ(node.core().role(), raft::Role::kLeader);

  node.submit({7, 1, KvOp::kPut, "k", "v", {}});
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].status, ClientReply::Status::kOk);
  EXPECT_EQ(replies[0].seq, 1u);
  EXPECT_EQ(node.store().get("k"), "v");
  EXPECT_EQ(storage.state().entries.size(), 2u) << "the no-op and the put are durable";

  node.submit({7, 2, KvOp::kGet, "k", {}, {}});
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[1].status, ClientReply::Status::kOk);
  EXPECT_EQ(replies[1].result.value, "v");
  EXPECT_EQ(storage.state().entries.size(), 2u) << "a read is not written to the log";
  EXPECT_TRUE(transport.sent.empty());
}

TEST(Node, FollowerRefersClientsToNotLeader) {
  MemoryStorage storage;
  RecordingTransport transport;
  std::vector<ClientReply> replies;
  Node node(config(1, 3), storage, transport, [&](const ClientReply& r) { replies.push_back(r); });
  node.start();
  node.submit({7, 1, KvOp::kPut, "k", "v", {}});
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].status, ClientReply::Status::kNotLeader);
  // §8: reads too go through the leader, which confirms it still leads; a follower's own state
  // machine may be any distance behind.
  node.submit({7, 2, KvOp::kGet, "k", {}, {}});
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[1].status, ClientReply::Status::kNotLeader);
}

Message vote_request_from_2() {
  Message m;
  m.type = MessageType::kVoteRequest;
  m.from = NodeId{2};
  m.to = NodeId{1};
  m.term = raft::Term{1};
  return m;
}

TEST(Node, VoteLeavesOnlyAfterItsSyncCompletes) {
  DeferredSyncStorage storage;
  RecordingTransport transport;
  Node node(config(1, 3), storage, transport, [](const ClientReply&) {});
  node.start();
  node.receive(vote_request_from_2());
  EXPECT_EQ(transport.count(MessageType::kVoteResponse), 0u) << "the vote is not durable yet";
  EXPECT_TRUE(node.persisting());
  storage.release_all();
  EXPECT_EQ(transport.count(MessageType::kVoteResponse), 1u);
  EXPECT_EQ(storage.memory.state().hard_state.voted_for, NodeId{2});
}

TEST(Node, PlantedAckBeforePersistSendsTheVoteBeforeItsSync) {
  DeferredSyncStorage storage;
  RecordingTransport transport;
  raft::Config cfg = config(1, 3);
  cfg.bugs.ack_before_persist = true;
  Node node(cfg, storage, transport, [](const ClientReply&) {});
  node.start();
  node.receive(vote_request_from_2());
  EXPECT_EQ(transport.count(MessageType::kVoteResponse), 1u);
  EXPECT_FALSE(storage.waiting.empty()) << "the sync is still outstanding";
}

TEST(Node, AppendAcknowledgementWaitsForItsSync) {
  DeferredSyncStorage storage;
  RecordingTransport transport;
  Node node(config(1, 3), storage, transport, [](const ClientReply&) {});
  node.start();
  Message m;
  m.type = MessageType::kAppendEntries;
  m.from = NodeId{2};
  m.to = NodeId{1};
  m.term = raft::Term{1};
  m.entries = {raft::Entry{raft::Term{1}, raft::Index{1}, raft::EntryType::kNoOp, {}}};
  node.receive(m);
  EXPECT_EQ(transport.count(MessageType::kAppendResponse), 0u);
  storage.release_all();
  EXPECT_EQ(transport.count(MessageType::kAppendResponse), 1u);
}

// n1, leader of term 1, sends n2 its snapshot through `index`.
Message install_from_1(uint64_t index, std::string image) {
  Message m;
  m.type = MessageType::kInstallSnapshot;
  m.from = NodeId{1};
  m.to = NodeId{2};
  m.term = raft::Term{1};
  m.snapshot = std::make_shared<const raft::Snapshot>(
      raft::Snapshot{raft::Index{index}, raft::Term{1}, std::move(image)});
  return m;
}

// §7 at the host: a leader's snapshot that reaches the core while an earlier write waits for its
// sync is stored, loaded into the key-value store and acknowledged after that write completes,
// and the node's own compaction never runs ahead of the store it would snapshot.
TEST(Node, ALeadersSnapshotArrivingDuringASyncIsInstalledAfterIt) {
  DeferredSyncStorage storage;
  RecordingTransport transport;
  Node node(config(2, 3), storage, transport, [](const ClientReply&) {});
  node.set_snapshot_every(1);
  node.start();

  Message append;
  append.type = MessageType::kAppendEntries;
  append.from = NodeId{1};
  append.to = NodeId{2};
  append.term = raft::Term{1};
  append.entries = {{raft::Term{1}, raft::Index{1}, raft::EntryType::kNoOp, {}},
                    {raft::Term{1}, raft::Index{2}, raft::EntryType::kCommand,
                     encode({7, 1, KvOp::kPut, "a", "1", {}})}};
  append.leader_commit = raft::Index{2};
  node.receive(append);
  ASSERT_TRUE(node.persisting());

  KvStore leader_store;
  leader_store.apply({7, 1, KvOp::kPut, "a", "1", {}});
  leader_store.apply({8, 1, KvOp::kPut, "b", "2", {}});
  node.receive(install_from_1(10, leader_store.snapshot()));

  while (!storage.waiting.empty())
    storage.release_all();
  EXPECT_EQ(node.applied_index(), raft::Index{10});
  EXPECT_EQ(node.store().data(), leader_store.data());
  EXPECT_EQ(node.core().log().snapshot_index(), raft::Index{10});
  EXPECT_EQ(storage.memory.state().snapshot.index, raft::Index{10});
  EXPECT_TRUE(storage.memory.state().entries.empty());
  // Entry 2 was applied before the leader's snapshot, but the core's log had already moved
  // past it: no snapshot of the store at 2 may be written.
  EXPECT_EQ(storage.snapshots_written, std::vector<raft::Index>{raft::Index{10}});
  EXPECT_EQ(transport.count(MessageType::kAppendResponse), 2u);
}

TEST(Node, ASnapshotWhoseImageDoesNotLoadIsDroppedBeforeTheCore) {
  MemoryStorage storage;
  RecordingTransport transport;
  Node node(config(2, 3), storage, transport, [](const ClientReply&) {});
  node.start();
  node.receive(install_from_1(10, "not a key-value image"));
  EXPECT_EQ(node.refused_snapshots(), 1u);
  EXPECT_EQ(node.core().term(), raft::Term{0});
  EXPECT_EQ(node.core().log().snapshot_index(), raft::Index{0});
}

// Records what the node applies and, on the first apply, calls back into the node, as a host's
// observer may (the simulator's event-triggered faults ask for a change inside an apply).
struct ReenteringObserver : NodeObserver {
  void on_apply(const raft::Entry& entry) override {
    applied.push_back(entry.index.value);
    if (node && !reentered) {
      reentered = true;
      node->tick();
    }
  }
  Node* node = nullptr;
  bool reentered = false;
  std::vector<uint64_t> applied;
};

// n1, leader of term 1, sends n2 entries first..last of its log (entry 1 a no-op, entry i > 1 a
// put of "i" to "k"; none when last < first) with its commit index.
Message append_from_1(uint64_t first, uint64_t last, uint64_t commit) {
  Message m;
  m.type = MessageType::kAppendEntries;
  m.from = NodeId{1};
  m.to = NodeId{2};
  m.term = raft::Term{1};
  m.prev_log_index = raft::Index{first - 1};
  m.prev_log_term = raft::Term{first > 1 ? 1u : 0u};
  for (uint64_t i = first; i <= last; ++i) {
    raft::Entry e{raft::Term{1}, raft::Index{i}, raft::EntryType::kNoOp, {}};
    if (i > 1) {
      e.type = raft::EntryType::kCommand;
      e.command = encode({7, i, KvOp::kPut, "k", std::to_string(i), {}});
    }
    m.entries.push_back(std::move(e));
  }
  m.leader_commit = raft::Index{commit};
  return m;
}

// §5.3 at the host: a state machine applies committed entries in index order, even when
// something called from inside an apply steps the node again and the commit index has moved
// on meanwhile. The node's loop must not run inside itself: the inner run would apply the newer
// entries before the outer run finished the older ones.
TEST(Node, AppliesInIndexOrderWhenAnApplyReentersTheNode) {
  DeferredSyncStorage storage;
  RecordingTransport transport;
  ReenteringObserver observer;
  Node node(
      config(2, 3), storage, transport, [](const ClientReply&) {}, &observer);
  observer.node = &node;
  node.start();
  node.receive(append_from_1(1, 0, 0));  // term 1 becomes durable first: later writes carry no
  storage.release_all();                 // hard state to sync again

  node.receive(append_from_1(1, 4, 3));  // entries 1..3 committed, handed out with the write
  ASSERT_TRUE(node.persisting());
  node.receive(append_from_1(5, 4, 4));  // no entries; the commit index moves to 4

  while (!storage.waiting.empty())
    storage.release_all();
  EXPECT_TRUE(observer.reentered);
  EXPECT_EQ(observer.applied, (std::vector<uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(node.applied_index(), raft::Index{4});
  EXPECT_EQ(node.store().get("k"), "4");
}

// §7: a snapshot's last included index is the last entry its state machine applied. A
// single-node leader's commit index moves when its own write becomes durable, before the entry
// is applied; a compaction that ran then and labelled the store's image with the commit index
// would claim an entry the image lacks, and a restart from it would never apply that entry.
TEST(Node, ASnapshotHoldsEveryEntryThroughItsIndex) {
  DeferredSyncStorage storage;
  RecordingTransport transport;
  Node node(config(1, 1), storage, transport, [](const ClientReply&) {});
  node.set_snapshot_every(1);
  node.start();
  node.campaign();
  while (!storage.waiting.empty())
    storage.release_all();
  ASSERT_EQ(node.core().role(), raft::Role::kLeader);

  // Entry 2 is written; entry 3 is proposed while it waits, and is written together with the
  // apply of entry 2, whose compaction then runs with entry 3 durable and committed.
  node.submit({7, 1, KvOp::kPut, "a", "1", {}});
  node.submit({7, 2, KvOp::kPut, "b", "2", {}});
  while (!storage.waiting.empty())
    storage.release_all();
  ASSERT_EQ(node.applied_index(), raft::Index{3});
  ASSERT_FALSE(storage.snapshots.empty());
  for (const raft::Snapshot& stored : storage.snapshots) {
    const std::optional<KvStore> image = KvStore::restore(stored.data);
    ASSERT_TRUE(image);
    EXPECT_EQ(image->get("a"), stored.index >= raft::Index{2} ? "1" : "")
        << "snapshot labelled " << stored.index.value;
    EXPECT_EQ(image->get("b"), stored.index >= raft::Index{3} ? "2" : "")
        << "snapshot labelled " << stored.index.value;
  }
  EXPECT_EQ(storage.memory.state().snapshot.index, raft::Index{3});
}

// §8: a leader that steps down cannot know whether its pending proposals will commit; it tells
// their clients to retry (the session makes a retry safe), never that they succeeded.
TEST(Node, ADeposedLeaderTellsItsWaitingClientsToRetry) {
  MemoryStorage storage;
  RecordingTransport transport;
  std::vector<ClientReply> replies;
  Node node(config(1, 3), storage, transport, [&](const ClientReply& r) { replies.push_back(r); });
  node.start();
  node.campaign();
  Message grant;
  grant.type = MessageType::kVoteResponse;
  grant.from = NodeId{2};
  grant.to = NodeId{1};
  grant.term = node.core().term();
  node.receive(grant);
  ASSERT_EQ(node.core().role(), raft::Role::kLeader);

  node.submit({7, 1, KvOp::kPut, "k", "v", {}});
  EXPECT_TRUE(replies.empty()) << "no follower has the write: it waits";
  Message newer;  // n2 leads term 2 now
  newer.type = MessageType::kAppendEntries;
  newer.from = NodeId{2};
  newer.to = NodeId{1};
  newer.term = raft::Term{node.core().term().value + 1};
  node.receive(newer);
  ASSERT_NE(node.core().role(), raft::Role::kLeader);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].status, ClientReply::Status::kRetry);
}

}  // namespace
}  // namespace raftsim::node

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

}  // namespace
}  // namespace raftsim::node

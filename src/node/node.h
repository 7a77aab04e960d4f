// The host loop shared by both worlds: one Raft core, its storage, its state machine, its clients.
//
// For every Ready the core produces, in this order:
//   1. send the messages that may leave at once, and write entries + hard state to storage;
//   2. wait until storage says the write is durable (if the Ready requires it);
//   3. send the messages that depended on it (votes, append acknowledgements);
//   4. apply committed entries to the key-value store and answer the clients waiting on them;
//   5. tell the core the Ready is done.
// A crash can fall between any two steps: the world decides what storage kept. With the planted
// bug ack_before_persist, steps 3-5 run before step 2 completes.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "node/kv.h"
#include "node/storage.h"
#include "raft/raft.h"

namespace raftsim::node {

// Where a node's outgoing Raft messages go: the simulated network or gRPC.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual void send(const raft::Message& message) = 0;
  // The host is done with the message: a transport that keeps it (a simulated network holding it
  // in flight) may take it instead of copying its entries.
  virtual void send(raft::Message&& message) { send(static_cast<const raft::Message&>(message)); }
};

struct ClientReply {
  enum class Status : uint8_t {
    kOk,         // done: `result` holds the outcome
    kNotLeader,  // this node cannot serve it; try `leader` if known
    kRetry,      // this node lost track of it (leadership changed); it may or may not have
                 // happened: retry with the same seq, and the session will not apply it twice
  };
  uint64_t client_id = 0;
  uint64_t seq = 0;
  Status status = Status::kOk;
  KvResult result;
  raft::NodeId leader;
  raft::NodeId from;  // the node answering (set by the node itself)
  // kOk write: the log entry it was committed as; 0 for reads and other statuses.
  raft::Index index;
  raft::Term term;
};

// What a node reports as it works, for traces and checkers. All methods have empty defaults.
class NodeObserver {
 public:
  virtual ~NodeObserver() = default;
  virtual void on_send(const raft::Message&) {}
  // The core is about to step a peer's message, and has just stepped it: nothing else happens
  // between the two, so a checker can judge the step by itself.
  virtual void on_step(const raft::Message&) {}
  virtual void on_stepped(const raft::Message&) {}
  // The core is about to tick, and has just ticked, nothing else between.
  virtual void on_tick() {}
  virtual void on_ticked() {}
  // The host took a Ready from its core, before handling any of it: called for every one.
  virtual void on_ready(const raft::Ready&) {}
  virtual void on_persist(const raft::Ready&) {}
  // A synced write that carried this hard state has completed: it is now durable.
  virtual void on_durable(const raft::HardState&) {}
  // A Ready's write is durable and the messages that waited for it (`after_persist`) are about
  // to leave: the gap between persisting and sending, where a crash loses nothing stored but
  // everything said about it.
  virtual void on_synced(const raft::Ready&) {}
  virtual void on_apply(const raft::Entry&) {}
  // The state machine now stands at `snapshot`: loaded at start, or received from a leader.
  // Applies continue from snapshot.index + 1.
  virtual void on_restore(const raft::Snapshot&, bool /*from_leader*/) {}
  // The node compacted its log into a snapshot of its state machine (§7).
  virtual void on_compact(const raft::Snapshot&) {}
  virtual void on_soft_state(const raft::SoftState&, raft::Term) {}
  virtual void on_reply(const ClientReply&) {}
  // A read (§8 ReadIndex): asked of the core as `request_id`, and the core's answer to it.
  virtual void on_read_begun(uint64_t /*request_id*/) {}
  virtual void on_read_answered(const raft::ReadState&) {}
};

class Node {
 public:
  using ReplyFn = std::function<void(const ClientReply&)>;

  // Restarts from whatever `storage` kept. Check ok() before use: storage that refuses to load
  // leaves the node down, with the reason in load_error(). Nothing happens until start().
  Node(raft::Config config, Storage& storage, Transport& transport, ReplyFn reply,
       NodeObserver* observer = nullptr);

  bool ok() const { return core_.has_value(); }
  const std::string& load_error() const { return load_error_; }
  const std::string& repaired() const { return repaired_; }
  // InstallSnapshot messages dropped because their image does not load.
  uint64_t refused_snapshots() const { return refused_snapshots_; }

  // Log compaction (§7): once `entries` more have been applied since the last snapshot, the node
  // snapshots its state machine and drops the log they cover. 0 (the default): never.
  void set_snapshot_every(uint64_t entries) { snapshot_every_ = entries; }

  // Reports the snapshot it restarted from, if any, then handles the first Ready: re-applies
  // what the node knows is committed past it.
  void start();
  void tick();
  void receive(const raft::Message& message);
  void submit(const KvCommand& command);
  void campaign();
  void transfer_leader(raft::NodeId to);
  // On the leader: asks for a membership change (see raft::Raft::change).
  raft::ChangeResult change(const raft::ConfChange& change);

  const raft::Raft& core() const { return *core_; }
  const KvStore& store() const { return store_; }
  raft::Index applied_index() const { return applied_; }
  // A Ready is handed to storage and waits for its sync.
  bool persisting() const { return in_flight_.has_value(); }

 private:
  void pump();
  void finish(raft::Ready& rd);
  void apply(const raft::Entry& entry);
  void restore(const raft::Snapshot& snapshot);
  void maybe_compact();
  void answer_read(const raft::ReadState& read);
  void serve_ready_reads();
  void abandon_pending(ClientReply::Status status);
  void reply(ClientReply r);
  void send(raft::Message&& m);

  raft::PlantedBugs bugs_;
  Storage& storage_;
  Transport& transport_;
  ReplyFn reply_;
  NodeObserver* observer_;
  std::optional<raft::Raft> core_;
  std::string load_error_;
  std::string repaired_;

  KvStore store_;
  raft::Index applied_;
  uint64_t snapshot_every_ = 0;
  uint64_t refused_snapshots_ = 0;
  std::optional<raft::Ready> in_flight_;  // written, waiting for its sync
  bool pumping_ = false;                  // pump()'s loop, or a completed sync, is running
  bool was_leader_ = false;

  // Proposals waiting to be applied, by log index; the term tells our entry from a replacement.
  struct PendingWrite {
    raft::Term term;
    KvCommand command;
  };
  std::map<raft::Index, PendingWrite> pending_writes_;
  // Reads waiting for leadership confirmation (by request id), then for the apply index.
  uint64_t next_read_id_ = 1;
  std::map<uint64_t, KvCommand> pending_reads_;
  std::multimap<raft::Index, KvCommand> confirmed_reads_;
};

}  // namespace raftsim::node

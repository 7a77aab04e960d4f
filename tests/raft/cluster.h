// A tiny in-memory cluster for tests of the Raft core: N cores, each with a MemoryStorage, and one
// pool of messages in flight between them. Nothing moves unless the test says so: a core's output
// is collected by process(), a message travels only when deliver() (or stabilize()) hands it over.
//
// Faults are explicit: one-way link cuts, an intercept hook that may drop or edit any message on
// delivery, crash (the core and its unsent output vanish; storage stays), restart (a new core from
// what storage kept), wipe (the disk is lost too).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "node/storage.h"
#include "raft/raft.h"

namespace raftsim::test {

using raft::Entry;
using raft::Index;
using raft::Message;
using raft::NodeId;
using raft::Term;

// A log written as its entry terms for index 1, 2, 3, ... (as the paper's figures draw logs).
std::vector<Entry> log_of_terms(const std::vector<uint64_t>& terms);
// The terms of a log from index 1; 0 for each index compacted into a snapshot.
std::vector<uint64_t> terms_of(const raft::Log& log);

class Cluster {
 public:
  // Nodes are numbered 1..n. `configure` may adjust each node's config before its core is built.
  explicit Cluster(size_t n, std::function<void(raft::Config&)> configure = {});

  size_t size() const { return nodes_.size(); }
  std::vector<NodeId> ids() const;
  raft::Raft& core(NodeId id) { return *node(id).core; }
  bool up(NodeId id) const { return node(id).core != nullptr; }
  const node::MemoryStorage& storage(NodeId id) const { return *node(id).storage; }
  // Replaces what a node's storage holds, then rebuilds its core from it (a node "loaded" with a
  // log, as in the paper's figures).
  void load(NodeId id, raft::Restored state);

  // Takes every Ready the core has: persist, queue messages (after_persist too: MemoryStorage is
  // durable at once), record applied entries, advance.
  void process(NodeId id);
  void process_all();

  // Messages in flight, in the order they were sent.
  std::vector<Message>& in_flight() { return in_flight_; }
  // Hands one message to its recipient, unless the recipient is down, the link is cut, or the
  // intercept drops it; then processes the recipient. Returns whether it was delivered.
  bool deliver(Message m);
  // Delivers messages in order until none is left (or `max_steps` deliveries), processing after
  // each. Returns the number delivered.
  size_t stabilize(size_t max_steps = 100000);

  // Return false to drop; may edit the message (for instance trim its entries).
  std::function<bool(Message&)> intercept;
  // Called for every entry a node applies, with the node's term at that moment.
  std::function<void(NodeId, const Entry&, Term)> on_apply;
  void cut(NodeId from, NodeId to) { cut_.insert({from, to}); }
  void isolate(NodeId id);
  void heal() { cut_.clear(); }

  void tick(NodeId id);
  void tick_all();
  void campaign(NodeId id);
  raft::ProposeResult propose(NodeId id, std::string command);

  // Snapshots everything the node has applied (its applied list is its state machine) and
  // compacts its log through it.
  void compact(NodeId id);
  void crash(NodeId id);
  void restart(NodeId id);
  void wipe(NodeId id) { node(id).storage = std::make_unique<node::MemoryStorage>(); }

  // The entries a node applied, in order, in its current incarnation.
  const std::vector<Entry>& applied(NodeId id) const { return node(id).applied; }
  // The read answers a node produced, in order, in its current incarnation.
  const std::vector<raft::ReadState>& reads(NodeId id) const { return node(id).reads; }
  // Every applied sequence of every incarnation of every node (a restart starts a new one).
  std::vector<std::vector<Entry>> all_applied() const;
  // The leader with the highest term among live nodes, if any.
  std::optional<NodeId> leader() const;
  // Every message `from` has sent in any incarnation, whether or not it was delivered.
  const std::vector<Message>& sent(NodeId from) const { return node(from).sent; }

 private:
  struct Member {
    raft::Config config;
    std::unique_ptr<node::MemoryStorage> storage;
    std::unique_ptr<raft::Raft> core;
    std::vector<Entry> applied;
    std::vector<raft::ReadState> reads;
    std::vector<std::vector<Entry>> past_applied;
    std::vector<Message> sent;
  };
  Member& node(NodeId id) { return nodes_.at(id.value - 1); }
  const Member& node(NodeId id) const { return nodes_.at(id.value - 1); }
  void rebuild(NodeId id);

  std::vector<Member> nodes_;
  std::vector<Message> in_flight_;
  std::set<std::pair<NodeId, NodeId>> cut_;
};

// Checks across logs. Each returns an empty string when the property holds, else what broke.
// Log Matching (§5.3): two logs with an entry of the same index and term agree on every entry
// up to it.
std::string check_log_matching(const std::vector<const raft::Log*>& logs);
// State Machine Safety (§5.4.3): every applied sequence is a prefix of the longest one.
std::string check_applied_prefixes(const std::vector<std::vector<Entry>>& sequences);

}  // namespace raftsim::test

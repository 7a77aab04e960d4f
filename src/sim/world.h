// The simulated world: a whole cluster — nodes, their disks, the network between them, clients —
// inside one process, driven by one event queue in virtual time.
//
// A run is a pure function of (configuration, seed, build): every random choice comes from a
// stream derived from the one seed by component (network, each disk, each node life, each client),
// so adding a client does not change the network's choices, and nothing reads a wall clock.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "node/node.h"
#include "raft/config.h"
#include "sim/client.h"
#include "sim/disk.h"
#include "sim/event_queue.h"
#include "sim/message_faults.h"
#include "sim/network.h"
#include "sim/trace.h"

namespace raftsim::sim {

// Ways a node can break protocol on purpose (a Byzantine node; Raft promises nothing against
// one — see docs/lies.md for what each does to a cluster).
struct Lies {
  bool inflate_log = false;        // vote requests claim a longer, newer log than it has
  bool vote_for_everyone = false;  // grants every vote request, several per term
  bool forge_acks = false;         // acknowledges every append as stored, stored or not
  bool term_inflation = false;     // every message it sends carries a term a million higher
  bool any() const { return inflate_log || vote_for_everyone || forge_acks || term_inflation; }
};

// Which lie a kLie trace event tells of (its `a`), in the order of the fields of Lies.
enum class Lie : uint8_t { kInflateLog, kVoteForEveryone, kForgeAcks, kTermInflation };

struct WorldConfig {
  std::vector<std::string> node_names = {"n1", "n2", "n3"};
  // The bootstrap configuration (ids from 1): the voters (empty: every node) and the learners.
  // Nodes in neither exist but are not members until a change adds them.
  std::vector<uint32_t> voters;
  std::vector<uint32_t> learners;
  raft::Options options;
  raft::PlantedBugs bugs;
  int election_timeout_ticks = 15;
  int heartbeat_ticks = 5;
  Duration tick{10000};
  LinkModel network;
  DiskModel disk;
  uint64_t snapshot_every = 0;  // entries applied between snapshots (§7); 0: never compact
  size_t max_entries_per_append = raft::Config{}.max_entries_per_append;
  size_t max_appends_per_round = raft::Config{}.max_appends_per_round;
  WorkloadModel workload;
  PctConfig pct;  // the PCT delivery scheduler (off by default)
  uint64_t seed = 1;
};

// The configuration every node starts from.
raft::Configuration bootstrap_configuration(const WorldConfig& config);
class World;
// "voters {n1 n2 n3}, learners {n4}", with the world's node names.
std::string describe_configuration(const raft::Configuration& configuration, const World& world);

// Something a node did that an event-triggered fault can wait for (a scenario's `when`).
enum class NodeEventKind : uint8_t {
  kBecomesLeader,
  kBecomesCandidate,
  kGrantsVote,        // its granted vote leaves it; value: the candidate
  kPersisted,         // its write is durable; the messages that waited for it have not left yet
  kApplies,           // value: the index applied
  kInstallsSnapshot,  // value: the snapshot's last index (from the leader)
  kUncommitted,       // value: entries in its log past its commit index (told when it changes)
};
struct NodeEvent {
  NodeEventKind kind;
  uint32_t node = 0;
  uint64_t value = 0;
};

// What the world reports to checkers, after every event. Empty defaults.
class WorldObserver {
 public:
  virtual ~WorldObserver() = default;
  virtual void on_log_write(SimTime, raft::NodeId, const raft::Log&,
                            const std::vector<raft::Entry>&) {}
  virtual void on_state(SimTime, const raft::Raft&) {}
  virtual void on_apply(SimTime, raft::NodeId, const raft::Entry&) {}
  virtual void on_persisted(SimTime, raft::NodeId, const raft::HardState&) {}
  // A sync completed: the node's host now counts durable a snapshot from a leader through this
  // index (0: none), which replaced its whole log, and then these entries.
  virtual void on_synced(SimTime, raft::NodeId, raft::Index /*snapshot*/,
                         const std::vector<raft::Entry>&) {}
  virtual void on_restart(SimTime, raft::NodeId, bool /*disk_lost*/) {}
  // The node's state machine now stands at the snapshot (loaded at restart or received from the
  // leader); its next apply is index + 1.
  virtual void on_restore(SimTime, raft::NodeId, raft::Index, raft::Term) {}
  // The node compacted its log into a snapshot of its own state machine through (index, term).
  virtual void on_compact(SimTime, raft::NodeId, raft::Index, raft::Term) {}
  // The node's core sent this message: before the network, a crash or a lie can touch it.
  virtual void on_send(SimTime, raft::NodeId /*from*/, const raft::Message&) {}
  // The receiver's core is about to step the message, and has just stepped it (before its host
  // takes the Ready the step made). A message the host refuses is never stepped.
  virtual void on_step(SimTime, const raft::Raft& /*receiver*/, const raft::Message&) {}
  virtual void on_stepped(SimTime, const raft::Raft& /*receiver*/, const raft::Message&) {}
  // The node's core is about to tick, and has just ticked (before its host takes the Ready).
  virtual void on_tick(SimTime, const raft::Raft&) {}
  virtual void on_ticked(SimTime, const raft::Raft&) {}
  // The node's host took this Ready from its core, before handling any of it (every one, in
  // order).
  virtual void on_ready(SimTime, const raft::Raft&, const raft::Ready&) {}
  // The node asked its core for a read index for `request`, and the core answered it.
  virtual void on_read_begun(SimTime, const raft::Raft&, uint64_t /*request*/) {}
  virtual void on_read_answered(SimTime, const raft::Raft&, uint64_t /*request*/,
                                bool /*confirmed*/) {}
};

class World final : private ClientEnv {
 public:
  explicit World(WorldConfig config);
  ~World() override;
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  void set_observer(WorldObserver* observer) { observer_ = observer; }
  // Told of every NodeEvent (nothing is computed for them without one). The listener may fault
  // the node at once: a crash asked for in the middle of the node's own step (kPersisted,
  // kApplies, kInstallsSnapshot) takes effect at the end of that step, and nothing the node
  // sends or answers after the request leaves it.
  void set_node_event_listener(std::function<void(const NodeEvent&)> listener) {
    node_events_ = std::move(listener);
  }
  // Called after any event that changed the cluster's shape: a node's role, term, vote, commit
  // index or log; a node up, down, paused or resumed; a link cut, clogged or healed (every
  // scheduled action counts). For searches that track which states a run visits; listening
  // never changes the run.
  void set_change_listener(std::function<void()> listener) {
    change_listener_ = std::move(listener);
  }
  // For the change listener: when the event just processed delivered a message that arrived late
  // (its term older than its receiver's, or a heartbeat round older than one its link already
  // delivered in the same term), 1 + its raft::MessageType; else 0. Such a delivery counts as a
  // change: a search cannot steer towards races it never sees.
  uint32_t late_delivery() const { return late_delivery_; }
  // Told of every message about to be delivered to a running node, before it steps it: a search
  // reads the message beside its receiver's state. Listening never changes the run.
  void set_delivery_listener(std::function<void(const raft::Message&)> listener) {
    delivery_listener_ = std::move(listener);
  }

  // Running. run_until() processes every event up to `end` (or until stop()), then sets the
  // clock to `end`. Returns the number of events processed.
  uint64_t run_until(SimTime end);
  void stop() { stopped_ = true; }
  bool stopped() const { return stopped_; }
  // At most `events` events in all, and `in_flight` messages on the network at once (0: no
  // limit): a run whose messages multiply without end (a leader and a follower answering each
  // other at network speed, duplicated) stops there, as stop() would, instead of holding ever
  // more of them in memory. Never changes a run that stays within it.
  void set_event_budget(uint64_t events, uint64_t in_flight) {
    event_budget_ = events;
    in_flight_budget_ = in_flight;
  }
  bool over_budget() const { return over_budget_; }
  SimTime now() const override { return now_; }
  // Runs `action` at virtual time `when` (faults on a timeline, probes, checks).
  void at(SimTime when, std::function<void()> action);
  uint64_t events_processed() const { return events_; }

  // Faults on the network (nodes are numbered from 1).
  void partition(const std::vector<std::vector<uint32_t>>& groups);
  void cut(uint32_t from, uint32_t to);  // one direction only
  void heal();
  void clog(uint32_t from, uint32_t to);
  void unclog(uint32_t from, uint32_t to);
  LinkModel& link(uint32_t from, uint32_t to) { return network_.link(from, to); }
  void set_all_links(const LinkModel& model) { network_.set_all_links(model); }
  // Faults on nodes and their disks.
  void crash(uint32_t node);
  void restart(uint32_t node);
  void pause(uint32_t node);
  void resume(uint32_t node);
  void wipe(uint32_t node);  // the disk is lost; a running node is crashed and restarted empty
  void set_fsync_lies(uint32_t node, bool lies);
  void arm_torn_write(uint32_t node);
  void corrupt(uint32_t node, uint64_t record);
  void set_clock_skew(uint32_t node, double factor);  // its ticks come `factor` times as far apart
  void set_lies(uint32_t node, Lies lies);
  void note_fault(std::string text);  // records a fault line in the trace
  // Message faults (message_faults.h): the next matching messages are dropped, delayed,
  // duplicated or held back. Removed when used up, or by their id.
  void add_message_filter(const MessageFilter& filter) { filters_.add(filter); }
  void remove_message_filter(uint64_t id) { filters_.remove(id); }
  // Campaign / transfer on request (scenarios can force an election).
  void campaign(uint32_t node);
  void transfer_leader(uint32_t from, uint32_t to);
  // Membership (world_membership.cc): asks whoever leads now for `change`. A refusal that time can
  // lift (no leader, no commit yet in the leader's term, an earlier change uncommitted) is retried
  // every election timeout until `give_up`; one waiting for a new voter to catch up, every
  // heartbeat. The outcome is traced; `appended`, when set, is called once the leader appends the
  // change (never if it refuses).
  void change_membership(const raft::ConfChange& change, SimTime give_up,
                         std::function<void()> appended = {});
  // The latest configuration of the node leading in the highest term; the bootstrap configuration
  // when none leads.
  raft::Configuration leader_configuration() const;

  // Observation.
  uint32_t node_count() const { return static_cast<uint32_t>(nodes_.size()); }
  const std::string& name(uint32_t node) const { return nodes_[node - 1].name; }
  const node::Node* node(uint32_t id) const { return nodes_[id - 1].node.get(); }
  bool is_up(uint32_t id) const { return nodes_[id - 1].node != nullptr; }
  bool is_paused(uint32_t id) const { return nodes_[id - 1].paused; }
  // Whether messages from `from` reach `to` now (neither cut, partitioned away nor clogged).
  bool link_open(uint32_t from, uint32_t to) const {
    return !network_.blocked(from, to) && !network_.clogged(from, to);
  }
  // Bumped whenever a link is cut, partitioned, clogged or healed: link_open() can only have
  // changed when this has.
  uint64_t links_version() const { return links_version_; }
  // Bumped after every event a node takes part in, its start included (boot ends in
  // after_event): what a node shows can only have changed when this has, or when it went down,
  // which is_up tells.
  uint64_t node_version(uint32_t id) const { return nodes_[id - 1].version; }
  // Bumped whenever some node comes to act on another configuration.
  uint64_t configurations_version() const { return configurations_version_; }
  const SimDisk& disk(uint32_t id) const { return *nodes_[id - 1].disk; }
  Trace& trace() { return trace_; }
  const WorldConfig& config() const { return config_; }
  // Every client operation, ordered by invocation (ties: client id).
  std::vector<ClientOp> history() const;
  // The same, moved out of the clients (which are left with none): no copy of a long history.
  // Ends the workload: operations still in flight are recorded with an unknown outcome.
  std::vector<ClientOp> take_history();
  const std::vector<std::unique_ptr<SimClient>>& clients() const { return clients_; }
  // Starts the workload's clients (call once, before running).
  void start_clients();
  // Adds a client that issues operations only when asked through probe(); returns its id.
  uint32_t add_probe_client(Duration give_up);
  void probe(uint32_t client_id);

 private:
  class NodeHost;  // one node's Transport and NodeObserver, bound to this world
  struct SimNode {
    std::string name;
    std::unique_ptr<SimDisk> disk;
    std::unique_ptr<NodeHost> host;
    std::unique_ptr<node::Node> node;  // null while down
    uint64_t life = 0;                 // bumped by every crash; stale events check it
    uint64_t version = 0;              // see node_version()
    bool paused = false;
    bool tick_held = false;      // a tick arrived while paused
    bool disk_lost = false;      // wiped since it last started
    bool crash_pending = false;  // crashed mid-step: sends nothing more, goes down after it
    raft::Index written;         // the last index it handed to its disk
    double skew = 1.0;
    Lies lies;
    std::vector<Event> held;  // events that reached it while paused, replayed on resume
    // The last state traced, so only changes are reported.
    raft::Term seen_term;
    raft::NodeId seen_vote;
    raft::Index seen_commit;
    raft::Role seen_role = raft::Role::kFollower;
    raft::NodeId seen_leader;
    // The election timer as last annotated (Trace::annotate), and when the next tick comes.
    SimTime next_tick;
    int64_t seen_timer_deadline_us = -1;
    int64_t seen_timer_timeout_us = -1;
    raft::Configuration seen_configuration;  // starts as the bootstrap configuration
    // The same, for node events (kept only while a listener is set).
    raft::Role told_role = raft::Role::kFollower;
    uint64_t told_uncommitted = 0;
  };
  struct PendingRequest {
    uint32_t client;
    uint32_t node;
    node::KvCommand command;
  };
  struct PendingReply {
    uint32_t client;
    node::ClientReply reply;
  };
  struct NodeCallback {
    uint32_t node;
    uint64_t life;
    std::function<void()> action;
  };

  void dispatch(const Event& event);
  void deliver(const Event& event);
  void note_late_delivery(const raft::Message& m, raft::Term receiver_term);
  void after_event(uint32_t node);
  void tell_node_events(uint32_t node);
  // Tells the listener of an event inside the node's step (see set_node_event_listener).
  void tell_in_step(const NodeEvent& event);
  // Message faults and the PCT scheduler on a message the network would deliver after
  // `routing.delay`: false when it is not to be delivered now (dropped, held back).
  bool shape_delivery(uint32_t from, raft::Message& m, Routing& routing);
  void release_held(uint32_t from, uint32_t to, SimTime after);
  std::string message_text(const raft::Message& m) const;
  void schedule_tick(uint32_t node);
  Duration tick_interval(uint32_t node) const;
  // Writes the node's election timer to the trace file when a reset moved its deadline.
  void annotate_election_timer(uint32_t node);
  bool hold_if_paused(const Event& event, uint32_t node);
  void boot(uint32_t node);
  raft::Config raft_config(uint32_t node) const;
  void trace_configuration(uint32_t node);
  void ask_for_change(const raft::ConfChange& change, SimTime give_up,
                      std::function<void()> appended, bool catch_up_told);
  uint32_t leading_node() const;

  // Called by the node hosts.
  void send_message(uint32_t from, raft::Message message);
  void route(uint32_t from, raft::Message message);
  // A liar's outgoing message as it lies (lies.cc): false when the honest message is not sent
  // at all, because synthesize_lies answers in its place.
  bool lie_in_message(uint32_t liar, raft::Message& message);
  void synthesize_lies(uint32_t liar, const raft::Message& received);
  // Tells the trace's listeners of one lie in `m`, which `liar` sends (see TraceKind::kLie).
  void tell_lie(Lie lie, const raft::Message& m, uint64_t claim, uint64_t truth);
  void route_reply(uint32_t node, const node::ClientReply& reply);
  void schedule_for_node(uint32_t node, Duration delay, std::function<void()> action);

  // ClientEnv.
  void send_request(uint32_t client, uint32_t node, const node::KvCommand& command) override;
  void set_client_timer(uint32_t client, Duration delay, uint64_t token) override;
  void client_event(const ClientOp& op, uint32_t node, bool completed) override;

  TraceEvent message_event(TraceKind kind, const raft::Message& m) const;

  WorldConfig config_;
  SimTime now_;
  bool stopped_ = false;
  uint64_t event_budget_ = 0;
  uint64_t in_flight_budget_ = 0;
  uint32_t late_delivery_ = 0;
  // Per directed link (from * n + to, 0-based): the term and heartbeat round of the latest
  // message it delivered, kept only while a change listener is set.
  std::vector<std::pair<raft::Term, uint64_t>> delivered_;
  bool over_budget_ = false;
  uint64_t events_ = 0;
  EventQueue queue_;
  Network network_;
  raft::Random client_link_rng_;
  Trace trace_;
  WorldObserver* observer_ = nullptr;
  std::function<void()> change_listener_;
  std::function<void(const raft::Message&)> delivery_listener_;
  bool changed_ = false;  // since the change listener was last called
  uint64_t links_version_ = 0;
  uint64_t configurations_version_ = 0;

  std::vector<SimNode> nodes_;
  std::vector<std::unique_ptr<SimClient>> clients_;
  std::vector<std::vector<raft::Message>> clogged_;  // per link, held in order
  MessageFilters filters_;
  std::vector<std::vector<raft::Message>> held_;  // per link: held back by hold_messages
  std::optional<PctSchedule> pct_;
  std::function<void(const NodeEvent&)> node_events_;
  uint32_t stepping_ = 0;  // the node whose step a listener is told of (0: none)

  Pool<raft::Message> messages_;
  Pool<PendingRequest> requests_;
  Pool<PendingReply> replies_;
  Pool<NodeCallback> node_callbacks_;
  Pool<std::function<void()>> scheduled_;
};

}  // namespace raftsim::sim

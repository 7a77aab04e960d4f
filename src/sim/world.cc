#include "sim/world.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

namespace raftsim::sim {

namespace {

// Stream numbers for Random::derive_seed: one per component, so each draws independently.
constexpr uint64_t kNetworkStream = 1;
constexpr uint64_t kClientLinkStream = 2;
constexpr uint64_t kPctStream = 3;
constexpr uint64_t kDiskStream = 1000;
constexpr uint64_t kNodeStream = 2000;
constexpr uint64_t kClientStream = 3000;
constexpr uint64_t kLifeStride = 1 << 20;

}  // namespace

// Binds one node's outgoing traffic and reports to the world.
class World::NodeHost final : public node::Transport, public node::NodeObserver {
 public:
  NodeHost(World& world, uint32_t id) : world_(world), id_(id) {}

  void send(const raft::Message& message) override { world_.send_message(id_, message); }
  void send(raft::Message&& message) override { world_.send_message(id_, std::move(message)); }
  void on_step(const raft::Message& m) override {
    if (world_.observer_) world_.observer_->on_step(world_.now_, core(), m);
  }
  void on_stepped(const raft::Message& m) override {
    if (world_.observer_) world_.observer_->on_stepped(world_.now_, core(), m);
  }
  void on_tick() override {
    if (world_.observer_) world_.observer_->on_tick(world_.now_, core());
  }
  void on_ticked() override {
    if (world_.observer_) world_.observer_->on_ticked(world_.now_, core());
  }
  void on_ready(const raft::Ready& rd) override {
    if (world_.observer_) world_.observer_->on_ready(world_.now_, core(), rd);
  }
  void on_persist(const raft::Ready& rd) override {
    raft::Index& written = world_.nodes_[id_ - 1].written;
    if (rd.snapshot) {
      // The leader's snapshot replaced the whole log, including anything written past it.
      if (written > rd.snapshot->index) {
        world_.trace_.record({.time = world_.now_,
                              .kind = TraceKind::kTruncate,
                              .node = id_,
                              .a = rd.snapshot->index.value + 1,
                              .b = written.value});
      }
      written = rd.snapshot->index;
    }
    if (rd.entries.empty()) return;
    if (rd.entries.front().index <= written) {
      world_.trace_.record({.time = world_.now_,
                            .kind = TraceKind::kTruncate,
                            .node = id_,
                            .a = rd.entries.front().index.value,
                            .b = written.value});
    }
    written = rd.entries.back().index;
    world_.changed_ = true;
    if (world_.observer_) {
      world_.observer_->on_log_write(world_.now_, raft::NodeId{id_}, core().log(), rd.entries);
    }
  }
  void on_read_begun(uint64_t request) override {
    if (world_.observer_) world_.observer_->on_read_begun(world_.now_, core(), request);
  }
  void on_read_answered(const raft::ReadState& read) override {
    if (world_.observer_) {
      world_.observer_->on_read_answered(world_.now_, core(), read.request_id, read.ok);
    }
  }
  void on_durable(const raft::HardState& hs) override {
    if (world_.observer_) world_.observer_->on_persisted(world_.now_, raft::NodeId{id_}, hs);
  }
  void on_apply(const raft::Entry& entry) override {
    world_.trace_.record({.time = world_.now_,
                          .kind = TraceKind::kApply,
                          .node = id_,
                          .a = entry.index.value,
                          .b = entry.term.value});
    if (world_.observer_) world_.observer_->on_apply(world_.now_, raft::NodeId{id_}, entry);
    if (world_.node_events_) {
      world_.tell_in_step({NodeEventKind::kApplies, id_, entry.index.value});
    }
  }
  void on_synced(const raft::Ready& rd) override {
    if (world_.observer_) {
      world_.observer_->on_synced(world_.now_, raft::NodeId{id_},
                                  rd.snapshot ? rd.snapshot->index : raft::Index{}, rd.entries);
    }
    if (world_.node_events_ && !rd.after_persist.empty()) {
      world_.tell_in_step({NodeEventKind::kPersisted, id_, 0});
    }
  }
  void on_restore(const raft::Snapshot& snapshot, bool from_leader) override {
    if (from_leader) record_snapshot(snapshot, true);  // one loaded at boot: part of node-up
    if (world_.observer_) {
      world_.observer_->on_restore(world_.now_, raft::NodeId{id_}, snapshot.index, snapshot.term);
    }
    if (from_leader && world_.node_events_) {
      world_.tell_in_step({NodeEventKind::kInstallsSnapshot, id_, snapshot.index.value});
    }
  }
  void on_compact(const raft::Snapshot& snapshot) override {
    record_snapshot(snapshot, false);
    if (world_.observer_) {
      world_.observer_->on_compact(world_.now_, raft::NodeId{id_}, snapshot.index, snapshot.term);
    }
  }

 private:
  const raft::Raft& core() const { return world_.nodes_[id_ - 1].node->core(); }
  void record_snapshot(const raft::Snapshot& snapshot, bool installed) {
    world_.trace_.record({.time = world_.now_,
                          .kind = TraceKind::kSnapshot,
                          .flag = installed,
                          .node = id_,
                          .a = snapshot.index.value,
                          .b = snapshot.term.value});
  }
  World& world_;
  uint32_t id_;
};

World::World(WorldConfig config)
    : config_(std::move(config)),
      network_(static_cast<uint32_t>(config_.node_names.size()), config_.network,
               raft::Random::derive_seed(config_.seed, kNetworkStream)),
      client_link_rng_(raft::Random::derive_seed(config_.seed, kClientLinkStream)) {
  const auto n = static_cast<uint32_t>(config_.node_names.size());
  nodes_.resize(n);
  clogged_.resize(size_t{n} * n);
  held_.resize(size_t{n} * n);
  if (config_.pct.enabled()) {
    pct_.emplace(config_.pct, raft::Random::derive_seed(config_.seed, kPctStream));
  }
  for (uint32_t id = 1; id <= n; ++id) {
    SimNode& sn = nodes_[id - 1];
    sn.name = config_.node_names[id - 1];
    sn.seen_configuration = bootstrap_configuration(config_);
    sn.host = std::make_unique<NodeHost>(*this, id);
    sn.disk = std::make_unique<SimDisk>(sn.name, config_.disk,
                                        raft::Random::derive_seed(config_.seed, kDiskStream + id),
                                        [this, id](Duration delay, std::function<void()> action) {
                                          schedule_for_node(id, delay, std::move(action));
                                        });
  }
  for (uint32_t id = 1; id <= n; ++id)
    boot(id);
}

World::~World() = default;

raft::Config World::raft_config(uint32_t id) const {
  raft::Config c;
  c.id = raft::NodeId{id};
  for (uint32_t v = 1; v <= node_count(); ++v) {
    if (config_.voters.empty()) c.voters.push_back(raft::NodeId{v});
    c.servers.push_back(raft::NodeId{v});
  }
  for (uint32_t v : config_.voters)
    c.voters.push_back(raft::NodeId{v});
  for (uint32_t v : config_.learners)
    c.learners.push_back(raft::NodeId{v});
  c.election_timeout_ticks = config_.election_timeout_ticks;
  c.heartbeat_ticks = config_.heartbeat_ticks;
  c.seed =
      raft::Random::derive_seed(config_.seed, kNodeStream + id + nodes_[id - 1].life * kLifeStride);
  c.options = config_.options;
  c.bugs = config_.bugs;
  c.max_entries_per_append = config_.max_entries_per_append;
  c.max_appends_per_round = config_.max_appends_per_round;
  return c;
}

void World::boot(uint32_t id) {
  SimNode& sn = nodes_[id - 1];
  auto node = std::make_unique<node::Node>(
      raft_config(id), *sn.disk, *sn.host,
      [this, id](const node::ClientReply& reply) { route_reply(id, reply); }, sn.host.get());
  if (!node->ok()) {
    trace_.record({.time = now_,
                   .kind = TraceKind::kNodeDown,
                   .node = id,
                   .text = "refused to start: " + node->load_error()});
    return;
  }
  std::string recovered = node->repaired();
  if (const auto& snapshot = node->core().snapshot()) {
    recovered +=
        fmt::format("{}snapshot through entry {}, log through {}", recovered.empty() ? "" : "; ",
                    snapshot->index.value, node->core().log().last_index().value);
  }
  trace_.record({.time = now_, .kind = TraceKind::kNodeUp, .node = id, .text = recovered});
  // The checkers hear of the new process life before it does anything: its first Ready
  // re-applies the committed entries from index 1.
  if (observer_) observer_->on_restart(now_, raft::NodeId{id}, sn.disk_lost);
  sn.disk_lost = false;
  node->set_snapshot_every(config_.snapshot_every);
  sn.node = std::move(node);
  sn.written = sn.node->core().log().last_index();
  sn.node->start();
  schedule_tick(id);
  after_event(id);
}

// ---------------------------------------------------------------------------------------------
// The event loop

uint64_t World::run_until(SimTime end) {
  const uint64_t before = events_;
  while (!stopped_ && !queue_.empty() && queue_.top().time <= end) {
    if ((event_budget_ != 0 && events_ >= event_budget_) ||
        (in_flight_budget_ != 0 && messages_.live() > in_flight_budget_)) {
      over_budget_ = stopped_ = true;
      break;
    }
    const Event event = queue_.pop();
    now_ = event.time;
    ++events_;
    late_delivery_ = 0;
    dispatch(event);
    if (event.kind == EventKind::kScheduled) changed_ = true;
    if (changed_ && change_listener_) {
      changed_ = false;
      change_listener_();
    }
  }
  if (!stopped_) now_ = std::max(now_, end);
  return events_ - before;
}

void World::at(SimTime when, std::function<void()> action) {
  queue_.push(when, EventKind::kScheduled, 0, scheduled_.put(std::move(action)));
}

void World::dispatch(const Event& event) {
  switch (event.kind) {
    case EventKind::kTick: {
      SimNode& sn = nodes_[event.target - 1];
      if (!sn.node || event.slot != sn.life) return;
      if (sn.paused) {
        sn.tick_held = true;
        return;
      }
      sn.node->tick();
      sn.next_tick = now_ + tick_interval(event.target);  // where schedule_tick will put it
      after_event(event.target);
      schedule_tick(event.target);
      return;
    }
    case EventKind::kDeliver:
      return deliver(event);
    case EventKind::kClientRequest: {
      const uint32_t target = requests_.at(event.slot).node;
      if (hold_if_paused(event, target)) return;
      PendingRequest request = requests_.take(event.slot);
      node::Node* node = nodes_[target - 1].node.get();
      if (!node) return;  // a request to a crashed node vanishes; the client times out
      node->submit(request.command);
      after_event(target);
      return;
    }
    case EventKind::kClientReply: {
      PendingReply r = replies_.take(event.slot);
      clients_[r.client - 1]->on_reply(*this, r.reply);
      return;
    }
    case EventKind::kClientTimer:
      clients_[event.target - 1]->on_timer(*this, event.slot);
      return;
    case EventKind::kNodeCallback: {
      const NodeCallback& peek = node_callbacks_.at(event.slot);
      const uint32_t target = peek.node;
      if (peek.life != nodes_[target - 1].life) {  // from an earlier life: the crash ate it
        node_callbacks_.take(event.slot);
        return;
      }
      if (hold_if_paused(event, target)) return;
      NodeCallback callback = node_callbacks_.take(event.slot);
      callback.action();
      after_event(target);
      return;
    }
    case EventKind::kScheduled: {
      auto action = scheduled_.take(event.slot);
      action();
      return;
    }
  }
}

bool World::hold_if_paused(const Event& event, uint32_t id) {
  SimNode& sn = nodes_[id - 1];
  if (!sn.paused || !sn.node) return false;
  sn.held.push_back(event);
  return true;
}

void World::deliver(const Event& event) {
  const uint32_t to = messages_.at(event.slot).to.value;
  if (hold_if_paused(event, to)) return;
  raft::Message m = messages_.take(event.slot);
  SimNode& sn = nodes_[to - 1];
  if (!sn.node) {
    TraceEvent drop = message_event(TraceKind::kDrop, m);
    drop.text = "node down";
    trace_.record(drop);
    return;
  }
  trace_.record(message_event(TraceKind::kDeliver, m));
  if (change_listener_) note_late_delivery(m, sn.node->core().term());
  if (delivery_listener_) delivery_listener_(m);
  sn.node->receive(m);
  if (sn.lies.any()) synthesize_lies(to, m);
  after_event(to);
}

Duration World::tick_interval(uint32_t id) const {
  const auto interval = Duration{
      static_cast<int64_t>(static_cast<double>(config_.tick.count()) * nodes_[id - 1].skew)};
  return std::max(interval, Duration{1});
}

void World::schedule_tick(uint32_t id) {
  SimNode& sn = nodes_[id - 1];
  sn.next_tick = now_ + tick_interval(id);
  queue_.push(sn.next_tick, EventKind::kTick, id, sn.life);
}

void World::annotate_election_timer(uint32_t id) {
  SimNode& sn = nodes_[id - 1];
  const raft::Raft& core = sn.node->core();
  const int left = core.election_ticks_left();
  const Duration interval = tick_interval(id);
  // The timer fires on the tick that brings the ticks left to zero.
  const int64_t deadline = left <= 0 ? 0 : micros(sn.next_tick + interval * (left - 1));
  const int64_t timeout = micros(kTimeZero + interval * core.election_timeout());
  if (deadline == sn.seen_timer_deadline_us && timeout == sn.seen_timer_timeout_us) return;
  sn.seen_timer_deadline_us = deadline;
  sn.seen_timer_timeout_us = timeout;
  trace_.annotate({.time = now_,
                   .kind = TraceKind::kTimer,
                   .node = id,
                   .a = static_cast<uint64_t>(deadline),
                   .b = static_cast<uint64_t>(timeout)});
}

void World::schedule_for_node(uint32_t id, Duration delay, std::function<void()> action) {
  const uint64_t slot = node_callbacks_.put({id, nodes_[id - 1].life, std::move(action)});
  queue_.push(now_ + delay, EventKind::kNodeCallback, id, slot);
}

void World::after_event(uint32_t id) {
  SimNode& sn = nodes_[id - 1];
  if (sn.crash_pending) crash(id);
  if (!sn.node) return;
  ++sn.version;
  const raft::Raft& core = sn.node->core();
  if (core.term() != sn.seen_term) {
    trace_.record({.time = now_, .kind = TraceKind::kTerm, .node = id, .b = core.term().value});
    sn.seen_term = core.term();
    changed_ = true;
  }
  if (core.voted_for() != sn.seen_vote) {
    if (!core.voted_for().is_none()) {
      trace_.record({.time = now_,
                     .kind = TraceKind::kVote,
                     .node = id,
                     .peer = core.voted_for().value,
                     .b = core.term().value});
    }
    sn.seen_vote = core.voted_for();
    changed_ = true;
  }
  if (core.role() != sn.seen_role || core.leader() != sn.seen_leader) {
    trace_.record({.time = now_,
                   .kind = TraceKind::kRole,
                   .node = id,
                   .peer = core.leader().value,
                   .a = static_cast<uint64_t>(core.role()),
                   .b = core.term().value});
    sn.seen_role = core.role();
    sn.seen_leader = core.leader();
    changed_ = true;
  }
  if (core.configuration() != sn.seen_configuration) trace_configuration(id);
  if (core.commit_index() != sn.seen_commit) {
    const raft::Index c = core.commit_index();
    trace_.record({.time = now_,
                   .kind = TraceKind::kCommit,
                   .node = id,
                   .a = c.value,
                   .b = core.log().term_at(c).value});
    sn.seen_commit = c;
    changed_ = true;
  }
  if (trace_.writing()) annotate_election_timer(id);
  if (observer_) observer_->on_state(now_, core);
  if (node_events_) tell_node_events(id);
}

// ---------------------------------------------------------------------------------------------
// Messages between nodes

TraceEvent World::message_event(TraceKind kind, const raft::Message& m) const {
  TraceEvent e{.time = now_,
               .kind = kind,
               .flag = m.reject,
               .node = m.from.value,
               .peer = m.to.value,
               .a = static_cast<uint64_t>(m.type),
               .b = m.term.value};
  switch (m.type) {
    case raft::MessageType::kVoteRequest:
    case raft::MessageType::kPreVoteRequest:
      e.c = m.last_log_index.value;
      break;
    case raft::MessageType::kAppendEntries:
      e.c = m.prev_log_index.value;
      e.d = m.entries.size();
      break;
    case raft::MessageType::kAppendResponse:
      e.c = m.reject ? m.rejected_index.value : m.match_index.value;
      break;
    default:
      break;
  }
  return e;
}

void World::send_message(uint32_t from, raft::Message m) {
  if (observer_) observer_->on_send(now_, raft::NodeId{from}, m);
  if (nodes_[from - 1].crash_pending) {
    TraceEvent drop = message_event(TraceKind::kDrop, m);
    drop.text = "sender crashed";
    trace_.record(drop);
    return;
  }
  if (nodes_[from - 1].lies.any() && !lie_in_message(from, m)) return;
  const bool vote = m.type == raft::MessageType::kVoteResponse && !m.reject;
  const uint32_t candidate = m.to.value;
  route(from, std::move(m));
  if (vote && node_events_) tell_in_step({NodeEventKind::kGrantsVote, from, candidate});
}

void World::route(uint32_t from, raft::Message m) {
  trace_.record(message_event(TraceKind::kSend, m));
  const uint32_t to = m.to.value;
  Routing r = network_.route(from, to);
  switch (r.fate) {
    case Routing::Fate::kBlocked:
    case Routing::Fate::kLost: {
      TraceEvent drop = message_event(TraceKind::kDrop, m);
      drop.text = r.fate == Routing::Fate::kBlocked ? "partitioned" : "lost";
      trace_.record(drop);
      return;
    }
    case Routing::Fate::kClogged:
      clogged_[(from - 1) * node_count() + (to - 1)].push_back(std::move(m));
      return;
    case Routing::Fate::kDeliver:
      break;
  }
  if ((!filters_.empty() || pct_) && !shape_delivery(from, m, r)) return;
  if (r.duplicated) {
    trace_.record(message_event(TraceKind::kDuplicate, m));
    queue_.push(now_ + r.duplicate_delay, EventKind::kDeliver, to, messages_.put(m));
  }
  queue_.push(now_ + r.delay, EventKind::kDeliver, to, messages_.put(std::move(m)));
  // Messages held back on this link arrive right behind the one that overtook them.
  if (!held_[(from - 1) * node_count() + (to - 1)].empty()) release_held(from, to, now_ + r.delay);
}

// ---------------------------------------------------------------------------------------------
// Clients

void World::start_clients() {
  for (uint32_t c = 1; c <= config_.workload.clients; ++c) {
    clients_.push_back(
        std::make_unique<SimClient>(c, config_.workload, node_count(),
                                    raft::Random::derive_seed(config_.seed, kClientStream + c)));
  }
  for (auto& client : clients_)
    client->start(*this);
}

uint32_t World::add_probe_client(Duration give_up) {
  const auto id = static_cast<uint32_t>(clients_.size() + 1);
  WorkloadModel model = config_.workload;
  model.mix = OpMix{0, 1, 0, 0};
  model.stop_at = kTimeZero;  // issues nothing by itself
  model.give_up = give_up;
  clients_.push_back(std::make_unique<SimClient>(
      id, model, node_count(), raft::Random::derive_seed(config_.seed, kClientStream + id)));
  return id;
}

void World::probe(uint32_t client_id) {
  clients_[client_id - 1]->on_timer(*this, 0);
}

void World::send_request(uint32_t client, uint32_t node, const node::KvCommand& command) {
  const Duration delay = config_.workload.latency.sample(client_link_rng_);
  queue_.push(now_ + delay, EventKind::kClientRequest, node,
              requests_.put({client, node, command}));
}

void World::route_reply(uint32_t node, const node::ClientReply& reply) {
  if (nodes_[node - 1].crash_pending) return;  // it went down before answering
  if (reply.client_id == 0 || reply.client_id > clients_.size()) return;
  const Duration delay = config_.workload.latency.sample(client_link_rng_);
  queue_.push(now_ + delay, EventKind::kClientReply, 0,
              replies_.put({static_cast<uint32_t>(reply.client_id), reply}));
}

void World::set_client_timer(uint32_t client, Duration delay, uint64_t token) {
  queue_.push(now_ + delay, EventKind::kClientTimer, client, token);
}

void World::client_event(const ClientOp& op, uint32_t node, bool completed) {
  trace_.record(operation_event(now_, op, node, completed));
}

namespace {

// Sorts positions, then moves each operation once: a merge sort of the operations themselves
// would move every one of them log n times.
void order_by_invocation(std::vector<ClientOp>& ops) {
  std::vector<uint32_t> order(ops.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return ops[a].invoke != ops[b].invoke ? ops[a].invoke < ops[b].invoke
                                          : ops[a].client < ops[b].client;
  });
  std::vector<ClientOp> sorted;
  sorted.reserve(ops.size());
  for (uint32_t i : order)
    sorted.push_back(std::move(ops[i]));
  ops = std::move(sorted);
}

}  // namespace

std::vector<ClientOp> World::history() const {
  std::vector<ClientOp> all;
  for (const auto& client : clients_) {
    all.insert(all.end(), client->history().begin(), client->history().end());
  }
  order_by_invocation(all);
  return all;
}

std::vector<ClientOp> World::take_history() {
  size_t total = 0;
  for (const auto& client : clients_)
    total += client->history().size();
  std::vector<ClientOp> all;
  all.reserve(total);
  for (auto& client : clients_) {
    client->abandon_in_flight(now_);
    std::vector<ClientOp> ops = client->take_history();
    std::move(ops.begin(), ops.end(), std::back_inserter(all));
  }
  order_by_invocation(all);
  return all;
}

}  // namespace raftsim::sim

#include "real/node_process.h"

#include <fmt/format.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <unistd.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <thread>

#include "node/node.h"
#include "raftsim.grpc.pb.h"
#include "real/file_storage.h"
#include "real/membership_service.h"
#include "real/peer_transport.h"
#include "real/stage_log.h"
#include "real/stall_log.h"
#include "real/wire.h"

namespace raftsim::real {

namespace {

using Clock = std::chrono::steady_clock;

// A client request the core has not answered within this long is answered RETRY: it may or may
// not happen, and the client retries it with the same seq (the session applies it at most once).
constexpr auto kClientRequestTimeout = std::chrono::seconds(3);

class NodeProcess;

class PeerService final : public v1::RaftPeer::CallbackService {
 public:
  explicit PeerService(NodeProcess& process) : process_(process) {}
  grpc::ServerReadReactor<v1::RaftBatch>* Stream(grpc::CallbackServerContext* context,
                                                 v1::RaftBatchReply* reply) override;

 private:
  NodeProcess& process_;
};

class KvService final : public v1::Kv::CallbackService {
 public:
  explicit KvService(NodeProcess& process) : process_(process) {}
  grpc::ServerUnaryReactor* Get(grpc::CallbackServerContext* c, const v1::KvRequest* q,
                                v1::KvReply* r) override {
    return handle(c, node::KvOp::kGet, q, r);
  }
  grpc::ServerUnaryReactor* Put(grpc::CallbackServerContext* c, const v1::KvRequest* q,
                                v1::KvReply* r) override {
    return handle(c, node::KvOp::kPut, q, r);
  }
  grpc::ServerUnaryReactor* Append(grpc::CallbackServerContext* c, const v1::KvRequest* q,
                                   v1::KvReply* r) override {
    return handle(c, node::KvOp::kAppend, q, r);
  }
  grpc::ServerUnaryReactor* Cas(grpc::CallbackServerContext* c, const v1::KvRequest* q,
                                v1::KvReply* r) override {
    return handle(c, node::KvOp::kCas, q, r);
  }

 private:
  grpc::ServerUnaryReactor* handle(grpc::CallbackServerContext* context, node::KvOp op,
                                   const v1::KvRequest* request, v1::KvReply* reply);
  NodeProcess& process_;
};

class ControlService final : public v1::Control::CallbackService {
 public:
  explicit ControlService(NodeProcess& process) : process_(process) {}
  grpc::ServerUnaryReactor* Status(grpc::CallbackServerContext* c, const v1::StatusRequest*,
                                   v1::StatusReply* reply) override;
  grpc::ServerUnaryReactor* SetLinkFilter(grpc::CallbackServerContext* c,
                                          const v1::SetLinkFilterRequest* request,
                                          v1::ControlReply*) override;
  grpc::ServerUnaryReactor* Partition(grpc::CallbackServerContext* c,
                                      const v1::PartitionRequest* request,
                                      v1::ControlReply*) override;
  grpc::ServerUnaryReactor* Heal(grpc::CallbackServerContext* c, const v1::StatusRequest*,
                                 v1::ControlReply*) override;
  grpc::ServerUnaryReactor* Campaign(grpc::CallbackServerContext* c, const v1::StatusRequest*,
                                     v1::ControlReply*) override;

 private:
  NodeProcess& process_;
};

class NodeProcess final : public node::NodeObserver {
 public:
  explicit NodeProcess(const NodeProcessOptions& options);
  int run();
  // On the gRPC thread a peer's batch arrived on: checks and decodes it, counts it in `reply`,
  // and queues it for the core.
  void receive(const v1::RaftBatch& batch, v1::RaftBatchReply& reply);

  // Strand-only from here on.
  Strand& strand() { return strand_; }
  void deliver(const DecodedBatch& batch);
  void submit(const node::KvCommand& command, grpc::ServerUnaryReactor* reactor,
              v1::KvReply* reply);
  void status(v1::StatusReply& reply) const;
  PeerTransport& transport() { return transport_; }
  // On a gRPC thread: whether a call may proceed (with TLS, its caller's certificate must chain to
  // the CA); a refused call is counted.
  bool admits(const grpc::CallbackServerContext& context);
  void campaign() {
    log("campaigning on request");
    node_->campaign();
  }
  void ask_for_change(const raft::ConfChange& change, v1::ChangeReply& reply) {
    const raft::ChangeResult result = node_->change(change);
    to_proto(result, node_->core().leader(), options_.cluster, reply);
    log("asked to {}: {}", change.describe(),
        result.accepted() ? fmt::format("appended as entry {}", result.index.value)
                          : std::string(raft::to_string(result.refusal)));
  }
  template <class... Args>
  void log(fmt::format_string<Args...> format, Args&&... args) const;

 private:
  void on_soft_state(const raft::SoftState& soft, raft::Term term) override;
  void on_send(const raft::Message& m) override;
  void on_persist(const raft::Ready& rd) override;
  void on_apply(const raft::Entry& entry) override;
  void stamp_arrivals(const v1::RaftBatch& batch);
  void on_reply(const node::ClientReply& reply);
  void schedule_tick();
  void tick_timer_fired();
  void expire_client_requests();
  std::unique_ptr<grpc::Server> start_server(const std::string& address, bool with_peer_and_kv,
                                             bool with_control);

  NodeProcessOptions options_;
  const ClusterMember& self_;
  std::set<raft::NodeId> peers_;
  Clock::time_point started_ = Clock::now();

  boost::asio::io_context io_;
  Strand strand_;
  // Before storage_ and transport_, which stamp into it.
  std::unique_ptr<StageLog> stages_;
  FileStorage storage_;
  PeerTransport transport_;
  std::optional<node::Node> node_;
  boost::asio::steady_timer tick_timer_;
  Clock::time_point next_tick_;
  StallLog stalls_;

  struct PendingRequest {
    grpc::ServerUnaryReactor* reactor;
    v1::KvReply* reply;
    Clock::time_point deadline;
  };
  // Keyed by (client_id, seq); a retry that arrives while the first try waits waits with it.
  std::multimap<std::pair<uint64_t, uint64_t>, PendingRequest> pending_;
  uint64_t last_written_ = 0;  // the last log index handed to storage, for kLogSynced
  uint64_t wire_rejected_ = 0;
  uint64_t wrong_cluster_ = 0;
  CallerGate callers_{options_.tls};

  PeerService peer_service_{*this};
  KvService kv_service_{*this};
  ControlService control_service_{*this};
  MembershipService membership_service_{
      strand_, options_.cluster, [this](const grpc::CallbackServerContext& c) { return admits(c); },
      [this](const raft::ConfChange& change, v1::ChangeReply& reply) {
        ask_for_change(change, reply);
      }};

  friend class KvService;
};

// ---- Services: validate where the call arrives, then hop onto the strand. ----

// One peer's stream of batches. Each batch is checked and decoded on the gRPC thread it arrives
// on, then queued on the strand before the next read starts, so batches reach the core in the
// order the peer sent them.
class InboundStream final : public grpc::ServerReadReactor<v1::RaftBatch> {
 public:
  InboundStream(NodeProcess& process, v1::RaftBatchReply* reply)
      : process_(process), reply_(reply) {
    StartRead(&batch_);
  }

 private:
  void OnReadDone(bool ok) override {
    if (!ok) return Finish(grpc::Status::OK);  // the peer closed the stream, or it broke
    process_.receive(batch_, *reply_);
    StartRead(&batch_);
  }
  void OnDone() override { delete this; }

  NodeProcess& process_;
  v1::RaftBatchReply* reply_;
  v1::RaftBatch batch_;
};

grpc::ServerReadReactor<v1::RaftBatch>* PeerService::Stream(grpc::CallbackServerContext* context,
                                                            v1::RaftBatchReply* reply) {
  if (!process_.admits(*context)) return new RefusedReader<v1::RaftBatch>();
  return new InboundStream(process_, reply);
}

grpc::ServerUnaryReactor* KvService::handle(grpc::CallbackServerContext* context, node::KvOp op,
                                            const v1::KvRequest* request, v1::KvReply* reply) {
  auto* reactor = context->DefaultReactor();
  if (!process_.admits(*context)) {
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, kNoValidCertificate));
    return reactor;
  }
  auto command = command_from_request(op, *request);
  if (auto* why = std::get_if<std::string>(&command)) {
    reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, *why));
    return reactor;
  }
  if (process_.stages_) {
    process_.stages_->stamp(Stage::kRequestReceived, raft::NodeId{}, 0, request->seq());
  }
  boost::asio::post(process_.strand(),
                    [this, reactor, reply, c = std::get<node::KvCommand>(std::move(command))] {
                      process_.submit(c, reactor, reply);
                    });
  return reactor;
}

grpc::ServerUnaryReactor* ControlService::Status(grpc::CallbackServerContext* c,
                                                 const v1::StatusRequest*, v1::StatusReply* reply) {
  auto* reactor = c->DefaultReactor();
  boost::asio::post(process_.strand(), [this, reactor, reply] {
    process_.status(*reply);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* ControlService::SetLinkFilter(grpc::CallbackServerContext* c,
                                                        const v1::SetLinkFilterRequest* request,
                                                        v1::ControlReply*) {
  auto* reactor = c->DefaultReactor();
  // Every filter is checked before any applies: a refused request changes nothing.
  std::vector<std::pair<raft::NodeId, LinkState>> links;
  for (const v1::LinkFilter& f : request->filters()) {
    LinkState link{f.drop_to(), f.drop_from(), std::nullopt, f.clog_to()};
    if (f.has_model()) {
      auto model = from_proto(f.model());
      if (auto* why = std::get_if<std::string>(&model)) {
        reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                     fmt::format("link to node {}: {}", f.peer(), *why)));
        return reactor;
      }
      link.model = std::get<sim::LinkModel>(model);
    }
    links.emplace_back(raft::NodeId{f.peer()}, link);
  }
  boost::asio::post(process_.strand(), [this, reactor, links = std::move(links)] {
    for (const auto& [peer, link] : links) {
      process_.transport().set_link(peer, link);
      std::string model = "no model";
      if (const auto& m = link.model) {
        model = fmt::format("latency {}..{}us, loss {}, duplicate {}, reorder {}, delay {}us",
                            m->latency.min.count(), m->latency.max.count(), m->loss, m->duplicate,
                            m->reorder, m->extra_delay.count());
      }
      process_.log("link with node {}: drop to={} from={} clog={}; {}", peer.value, link.drop_to,
                   link.drop_from, link.clog_to, model);
    }
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* ControlService::Partition(grpc::CallbackServerContext* c,
                                                    const v1::PartitionRequest* request,
                                                    v1::ControlReply*) {
  auto* reactor = c->DefaultReactor();
  boost::asio::post(process_.strand(), [this, reactor, request] {
    std::set<raft::NodeId> to, from;
    for (uint32_t id : request->blocked_to())
      to.insert(raft::NodeId{id});
    for (uint32_t id : request->blocked_from())
      from.insert(raft::NodeId{id});
    process_.transport().block(to, from);
    process_.log("blocked: sending to {} peer(s), hearing from {}", to.size(), from.size());
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* ControlService::Heal(grpc::CallbackServerContext* c,
                                               const v1::StatusRequest*, v1::ControlReply*) {
  auto* reactor = c->DefaultReactor();
  boost::asio::post(process_.strand(), [this, reactor] {
    process_.transport().heal();
    process_.log("healed: every link open");
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* ControlService::Campaign(grpc::CallbackServerContext* c,
                                                   const v1::StatusRequest*, v1::ControlReply*) {
  auto* reactor = c->DefaultReactor();
  boost::asio::post(process_.strand(), [this, reactor] {
    process_.campaign();
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

// ---- The node. ----

NodeProcess::NodeProcess(const NodeProcessOptions& options)
    : options_(options),
      self_(*options_.cluster.find(options_.self)),
      strand_(boost::asio::make_strand(io_)),
      stages_(StageLog::from_environment(options_.self)),
      storage_(options_.data_dir, SyncCalls::system(),
               [this](std::function<void()> done) {
                 if (!stages_) return boost::asio::post(strand_, std::move(done));
                 stages_->stamp(Stage::kLogSynced, raft::NodeId{}, last_written_);
                 boost::asio::post(strand_, [this, done = std::move(done)] {
                   stages_->stamp(Stage::kSyncResumed, raft::NodeId{}, last_written_);
                   done();
                 });
               }),
      transport_(options_.cluster, options_.self, strand_, stages_.get(),
                 channel_credentials(options_.tls)),
      tick_timer_(strand_),
      stalls_(
          std::chrono::milliseconds(options_.cluster.tick_ms * options_.cluster.heartbeat_ticks)) {
  for (const ClusterMember& m : options_.cluster.nodes)
    if (m.id != options_.self) peers_.insert(m.id);
}

template <class... Args>
void NodeProcess::log(fmt::format_string<Args...> format, Args&&... args) const {
  const double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
  fmt::print(stderr, "[{} +{:.3f}s] {}\n", self_.name, seconds,
             fmt::format(format, std::forward<Args>(args)...));
}

bool NodeProcess::admits(const grpc::CallbackServerContext& context) {
  if (callers_.admits(context)) return true;
  // Logged once in a while, not per call: a misconfigured client retries without pause.
  if (callers_.refused() % 100 == 1) {
    log("refused a caller without a valid certificate ({}; {} so far)", context.peer(),
        callers_.refused());
  }
  return false;
}

void NodeProcess::receive(const v1::RaftBatch& batch, v1::RaftBatchReply& reply) {
  if (stages_) stamp_arrivals(batch);
  DecodedBatch decoded = decode_batch(batch, options_.cluster.cluster_id, options_.self, peers_);
  reply.set_accepted(reply.accepted() + decoded.messages.size());
  reply.set_rejected(reply.rejected() + decoded.rejected);
  boost::asio::post(strand_, [this, decoded = std::move(decoded)] { deliver(decoded); });
}

void NodeProcess::deliver(const DecodedBatch& batch) {
  if (batch.wrong_cluster) ++wrong_cluster_;
  if (batch.rejected > 0) {
    wire_rejected_ += batch.rejected;
    for (const std::string& why : batch.reasons)
      log("refused a peer message: {}", why);
  }
  for (const raft::Message& m : batch.messages) {
    if (!transport_.accepts_from(m.from)) continue;  // a cut into this node
    if (stages_ && m.type == raft::MessageType::kAppendEntries && !m.entries.empty()) {
      stages_->stamp(Stage::kAppendDelivered, m.from, m.entries.back().index.value);
    } else if (stages_ && m.type == raft::MessageType::kAppendResponse && !m.reject) {
      stages_->stamp(Stage::kAckDelivered, m.from, m.match_index.value);
    }
    node_->receive(m);
  }
}

void NodeProcess::stamp_arrivals(const v1::RaftBatch& batch) {
  for (const v1::RaftMessage& m : batch.messages()) {
    if (m.type() == v1::APPEND_ENTRIES && m.entries_size() > 0) {
      stages_->stamp(Stage::kAppendArrived, raft::NodeId{m.from()},
                     m.prev_log_index() + static_cast<uint64_t>(m.entries_size()));
    } else if (m.type() == v1::APPEND_RESPONSE && !m.reject()) {
      stages_->stamp(Stage::kAckArrived, raft::NodeId{m.from()}, m.match_index());
    }
  }
}

void NodeProcess::on_send(const raft::Message& m) {
  if (!stages_) return;
  if (m.type == raft::MessageType::kAppendEntries && !m.entries.empty()) {
    stages_->stamp(Stage::kAppendSent, m.to, m.entries.back().index.value);
  } else if (m.type == raft::MessageType::kAppendResponse && !m.reject) {
    stages_->stamp(Stage::kAckSent, m.to, m.match_index.value);
  }
}

void NodeProcess::on_persist(const raft::Ready& rd) {
  if (!stages_ || rd.entries.empty()) return;
  last_written_ = rd.entries.back().index.value;
  stages_->stamp(Stage::kLogWritten, raft::NodeId{}, last_written_);
}

void NodeProcess::on_apply(const raft::Entry& entry) {
  if (stages_) stages_->stamp(Stage::kApplied, raft::NodeId{}, entry.index.value);
}

void NodeProcess::submit(const node::KvCommand& command, grpc::ServerUnaryReactor* reactor,
                         v1::KvReply* reply) {
  if (stages_ && command.op != node::KvOp::kGet && node_->core().role() == raft::Role::kLeader) {
    stages_->stamp(Stage::kProposed, raft::NodeId{}, node_->core().log().last_index().value + 1,
                   command.seq);
  }
  pending_.emplace(std::make_pair(command.client_id, command.seq),
                   PendingRequest{reactor, reply, Clock::now() + kClientRequestTimeout});
  node_->submit(command);
}

void NodeProcess::on_reply(const node::ClientReply& r) {
  auto [begin, end] = pending_.equal_range({r.client_id, r.seq});
  for (auto it = begin; it != end; ++it) {
    v1::KvReply* reply = it->second.reply;
    reply->set_status(to_proto(r.status));
    reply->set_ok(r.result.ok);
    reply->set_value(r.result.value);
    reply->set_leader(r.leader.value);
    if (const ClusterMember* leader = options_.cluster.find(r.leader)) {
      reply->set_leader_address(leader->address);
    }
    it->second.reactor->Finish(grpc::Status::OK);
    if (stages_) stages_->stamp(Stage::kReplySent, raft::NodeId{}, 0, r.seq);
  }
  pending_.erase(begin, end);
}

void NodeProcess::expire_client_requests() {
  const Clock::time_point now = Clock::now();
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.deadline > now) {
      ++it;
      continue;
    }
    it->second.reply->set_status(v1::RETRY);
    it->second.reactor->Finish(grpc::Status::OK);
    it = pending_.erase(it);
  }
}

void NodeProcess::status(v1::StatusReply& reply) const {
  const raft::Raft& core = node_->core();
  reply.set_id(options_.self.value);
  reply.set_role(std::string(raft::to_string(core.role())));
  reply.set_term(core.term().value);
  reply.set_commit(core.commit_index().value);
  reply.set_last_log_index(core.log().last_index().value);
  reply.set_leader(core.leader().value);
  reply.set_applied(node_->applied_index().value);
  reply.set_rejected_messages(wire_rejected_ + core.total_rejections());
  reply.set_wrong_cluster(wrong_cluster_);
  const BlockedPeers blocked = transport_.blocked();
  for (uint32_t id : blocked.to)
    reply.add_blocked_to(id);
  for (uint32_t id : blocked.from)
    reply.add_blocked_from(id);
  for (uint32_t id : transport_.clogged())
    reply.add_clogged_to(id);
  reply.set_held_messages(transport_.held());
  reply.set_dropped_messages(transport_.dropped());
  reply.set_refused_callers(callers_.refused());
  reply.set_pid(static_cast<uint32_t>(::getpid()));
  add_configuration(core, reply);
  stalls_.report(reply);
}

void NodeProcess::on_soft_state(const raft::SoftState& soft, raft::Term term) {
  log("{} in term {} (leader: {})", raft::to_string(soft.role), term.value, soft.leader.value);
}

void NodeProcess::schedule_tick() {
  tick_timer_.expires_at(next_tick_);
  tick_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) tick_timer_fired();
  });
}

void NodeProcess::tick_timer_fired() {
  const auto period = std::chrono::milliseconds(options_.cluster.tick_ms);
  // Before the cluster's common start time no timer runs (see start_at_ms in cluster_file.h).
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  stalls_.on_timer(next_tick_, Clock::now());
  if (now_ms >= options_.cluster.start_at_ms) node_->tick();
  expire_client_requests();
  next_tick_ += period;
  // After a pause (SIGSTOP) do not replay the missed ticks in a burst: time simply jumped.
  if (next_tick_ < Clock::now()) next_tick_ = Clock::now() + period;
  schedule_tick();
}

std::unique_ptr<grpc::Server> NodeProcess::start_server(const std::string& address,
                                                        bool with_peer_and_kv, bool with_control) {
  grpc::ServerBuilder builder;
  int port = 0;
  // The control service alone is plaintext: with TLS it has its own loopback port.
  builder.AddListeningPort(
      address,
      with_peer_and_kv ? server_credentials(options_.tls) : grpc::InsecureServerCredentials(),
      &port);
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  // gRPC lets servers share a port (SO_REUSEPORT) by default; the kernel would then hand each
  // new connection to either, and peers, clients and the runner's control calls of one cluster
  // would reach another cluster's node. A port in use must fail the bind instead, so the launcher
  // starts again on fresh ports.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  if (with_peer_and_kv) {
    builder.RegisterService(&peer_service_);
    builder.RegisterService(&kv_service_);
    builder.RegisterService(&membership_service_);
  }
  if (with_control) builder.RegisterService(&control_service_);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    log("cannot listen on {}", address);
    return nullptr;
  }
  return server;
}

int NodeProcess::run() {
  raft::Config config;
  config.id = options_.self;
  config.voters = options_.cluster.bootstrap(Bootstrap::kVoter);
  config.learners = options_.cluster.bootstrap(Bootstrap::kLearner);
  for (const ClusterMember& m : options_.cluster.nodes)
    config.servers.push_back(m.id);  // sorted, as the file is
  config.election_timeout_ticks = options_.cluster.election_timeout_ticks;
  config.heartbeat_ticks = options_.cluster.heartbeat_ticks;
  config.seed = static_cast<uint64_t>(Clock::now().time_since_epoch().count()) ^
                (uint64_t{options_.self.value} << 32);
  config.options.pre_vote = options_.cluster.pre_vote;
  config.options.check_quorum = options_.cluster.check_quorum;
  config.options.vote_lease = options_.cluster.vote_lease;
  config.max_entries_per_append = options_.cluster.max_entries_per_append;
  config.max_appends_per_round = options_.cluster.max_appends_per_round;
  node_.emplace(
      config, storage_, transport_, [this](const node::ClientReply& r) { on_reply(r); }, this);
  if (!node_->ok()) {
    log("storage refuses to load: {}", node_->load_error());
    return 1;
  }
  if (!callers_.ok()) {
    log("the CA file holds no certificate");
    return 2;
  }
  node_->set_snapshot_every(options_.cluster.snapshot_every);
  if (!node_->repaired().empty()) log("recovered: {}", node_->repaired());
  log("starting: term {}, {} log entries, data in {}", node_->core().term().value,
      node_->core().log().last_index().value, options_.data_dir);

  // Signals are taken by sigwait below, never by a thread of gRPC or Asio.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // Queued before any request can be: the strand runs the start first.
  boost::asio::post(strand_, [this] {
    node_->start();
    next_tick_ = Clock::now() + std::chrono::milliseconds(options_.cluster.tick_ms);
    schedule_tick();
  });
  std::unique_ptr<grpc::Server> server = start_server(self_.address, true, self_.control.empty());
  std::unique_ptr<grpc::Server> control;
  if (!self_.control.empty()) control = start_server(self_.control, false, true);
  if (!server || (!self_.control.empty() && !control)) return 1;
  log("listening on {}{} (control on {})", self_.address, options_.tls ? " with mutual TLS" : "",
      ClusterFile::control_address(self_));

  auto work = boost::asio::make_work_guard(io_);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([this] {
      try {
        io_.run();
      } catch (const std::exception& e) {
        // A failed write or fsync: the kernel may have dropped our data; never carry on.
        log("fatal: {}", e.what());
        std::fflush(stderr);
        std::_Exit(70);
      }
    });
  }
  int signal = 0;
  sigwait(&signals, &signal);
  // Everything acknowledged is already durable; stopping is as safe as crashing, and faster
  // than draining gRPC calls that wait on the strand.
  log("signal {}: exiting", signal);
  if (stages_ && stages_->write()) log("stage log written");
  std::fflush(stderr);
  std::_Exit(0);
}

}  // namespace

int run_node_process(const NodeProcessOptions& options) {
  if (!options.cluster.find(options.self)) {
    fmt::print(stderr, "node {} is not in the cluster file\n", options.self.value);
    return 2;
  }
  NodeProcess process(options);
  return process.run();
}

}  // namespace raftsim::real

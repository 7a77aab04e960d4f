#include "real/kv_client.h"

#include <fmt/format.h>
#include <grpcpp/grpcpp.h>

#include <random>
#include <thread>
#include <vector>

namespace raftsim::real {

namespace {

constexpr auto kBackoff = std::chrono::milliseconds(50);
constexpr int kMaxReplyBytes = 256 << 20;

using Clock = std::chrono::steady_clock;

grpc::Status call(v1::Kv::Stub& stub, node::KvOp op, grpc::ClientContext& context,
                  const v1::KvRequest& request, v1::KvReply& reply) {
  switch (op) {
    case node::KvOp::kGet:
      return stub.Get(&context, request, &reply);
    case node::KvOp::kPut:
      return stub.Put(&context, request, &reply);
    case node::KvOp::kAppend:
      return stub.Append(&context, request, &reply);
    case node::KvOp::kCas:
      return stub.Cas(&context, request, &reply);
  }
  return grpc::Status(grpc::StatusCode::INTERNAL, "unknown op");
}

}  // namespace

uint64_t random_client_id() {
  std::random_device device;
  uint64_t id = 0;
  while (id == 0)
    id = (uint64_t{device()} << 32) | device();
  return id;
}

KvClient::KvClient(ClusterFile cluster, uint64_t client_id, KvClientOptions options)
    : cluster_(std::move(cluster)), client_id_(client_id), options_(options) {}

KvClient::Peer& KvClient::peer(size_t node) {
  Peer& peer = peers_[node];
  if (!peer.stub) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
    args.SetMaxReceiveMessageSize(kMaxReplyBytes);  // a value grown by many appends
    auto credentials =
        options_.credentials ? options_.credentials : grpc::InsecureChannelCredentials();
    peer.channel = grpc::CreateCustomChannel(cluster_.nodes[node].address, credentials, args);
    peer.stub = v1::Kv::NewStub(peer.channel);
  }
  return peer;
}

KvOutcome KvClient::run(node::KvOp op, const std::string& key, const std::string& value,
                        const std::string& expected) {
  v1::KvRequest request;
  request.set_client_id(client_id_);
  request.set_seq(next_seq_++);
  request.set_key(key);
  request.set_value(value);
  request.set_expected(expected);

  const bool is_write = op != node::KvOp::kGet;
  // Set once a request may have reached a leader without our learning its fate. Retrying with
  // the same seq is safe (the session applies it at most once), and an OK later settles it.
  bool may_have_happened = false;
  std::string last_error = "no node answered";
  // As the simulated client (sim/client.cc) goes: round a ring of the nodes, skipping those that
  // did not answer this operation. A leader hint is followed at once, but a hint at a node that
  // did not answer, or said it does not lead, leaves the ring where it is. Otherwise the
  // followers of a deposed leader cut off in a minority, which still name it, would send the
  // client back to it until the operation runs out of time.
  const size_t n = cluster_.nodes.size();
  std::vector<bool> no_answer(n, false), not_leader(n, false);
  size_t ring = target_;
  auto round_the_ring = [&] {
    const size_t from = ring;
    for (size_t step = 0; step < n; ++step) {
      ring = (ring + 1) % n;
      if (!no_answer[ring]) break;
    }
    if (no_answer[ring]) ring = (from + 1) % n;  // none answered: simply the next
    target_ = ring;
  };
  const Clock::time_point deadline = Clock::now() + options_.total_timeout;
  for (int attempt = 0; attempt < options_.max_attempts && Clock::now() < deadline; ++attempt) {
    const size_t node = target_;
    const std::string& name = cluster_.nodes[node].name;
    const auto wait = std::min<Clock::duration>(deadline - Clock::now(), options_.attempt_timeout);
    const auto attempt_deadline = std::chrono::system_clock::now() + wait;
    Peer& to = peer(node);
    // A request goes out only on an established connection (a paused node accepts TCP but never
    // completes the HTTP/2 handshake). Waiting for one first is what lets a deadline that falls
    // before it say "never sent" rather than "may have happened".
    if (!to.channel->WaitForConnected(attempt_deadline)) {
      last_error = fmt::format("{}: no connection within {} ms", name,
                               std::chrono::duration_cast<std::chrono::milliseconds>(wait).count());
      no_answer[node] = true;
      round_the_ring();
      continue;
    }
    grpc::ClientContext context;
    context.set_deadline(attempt_deadline);
    v1::KvReply reply;
    const grpc::Status status = call(*to.stub, op, context, request, reply);
    bool follow_hint = false;
    if (!status.ok()) {
      // Refused before anything was done, and it would be refused again.
      if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
          status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
        return {KvOutcome::Kind::kNotDone,
                {},
                fmt::format("{}: {}", cluster_.nodes[node].name, status.error_message())};
      }
      // A request that never found a connection was never sent. Any other failure (a deadline,
      // a connection lost mid-call) may have come after the leader received it.
      const bool never_sent = status.error_code() == grpc::StatusCode::UNAVAILABLE &&
                              status.error_message().starts_with("failed to connect");
      if (!never_sent) may_have_happened = true;
      last_error = fmt::format("{}: {}", name, status.error_message());
      no_answer[node] = true;
    } else if (reply.status() == v1::OK) {
      return {KvOutcome::Kind::kOk, {reply.ok(), reply.value()}, ""};
    } else if (reply.status() == v1::RETRY) {
      may_have_happened = true;
      last_error = fmt::format("{}: lost track of the request (leadership changed)", name);
      follow_hint = true;
    } else {
      last_error = fmt::format("{}: not the leader", name);
      not_leader[node] = true;
      follow_hint = true;
    }
    if (follow_hint && reply.leader() != 0 && reply.leader() != cluster_.nodes[node].id.value) {
      for (size_t i = 0; i < n; ++i) {
        if (cluster_.nodes[i].id.value != reply.leader()) continue;
        if (!no_answer[i] && !not_leader[i]) ring = i;
        target_ = i;
        break;
      }
      if (target_ != node) continue;  // a redirect to a known leader goes at once
    }
    round_the_ring();
    std::this_thread::sleep_for(kBackoff);
  }
  if (is_write && may_have_happened) {
    return {KvOutcome::Kind::kUnknown, {}, last_error};
  }
  return {KvOutcome::Kind::kNotDone, {}, last_error};
}

}  // namespace raftsim::real

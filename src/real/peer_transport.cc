#include "real/peer_transport.h"

#include <grpcpp/grpcpp.h>

#include <boost/asio/post.hpp>
#include <random>

#include "real/wire.h"

namespace raftsim::real {

namespace {

constexpr size_t kMaxQueue = 2048;
// A clog holds far more than a queue (it may last seconds under load), but not without bound.
constexpr size_t kMaxHeld = 1 << 16;
constexpr int kMaxBatch = 256;
// A batch stops growing past this many bytes; one message may exceed it (up to the receiver's
// kMaxMessageBytes).
constexpr size_t kMaxBatchBytes = 4u << 20;
constexpr auto kPauseAfterFailure = std::chrono::milliseconds(50);

std::shared_ptr<grpc::Channel> channel_to(const std::string& address,
                                          const std::shared_ptr<grpc::ChannelCredentials>& c) {
  grpc::ChannelArguments args;
  // A restarted peer should be found again within a fraction of an election timeout.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
  return grpc::CreateCustomChannel(address, c, args);
}

}  // namespace

// One open RaftPeer.Stream. The transport holds it (a gRPC hold) for as long as it may write on
// it; once a write fails the transport lets go, and gRPC ends the call and deletes the object.
// Without the hold, a stream that broke between writes could be deleted under the strand's feet.
class PeerStream final : public grpc::ClientWriteReactor<v1::RaftBatch> {
 public:
  PeerStream(PeerTransport& transport, raft::NodeId peer, v1::RaftPeer::Stub& stub)
      : transport_(transport), peer_(peer) {
    stub.async()->Stream(&context_, &reply_, this);
    AddHold();
    StartCall();
  }

  // Strand only, one batch at a time: the next waits for written(). `last_entry` (0: none) is
  // the last log index the batch carries, for the stage log.
  void write(v1::RaftBatch batch, uint64_t last_entry) {
    batch_ = std::move(batch);
    last_entry_ = last_entry;
    StartWrite(&batch_);
  }
  // Strand only: the transport will not touch this stream again.
  void release() { RemoveHold(); }

 private:
  void OnWriteDone(bool ok) override {
    if (last_entry_ > 0 && transport_.stages_) {
      transport_.stages_->stamp(Stage::kSendDone, peer_, last_entry_);
    }
    boost::asio::post(transport_.strand_, [transport = &transport_, peer = peer_, ok] {
      transport->written(peer, ok);
    });
  }
  void OnDone(const grpc::Status&) override { delete this; }

  PeerTransport& transport_;
  raft::NodeId peer_;
  grpc::ClientContext context_;
  v1::RaftBatch batch_;
  v1::RaftBatchReply reply_;
  uint64_t last_entry_ = 0;
};

PeerTransport::PeerTransport(const ClusterFile& cluster, raft::NodeId self, Strand& strand,
                             StageLog* stages,
                             std::shared_ptr<grpc::ChannelCredentials> credentials)
    : cluster_id_(cluster.cluster_id),
      strand_(strand),
      stages_(stages),
      rng_(std::random_device{}()) {
  for (const ClusterMember& m : cluster.nodes) {
    if (m.id == self) continue;
    peers_[m.id].stub = v1::RaftPeer::NewStub(channel_to(m.address, credentials));
  }
}

void PeerTransport::send(const raft::Message& message) {
  auto it = peers_.find(message.to);
  if (it == peers_.end() || it->second.link.drop_to) {
    ++dropped_;
    return;
  }
  Peer& peer = it->second;
  if (peer.link.clog_to) return hold(peer, message);
  if (!peer.link.model) return enqueue(peer, message);
  const sim::Routing r = sim::route_on(*peer.link.model, rng_);
  if (r.fate == sim::Routing::Fate::kLost) {
    ++dropped_;
    return;
  }
  send_after(message, r.delay);
  if (r.duplicated) send_after(message, r.duplicate_delay);
}

void PeerTransport::send_after(const raft::Message& message, sim::Duration delay) {
  if (delay.count() <= 0) return enqueue(peers_.at(message.to), message);
  auto timer = std::make_shared<boost::asio::steady_timer>(strand_, delay);
  timer->async_wait([this, timer, message](const boost::system::error_code&) {
    Peer& peer = peers_.at(message.to);
    if (peer.link.drop_to) {
      ++dropped_;
      return;
    }
    enqueue(peer, message);
  });
}

void PeerTransport::hold(Peer& peer, const raft::Message& message) {
  peer.held.push_back(message);
  while (peer.held.size() > kMaxHeld) {
    peer.held.pop_front();
    ++dropped_;
  }
}

void PeerTransport::release(Peer& peer) {
  std::deque<raft::Message> held;
  held.swap(peer.held);
  for (const raft::Message& m : held)
    send(m);
}

void PeerTransport::enqueue(Peer& peer, const raft::Message& message) {
  peer.queue.push_back(message);
  while (peer.queue.size() > kMaxQueue) {
    peer.queue.pop_front();
    ++dropped_;
  }
  kick(message.to);
}

void PeerTransport::kick(raft::NodeId id) {
  Peer& peer = peers_.at(id);
  if (peer.writing || peer.pausing || peer.queue.empty()) return;
  if (!peer.stream) peer.stream = new PeerStream(*this, id, *peer.stub);

  v1::RaftBatch batch;
  batch.set_cluster_id(cluster_id_);
  size_t bytes = 0;
  uint64_t last_entry = 0;
  for (int n = 0; n < kMaxBatch && !peer.queue.empty() && bytes < kMaxBatchBytes; ++n) {
    const raft::Message& next = peer.queue.front();
    if (!next.entries.empty()) last_entry = next.entries.back().index.value;
    v1::RaftMessage* m = batch.add_messages();
    to_proto(next, *m);
    bytes += m->ByteSizeLong();
    peer.queue.pop_front();
  }
  if (stages_ && last_entry > 0) stages_->stamp(Stage::kSendStarted, id, last_entry);
  peer.writing = true;
  peer.stream->write(std::move(batch), last_entry);
}

void PeerTransport::written(raft::NodeId id, bool ok) {
  Peer& peer = peers_.at(id);
  peer.writing = false;
  if (ok) return kick(id);
  // The peer is down, restarting or unreachable, and the stream is over. Pause before opening
  // the next, so a dead peer costs one attempt per pause rather than a busy loop.
  peer.stream->release();
  peer.stream = nullptr;
  peer.pausing = true;
  auto timer = std::make_shared<boost::asio::steady_timer>(strand_, kPauseAfterFailure);
  timer->async_wait([this, id, timer](const boost::system::error_code&) {
    peers_.at(id).pausing = false;
    kick(id);
  });
}

void PeerTransport::set_link(raft::NodeId peer, LinkState state) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) return;
  const bool unclogged = it->second.link.clog_to && !state.clog_to;
  it->second.link = state;
  if (state.drop_to) {
    dropped_ += it->second.queue.size();
    it->second.queue.clear();
  }
  if (unclogged) release(it->second);
}

void PeerTransport::block(const std::set<raft::NodeId>& to, const std::set<raft::NodeId>& from) {
  for (auto& [id, peer] : peers_) {
    LinkState link = peer.link;
    link.drop_to = to.contains(id);
    link.drop_from = from.contains(id);
    set_link(id, link);
  }
}

void PeerTransport::heal() {
  for (auto& [id, peer] : peers_) {
    peer.link.drop_to = false;
    peer.link.drop_from = false;
    peer.link.clog_to = false;
    release(peer);
  }
}

bool PeerTransport::accepts_from(raft::NodeId peer) const {
  auto it = peers_.find(peer);
  return it != peers_.end() && !it->second.link.drop_from;
}

BlockedPeers PeerTransport::blocked() const {
  BlockedPeers out;
  for (const auto& [id, peer] : peers_) {
    if (peer.link.drop_to) out.to.push_back(id.value);
    if (peer.link.drop_from) out.from.push_back(id.value);
  }
  return out;
}

std::vector<uint32_t> PeerTransport::clogged() const {
  std::vector<uint32_t> out;
  for (const auto& [id, peer] : peers_)
    if (peer.link.clog_to) out.push_back(id.value);
  return out;
}

uint64_t PeerTransport::held() const {
  uint64_t n = 0;
  for (const auto& [id, peer] : peers_)
    n += peer.held.size();
  return n;
}

}  // namespace raftsim::real

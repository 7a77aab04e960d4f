// Raft messages to peers over gRPC, with the link filters the control service sets.
//
// Each peer gets one long-lived client stream (RaftPeer.Stream) carrying batches in the order
// they were sent. A stream rather than one call per batch: no call set-up and no reply message
// per batch, which at one client halves the packets and thread wake-ups of every replicated put.
//
// Everything here runs on the node's strand except gRPC's reactions, which only post back onto
// it. Each peer has one queue and at most one batch being written: messages queue while a write
// is outstanding and leave together in the next. A failed write loses its batch (Raft tolerates
// loss) and ends the stream; a new one is opened after a short pause. A queue that grows past its
// bound drops its oldest messages: a dead or paused peer must not exhaust memory.
//
// A clogged link holds what is sent on it, in order, and sends it all once unclogged (or healed),
// each message then taking the link's model and cuts as if sent at that moment: the simulated
// network's clog. Messages already on their way (delayed by a link model) are not held back.
// The held messages live in the sender: a sender that crashes loses them, as it loses its queues.
#pragma once

#include <grpcpp/security/credentials.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "node/node.h"
#include "raftsim.grpc.pb.h"
#include "real/cluster_file.h"
#include "real/link_cuts.h"
#include "real/stage_log.h"
#include "sim/link.h"

namespace raftsim::real {

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

// The largest gRPC message a node accepts: a full AppendEntries of large commands.
inline constexpr int kMaxMessageBytes = 256 << 20;

// The filters on one peer's link, each in its own direction: a one-way cut drops only one of
// them, a partition both.
struct LinkState {
  bool drop_to = false;    // drop every message to this peer
  bool drop_from = false;  // drop every message from this peer
  // What happens to each message to this peer, as in the simulated network (latency, loss,
  // duplicates, extra delay); none: it leaves at once.
  std::optional<sim::LinkModel> model;
  bool clog_to = false;  // hold every message to this peer until unclogged
};

class PeerStream;

class PeerTransport final : public node::Transport {
 public:
  // `stages` (may be null) is stamped when a write carrying entries starts and completes.
  // `credentials`: of the channels to peers (TLS or plaintext).
  PeerTransport(const ClusterFile& cluster, raft::NodeId self, Strand& strand, StageLog* stages,
                std::shared_ptr<grpc::ChannelCredentials> credentials);

  void send(const raft::Message& message) override;

  // Control (on the strand).
  void set_link(raft::NodeId peer, LinkState state);
  // Replace which peers are blocked in each direction; link models stay.
  void block(const std::set<raft::NodeId>& to, const std::set<raft::NodeId>& from);
  void heal();
  bool accepts_from(raft::NodeId peer) const;
  BlockedPeers blocked() const;
  std::vector<uint32_t> clogged() const;
  uint64_t held() const;

  uint64_t dropped() const { return dropped_; }

 private:
  friend class PeerStream;
  struct Peer {
    std::unique_ptr<v1::RaftPeer::Stub> stub;
    PeerStream* stream = nullptr;  // owned by gRPC until its OnDone; null: none open
    bool writing = false;          // a batch is being written on `stream`
    bool pausing = false;          // after a failure, before the next stream is opened
    std::deque<raft::Message> queue;
    std::deque<raft::Message> held;  // sent while the link was clogged, oldest first
    LinkState link;
  };
  // Queues `message` once `delay` has passed, unless its link is cut by then.
  void send_after(const raft::Message& message, sim::Duration delay);
  void hold(Peer& peer, const raft::Message& message);
  // Sends what `peer` held, in the order it was sent.
  void release(Peer& peer);
  void enqueue(Peer& peer, const raft::Message& message);
  void kick(raft::NodeId id);
  // On the strand, after the stream to `id` finished writing a batch.
  void written(raft::NodeId id, bool ok);

  std::string cluster_id_;
  Strand& strand_;
  StageLog* stages_;
  std::map<raft::NodeId, Peer> peers_;
  raft::Random rng_;  // the link models' draws
  uint64_t dropped_ = 0;
};

}  // namespace raftsim::real

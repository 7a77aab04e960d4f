// Raft messages to peers over gRPC, with the link filters the control service sets.
//
// Everything here runs on the node's strand except gRPC's completion callbacks, which only post
// back onto it. Each peer has one queue and at most one Deliver call in flight: messages to a peer
// leave in the order they were sent, batched while a call is outstanding. A failed call loses its
// batch (Raft tolerates loss) and the peer is retried after a short pause. A queue that grows past
// its bound drops its oldest messages: a dead peer must not exhaust memory.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <set>

#include "node/node.h"
#include "raftsim.grpc.pb.h"
#include "real/cluster_file.h"
#include "real/stage_log.h"

namespace raftsim::real {

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

// The largest gRPC message a node accepts: a full AppendEntries of large commands.
inline constexpr int kMaxMessageBytes = 256 << 20;

struct LinkState {
  bool drop = false;                   // drop every message to and from this peer
  std::chrono::milliseconds delay{0};  // delay every message to this peer
};

class PeerTransport final : public node::Transport {
 public:
  // `stages` (may be null) is stamped when a call carrying entries starts and finishes.
  PeerTransport(const ClusterFile& cluster, raft::NodeId self, Strand& strand, StageLog* stages);

  void send(const raft::Message& message) override;

  // Control (on the strand).
  void set_link(raft::NodeId peer, LinkState state);
  void partition(const std::set<raft::NodeId>& blocked);
  void heal();
  bool accepts_from(raft::NodeId peer) const;
  std::vector<uint32_t> blocked() const;

  uint64_t dropped() const { return dropped_; }

 private:
  struct Peer {
    std::unique_ptr<v1::RaftPeer::Stub> stub;
    std::deque<raft::Message> queue;
    bool in_flight = false;
    LinkState link;
  };
  void enqueue(Peer& peer, const raft::Message& message);
  void kick(raft::NodeId id);

  std::string cluster_id_;
  Strand& strand_;
  StageLog* stages_;
  std::map<raft::NodeId, Peer> peers_;
  uint64_t dropped_ = 0;
};

}  // namespace raftsim::real

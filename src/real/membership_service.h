// Membership changes over the real transport (thesis ch. 4): the Membership service a node
// serves on its peer and client port, and the conversions it needs.
//
// A change goes to the leader like a client's write: a node that does not lead answers
// NOT_LEADER with the leader it knows of; the leader asks its core, which appends a
// configuration entry at once or refuses (a change still uncommitted, a learner behind, a change
// that changes nothing). The reply never waits for the entry to commit: the caller watches the
// nodes' Status (commit >= the entry's index) for that.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <string>
#include <variant>

#include "raft/raft.h"
#include "raftsim.grpc.pb.h"
#include "real/cluster_file.h"
#include "real/peer_transport.h"

namespace raftsim::real {

void to_proto(const raft::ConfChange& in, v1::ChangeRequest& out);
// The change a request asks for, or why it is refused ("unknown change kind 9", ...).
std::variant<raft::ConfChange, std::string> change_from_request(const v1::ChangeRequest& request);

// What the core made of a change, as the reply says it; `leader` is the leader the node knows of.
void to_proto(const raft::ChangeResult& result, raft::NodeId leader, const ClusterFile& cluster,
              v1::ChangeReply& out);
// Whether asking again later may succeed: the refusals that time lifts.
bool time_may_lift(raft::ChangeRefusal refusal);

// The configuration `core` acts on, into a Status reply; and back out of one.
void add_configuration(const raft::Raft& core, v1::StatusReply& out);
raft::Configuration configuration_of(const v1::StatusReply& status);

class MembershipService final : public v1::Membership::CallbackService {
 public:
  // On a gRPC thread: whether the call may proceed (TLS).
  using Admits = std::function<bool(const grpc::CallbackServerContext&)>;
  // On the node's strand: asks the core for the change and fills the reply.
  using Ask = std::function<void(const raft::ConfChange&, v1::ChangeReply&)>;

  // A change that names a server `cluster` does not list is refused before the core sees it: a
  // voter no one can reach would only stall every quorum.
  MembershipService(Strand& strand, const ClusterFile& cluster, Admits admits, Ask ask)
      : strand_(strand), cluster_(cluster), admits_(std::move(admits)), ask_(std::move(ask)) {}

  grpc::ServerUnaryReactor* Change(grpc::CallbackServerContext* context,
                                   const v1::ChangeRequest* request,
                                   v1::ChangeReply* reply) override;

 private:
  Strand& strand_;
  const ClusterFile& cluster_;
  Admits admits_;
  Ask ask_;
};

}  // namespace raftsim::real

#include "real/membership_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <set>

#include "real/tls.h"

namespace raftsim::real {

namespace {

using Kind = raft::ConfChange::Kind;

constexpr std::pair<Kind, v1::ChangeRequest::Kind> kKinds[] = {
    {Kind::kAddLearner, v1::ChangeRequest::ADD_LEARNER},
    {Kind::kPromote, v1::ChangeRequest::PROMOTE},
    {Kind::kAddVoter, v1::ChangeRequest::ADD_VOTER},
    {Kind::kRemove, v1::ChangeRequest::REMOVE},
    {Kind::kReplace, v1::ChangeRequest::REPLACE},
};

// Far above any cluster this runs; past it a request is refused, not planned.
constexpr int kMaxVoters = 1000;

}  // namespace

void to_proto(const raft::ConfChange& in, v1::ChangeRequest& out) {
  out.Clear();
  for (const auto& [kind, wire] : kKinds)
    if (kind == in.kind) out.set_kind(wire);
  out.set_node(in.node.value);
  for (raft::NodeId id : in.voters)
    out.add_voters(id.value);
}

std::variant<raft::ConfChange, std::string> change_from_request(const v1::ChangeRequest& request) {
  const auto* known = std::find_if(std::begin(kKinds), std::end(kKinds),
                                   [&](const auto& pair) { return pair.second == request.kind(); });
  if (known == std::end(kKinds)) {
    return fmt::format("unknown change kind {}", static_cast<int>(request.kind()));
  }
  raft::ConfChange change{.kind = known->first, .node = raft::NodeId{request.node()}};
  if (change.kind == Kind::kReplace) {
    if (request.node() != 0) return std::string("a change of the voters names no single node");
    if (request.voters_size() == 0 || request.voters_size() > kMaxVoters) {
      return fmt::format("the voters must be 1..{} nodes", kMaxVoters);
    }
    std::set<uint32_t> voters(request.voters().begin(), request.voters().end());
    if (voters.contains(0) || voters.size() != static_cast<size_t>(request.voters_size())) {
      return std::string("the voters must be distinct nodes other than 0");
    }
    for (uint32_t id : voters)
      change.voters.push_back(raft::NodeId{id});
  } else if (request.node() == 0) {
    return std::string("the change names no node (node 0)");
  } else if (request.voters_size() != 0) {
    return std::string("only a change of the voters lists voters");
  }
  return change;
}

bool time_may_lift(raft::ChangeRefusal refusal) {
  switch (refusal) {
    case raft::ChangeRefusal::kTransferring:
    case raft::ChangeRefusal::kNoCommitInTerm:
    case raft::ChangeRefusal::kChangePending:
    case raft::ChangeRefusal::kLearnerBehind:
    case raft::ChangeRefusal::kNewVoterBehind:
      return true;
    default:
      return false;
  }
}

void to_proto(const raft::ChangeResult& result, raft::NodeId leader, const ClusterFile& cluster,
              v1::ChangeReply& out) {
  out.Clear();
  if (result.accepted()) {
    out.set_status(v1::ChangeReply::APPENDED);
    out.set_index(result.index.value);
    out.set_term(result.term.value);
  } else if (result.refusal == raft::ChangeRefusal::kNotLeader) {
    out.set_status(v1::ChangeReply::NOT_LEADER);
    out.set_leader(leader.value);
    if (const ClusterMember* m = cluster.find(leader)) out.set_leader_address(m->address);
  } else {
    out.set_status(v1::ChangeReply::REFUSED);
    out.set_refusal(std::string(raft::to_string(result.refusal)));
    out.set_retry(time_may_lift(result.refusal));
  }
}

void add_configuration(const raft::Raft& core, v1::StatusReply& out) {
  const raft::Configuration& c = core.configuration();
  for (raft::NodeId id : c.voters)
    out.add_voters(id.value);
  for (raft::NodeId id : c.outgoing)
    out.add_outgoing_voters(id.value);
  for (raft::NodeId id : c.learners)
    out.add_learners(id.value);
  out.set_configuration_index(core.configuration_index().value);
}

raft::Configuration configuration_of(const v1::StatusReply& status) {
  raft::Configuration c;
  for (uint32_t id : status.voters())
    c.voters.push_back(raft::NodeId{id});
  for (uint32_t id : status.outgoing_voters())
    c.outgoing.push_back(raft::NodeId{id});
  for (uint32_t id : status.learners())
    c.learners.push_back(raft::NodeId{id});
  return c;
}

grpc::ServerUnaryReactor* MembershipService::Change(grpc::CallbackServerContext* context,
                                                    const v1::ChangeRequest* request,
                                                    v1::ChangeReply* reply) {
  auto* reactor = context->DefaultReactor();
  if (!admits_(*context)) {
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, kNoValidCertificate));
    return reactor;
  }
  auto change = change_from_request(*request);
  if (auto* why = std::get_if<std::string>(&change)) {
    reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, *why));
    return reactor;
  }
  const raft::ConfChange& c = std::get<raft::ConfChange>(change);
  std::vector<raft::NodeId> named = c.voters;
  if (!c.node.is_none()) named.push_back(c.node);
  for (raft::NodeId id : named) {
    if (cluster_.find(id)) continue;
    reply->set_status(v1::ChangeReply::REFUSED);
    reply->set_refusal(fmt::format("node {} is no server of this cluster", id.value));
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  boost::asio::post(strand_,
                    [this, reactor, reply, c = std::get<raft::ConfChange>(std::move(change))] {
                      ask_(c, *reply);
                      reactor->Finish(grpc::Status::OK);
                    });
  return reactor;
}

}  // namespace raftsim::real

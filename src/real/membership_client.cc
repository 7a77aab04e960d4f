#include "real/membership_client.h"

#include <fmt/format.h>
#include <grpcpp/grpcpp.h>

#include <thread>

#include "raftsim.grpc.pb.h"
#include "real/membership_service.h"

namespace raftsim::real {

namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kPause = std::chrono::milliseconds(50);

std::chrono::system_clock::time_point deadline_of(Clock::time_point end,
                                                  std::chrono::milliseconds attempt) {
  const auto left = std::max<Clock::duration>(end - Clock::now(), Clock::duration::zero());
  return std::chrono::system_clock::now() + std::min<Clock::duration>(left, attempt);
}

grpc::Status ask(const ClusterMember& member, const v1::ChangeRequest& request,
                 const ChangeOptions& options, Clock::time_point end, v1::ChangeReply& reply) {
  auto credentials = options.credentials ? options.credentials : grpc::InsecureChannelCredentials();
  auto stub = v1::Membership::NewStub(grpc::CreateChannel(member.address, credentials));
  grpc::ClientContext context;
  context.set_deadline(deadline_of(end, options.attempt_timeout));
  return stub->Change(&context, request, &reply);
}

// Polls `leader` until its commit index reaches `index` in `term`.
ChangeOutcome wait_for_commit(const ClusterMember& leader, ChangeOutcome appended,
                              const ChangeOptions& options, Clock::time_point end) {
  auto stub = v1::Control::NewStub(grpc::CreateChannel(ClusterFile::control_address(leader),
                                                       grpc::InsecureChannelCredentials()));
  while (Clock::now() < end) {
    grpc::ClientContext context;
    context.set_deadline(deadline_of(end, options.attempt_timeout));
    v1::StatusRequest request;
    v1::StatusReply status;
    if (stub->Status(&context, request, &status).ok()) {
      if (status.term() != appended.term.value) {
        appended.detail =
            fmt::format("{} left term {} before the entry committed; see `raftsim cluster status`",
                        leader.name, appended.term.value);
        return appended;
      }
      if (status.commit() >= appended.index.value) {
        appended.kind = ChangeOutcome::Kind::kCommitted;
        return appended;
      }
    }
    std::this_thread::sleep_for(kPause);
  }
  appended.detail = fmt::format("entry {} did not commit within {} ms", appended.index.value,
                                options.total_timeout.count());
  return appended;
}

}  // namespace

ChangeOutcome change_membership(const ClusterFile& cluster, const raft::ConfChange& change,
                                const ChangeOptions& options) {
  v1::ChangeRequest request;
  to_proto(change, request);
  const Clock::time_point end = Clock::now() + options.total_timeout;
  ChangeOutcome outcome;
  outcome.detail = "no node answered";
  size_t target = 0;
  if (const ClusterMember* first = cluster.find(options.first)) {
    target = static_cast<size_t>(first - cluster.nodes.data());
  }
  while (Clock::now() < end) {
    const ClusterMember& member = cluster.nodes[target];
    v1::ChangeReply reply;
    const grpc::Status status = ask(member, request, options, end, reply);
    if (!status.ok()) {
      outcome.detail = fmt::format("{}: {}", member.name, status.error_message());
      // Refused before anything was done, and it would be refused again.
      if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
          status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
        outcome.kind = ChangeOutcome::Kind::kRefused;
        return outcome;
      }
      target = (target + 1) % cluster.nodes.size();
      std::this_thread::sleep_for(kPause);
      continue;
    }
    if (reply.status() == v1::ChangeReply::APPENDED) {
      outcome = {ChangeOutcome::Kind::kAppended, "", member.id, raft::Index{reply.index()},
                 raft::Term{reply.term()}};
      if (!options.wait_for_commit) return outcome;
      return wait_for_commit(member, outcome, options, end);
    }
    if (reply.status() == v1::ChangeReply::REFUSED) {
      outcome = {ChangeOutcome::Kind::kRefused, fmt::format("{}: {}", member.name, reply.refusal()),
                 member.id};
      if (!reply.retry()) return outcome;
      std::this_thread::sleep_for(kPause);
      continue;
    }
    // Not the leader: to the one it names, at once; else on to the next node after a pause.
    outcome = {ChangeOutcome::Kind::kNoLeader, fmt::format("{}: not the leader", member.name)};
    if (const ClusterMember* leader = cluster.find(raft::NodeId{reply.leader()});
        leader && leader->id != member.id) {
      target = static_cast<size_t>(leader - cluster.nodes.data());
      continue;
    }
    target = (target + 1) % cluster.nodes.size();
    std::this_thread::sleep_for(kPause);
  }
  if (outcome.kind == ChangeOutcome::Kind::kRefused) outcome.detail += " (gave up asking again)";
  return outcome;
}

}  // namespace raftsim::real

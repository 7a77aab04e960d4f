#include "real/cluster_membership.h"

#include <fmt/format.h>

#include <algorithm>

#include "real/membership_client.h"
#include "real/tls.h"

namespace raftsim::real {

namespace {

using Kind = raft::ConfChange::Kind;

// The cluster file and the server a request names, or why not (bad input: exit 2).
struct Target {
  ClusterFile cluster;
  ClusterMember server;
  ChangeOptions options;
};

std::variant<Target, LaunchResult> target_of(Launcher& launcher, const MembershipRequest& request) {
  auto file = read_cluster_file(launcher.cluster_path());
  if (auto* error = std::get_if<std::string>(&file)) return LaunchResult::refused(*error);
  Target t{std::get<ClusterFile>(std::move(file)), {}, {}};
  const ClusterMember* server = t.cluster.find(request.name);
  if (!server) {
    std::string names;
    for (const ClusterMember& m : t.cluster.nodes)
      names += (names.empty() ? "" : ", ") + m.name;
    return LaunchResult::refused(
        fmt::format("no server '{}' in {} (servers: {}); a cluster started with spares "
                    "(`raftsim cluster up -n 5 --voters 3`) has servers to add",
                    request.name, launcher.cluster_path(), names));
  }
  t.server = *server;
  auto tls = load_tls(t.cluster.tls);
  if (auto* error = std::get_if<std::string>(&tls)) return LaunchResult::refused(*error);
  t.options.credentials = channel_credentials(std::get<0>(tls));
  t.options.total_timeout = request.timeout;
  return t;
}

// Asks for one change and says what came of it; false when it did not commit.
bool ask(const Target& t, Kind kind, LaunchResult& result) {
  const raft::ConfChange change{.kind = kind, .node = t.server.id};
  const ChangeOutcome outcome = change_membership(t.cluster, change, t.options);
  const ClusterMember* leader = t.cluster.find(outcome.leader);
  const std::string by = leader ? leader->name : "the leader";
  const std::string what = fmt::format("{} {}", raft::to_string(kind), t.server.name);
  switch (outcome.kind) {
    case ChangeOutcome::Kind::kCommitted:
      result.notes.push_back(fmt::format("{}: committed as entry {} (term {}) by {}", what,
                                         outcome.index.value, outcome.term.value, by));
      return true;
    case ChangeOutcome::Kind::kAppended:
      result.error = fmt::format("{}: appended as entry {} by {}, not seen committed: {}", what,
                                 outcome.index.value, by, outcome.detail);
      return false;
    case ChangeOutcome::Kind::kRefused:
      result.error = fmt::format("{}: refused by {}", what, outcome.detail);
      return false;
    case ChangeOutcome::Kind::kNoLeader:
      break;
  }
  result.error = fmt::format("{}: no leader took it ({})", what, outcome.detail);
  return false;
}

bool running(Launcher& launcher, const ClusterMember& server) {
  for (const NodeStatus& s : launcher.status())
    if (s.member.id == server.id) return s.pid != 0;
  return false;
}

}  // namespace

LaunchResult add_server(Launcher& launcher, const MembershipRequest& request) {
  auto target = target_of(launcher, request);
  if (auto* refused = std::get_if<LaunchResult>(&target)) return *refused;
  const Target& t = std::get<Target>(target);
  LaunchResult result;
  if (!running(launcher, t.server)) {
    result = launcher.restart(t.server.name);
    if (!result.ok()) return result;
  }
  if (!ask(t, Kind::kAddLearner, result) || request.learner_only) return result;
  // Promotion waits (the client asks again) until the learner has caught up.
  ask(t, Kind::kPromote, result);
  return result;
}

LaunchResult promote_server(Launcher& launcher, const MembershipRequest& request) {
  auto target = target_of(launcher, request);
  if (auto* refused = std::get_if<LaunchResult>(&target)) return *refused;
  LaunchResult result;
  ask(std::get<Target>(target), Kind::kPromote, result);
  return result;
}

LaunchResult remove_server(Launcher& launcher, const MembershipRequest& request) {
  auto target = target_of(launcher, request);
  if (auto* refused = std::get_if<LaunchResult>(&target)) return *refused;
  const Target& t = std::get<Target>(target);
  LaunchResult result;
  if (!ask(t, Kind::kRemove, result)) return result;
  // No member any more: a removed server that kept running would only time out and campaign.
  LaunchResult stopped = launcher.kill(t.server.name);
  result.notes.insert(result.notes.end(), stopped.notes.begin(), stopped.notes.end());
  if (!stopped.ok()) result.error = stopped.error;
  return result;
}

}  // namespace raftsim::real

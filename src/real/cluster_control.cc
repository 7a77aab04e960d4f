#include "real/cluster_control.h"

#include <fmt/format.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "real/membership_client.h"
#include "real/membership_service.h"
#include "real/wire.h"
#include "scenario/faults.h"

namespace raftsim::real {

using Clock = std::chrono::steady_clock;
using scenario::Fault;

// How long a node that does not answer its control calls is asked again: one starting up, or one
// a loaded machine has not scheduled.
constexpr auto kControlPatience = std::chrono::seconds(3);
using scenario::FaultKind;

bool can_apply(FaultKind kind) {
  switch (kind) {
    case FaultKind::kPartition:
    case FaultKind::kCut:
    case FaultKind::kHeal:
    case FaultKind::kClog:
    case FaultKind::kUnclog:
    case FaultKind::kDelay:
    case FaultKind::kLoss:
    case FaultKind::kDuplicate:
    case FaultKind::kCrash:
    case FaultKind::kRestart:
    case FaultKind::kPause:
    case FaultKind::kResume:
    case FaultKind::kWipe:
    case FaultKind::kElect:
    case FaultKind::kCrashLeader:
    case FaultKind::kIsolateLeader:
    case FaultKind::kAddLearner:
    case FaultKind::kPromote:
    case FaultKind::kAddVoter:
    case FaultKind::kRemove:
    case FaultKind::kChangeVoters:
    case FaultKind::kReconfigure:
    case FaultKind::kReconfigureLearner:
    case FaultKind::kReconfigureJoint:
      return true;
    default:
      return false;
  }
}

ClusterControl::ClusterControl(const scenario::Scenario& s, Launcher& launcher,
                               const ClusterFile& file)
    : s_(s), launcher_(launcher), file_(file), cuts_(file.ids()) {
  for (const ClusterMember& a : file_.nodes)
    for (const ClusterMember& b : file_.nodes)
      if (a.id != b.id) links_[{a.id.value, b.id.value}] = s.world.network;
  for (const ClusterMember& m : file_.nodes) {
    // A node the timeline kills and restarts must be reachable again at once: gRPC's default
    // reconnect backoff (1 s, growing) would hide it from the polls and the fault calls.
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 10);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 10);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 50);
    stubs_[m.id.value] = v1::Control::NewStub(grpc::CreateCustomChannel(
        ClusterFile::control_address(m), grpc::InsecureChannelCredentials(), args));
  }
}

bool ClusterControl::start() {
  for (uint32_t id = 1; id <= file_.nodes.size(); ++id)
    if (!restore(id)) return false;
  return true;
}

uint32_t ClusterControl::current_leader(v1::StatusReply* status) {
  uint32_t leader = 0;
  uint64_t best = 0;
  for (uint32_t id = 1; id <= file_.nodes.size(); ++id) {
    if (absent_.contains(id)) continue;
    grpc::ClientContext c;
    c.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
    v1::StatusRequest q;
    v1::StatusReply r;
    if (!stub(id).Status(&c, q, &r).ok() || r.role() != "leader") continue;
    if (leader == 0 || r.term() > best) {
      leader = id;
      best = r.term();
      if (status) *status = r;
    }
  }
  return leader;
}

std::string ClusterControl::apply(const Fault& f, std::optional<Fault>& undo) {
  if (scenario::is_membership_fault(f.kind)) return change_membership(f);
  if (scenario::is_leader_fault(f.kind)) {
    const uint32_t leader = current_leader();
    if (leader == 0) return "no node leads, nothing to do";
    auto [begin, end] = scenario::pin_leader_fault(f, leader, file_.nodes.size());
    undo = std::move(end);
    const std::string done = apply_plain(begin);
    return fmt::format("{} (the leader){}", scenario::describe_fault(begin, s_),
                       done.empty() ? "" : ": " + done);
  }
  return apply_plain(f);
}

std::string ClusterControl::apply_plain(const Fault& f) {
  const uint32_t n = static_cast<uint32_t>(file_.nodes.size());
  std::string notes;
  auto note = [&](const LaunchResult& r) {
    for (const std::string& line : r.notes)
      notes += (notes.empty() ? "" : "; ") + line;
    if (!r.ok()) notes += (notes.empty() ? "" : "; ") + ("error: " + r.error);
  };
  // Link faults change the cluster's picture of its links, which every running node is then
  // given whole, as in the simulated network.
  switch (f.kind) {
    case FaultKind::kPartition:
      cuts_.partition(f.groups);
      return push_all();
    case FaultKind::kCut:
      cuts_.cut(f.links);
      return push_all();
    case FaultKind::kHeal:
      cuts_.heal();
      clogged_.clear();
      return push_all();
    case FaultKind::kClog:
      clogged_.insert(f.links.begin(), f.links.end());
      return push_all();
    case FaultKind::kUnclog:
      for (const auto& link : f.links)
        clogged_.erase(link);
      return push_all();
    case FaultKind::kDelay:
    case FaultKind::kLoss:
    case FaultKind::kDuplicate:
      scenario::change_link_models(f, n, [&](uint32_t from, uint32_t to) -> sim::LinkModel& {
        return links_[{from, to}];
      });
      return push_all();
    case FaultKind::kElect:
      for (uint32_t id : f.nodes) {
        grpc::ClientContext c;
        c.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
        v1::StatusRequest q;
        v1::ControlReply r;
        const grpc::Status st = stub(id).Campaign(&c, q, &r);
        if (!st.ok()) {
          notes += fmt::format("{}{} did not answer: {}", notes.empty() ? "" : "; ", name(id),
                               st.error_message());
        }
      }
      return notes;
    default:
      break;
  }
  for (uint32_t id : f.nodes) {
    switch (f.kind) {
      case FaultKind::kCrash:
        absent_.insert(id);
        note(launcher_.kill(name(id)));
        break;
      case FaultKind::kRestart:
        note(launcher_.restart(name(id)));
        absent_.erase(id);
        restore(id);
        break;
      case FaultKind::kWipe:
        absent_.insert(id);
        note(launcher_.wipe(name(id)));
        absent_.erase(id);
        restore(id);
        break;
      case FaultKind::kPause:
        absent_.insert(id);
        note(launcher_.pause(name(id)));
        break;
      case FaultKind::kResume:
        note(launcher_.resume(name(id)));
        absent_.erase(id);
        restore(id);
        break;
      default:
        break;
    }
  }
  return notes;
}

std::string ClusterControl::change_membership(const Fault& f) {
  if (f.nodes.empty()) return "names no node, nothing to do";
  v1::StatusReply status;
  const uint32_t leader = current_leader(&status);
  raft::Configuration leader_configuration = configuration_of(status);
  if (leader == 0) {
    leader_configuration = {
        file_.bootstrap(Bootstrap::kVoter), {}, file_.bootstrap(Bootstrap::kLearner)};
  }
  const raft::ConfChange change = scenario::change_of(f, leader_configuration);
  ChangeOptions options;
  options.wait_for_commit = false;
  options.attempt_timeout = std::chrono::milliseconds(500);
  // As long as the simulated world keeps asking (kChangeRetryTimeouts in scenario/faults.cc).
  options.total_timeout =
      std::chrono::milliseconds(20 * file_.tick_ms * file_.election_timeout_ticks);
  options.first = raft::NodeId{leader};
  const ChangeOutcome outcome = real::change_membership(file_, change, options);
  switch (outcome.kind) {
    case ChangeOutcome::Kind::kAppended:
    case ChangeOutcome::Kind::kCommitted:
      return fmt::format("{} appends configuration entry {} (term {}): {}",
                         name(outcome.leader.value), outcome.index.value, outcome.term.value,
                         change.describe());
    case ChangeOutcome::Kind::kRefused:
      return fmt::format("{}: refused ({})", change.describe(), outcome.detail);
    case ChangeOutcome::Kind::kNoLeader:
      break;
  }
  return fmt::format("{}: no leader took it ({})", change.describe(), outcome.detail);
}

bool ClusterControl::push_links(uint32_t id) {
  v1::SetLinkFilterRequest q;
  const BlockedPeers b = cuts_.blocked(id);
  auto contains = [](const std::vector<uint32_t>& ids, uint32_t peer) {
    return std::find(ids.begin(), ids.end(), peer) != ids.end();
  };
  for (uint32_t peer = 1; peer <= file_.nodes.size(); ++peer) {
    if (peer == id) continue;
    v1::LinkFilter* filter = q.add_filters();
    filter->set_peer(peer);
    filter->set_drop_to(contains(b.to, peer));
    filter->set_drop_from(contains(b.from, peer));
    filter->set_clog_to(clogged_.contains({id, peer}));
    to_proto(links_.at({id, peer}), *filter->mutable_model());
  }
  grpc::ClientContext c;
  c.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
  v1::ControlReply r;
  return stub(id).SetLinkFilter(&c, q, &r).ok();
}

std::string ClusterControl::push_all() {
  std::vector<uint32_t> pending;
  for (uint32_t id = 1; id <= file_.nodes.size(); ++id)
    if (!absent_.contains(id)) pending.push_back(id);
  // A node that does not answer in time is asked again: links that reach only some nodes make
  // another fault than the one the timeline asked for (a partition cut at one end only still
  // lets the other end send).
  const Clock::time_point deadline = Clock::now() + kControlPatience;
  while (true) {
    std::erase_if(pending, [&](uint32_t id) { return push_links(id); });
    if (pending.empty() || Clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  delivery_ = LinkDelivery{Clock::now(), pending};
  std::string notes;
  for (uint32_t id : pending)
    notes += fmt::format("{}{} did not take its new links", notes.empty() ? "" : "; ", name(id));
  return notes;
}

std::optional<ClusterControl::LinkDelivery> ClusterControl::take_link_delivery() {
  return std::exchange(delivery_, std::nullopt);
}

bool ClusterControl::restore(uint32_t id) {
  const Clock::time_point deadline = Clock::now() + kControlPatience;
  while (!push_links(id)) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace raftsim::real

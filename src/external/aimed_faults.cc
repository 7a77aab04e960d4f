#include "external/aimed_faults.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "scenario/faults.h"

namespace raftsim::external {

using scenario::Fault;
using sim::NodeEventKind;

bool shown_by_reports(NodeEventKind event) {
  return event != NodeEventKind::kPersisted && event != NodeEventKind::kInstallsSnapshot;
}

std::string message_kind_refusal(const scenario::Scenario& s, const Fault& f, const Host& cluster) {
  if (!scenario::is_message_fault(f.kind) || f.messages == sim::kAnyMessage) return "";
  std::string kinds;
  for (size_t i = 0; i < sim::kMessageKinds; ++i)
    if (f.messages & sim::bit(static_cast<sim::MessageKind>(i)))
      kinds += fmt::format("{}{}", kinds.empty() ? "" : ", ",
                           sim::to_string(static_cast<sim::MessageKind>(i)));
  for (uint32_t id = 1; id <= s.world.node_names.size(); ++id) {
    if (f.from != 0 && f.from != scenario::kTriggerNode && f.from != id) continue;
    const MessageKindMap& declared = cluster.features(id).message_kinds;
    if (declared.empty())
      return fmt::format(
          "'{}' picks messages by kind ({}), but {} declared no message kinds (init_ok's "
          "raftsim.message_kinds), so its messages cannot be told apart",
          scenario::to_string(f.kind), kinds, s.node_name(id));
    // A drawn fault may name a kind a node never sends (it affects nothing); one written in the
    // file is a mistake worth saying.
    if (f.where.line > 0 && (declared.declared() & f.messages) == 0)
      return fmt::format("'{}' picks messages of kinds ({}) for which {} declared no type",
                         scenario::to_string(f.kind), kinds, s.node_name(id));
  }
  return "";
}

ReportEvents::ReportEvents(std::vector<std::string> node_names)
    : names_(std::move(node_names)), seen_(names_.size()) {}

void ReportEvents::on_start(uint32_t id) {
  Seen& s = seen_.at(id - 1);
  s.role = "follower";
  s.applied = 0;
}

std::vector<sim::NodeEvent> ReportEvents::on_report(uint32_t id, const StateReport& r) {
  Seen& s = seen_.at(id - 1);
  std::vector<sim::NodeEvent> out;
  // Term and vote outlive a restart (they are on the node's disk): the first report of a new
  // life repeats the vote it had, which is no new grant.
  const bool new_vote = !r.voted_for.empty() && r.voted_for != names_[id - 1] &&
                        (r.term != s.term || r.voted_for != s.voted_for);
  if (new_vote)
    for (uint32_t candidate = 1; candidate <= names_.size(); ++candidate)
      if (names_[candidate - 1] == r.voted_for)
        out.push_back({NodeEventKind::kGrantsVote, id, candidate});
  for (uint64_t index = s.applied + 1; index <= r.commit_index; ++index)
    out.push_back({NodeEventKind::kApplies, id, index});
  const bool new_term = r.term > s.term;
  if (r.role == "candidate" && (s.role != "candidate" || new_term))
    out.push_back({NodeEventKind::kBecomesCandidate, id, 0});
  if (r.role == "leader" && (s.role != "leader" || new_term))
    out.push_back({NodeEventKind::kBecomesLeader, id, 0});
  const uint64_t uncommitted =
      r.last_log_index > r.commit_index ? r.last_log_index - r.commit_index : 0;
  if (s.uncommitted != uncommitted) out.push_back({NodeEventKind::kUncommitted, id, uncommitted});
  s.role = r.role;
  s.term = r.term;
  s.voted_for = r.voted_for;
  s.applied = std::max(s.applied, r.commit_index);
  s.uncommitted = uncommitted;
  return out;
}

ExternalTriggers::ExternalTriggers(Host& host, const scenario::Scenario& s, Fire fire)
    : host_(host),
      s_(s),
      fire_(std::move(fire)),
      events_(s.world.node_names),
      uncommitted_(s.world.node_names.size() + 1, 0) {}

void ExternalTriggers::add(const Fault& f, size_t index) {
  const size_t slot = armed_.size();
  armed_.push_back({f, index});
  host_.at(sim::micros(f.at), [this, slot] { armed_[slot].armed = true; });
  if (f.when->by != sim::SimTime::max())
    host_.at(sim::micros(f.when->by), [this, slot] { armed_[slot].armed = false; });
}

void ExternalTriggers::on_report(uint32_t id, const StateReport& r) {
  for (const sim::NodeEvent& e : events_.on_report(id, r)) {
    uint64_t was = 0;
    if (e.kind == NodeEventKind::kUncommitted) was = std::exchange(uncommitted_[id], e.value);
    for (Armed& a : armed_) {
      const scenario::Trigger& t = *a.fault.when;
      if (!a.armed || t.event != e.kind || (t.node != 0 && t.node != e.node)) continue;
      if (e.kind == NodeEventKind::kUncommitted && !(was < t.entries && e.value >= t.entries))
        continue;
      if (++a.seen < t.nth) continue;
      a.armed = false;
      Fault c = a.fault;
      c.when.reset();
      for (uint32_t* node : {&c.from, &c.to})
        if (*node == scenario::kTriggerNode) *node = e.node;
      for (uint32_t& node : c.nodes)
        if (node == scenario::kTriggerNode) node = e.node;
      const std::string why =
          fmt::format("{} {}", s_.node_name(e.node), scenario::what_happened(e.kind, e.value, s_));
      // Not inside the node's step (a crash there would cut the step short): once it is over.
      host_.at(host_.now(), [this, c = std::move(c), index = a.index, why]() mutable {
        c.at = sim::kTimeZero + sim::Duration{host_.now()};
        fire_(c, index, why);
      });
    }
  }
}

}  // namespace raftsim::external

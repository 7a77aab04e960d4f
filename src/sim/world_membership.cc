// Membership changes in the simulated world: asking the leader, retrying what time can lift, and
// tracing what each node acts on.
#include <fmt/format.h>

#include "sim/world.h"

namespace raftsim::sim {

namespace {

std::string node_names(const std::vector<raft::NodeId>& ids, const World& world) {
  std::string out;
  for (raft::NodeId id : ids)
    out += (out.empty() ? "" : " ") + world.name(id.value);
  return out;
}

bool passes(raft::ChangeRefusal why) {
  return why != raft::ChangeRefusal::kNoEffect && why != raft::ChangeRefusal::kInvalid;
}

}  // namespace

raft::Configuration bootstrap_configuration(const WorldConfig& config) {
  raft::Configuration c;
  for (uint32_t id = 1; id <= config.node_names.size(); ++id) {
    if (config.voters.empty()) c.voters.push_back(raft::NodeId{id});
  }
  for (uint32_t id : config.voters)
    c.voters.push_back(raft::NodeId{id});
  for (uint32_t id : config.learners)
    c.learners.push_back(raft::NodeId{id});
  return c;
}

std::string describe_configuration(const raft::Configuration& c, const World& world) {
  std::string out = "voters {" + node_names(c.voters, world) + "}";
  if (c.joint()) out += " and outgoing voters {" + node_names(c.outgoing, world) + "}";
  if (!c.learners.empty()) out += ", learners {" + node_names(c.learners, world) + "}";
  return out;
}

uint32_t World::leading_node() const {
  uint32_t leader = 0;
  raft::Term best{};
  for (uint32_t id = 1; id <= node_count(); ++id) {
    const node::Node* n = node(id);
    if (!n || nodes_[id - 1].paused || n->core().role() != raft::Role::kLeader) continue;
    if (leader == 0 || n->core().term() > best) {
      leader = id;
      best = n->core().term();
    }
  }
  return leader;
}

raft::Configuration World::leader_configuration() const {
  const uint32_t leader = leading_node();
  return leader == 0 ? bootstrap_configuration(config_) : node(leader)->core().configuration();
}

void World::change_membership(const raft::ConfChange& change, SimTime give_up,
                              std::function<void()> appended) {
  ask_for_change(change, give_up, std::move(appended), /*catch_up_told=*/false);
}

void World::ask_for_change(const raft::ConfChange& change, SimTime give_up,
                           std::function<void()> appended, bool catch_up_told) {
  const uint32_t leader = leading_node();
  raft::ChangeResult result;
  if (leader != 0) {
    result = nodes_[leader - 1].node->change(change);
    after_event(leader);
  }
  const std::string what = change.describe();
  if (result.accepted()) {
    if (appended) appended();
    return note_fault(fmt::format("{} appends configuration entry {} (term {}): {}", name(leader),
                                  result.index.value, result.term.value, what));
  }
  // A server catching up is asked about again each heartbeat, the pace at which it is sent
  // entries (§4.2.1's rounds); anything else may take an election timeout to lift.
  const bool behind = result.refusal == raft::ChangeRefusal::kNewVoterBehind ||
                      result.refusal == raft::ChangeRefusal::kLearnerBehind;
  const SimTime retry =
      now_ + config_.tick * (behind ? config_.heartbeat_ticks : config_.election_timeout_ticks);
  if (!passes(result.refusal) || retry > give_up) {
    return note_fault(fmt::format("{}: refused ({}){}", what, raft::to_string(result.refusal),
                                  passes(result.refusal) ? ", given up" : ""));
  }
  if (behind && !catch_up_told) {
    note_fault(fmt::format("{} catches up the new voters before it makes the change (§4.2.1): {}",
                           name(leader), what));
    catch_up_told = true;
  }
  at(retry, [this, change, give_up, appended = std::move(appended), catch_up_told] {
    ask_for_change(change, give_up, appended, catch_up_told);
  });
}

void World::trace_configuration(uint32_t id) {
  SimNode& sn = nodes_[id - 1];
  const raft::Raft& core = sn.node->core();
  sn.seen_configuration = core.configuration();
  ++configurations_version_;
  trace_.record({.time = now_,
                 .kind = TraceKind::kNote,
                 .flag = core.configuration().joint(),
                 .node = id,
                 .a = core.configuration_index().value,
                 .b = core.commit_index() >= core.configuration_index() ? 1u : 0u,
                 .text = fmt::format("{} acts on configuration {} (entry {})", sn.name,
                                     describe_configuration(core.configuration(), *this),
                                     core.configuration_index().value)});
  changed_ = true;
}

}  // namespace raftsim::sim

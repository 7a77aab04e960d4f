#include "scenario/monitor.h"

#include <fmt/format.h>

#include <algorithm>

#include "node/kv.h"

namespace raftsim::scenario {

namespace {

std::vector<raft::NodeId> ids(uint32_t n) {
  std::vector<raft::NodeId> out;
  for (uint32_t i = 1; i <= n; ++i)
    out.push_back(raft::NodeId{i});
  return out;
}

bool in_window(const Expectation& e, SimTime now) {
  return now >= e.from && now <= e.to;
}

bool in_group(const Expectation& e, uint32_t node) {
  return e.group.empty() || std::find(e.group.begin(), e.group.end(), node) != e.group.end();
}

}  // namespace

Monitor::Monitor(const Scenario& scenario, uint64_t seed, std::function<void(size_t)> on_violation)
    : scenario_(scenario),
      invariants_(ids(static_cast<uint32_t>(scenario.world.node_names.size())), seed),
      on_violation_(std::move(on_violation)),
      role_(scenario.world.node_names.size() + 1, raft::Role::kFollower),
      max_commit_(scenario.world.node_names.size() + 1, 0),
      observations_(scenario.expectations.size()) {
  invariants_.set_node_names(scenario.world.node_names);
  invariants_.set_bootstrap_configuration(sim::bootstrap_configuration(scenario.world));
  invariants_.set_durability_reported(true);  // the world reports every completed sync
  invariants_.set_syncs_reported(true);
  invariants_.set_send_budget(scenario.world.max_appends_per_round);
  invariants_.set_reads_reported(true);
  invariants_.set_steps_reported(true);
}

void Monitor::report_new_violations() {
  while (violations_seen_ < invariants_.violations().size())
    on_violation_(violations_seen_++);
}

void Monitor::on_log_write(SimTime now, raft::NodeId node, const raft::Log& log,
                           const std::vector<raft::Entry>& written) {
  if (!checking_) return;
  invariants_.on_log_write(sim::micros(now), node, log, written);
  report_new_violations();
}

void Monitor::on_persisted(SimTime now, raft::NodeId node, const raft::HardState& hs) {
  if (!checking_) return;
  invariants_.on_persisted(sim::micros(now), node, hs);
}

void Monitor::on_synced(SimTime, raft::NodeId node, raft::Index snapshot,
                        const std::vector<raft::Entry>& entries) {
  if (!checking_) return;
  invariants_.on_synced(node, snapshot, entries);
}

void Monitor::on_apply(SimTime now, raft::NodeId node, const raft::Entry& entry) {
  if (entry.index.value == first_applied_.size() + 1) {
    std::optional<node::KvCommand> c;
    if (entry.type == raft::EntryType::kCommand) c = node::decode(entry.command);
    first_applied_.push_back(c ? check::CommittedCommand{c->client_id, c->seq}
                               : check::CommittedCommand{});
  }
  if (!checking_) return;
  invariants_.on_apply(sim::micros(now), node, entry);
  report_new_violations();
}

void Monitor::on_restart(SimTime now, raft::NodeId node, bool disk_lost) {
  if (!checking_) return;
  invariants_.on_restart(sim::micros(now), node, disk_lost);
  role_[node.value] = raft::Role::kFollower;
}

void Monitor::on_restore(SimTime now, raft::NodeId node, raft::Index index, raft::Term term) {
  if (!checking_) return;
  invariants_.on_restore(sim::micros(now), node, index, term);
  report_new_violations();
}

void Monitor::on_compact(SimTime now, raft::NodeId node, raft::Index index, raft::Term term) {
  if (!checking_) return;
  invariants_.on_compact(sim::micros(now), node, index, term);
  report_new_violations();
}

void Monitor::on_send(SimTime now, raft::NodeId from, const raft::Message& m) {
  if (!checking_) return;
  invariants_.on_send(sim::micros(now), from, m);
  report_new_violations();
}

void Monitor::on_step(SimTime now, const raft::Raft& receiver, const raft::Message& m) {
  if (!checking_) return;
  invariants_.on_step(sim::micros(now), receiver, m);
}

void Monitor::on_stepped(SimTime now, const raft::Raft& receiver, const raft::Message& m) {
  if (!checking_) return;
  invariants_.on_stepped(sim::micros(now), receiver, m);
  report_new_violations();
}

void Monitor::on_tick(SimTime, const raft::Raft& core) {
  if (!checking_) return;
  invariants_.on_tick(core);
}

void Monitor::on_ticked(SimTime now, const raft::Raft& core) {
  if (!checking_) return;
  invariants_.on_ticked(sim::micros(now), core);
  report_new_violations();
}

void Monitor::on_ready(SimTime now, const raft::Raft& core, const raft::Ready& rd) {
  if (!checking_) return;
  invariants_.on_ready(sim::micros(now), core, rd);
  report_new_violations();
}

void Monitor::on_read_begun(SimTime, const raft::Raft& core, uint64_t request) {
  if (!checking_) return;
  invariants_.on_read_begun(core, request);
}

void Monitor::on_read_answered(SimTime now, const raft::Raft& core, uint64_t request,
                               bool confirmed) {
  if (!checking_) return;
  invariants_.on_read_answered(sim::micros(now), core, request, confirmed);
  report_new_violations();
}

void Monitor::on_state(SimTime now, const raft::Raft& core) {
  if (!checking_) return;
  invariants_.on_state(sim::micros(now), core);
  report_new_violations();

  const uint32_t id = core.id().value;
  const bool became_leader = core.role() == raft::Role::kLeader && role_[id] != raft::Role::kLeader;
  const uint64_t commit = core.commit_index().value;
  const bool new_commit = commit > max_commit_[id];
  for (size_t i = 0; i < scenario_.expectations.size(); ++i) {
    observe(scenario_.expectations[i], observations_[i], now, core, became_leader, new_commit);
  }
  role_[id] = core.role();
  max_commit_[id] = std::max(max_commit_[id], commit);
  highest_commit_ = std::max(highest_commit_, commit);
}

void Monitor::observe(const Expectation& e, Observation& o, SimTime now, const raft::Raft& core,
                      bool became_leader, bool new_commit) {
  if (o.happened) return;
  const uint32_t id = core.id().value;
  const std::string& name = scenario_.node_name(id);
  const bool leader = core.role() == raft::Role::kLeader;
  auto happened = [&](std::string note) {
    o = {true, now, fmt::format("{} at {:.3f}s", note, sim::seconds(now))};
  };
  switch (e.kind) {
    case Expectation::Kind::kNoLeader:
      if (leader && in_window(e, now) && in_group(e, id)) {
        happened(fmt::format("{} was leader of term {}", name, core.term().value));
      }
      return;
    case Expectation::Kind::kNoElection:
      if (became_leader && in_window(e, now) && in_group(e, id)) {
        happened(fmt::format("{} became leader of term {}", name, core.term().value));
      }
      return;
    case Expectation::Kind::kNoCommit:
      if (new_commit && in_window(e, now) && in_group(e, id)) {
        happened(fmt::format("{} committed up to {}", name, core.commit_index().value));
      }
      return;
    case Expectation::Kind::kLeaderWithin:
      if (leader && now >= e.from && now <= e.from + e.within && in_group(e, id)) {
        happened(fmt::format("{} leads term {}", name, core.term().value));
      }
      return;
    case Expectation::Kind::kTermAtMost:
      if (core.term().value > e.count && in_window(e, now)) {
        happened(fmt::format("{} reached term {}", name, core.term().value));
      }
      return;
    case Expectation::Kind::kTermAbove:
      if (core.term().value > e.count && now <= e.to) {
        happened(fmt::format("{} reached term {}", name, core.term().value));
      }
      return;
    default:
      return;  // judged at the end of the run
  }
}

}  // namespace raftsim::scenario

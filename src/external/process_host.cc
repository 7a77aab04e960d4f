#include "external/process_host.h"

#include <fmt/format.h>

#include <algorithm>

#include "scenario/faults.h"

namespace raftsim::external {

using scenario::Fault;

std::vector<uint32_t> ProcessHost::ids_of(size_t n) {
  std::vector<uint32_t> ids;
  for (uint32_t id = 1; id <= n; ++id)
    ids.push_back(id);
  return ids;
}

Json ProcessHost::cluster_settings() const {
  const int64_t tick_ms = std::max<int64_t>(1, s_.world.tick.count() / 1000);
  const raft::Options& o = s_.world.options;
  return Json{{"election_timeout_ms", tick_ms * s_.world.election_timeout_ticks},
              {"heartbeat_ms", tick_ms * s_.world.heartbeat_ticks},
              {"pre_vote", o.pre_vote},
              {"check_quorum", o.check_quorum},
              {"vote_lease", o.vote_lease},
              {"max_entries_per_append", s_.world.max_entries_per_append},
              {"max_appends_per_round", s_.world.max_appends_per_round}};
}

ProcessHost::ProcessHost(const scenario::Scenario& s, std::string dir)
    : s_(s),
      dir_(std::move(dir)),
      nodes_(s.world.node_names.size()),
      cuts_(ids_of(s.world.node_names.size())) {
  for (uint32_t id = 1; id <= nodes_.size(); ++id) {
    nodes_[id - 1].name = s.node_name(id);
    for (uint32_t peer = 1; peer <= nodes_.size(); ++peer)
      if (peer != id) links_[{id, peer}] = s.world.network;
  }
}

ProcessHost::~ProcessHost() {
  for (Node& n : nodes_)
    n.process.kill();
}

std::string ProcessHost::stderr_path(uint32_t id) const {
  return fmt::format("{}/logs/{}.stderr", dir_, nodes_.at(id - 1).name);
}

void ProcessHost::fail(std::string why) {
  if (failure_.empty()) failure_ = std::move(why);
}

uint32_t ProcessHost::id_of(const std::string& name) const {
  for (uint32_t id = 1; id <= nodes_.size(); ++id)
    if (nodes_[id - 1].name == name) return id;
  return 0;
}

bool ProcessHost::blocked(uint32_t from, uint32_t to) const {
  const real::BlockedPeers b = cuts_.blocked(from);
  return std::find(b.to.begin(), b.to.end(), to) != b.to.end();
}

uint32_t ProcessHost::reported_leader() const {
  uint32_t leader = 0;
  uint64_t best = 0;
  for (uint32_t id = 1; id <= nodes_.size(); ++id) {
    const Node& n = nodes_[id - 1];
    if (!n.up || n.paused || !n.last_report || n.last_report->role != "leader") continue;
    if (leader == 0 || n.last_report->term > best) {
      leader = id;
      best = n.last_report->term;
    }
  }
  return leader;
}

uint64_t ProcessHost::started(uint32_t id) {
  Node& n = nodes_[id - 1];
  if (on_spawn) on_spawn(id, std::exchange(n.wiped, false));
  n.up = true;
  n.paused = false;
  n.awaiting_init = true;
  ++n.life;
  n.last_report.reset();
  n.init_msg_id = ++raftsim_msg_id_;
  return n.init_msg_id;
}

std::string ProcessHost::apply(const Fault& f, std::optional<Fault>& undo, uint64_t id) {
  applying(f);
  if (scenario::is_message_fault(f.kind)) {
    filters_.add(scenario::message_filter_of(f, id));
    return "";
  }
  if (f.kind == scenario::FaultKind::kTransfer && f.nodes.size() == 2) {
    // The node decides, as raftsim's own core does: one that does not lead ignores it.
    const bool sent = send_to_node(std::string(kRaftsimName), f.nodes[0],
                                   Json{{"type", "raftsim_transfer"},
                                        {"msg_id", next_raftsim_msg_id()},
                                        {"to", nodes_[f.nodes[1] - 1].name}});
    return sent ? "" : fmt::format("{} is down, nothing to do", nodes_[f.nodes[0] - 1].name);
  }
  if (f.kind == scenario::FaultKind::kIsolate) {
    // As an isolate_leader pins it: a partition of the node from all the others.
    Fault isolate = f;
    isolate.kind = scenario::FaultKind::kIsolateLeader;
    auto [begin, end] = scenario::pin_leader_fault(isolate, f.nodes.at(0), node_count());
    return apply_fault(begin);
  }
  if (scenario::is_leader_fault(f.kind)) {
    const uint32_t leader = reported_leader();
    if (leader == 0) return "no node reports leading, nothing to do";
    auto [begin, end] = scenario::pin_leader_fault(f, leader, node_count());
    undo = std::move(end);
    const std::string done = apply(begin, undo, id);
    return fmt::format("{} (the leader){}", scenario::describe_fault(begin, s_),
                       done.empty() ? "" : ": " + done);
  }
  if (scenario::change_link_models(f, node_count(),
                                   [&](uint32_t from, uint32_t to) -> sim::LinkModel& {
                                     return links_[{from, to}];
                                   }))
    return "";
  return apply_fault(f);
}

bool ProcessHost::shape(uint32_t from, uint32_t to, const Envelope& m, sim::Routing& r) {
  if (filters_.empty()) return true;
  const std::optional<sim::MessageKind> kind =
      nodes_[from - 1].features.message_kinds.kind_of(m.body);
  const std::optional<sim::MessageFilter> filter = filters_.take(from, to, kind);
  if (!filter) return true;
  const std::string what =
      fmt::format("{}->{} {}{}", m.src, m.dest, m.type(),
                  kind ? fmt::format(" ({})", sim::to_string(*kind)) : std::string());
  const std::string left = fmt::format("({} more to come)", filter->count - 1);
  using Action = sim::MessageFilter::Action;
  switch (filter->action) {
    case Action::kDrop:
      message_fault_noted(fmt::format("drop_messages: {} dropped {}", what, left));
      return false;
    case Action::kDelay:
      r.delay += filter->delay;
      message_fault_noted(
          fmt::format("delay_messages: {} delayed {}us {}", what, filter->delay.count(), left));
      return true;
    case Action::kDuplicate:
      r.duplicated = true;
      r.duplicate_delay = r.delay + filter->delay;
      message_fault_noted(fmt::format("duplicate_messages: {} sent twice {}", what, left));
      return true;
    case Action::kHold:
      message_fault_noted(fmt::format(
          "hold_messages: {} held back until the next message on its link {}", what, left));
      held_[{from, to}].push_back(m);
      return false;
  }
  return true;
}

std::vector<Envelope> ProcessHost::release_held(uint32_t from, uint32_t to) {
  auto it = held_.find({from, to});
  if (it == held_.end()) return {};
  std::vector<Envelope> out = std::move(it->second);
  held_.erase(it);
  return out;
}

void ProcessHost::bad_line(uint32_t id, const std::string& line, const std::string& why) {
  const Node& n = nodes_[id - 1];
  fail(fmt::format("{}: stdout line {}: {}: {} (stderr: {})", n.name, n.line, why,
                   escape_bytes(line), stderr_path(id)));
}

void ProcessHost::take_line(uint32_t id, const std::string& line) {
  Node& n = nodes_[id - 1];
  auto decoded = decode(line);
  if (auto* why = std::get_if<std::string>(&decoded)) return bad_line(id, line, *why);
  const Envelope& m = std::get<Envelope>(decoded);
  if (m.src != n.name)
    return bad_line(id, line, fmt::format("src is \"{}\", not \"{}\"", m.src, n.name));
  if (intercept(id, m, line)) return;
  if (n.awaiting_init) {
    if (m.dest != kRaftsimName) return bad_line(id, line, "a message before init_ok");
    auto features = read_init_ok(m.body, n.init_msg_id);
    if (auto* why = std::get_if<std::string>(&features)) return bad_line(id, line, *why);
    n.features = std::get<Features>(features);
    n.awaiting_init = false;
    return initialised(id);
  }
  if (m.dest == kRaftsimName) {
    if (m.type() == "raftsim_state") {
      auto report = read_state_report(m.body);
      if (auto* why = std::get_if<std::string>(&report)) return bad_line(id, line, *why);
      n.last_report = std::get<StateReport>(report);
      if (on_state) on_state(id, *n.last_report);
      return;
    }
    if (!extension(id, m) && failure_.empty()) bad_line(id, line, "an unknown message to raftsim");
    return;
  }
  if (const uint32_t to = id_of(m.dest); to != 0) return route(id, to, m);
  if (m.dest.size() > 1 && m.dest[0] == 'c' &&
      m.dest.find_first_not_of("0123456789", 1) == std::string::npos) {
    if (on_client_message) on_client_message(m);
    return;
  }
  bad_line(id, line, fmt::format("unknown destination \"{}\"", m.dest));
}

}  // namespace raftsim::external

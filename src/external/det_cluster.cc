#include "external/det_cluster.h"

#include <fmt/format.h>
#include <poll.h>

#include <algorithm>
#include <filesystem>
#include <utility>

#include "scenario/faults.h"

namespace raftsim::external {

namespace fs = std::filesystem;
using scenario::Fault;
using scenario::FaultKind;

namespace {

std::vector<uint32_t> ids_of(size_t n) {
  std::vector<uint32_t> ids;
  for (uint32_t id = 1; id <= n; ++id)
    ids.push_back(id);
  return ids;
}

constexpr uint64_t kMaxEventsAtOneTime = 100000;

int64_t millis(sim::Duration d) {
  return std::max<int64_t>(1, d.count() / 1000);
}

Json envelope(const std::string& src, const std::string& dest, Json body) {
  return Json{{"src", src}, {"dest", dest}, {"body", std::move(body)}};
}

}  // namespace

DetCluster::DetCluster(const scenario::Scenario& s, Settings settings)
    : s_(s),
      settings_(std::move(settings)),
      nodes_(s.world.node_names.size()),
      cuts_(ids_of(s.world.node_names.size())),
      rng_(settings_.seed ^ 0x6e6574776f726bULL) {
  for (uint32_t id = 1; id <= nodes_.size(); ++id) {
    nodes_[id - 1].name = s.node_name(id);
    for (uint32_t peer = 1; peer <= nodes_.size(); ++peer)
      if (peer != id) links_[{id, peer}] = s.world.network;
  }
}

DetCluster::~DetCluster() {
  for (Node& n : nodes_)
    n.process.kill();
}

std::string DetCluster::stderr_path(uint32_t id) const {
  return fmt::format("{}/logs/{}.stderr", settings_.dir, nodes_.at(id - 1).name);
}

uint32_t DetCluster::id_of(const std::string& name) const {
  for (uint32_t id = 1; id <= nodes_.size(); ++id)
    if (nodes_[id - 1].name == name) return id;
  return 0;
}

void DetCluster::mix(const std::string& text) {
  for (unsigned char c : text) {
    digest_ ^= c;
    digest_ *= 1099511628211ULL;
  }
  digest_ ^= '\n';
  digest_ *= 1099511628211ULL;
}

void DetCluster::fail(std::string why) {
  if (failure_.empty()) failure_ = std::move(why);
}

std::string DetCluster::spawn(uint32_t id) {
  Node& n = nodes_[id - 1];
  std::error_code ec;
  fs::create_directories(fs::path(stderr_path(id)).parent_path(), ec);
  const std::string error =
      n.process.spawn(settings_.command, {}, stderr_path(id), settings_.limits);
  if (!error.empty()) return fmt::format("{}: cannot start the node: {}", n.name, error);
  if (on_spawn) on_spawn(id, std::exchange(n.wiped, false));
  n.up = true;
  n.paused = false;
  n.awaiting_init = true;
  ++n.life;
  n.last_report.reset();
  ++n.wake_generation;
  n.wake_held = false;
  n.held.clear();
  n.init_msg_id = ++raftsim_msg_id_;
  const Json extension{
      {"deterministic", true},
      {"disk", true},
      {"election_timeout_ms", millis(s_.world.tick) * s_.world.election_timeout_ticks},
      {"heartbeat_ms", millis(s_.world.tick) * s_.world.heartbeat_ticks},
      {"seed", settings_.seed * 1000003 + id * 1009 + n.life}};
  step(id, envelope(std::string(kRaftsimName), n.name,
                    init_body(n.init_msg_id, n.name, s_.world.node_names, extension)));
  return failure_;
}

std::string DetCluster::start() {
  for (uint32_t id = 1; id <= nodes_.size() && failure_.empty(); ++id)
    spawn(id);
  return failure_;
}

void DetCluster::at(Micros when, std::function<void()> action) {
  queue_.push({std::max(when, now_), next_order_++, std::move(action)});
}

void DetCluster::run_until(Micros until) {
  while (failure_.empty() && !queue_.empty() && queue_.top().when <= until) {
    Event e = queue_.top();
    queue_.pop();
    events_at_now_ = e.when == now_ ? events_at_now_ + 1 : 0;
    now_ = e.when;
    // Nodes that keep asking to be woken at the time it is: virtual time would never move.
    if (events_at_now_ > kMaxEventsAtOneTime) {
      fail(
          fmt::format("virtual time stopped at {}us: {} events there, the last one this input: "
                      "{}",
                      now_, events_at_now_, escape_bytes(last_input_, 400)));
      return;
    }
    e.action();
  }
  if (failure_.empty()) now_ = std::max(now_, until);
}

void DetCluster::step(uint32_t id, Json input) {
  Node& n = nodes_[id - 1];
  input["time_us"] = now_;
  const std::string line = input.dump();
  last_input_ = fmt::format("{} < {}", n.name, line);
  mix(fmt::format("{} {} < {}", now_, n.name, line));
  ++steps_;
  n.process.send(line);
  const auto timeout = n.awaiting_init ? settings_.init_timeout : settings_.step_timeout;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool done = false;
  while (!done && failure_.empty()) {
    n.process.flush();
    Process::Output out = n.process.read();
    for (size_t i = 0; i < out.lines.size() && failure_.empty(); ++i) {
      ++n.line;
      if (done) {
        fail(
            fmt::format("{}: stdout line {}: a line after raftsim_step_done, before any input: "
                        "{} (stderr: {})",
                        n.name, n.line, escape_bytes(out.lines[i]), stderr_path(id)));
        break;
      }
      take_line(id, out.lines[i], done);
    }
    if (!failure_.empty() || done) break;
    if (!out.error.empty()) {
      fail(fmt::format("{}: {} (stdout line {}; stderr: {})", n.name, out.error, n.line + 1,
                       stderr_path(id)));
      break;
    }
    if (!out.lines.empty()) continue;
    std::string status;
    if (n.process.exited(status)) {
      fail(fmt::format("{} {} by itself (stderr: {})", n.name, status, stderr_path(id)));
      break;
    }
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) {
      if (n.awaiting_init) {
        fail(fmt::format("{} did not answer init with init_ok within {}ms (stderr: {})", n.name,
                         timeout.count(), stderr_path(id)));
        break;
      }
      fail(
          fmt::format("{} did not end its step (raftsim_step_done) within {}ms of this input: "
                      "{} (stderr: {})",
                      n.name, timeout.count(), escape_bytes(line), stderr_path(id)));
      break;
    }
    pollfd fd{n.process.stdout_fd(), POLLIN, 0};
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(left).count();
    ::poll(&fd, 1, static_cast<int>(std::clamp<int64_t>(wait, 1, 100)));
  }
}

void DetCluster::take_line(uint32_t id, const std::string& line, bool& done) {
  Node& n = nodes_[id - 1];
  auto bad = [&](const std::string& why) {
    fail(fmt::format("{}: stdout line {}: {}: {} (stderr: {})", n.name, n.line, why,
                     escape_bytes(line), stderr_path(id)));
  };
  auto decoded = decode(line);
  if (auto* why = std::get_if<std::string>(&decoded)) return bad(*why);
  Envelope& m = std::get<Envelope>(decoded);
  if (m.src != n.name) return bad(fmt::format("src is \"{}\", not \"{}\"", m.src, n.name));
  mix(fmt::format("{} > {}", n.name, line));
  const std::string type = m.type();
  // The disk service answers at once, before init_ok too: a node loads its state in init.
  if (m.dest == kRaftsimName && type.starts_with("disk_")) {
    auto reply = n.disk.serve(m.body);
    if (auto* why = std::get_if<std::string>(&reply)) return bad(*why);
    const std::string answer =
        envelope(std::string(kRaftsimName), n.name, std::get<Json>(reply)).dump();
    mix(fmt::format("{} < {}", n.name, answer));
    n.process.send(answer);
    return;
  }
  if (n.awaiting_init) {
    if (m.dest != kRaftsimName) return bad("a message before init_ok");
    auto features = read_init_ok(m.body, n.init_msg_id);
    if (auto* why = std::get_if<std::string>(&features)) return bad(*why);
    n.features = std::get<Features>(features);
    n.awaiting_init = false;
    if (!n.features.deterministic) {
      not_deterministic_ = true;
      fail(
          fmt::format("{} does not support deterministic mode: its init_ok has no "
                      "\"raftsim\": {{\"deterministic\": true}}, so it runs on the wall clock "
                      "(docs/external-protocol.md)",
                      n.name));
    }
    return;
  }
  if (m.dest == kRaftsimName) {
    if (type == "raftsim_step_done") {
      auto wake_at = m.body.find("wake_at_us");
      if (wake_at != m.body.end() && !wake_at->is_null()) {
        if (!wake_at->is_number_integer()) return bad("wake_at_us is not an integer or null");
        const Micros asked = std::max<Micros>(wake_at->get<Micros>(), now_);
        const Micros when = now_ + static_cast<Micros>(static_cast<double>(asked - now_) * n.skew);
        const uint64_t generation = ++n.wake_generation;
        at(when, [this, id, life = n.life, generation] {
          Node& node = nodes_[id - 1];
          if (node.up && node.life == life && node.wake_generation == generation) this->wake(id);
        });
      }
      done = true;
      return;
    }
    if (type == "raftsim_state") {
      auto report = read_state_report(m.body);
      if (auto* why = std::get_if<std::string>(&report)) return bad(*why);
      n.last_report = std::get<StateReport>(report);
      if (on_state) on_state(id, *n.last_report);
      return;
    }
    return bad("an unknown message to raftsim");
  }
  if (const uint32_t to = id_of(m.dest); to != 0) return route(id, to, m);
  if (m.dest.size() > 1 && m.dest[0] == 'c' &&
      m.dest.find_first_not_of("0123456789", 1) == std::string::npos) {
    if (on_client_message) on_client_message(m);
    return;
  }
  bad(fmt::format("unknown destination \"{}\"", m.dest));
}

void DetCluster::deliver(uint32_t id, uint64_t life, const std::string& line) {
  Node& n = nodes_[id - 1];
  if (!n.up || (life != 0 && n.life != life)) return;
  if (n.paused) {
    n.held.push_back(line);
    return;
  }
  step(id, Json::parse(line));
}

void DetCluster::wake(uint32_t id) {
  Node& n = nodes_[id - 1];
  if (n.paused) {
    n.wake_held = true;
    return;
  }
  step(id, envelope(std::string(kRaftsimName), n.name, Json{{"type", "raftsim_wake"}}));
}

void DetCluster::route(uint32_t from, uint32_t to, const Envelope& m) {
  const real::BlockedPeers blocked = cuts_.blocked(from);
  if (std::find(blocked.to.begin(), blocked.to.end(), to) != blocked.to.end()) return;
  const std::string line = envelope(m.src, m.dest, m.body).dump();
  if (clogged_.contains({from, to})) {
    clog_held_.push_back({{from, to}, line});
    return;
  }
  const sim::Routing r = sim::route_on(links_.at({from, to}), rng_);
  if (r.fate != sim::Routing::Fate::kDeliver) return;
  // A message meets the cuts in force when it arrives too, as in the simulated network.
  auto arrive = [this, from, to, line] {
    const real::BlockedPeers b = cuts_.blocked(from);
    if (std::find(b.to.begin(), b.to.end(), to) != b.to.end()) return;
    deliver(to, 0, line);
  };
  at(now_ + r.delay.count(), arrive);
  if (r.duplicated) at(now_ + r.duplicate_delay.count(), arrive);
}

bool DetCluster::send_to_node(const std::string& from, uint32_t id, const Json& body) {
  Node& n = nodes_[id - 1];
  if (!n.up) return false;
  // Never inside another node's step: the request arrives as an event of its own.
  at(now_, [this, id, life = n.life, line = envelope(from, n.name, body).dump()] {
    deliver(id, life, line);
  });
  return true;
}

uint32_t DetCluster::reported_leader() const {
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

std::string DetCluster::apply(const Fault& f, std::optional<Fault>& undo) {
  mix(fmt::format("{} fault {}", now_, scenario::to_string(f.kind)));
  if (scenario::is_leader_fault(f.kind)) {
    const uint32_t leader = reported_leader();
    if (leader == 0) return "no node reports leading, nothing to do";
    auto [begin, end] = scenario::pin_leader_fault(f, leader, nodes_.size());
    undo = std::move(end);
    const std::string done = apply(begin, undo);
    return fmt::format("{} (the leader){}", scenario::describe_fault(begin, s_),
                       done.empty() ? "" : ": " + done);
  }
  const uint32_t n = static_cast<uint32_t>(nodes_.size());
  auto each_target = [&](auto&& change) {
    for (uint32_t a = 1; a <= n; ++a)
      for (uint32_t b = 1; b <= n; ++b) {
        const bool named = f.links.empty() || std::find(f.links.begin(), f.links.end(),
                                                        std::make_pair(a, b)) != f.links.end();
        if (a != b && named) change(links_[{a, b}]);
      }
  };
  auto release = [&](auto&& which) {
    std::vector<std::pair<std::pair<uint32_t, uint32_t>, std::string>> keep, out;
    for (auto& held : clog_held_)
      (which(held.first) ? out : keep).push_back(std::move(held));
    clog_held_ = std::move(keep);
    for (auto& [link, line] : out) {
      clogged_.erase(link);
      auto decoded = decode(line);
      route(link.first, link.second, std::get<Envelope>(decoded));
    }
  };
  switch (f.kind) {
    case FaultKind::kPartition:
      cuts_.partition(f.groups);
      return "";
    case FaultKind::kCut:
      cuts_.cut(f.links);
      return "";
    case FaultKind::kHeal:
      cuts_.heal();
      clogged_.clear();
      release([](auto) { return true; });
      return "";
    case FaultKind::kClog:
      for (const auto& link : f.links)
        clogged_.insert(link);
      return "";
    case FaultKind::kUnclog:
      for (const auto& link : f.links)
        clogged_.erase(link);
      release([&](auto link) { return !clogged_.contains(link); });
      return "";
    case FaultKind::kDelay:
      each_target([&](sim::LinkModel& link) { link.extra_delay = f.delay; });
      return "";
    case FaultKind::kLoss:
      each_target([&](sim::LinkModel& link) { link.loss = f.rate; });
      return "";
    case FaultKind::kDuplicate:
      each_target([&](sim::LinkModel& link) { link.duplicate = f.rate; });
      return "";
    default:
      return node_fault(f);
  }
}

void DetCluster::crash(uint32_t id) {
  Node& n = nodes_[id - 1];
  if (!n.up) return;
  n.process.kill();
  n.up = false;
  n.paused = false;
  n.held.clear();
  n.disk.crash();
}

std::string DetCluster::node_fault(const Fault& f) {
  std::string notes;
  auto note = [&](const std::string& text) { notes += (notes.empty() ? "" : "; ") + text; };
  for (uint32_t id : f.nodes) {
    Node& node = nodes_[id - 1];
    switch (f.kind) {
      case FaultKind::kElect:
        send_to_node(std::string(kRaftsimName), id,
                     Json{{"type", "raftsim_campaign"}, {"msg_id", ++raftsim_msg_id_}});
        break;
      case FaultKind::kCrash:
        crash(id);
        break;
      case FaultKind::kWipe: {
        // As in the simulator: a running node is crashed and restarted empty; one that is down
        // stays down, and finds its disk empty when it restarts.
        const bool was_up = node.up;
        crash(id);
        node.disk.wipe();
        node.wiped = true;
        if (was_up && !spawn(id).empty()) return notes;
        break;
      }
      case FaultKind::kRestart:
        crash(id);
        if (std::string e = spawn(id); !e.empty()) return notes;
        break;
      case FaultKind::kPause:
        if (node.up) node.paused = true;
        break;
      case FaultKind::kResume: {
        if (!node.paused) break;
        node.paused = false;
        std::vector<std::string> held = std::move(node.held);
        node.held.clear();
        const bool wake_held = std::exchange(node.wake_held, false);
        // Replayed in the order they reached it, each an event of its own.
        for (std::string& line : held)
          at(now_,
             [this, id, life = node.life, line = std::move(line)] { deliver(id, life, line); });
        if (wake_held)
          at(now_, [this, id, life = node.life] {
            if (nodes_[id - 1].up && nodes_[id - 1].life == life) wake(id);
          });
        break;
      }
      case FaultKind::kFsyncLies:
        node.disk.set_fsync_lies(f.on);
        break;
      case FaultKind::kTornWrite:
        node.disk.arm_torn_write();
        break;
      case FaultKind::kCorrupt:
        note(fmt::format("{}: {}", node.name, node.disk.corrupt(f.record)));
        break;
      case FaultKind::kClockSkew:
        node.skew = f.factor;
        break;
      default:
        note(fmt::format("'{}' cannot be done to an external node", scenario::to_string(f.kind)));
    }
  }
  return notes;
}

}  // namespace raftsim::external

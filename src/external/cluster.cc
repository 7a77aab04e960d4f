#include "external/cluster.h"

#include <fmt/format.h>
#include <poll.h>

#include <algorithm>
#include <filesystem>
#include <thread>
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

int64_t millis(sim::Duration d) {
  return std::max<int64_t>(1, d.count() / 1000);
}

}  // namespace

Cluster::Cluster(const scenario::Scenario& s, Settings settings)
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

Cluster::~Cluster() {
  for (Node& n : nodes_)
    n.process.kill();
}

Cluster::Micros Cluster::now() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0_).count();
}

std::string Cluster::stderr_path(uint32_t id) const {
  return fmt::format("{}/logs/{}.stderr", settings_.dir, nodes_.at(id - 1).name);
}

std::string Cluster::data_dir(uint32_t id) const {
  return fmt::format("{}/data/{}", settings_.dir, nodes_.at(id - 1).name);
}

uint32_t Cluster::id_of(const std::string& name) const {
  for (uint32_t id = 1; id <= nodes_.size(); ++id)
    if (nodes_[id - 1].name == name) return id;
  return 0;
}

std::string Cluster::spawn(uint32_t id) {
  Node& n = nodes_[id - 1];
  std::error_code ec;
  fs::create_directories(data_dir(id), ec);
  fs::create_directories(fs::path(stderr_path(id)).parent_path(), ec);
  const std::string error = n.process.spawn(settings_.command, {"RAFTSIM_DATA_DIR=" + data_dir(id)},
                                            stderr_path(id), settings_.limits);
  if (!error.empty()) return fmt::format("{}: cannot start the node: {}", n.name, error);
  if (on_spawn) on_spawn(id, std::exchange(n.wiped, false));
  n.up = true;
  n.paused = false;
  n.awaiting_init = true;
  ++n.life;
  n.last_report.reset();
  n.init_msg_id = ++raftsim_msg_id_;
  const Json extension{
      {"data_dir", data_dir(id)},
      {"election_timeout_ms", millis(s_.world.tick) * s_.world.election_timeout_ticks},
      {"heartbeat_ms", millis(s_.world.tick) * s_.world.heartbeat_ticks},
      {"seed", settings_.seed * 1000003 + id},
      {"start_at_unix_ms", start_at_unix_ms_}};
  n.process.send(encode({std::string(kRaftsimName), n.name,
                         init_body(n.init_msg_id, n.name, s_.world.node_names, extension)}));
  return "";
}

std::string Cluster::start() {
  // Time 0 is one moment for every node, after all of them are up (as in real mode): a node
  // that honours `start_at_unix_ms` starts its timers then, not when its process came up. The
  // margin starts generous because an interpreter's start on a busy machine can take seconds;
  // when the nodes still answer init after time 0, they are started again with twice the time
  // they took (a loaded machine is slow, not wrong), a few times before giving up.
  constexpr int kAttempts = 3;
  Clock::duration margin = std::chrono::milliseconds(3000 + 500 * static_cast<int>(nodes_.size()));
  for (int attempt = 1;; ++attempt) {
    const Clock::time_point spawned = Clock::now();
    start_at_unix_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                            (std::chrono::system_clock::now() + margin).time_since_epoch())
                            .count();
    t0_ = spawned + margin;
    for (uint32_t id = 1; id <= nodes_.size(); ++id)
      if (std::string e = spawn(id); !e.empty()) return e;
    if (std::string e = wait_for_init(ids_of(nodes_.size()), Clock::now() + settings_.init_timeout);
        !e.empty())
      return e;
    if (now() < 0) return "";
    const Clock::duration took = Clock::now() - spawned;
    if (attempt == kAttempts)
      return fmt::format(
          "the nodes took longer than {}ms to answer init {} times; time 0 had passed each time",
          std::chrono::duration_cast<std::chrono::milliseconds>(margin).count(), kAttempts);
    for (Node& n : nodes_) {
      n.process.kill();
      n.up = false;
    }
    margin = std::max(2 * margin, 2 * took);
  }
}

std::string Cluster::wait_for_init(const std::vector<uint32_t>& ids, Clock::time_point deadline) {
  for (;;) {
    if (!failure_.empty()) return failure_;
    std::vector<uint32_t> waiting;
    for (uint32_t id : ids)
      if (nodes_[id - 1].awaiting_init) waiting.push_back(id);
    if (waiting.empty()) return "";
    if (Clock::now() >= deadline) return init_timeout_report(waiting.front());
    poll_once(10000);
  }
}

std::string Cluster::init_timeout_report(uint32_t id) const {
  return fmt::format(
      "{} did not answer init with init_ok within {}ms (stderr: {})", nodes_[id - 1].name,
      std::chrono::duration_cast<std::chrono::milliseconds>(settings_.init_timeout).count(),
      stderr_path(id));
}

void Cluster::at(Micros when, std::function<void()> action) {
  timers_.push({when, next_order_++, std::move(action)});
}

void Cluster::run_until(Micros until) {
  while (failure_.empty()) {
    while (!timers_.empty() && timers_.top().when <= now() && failure_.empty()) {
      Timer t = timers_.top();
      timers_.pop();
      t.action();
    }
    const Micros current = now();
    if (current >= until) return;
    Micros next = until;
    if (!timers_.empty()) next = std::min(next, timers_.top().when);
    poll_once(std::max<Micros>(0, next - current));
  }
}

void Cluster::poll_once(Micros wait) {
  std::vector<pollfd> fds;
  std::vector<uint32_t> owners;
  for (uint32_t id = 1; id <= nodes_.size(); ++id) {
    Node& n = nodes_[id - 1];
    if (!n.up) continue;
    n.process.flush();
    fds.push_back({n.process.stdout_fd(), POLLIN, 0});
    owners.push_back(id);
  }
  // Queued input for a node that reads slowly is retried at least every few milliseconds.
  const int timeout_ms = static_cast<int>(std::min<Micros>((wait + 999) / 1000, 5));
  ::poll(fds.data(), fds.size(), timeout_ms);
  for (size_t i = 0; i < fds.size() && failure_.empty(); ++i) {
    if (fds[i].revents != 0) take_output(owners[i]);
  }
}

void Cluster::take_output(uint32_t id) {
  Node& n = nodes_[id - 1];
  Process::Output out = n.process.read();
  for (const std::string& line : out.lines) {
    ++n.line;
    take_line(id, line);
    if (!failure_.empty()) return;
  }
  if (!out.error.empty()) {
    fail(fmt::format("{}: {} (stdout line {}; stderr: {})", n.name, out.error, n.line + 1,
                     stderr_path(id)));
    return;
  }
  std::string status;
  if (n.process.exited(status)) {
    fail(fmt::format("{} {} by itself (stderr: {})", n.name, status, stderr_path(id)));
  }
}

void Cluster::take_line(uint32_t id, const std::string& line) {
  Node& n = nodes_[id - 1];
  auto bad = [&](const std::string& why) {
    fail(fmt::format("{}: stdout line {}: {}: {} (stderr: {})", n.name, n.line, why,
                     escape_bytes(line), stderr_path(id)));
  };
  auto decoded = decode(line);
  if (auto* why = std::get_if<std::string>(&decoded)) return bad(*why);
  Envelope& m = std::get<Envelope>(decoded);
  if (m.src != n.name) return bad(fmt::format("src is \"{}\", not \"{}\"", m.src, n.name));
  if (n.awaiting_init) {
    if (m.dest != kRaftsimName) return bad("a message before init_ok");
    auto features = read_init_ok(m.body, n.init_msg_id);
    if (auto* why = std::get_if<std::string>(&features)) return bad(*why);
    n.features = std::get<Features>(features);
    n.awaiting_init = false;
    return;
  }
  if (m.dest == kRaftsimName) {
    if (m.type() != "raftsim_state") return bad("an unknown message to raftsim");
    auto report = read_state_report(m.body);
    if (auto* why = std::get_if<std::string>(&report)) return bad(*why);
    n.last_report = std::get<StateReport>(report);
    if (on_state) on_state(id, *n.last_report);
    return;
  }
  if (const uint32_t to = id_of(m.dest); to != 0) return route(id, to, encode(m));
  if (m.dest.size() > 1 && m.dest[0] == 'c' &&
      m.dest.find_first_not_of("0123456789", 1) == std::string::npos) {
    if (on_client_message) on_client_message(m);
    return;
  }
  bad(fmt::format("unknown destination \"{}\"", m.dest));
}

void Cluster::route(uint32_t from, uint32_t to, const std::string& line) {
  ++routed_;
  const real::BlockedPeers blocked = cuts_.blocked(from);
  if (std::find(blocked.to.begin(), blocked.to.end(), to) != blocked.to.end()) return;
  const sim::Routing r = sim::route_on(links_.at({from, to}), rng_);
  if (r.fate != sim::Routing::Fate::kDeliver) return;
  // A message meets the cuts in force when it arrives too, as in the simulated network.
  auto deliver = [this, from, to, line] {
    Node& n = nodes_[to - 1];
    const real::BlockedPeers b = cuts_.blocked(from);
    if (!n.up || std::find(b.to.begin(), b.to.end(), to) != b.to.end()) return;
    n.process.send(line);
  };
  at(now() + r.delay.count(), deliver);
  if (r.duplicated) at(now() + r.duplicate_delay.count(), deliver);
}

bool Cluster::send_to_node(const std::string& from, uint32_t id, const Json& body) {
  Node& n = nodes_[id - 1];
  if (!n.up) return false;
  n.process.send(encode({from, n.name, body}));
  return true;
}

void Cluster::fail(std::string why) {
  if (failure_.empty()) failure_ = std::move(why);
}

uint32_t Cluster::reported_leader() const {
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

std::string Cluster::apply(const Fault& f, std::optional<Fault>& undo) {
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
  switch (f.kind) {
    case FaultKind::kPartition:
      cuts_.partition(f.groups);
      return "";
    case FaultKind::kCut:
      cuts_.cut(f.links);
      return "";
    case FaultKind::kHeal:
      cuts_.heal();
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

std::string Cluster::node_fault(const Fault& f) {
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
        node.process.kill();
        node.up = false;
        break;
      case FaultKind::kWipe: {
        node.process.kill();
        node.up = false;
        std::error_code ec;
        fs::remove_all(data_dir(id), ec);
        node.wiped = true;
        [[fallthrough]];
      }
      case FaultKind::kRestart: {
        node.process.kill();
        if (std::string e = spawn(id); !e.empty()) {
          fail(e);
          return notes;
        }
        // Waited for from the router's loop, which keeps every other node's traffic moving.
        at(now() + std::chrono::duration_cast<std::chrono::microseconds>(settings_.init_timeout)
                       .count(),
           [this, id, life = node.life] {
             const Node& n = nodes_[id - 1];
             if (n.life == life && n.awaiting_init) fail(init_timeout_report(id));
           });
        break;
      }
      case FaultKind::kPause:
        node.paused = node.process.stop();
        break;
      case FaultKind::kResume:
        if (node.process.resume()) node.paused = false;
        break;
      default:
        note(fmt::format("'{}' cannot be done to an external node", scenario::to_string(f.kind)));
    }
  }
  return notes;
}

}  // namespace raftsim::external

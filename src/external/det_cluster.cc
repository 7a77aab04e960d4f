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

constexpr uint64_t kMaxEventsAtOneTime = 100000;

Json envelope(const std::string& src, const std::string& dest, Json body) {
  return Json{{"src", src}, {"dest", dest}, {"body", std::move(body)}};
}

}  // namespace

DetCluster::DetCluster(const scenario::Scenario& s, Settings settings)
    : ProcessHost(s, settings.dir),
      settings_(std::move(settings)),
      det_(node_count()),
      rng_(settings_.seed ^ 0x6e6574776f726bULL) {}

void DetCluster::mix(const std::string& text) {
  for (unsigned char c : text) {
    digest_ ^= c;
    digest_ *= 1099511628211ULL;
  }
  digest_ ^= '\n';
  digest_ *= 1099511628211ULL;
}

std::string DetCluster::spawn(uint32_t id) {
  Node& n = nodes_[id - 1];
  DetNode& d = det_[id - 1];
  std::error_code ec;
  fs::create_directories(fs::path(stderr_path(id)).parent_path(), ec);
  const std::string error =
      n.process.spawn(settings_.command, {}, stderr_path(id), settings_.limits);
  if (!error.empty()) {
    fail(fmt::format("{}: cannot start the node: {}", n.name, error));
    return failure();
  }
  const uint64_t init_msg_id = started(id);
  ++d.wake_generation;
  d.wake_held = false;
  d.held.clear();
  Json extension = cluster_settings();
  extension.update({{"deterministic", true},
                    {"disk", true},
                    {"seed", settings_.seed * 1000003 + id * 1009 + n.life}});
  step(id, envelope(std::string(kRaftsimName), n.name,
                    init_body(init_msg_id, n.name, s_.world.node_names, extension)));
  return failure();
}

std::string DetCluster::start() {
  for (uint32_t id = 1; id <= node_count() && failure().empty(); ++id)
    spawn(id);
  return failure();
}

void DetCluster::at(Micros when, std::function<void()> action) {
  queue_.push({std::max(when, now_), next_order_++, std::move(action)});
}

void DetCluster::run_until(Micros until) {
  while (failure().empty() && !queue_.empty() && queue_.top().when <= until) {
    if (settings_.max_steps != 0 && steps_ >= settings_.max_steps) {
      over_budget_ = true;
      return;
    }
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
  if (failure().empty()) now_ = std::max(now_, until);
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
  step_done_ = false;
  while (!step_done_ && failure().empty()) {
    n.process.flush();
    Process::Output out = n.process.read();
    for (size_t i = 0; i < out.lines.size() && failure().empty(); ++i) {
      ++n.line;
      if (step_done_) {
        fail(
            fmt::format("{}: stdout line {}: a line after raftsim_step_done, before any input: "
                        "{} (stderr: {})",
                        n.name, n.line, escape_bytes(out.lines[i]), stderr_path(id)));
        break;
      }
      take_line(id, out.lines[i]);
    }
    if (!failure().empty() || step_done_) break;
    if (!out.error.empty()) {
      fail(fmt::format("{}: {} (stdout line {}; stderr: {})", n.name, out.error, n.line + 1,
                       stderr_path(id)));
      break;
    }
    if (out.closed) {
      fail(fmt::format("{} {} (stderr: {})", n.name, n.process.why_closed(), stderr_path(id)));
      break;
    }
    if (!out.lines.empty()) continue;
    std::string status;
    if (n.process.exited(status)) {  // since the read, or a child of it holds its stdout
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

bool DetCluster::intercept(uint32_t id, const Envelope& m, const std::string& line) {
  Node& n = nodes_[id - 1];
  mix(fmt::format("{} > {}", n.name, line));
  // The disk service answers at once, before init_ok too: a node loads its state in init.
  if (m.dest != kRaftsimName || !m.type().starts_with("disk_")) return false;
  auto reply = det_[id - 1].disk.serve(m.body);
  if (auto* why = std::get_if<std::string>(&reply)) {
    bad_line(id, line, *why);
    return true;
  }
  const std::string answer =
      envelope(std::string(kRaftsimName), n.name, std::get<Json>(reply)).dump();
  mix(fmt::format("{} < {}", n.name, answer));
  n.process.send(answer);
  return true;
}

void DetCluster::initialised(uint32_t id) {
  if (nodes_[id - 1].features.deterministic) return;
  not_deterministic_ = true;
  fail(
      fmt::format("{} does not support deterministic mode: its init_ok has no "
                  "\"raftsim\": {{\"deterministic\": true}}, so it runs on the wall clock "
                  "(docs/external-protocol.md)",
                  nodes_[id - 1].name));
}

bool DetCluster::extension(uint32_t id, const Envelope& m) {
  if (m.type() != "raftsim_step_done") return false;
  Node& n = nodes_[id - 1];
  auto wake_at = m.body.find("wake_at_us");
  if (wake_at != m.body.end() && !wake_at->is_null()) {
    if (!wake_at->is_number_integer()) {
      bad_line(id, encode(m), "wake_at_us is not an integer or null");
      return true;
    }
    const Micros asked = std::max<Micros>(wake_at->get<Micros>(), now_);
    const Micros when =
        now_ + static_cast<Micros>(static_cast<double>(asked - now_) * det_[id - 1].skew);
    const uint64_t generation = ++det_[id - 1].wake_generation;
    at(when, [this, id, life = n.life, generation] {
      const Node& node = nodes_[id - 1];
      if (node.up && node.life == life && det_[id - 1].wake_generation == generation)
        this->wake(id);
    });
  }
  step_done_ = true;
  return true;
}

void DetCluster::deliver(uint32_t id, uint64_t life, const std::string& line) {
  const Node& n = nodes_[id - 1];
  if (!n.up || (life != 0 && n.life != life)) return;
  if (n.paused) {
    det_[id - 1].held.push_back(line);
    return;
  }
  step(id, Json::parse(line));
}

void DetCluster::wake(uint32_t id) {
  const Node& n = nodes_[id - 1];
  if (n.paused) {
    det_[id - 1].wake_held = true;
    return;
  }
  step(id, envelope(std::string(kRaftsimName), n.name, Json{{"type", "raftsim_wake"}}));
}

void DetCluster::route(uint32_t from, uint32_t to, const Envelope& m) {
  if (blocked(from, to)) return;
  const std::string line = envelope(m.src, m.dest, m.body).dump();
  if (clogged_.contains({from, to})) {
    clog_held_.push_back({{from, to}, line});
    return;
  }
  sim::Routing r = sim::route_on(links_.at({from, to}), rng_);
  if (r.fate != sim::Routing::Fate::kDeliver || !shape(from, to, m, r)) return;
  // As in the simulated network, a message meets the cuts in force when it is sent: one already
  // on its way when a partition or cut begins still arrives (a vote request sent just before a
  // cut is what some shipped stories turn on).
  auto arrive = [this, to](std::string text) {
    return [this, to, text = std::move(text)] { deliver(to, 0, text); };
  };
  at(now_ + r.delay.count(), arrive(line));
  if (r.duplicated) at(now_ + r.duplicate_delay.count(), arrive(line));
  for (const Envelope& held : release_held(from, to))
    at(now_ + r.delay.count(), arrive(envelope(held.src, held.dest, held.body).dump()));
}

void DetCluster::message_fault_noted(const std::string& what) {
  mix(fmt::format("{} {}", now_, what));
  ProcessHost::message_fault_noted(what);
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

void DetCluster::applying(const Fault& f) {
  mix(fmt::format("{} fault {}", now_, scenario::to_string(f.kind)));
}

std::string DetCluster::apply_fault(const Fault& f) {
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
    case FaultKind::kLoss:
    case FaultKind::kDuplicate:
      scenario::change_link_models(f, static_cast<uint32_t>(nodes_.size()),
                                   [&](uint32_t from, uint32_t to) -> sim::LinkModel& {
                                     return links_[{from, to}];
                                   });
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
  det_[id - 1].held.clear();
  det_[id - 1].disk.crash();
}

std::string DetCluster::node_fault(const Fault& f) {
  std::string notes;
  auto note = [&](const std::string& text) { notes += (notes.empty() ? "" : "; ") + text; };
  for (uint32_t id : f.nodes) {
    Node& node = nodes_[id - 1];
    DetNode& det = det_[id - 1];
    switch (f.kind) {
      case FaultKind::kElect:
        send_to_node(std::string(kRaftsimName), id,
                     Json{{"type", "raftsim_campaign"}, {"msg_id", next_raftsim_msg_id()}});
        break;
      case FaultKind::kCrash:
        crash(id);
        break;
      case FaultKind::kWipe: {
        // As in the simulator: a running node is crashed and restarted empty; one that is down
        // stays down, and finds its disk empty when it restarts.
        const bool was_up = node.up;
        crash(id);
        det.disk.wipe();
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
        std::vector<std::string> held = std::move(det.held);
        det.held.clear();
        const bool wake_held = std::exchange(det.wake_held, false);
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
        det.disk.set_fsync_lies(f.on);
        break;
      case FaultKind::kTornWrite:
        det.disk.arm_torn_write();
        break;
      case FaultKind::kCorrupt:
        note(fmt::format("{}: {}", node.name, det.disk.corrupt(f.record)));
        break;
      case FaultKind::kClockSkew:
        det.skew = f.factor;
        break;
      default:
        note(fmt::format("'{}' cannot be done to an external node", scenario::to_string(f.kind)));
    }
  }
  return notes;
}

}  // namespace raftsim::external

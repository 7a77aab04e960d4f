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

Cluster::Cluster(const scenario::Scenario& s, Settings settings)
    : ProcessHost(s, settings.dir),
      settings_(std::move(settings)),
      rng_(settings_.seed ^ 0x6e6574776f726bULL) {}

Cluster::Micros Cluster::now() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0_).count();
}

std::string Cluster::data_dir(uint32_t id) const {
  return fmt::format("{}/data/{}", dir_, nodes_.at(id - 1).name);
}

std::string Cluster::spawn(uint32_t id) {
  Node& n = nodes_[id - 1];
  std::error_code ec;
  fs::create_directories(data_dir(id), ec);
  fs::create_directories(fs::path(stderr_path(id)).parent_path(), ec);
  const std::string error = n.process.spawn(settings_.command, {"RAFTSIM_DATA_DIR=" + data_dir(id)},
                                            stderr_path(id), settings_.limits);
  if (!error.empty()) return fmt::format("{}: cannot start the node: {}", n.name, error);
  const uint64_t init_msg_id = started(id);
  Json extension = cluster_settings();
  extension.update({{"data_dir", data_dir(id)},
                    {"seed", settings_.seed * 1000003 + id},
                    {"start_at_unix_ms", start_at_unix_ms_}});
  n.process.send(encode({std::string(kRaftsimName), n.name,
                         init_body(init_msg_id, n.name, s_.world.node_names, extension)}));
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
    const Clock::duration before = margin;
    margin = std::max(2 * margin, 2 * took);
    if (on_notice)
      on_notice(fmt::format(
          "the nodes took {}ms to answer init, past time 0 ({}ms after they started): starting "
          "every node again with {}ms before time 0 (try {} of {})",
          std::chrono::duration_cast<std::chrono::milliseconds>(took).count(),
          std::chrono::duration_cast<std::chrono::milliseconds>(before).count(),
          std::chrono::duration_cast<std::chrono::milliseconds>(margin).count(), attempt + 1,
          kAttempts));
  }
}

std::string Cluster::wait_for_init(const std::vector<uint32_t>& ids, Clock::time_point deadline) {
  for (;;) {
    if (!failure().empty()) return failure();
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
  const Micros tolerated =
      std::chrono::duration_cast<std::chrono::microseconds>(settings_.stall_tolerated).count();
  Micros last_turn = now();
  while (failure().empty()) {
    const Micros turn = now();
    // Before time 0 the run has not begun: nothing it claims depends on that wait.
    if (turn > 0 && turn - last_turn >= tolerated) stood_still_.emplace_back(last_turn, turn);
    last_turn = turn;
    while (!timers_.empty() && timers_.top().when <= now() && failure().empty()) {
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

std::vector<std::string> Cluster::disturbances() const {
  std::vector<std::string> out;
  for (const auto& [from, to] : stood_still_) {
    out.push_back(fmt::format(
        "the router did not turn for {}ms ({:.3f}s to {:.3f}s): it was not scheduled, or one "
        "turn's work took that long; the nodes' messages waited meanwhile",
        (to - from) / 1000, static_cast<double>(from) / 1e6, static_cast<double>(to) / 1e6));
  }
  return out;
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
  for (size_t i = 0; i < fds.size() && failure().empty(); ++i) {
    if (fds[i].revents != 0) take_output(owners[i]);
  }
}

void Cluster::take_output(uint32_t id) {
  Node& n = nodes_[id - 1];
  Process::Output out = n.process.read();
  for (const std::string& line : out.lines) {
    ++n.line;
    take_line(id, line);
    if (!failure().empty()) return;
  }
  if (!out.error.empty()) {
    fail(fmt::format("{}: {} (stdout line {}; stderr: {})", n.name, out.error, n.line + 1,
                     stderr_path(id)));
    return;
  }
  std::string status;
  if (out.closed) {
    fail(fmt::format("{} {} (stderr: {})", n.name, n.process.why_closed(), stderr_path(id)));
  } else if (n.process.exited(status)) {  // since the read, or a child of it holds its stdout
    fail(fmt::format("{} {} by itself (stderr: {})", n.name, status, stderr_path(id)));
  }
}

void Cluster::route(uint32_t from, uint32_t to, const Envelope& m) {
  ++routed_;
  if (blocked(from, to)) return;
  sim::Routing r = sim::route_on(links_.at({from, to}), rng_);
  if (r.fate != sim::Routing::Fate::kDeliver || !shape(from, to, m, r)) return;
  // As in the simulated network, a message meets the cuts in force when it is sent: one already
  // on its way when a partition or cut begins still arrives.
  auto deliver = [this, to](std::string line) {
    return [this, to, line = std::move(line)] {
      Node& n = nodes_[to - 1];
      if (!n.up) return;
      n.process.send(line);
    };
  };
  at(now() + r.delay.count(), deliver(encode(m)));
  if (r.duplicated) at(now() + r.duplicate_delay.count(), deliver(encode(m)));
  for (const Envelope& held : release_held(from, to))
    at(now() + r.delay.count(), deliver(encode(held)));
}

bool Cluster::send_to_node(const std::string& from, uint32_t id, const Json& body) {
  Node& n = nodes_[id - 1];
  if (!n.up) return false;
  n.process.send(encode({from, n.name, body}));
  return true;
}

std::string Cluster::apply_fault(const Fault& f) {
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
    default:
      break;
  }
  std::string notes;
  auto note = [&](const std::string& text) { notes += (notes.empty() ? "" : "; ") + text; };
  for (uint32_t id : f.nodes) {
    Node& node = nodes_[id - 1];
    switch (f.kind) {
      case FaultKind::kElect:
        send_to_node(std::string(kRaftsimName), id,
                     Json{{"type", "raftsim_campaign"}, {"msg_id", next_raftsim_msg_id()}});
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

// A cluster of external node processes behind raftsim's router, in wall-clock time.
//
// Every message a node writes passes through here: to another node it meets the scenario's
// network (the simulated network's link model and cut rules, drawn from a seeded stream), to a
// client it is handed to the runner, to `raftsim` it is an extension message. Faults act on the
// processes: crash = SIGKILL, restart = spawn again with the same id and data directory, wipe =
// kill, empty the data directory, spawn; pause/resume = SIGSTOP/SIGCONT.
//
// A node that breaks the protocol (a line that is not a message, a wrong `src`, an unknown
// destination, a flood, no init_ok in time, an exit nobody asked for) is not judged: the first
// such report becomes `failure()` and the run stops.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include "external/process_host.h"
#include "raft/random.h"

namespace raftsim::external {

class Cluster final : public ProcessHost {
 public:
  using Clock = std::chrono::steady_clock;

  struct Settings {
    std::vector<std::string> command;  // argv of every node
    std::string dir;                   // holds data/<node> and logs/<node>.stderr
    ProcessLimits limits;
    Clock::duration init_timeout = std::chrono::seconds(5);
    uint64_t seed = 1;
    // A gap this long between two turns of the router is a disturbance (see disturbances()).
    Clock::duration stall_tolerated = std::chrono::milliseconds(100);
  };

  Cluster(const scenario::Scenario& s, Settings settings);

  // Starts every node and waits for each init_ok. "" or the first failure. Time 0 is set a
  // little ahead, so that every node can be up by then.
  std::string start() override;
  // Microseconds since time 0 (negative before it).
  Micros now() const override;

  // Runs the router until `until` (or a failure): reads every node's output, delivers what is
  // due, runs the timers that fall due.
  void run_until(Micros until) override;
  // Calls `action` at `at` from inside run_until.
  void at(Micros when, std::function<void()> action) override;

  // Sends a client's request to node `id` (clients' links are not faulted); false when the
  // node is down.
  bool send_to_node(const std::string& from, uint32_t id, const Json& body) override;

  std::string data_dir(uint32_t id) const;
  uint64_t routed() const override { return routed_; }
  // The router turns at least every 5 ms; a gap of at least Settings::stall_tolerated between two
  // turns means this process was not run, or one turn's work took that long: either way no
  // message moved between the nodes meanwhile.
  std::vector<std::string> disturbances() const override;

 private:
  struct Timer {
    Micros when;
    uint64_t order;
    std::function<void()> action;
    bool operator>(const Timer& o) const {
      return std::tie(when, order) > std::tie(o.when, o.order);
    }
  };

  std::string apply_fault(const scenario::Fault& f) override;
  void route(uint32_t from, uint32_t to, const Envelope& m) override;
  std::string spawn(uint32_t id);
  std::string wait_for_init(const std::vector<uint32_t>& ids, Clock::time_point deadline);
  std::string init_timeout_report(uint32_t id) const;
  void poll_once(Micros wait);
  void take_output(uint32_t id);

  Settings settings_;
  Clock::time_point t0_ = Clock::now();
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  uint64_t next_order_ = 0;
  raft::Random rng_;
  uint64_t routed_ = 0;
  std::vector<std::pair<Micros, Micros>> stood_still_;  // gaps between turns, at least tolerated
  int64_t start_at_unix_ms_ = 0;
};

}  // namespace raftsim::external

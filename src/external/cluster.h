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
#include <map>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include "external/host.h"
#include "external/maelstrom.h"
#include "external/process.h"
#include "raft/random.h"
#include "real/link_cuts.h"
#include "scenario/scenario.h"
#include "sim/link.h"

namespace raftsim::external {

class Cluster final : public Host {
 public:
  using Clock = std::chrono::steady_clock;

  struct Settings {
    std::vector<std::string> command;  // argv of every node
    std::string dir;                   // holds data/<node> and logs/<node>.stderr
    ProcessLimits limits;
    Clock::duration init_timeout = std::chrono::seconds(5);
    uint64_t seed = 1;
  };

  Cluster(const scenario::Scenario& s, Settings settings);
  ~Cluster() override;

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

  // Applies one fault; returns notes for the narration. A leader fault acts on the node that
  // last reported leading in the highest term; its undo is left in `undo`.
  std::string apply(const scenario::Fault& f, std::optional<scenario::Fault>& undo) override;

  const Features& features(uint32_t id) const override { return nodes_.at(id - 1).features; }
  std::string stderr_path(uint32_t id) const override;
  std::string data_dir(uint32_t id) const;
  const std::string& failure() const override { return failure_; }
  // Records a node's breach of the protocol (the first one wins); run_until returns.
  void fail(std::string why) override;
  uint64_t routed() const override { return routed_; }
  // Of the nodes up whose last report says they lead, the one in the highest term; 0: none.
  uint32_t reported_leader() const;

 private:
  struct Node {
    std::string name;
    Process process;
    bool up = false;
    bool paused = false;
    bool awaiting_init = false;
    bool wiped = false;  // its data directory was emptied since it last started
    uint64_t life = 0;   // how many times it was started
    uint64_t init_msg_id = 0;
    Features features;
    uint64_t line = 0;  // stdout lines read, over every life of the node
    std::optional<StateReport> last_report;
  };
  struct Timer {
    Micros when;
    uint64_t order;
    std::function<void()> action;
    bool operator>(const Timer& o) const {
      return std::tie(when, order) > std::tie(o.when, o.order);
    }
  };

  std::string spawn(uint32_t id);
  std::string wait_for_init(const std::vector<uint32_t>& ids, Clock::time_point deadline);
  std::string init_timeout_report(uint32_t id) const;
  void poll_once(Micros wait);
  void take_output(uint32_t id);
  void take_line(uint32_t id, const std::string& line);
  void route(uint32_t from, uint32_t to, const std::string& line);
  std::string node_fault(const scenario::Fault& f);
  uint32_t id_of(const std::string& name) const;  // 0 when not a node

  const scenario::Scenario& s_;
  Settings settings_;
  std::vector<Node> nodes_;  // by id - 1
  Clock::time_point t0_ = Clock::now();
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  uint64_t next_order_ = 0;
  real::LinkCuts cuts_;
  std::map<std::pair<uint32_t, uint32_t>, sim::LinkModel> links_;  // (from, to)
  raft::Random rng_;
  std::string failure_;
  uint64_t routed_ = 0;
  uint64_t raftsim_msg_id_ = 0;
  int64_t start_at_unix_ms_ = 0;
};

}  // namespace raftsim::external

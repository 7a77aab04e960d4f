// External nodes inside a deterministic world (docs/external-protocol.md, "Deterministic mode"):
// nodes that opt in read no clock and draw no unseeded randomness; raftsim owns their time.
//
// One node runs at a time. Each input — a message, a client's request, a timer the node asked
// for — is one step: raftsim writes the line, stamped with the virtual time, and reads the
// node's output until its end-of-step marker, answering its disk requests (disk_service.h) as
// they come. What the node sent in the step leaves at that virtual time through the simulated
// network's link model, drawn from a stream seeded by the run's seed. Events run in (virtual
// time, order) like the simulator's queue, so the same scenario, seed and node program give the
// same sequence of lines, and the same digest of them.
//
// Crash = SIGKILL (between steps) and the disk keeps what was synced; restart spawns the command
// again and sends a new init. Wall-clock time enters only as a guard: a node that does not end
// a step within `step_timeout` is reported, never waited on forever.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include "external/disk_service.h"
#include "external/process_host.h"
#include "raft/random.h"

namespace raftsim::external {

class DetCluster final : public ProcessHost {
 public:
  struct Settings {
    std::vector<std::string> command;  // argv of every node
    std::string dir;                   // holds logs/<node>.stderr
    ProcessLimits limits;
    std::chrono::milliseconds step_timeout{10000};
    std::chrono::milliseconds init_timeout{5000};  // for init_ok and the end of that step
    uint64_t seed = 1;
    // Steps the whole run may take (0: no limit). Past it nothing more runs and over_budget()
    // says so: a program whose messages multiply is a finding, not a run to wait on for hours
    // (a step of a node process costs a millisecond or so, not the simulator's microsecond).
    uint64_t max_steps = 0;
  };

  DetCluster(const scenario::Scenario& s, Settings settings);

  // "" when every node answered init_ok with raftsim.deterministic and ended its step; else
  // why not. not_deterministic() tells a node that answered as a wall-clock node.
  std::string start() override;
  bool not_deterministic() const { return not_deterministic_; }

  Micros now() const override { return now_; }
  void run_until(Micros until) override;
  void at(Micros when, std::function<void()> action) override;
  bool send_to_node(const std::string& from, uint32_t id, const Json& body) override;

  uint64_t routed() const override { return steps_; }
  std::optional<uint64_t> digest() const override { return digest_; }
  bool over_budget() const override { return over_budget_; }

  const DiskService& disk(uint32_t id) const { return det_.at(id - 1).disk; }

 private:
  // What a node has here beyond ProcessHost::Node.
  struct DetNode {
    DiskService disk;
    uint64_t wake_generation = 0;   // a newer wake request replaces the older one
    bool wake_held = false;         // a wake fell due while paused
    std::vector<std::string> held;  // lines that reached it while paused
    double skew = 1.0;
  };
  struct Event {
    Micros when;
    uint64_t order;
    std::function<void()> action;
    bool operator>(const Event& o) const {
      return std::tie(when, order) > std::tie(o.when, o.order);
    }
  };

  void applying(const scenario::Fault& f) override;
  std::string apply_fault(const scenario::Fault& f) override;
  void route(uint32_t from, uint32_t to, const Envelope& m) override;
  void message_fault_noted(const std::string& what) override;
  bool intercept(uint32_t id, const Envelope& m, const std::string& line) override;
  bool extension(uint32_t id, const Envelope& m) override;
  void initialised(uint32_t id) override;

  std::string spawn(uint32_t id);
  // Gives node `id` one input and runs its step to the end marker.
  void step(uint32_t id, Json input);
  // Delivers a line to node `id` of life `life` now (held while it is paused).
  void deliver(uint32_t id, uint64_t life, const std::string& line);
  void wake(uint32_t id);
  std::string node_fault(const scenario::Fault& f);
  void crash(uint32_t id);
  void mix(const std::string& text);

  Settings settings_;
  std::vector<DetNode> det_;  // by id - 1
  Micros now_ = 0;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> queue_;
  uint64_t next_order_ = 0;
  std::set<std::pair<uint32_t, uint32_t>> clogged_;
  std::vector<std::pair<std::pair<uint32_t, uint32_t>, std::string>> clog_held_;
  raft::Random rng_;
  bool not_deterministic_ = false;
  bool step_done_ = false;  // the node in its step sent raftsim_step_done
  bool over_budget_ = false;
  uint64_t steps_ = 0;
  uint64_t events_at_now_ = 0;
  std::string last_input_;                     // for reports
  uint64_t digest_ = 14695981039346656037ULL;  // FNV-1a
};

}  // namespace raftsim::external

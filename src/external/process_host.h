// What both hosts of external node processes share, whichever clock drives them (cluster.h:
// the wall clock; det_cluster.h: virtual time): each node's process and what it declared and
// last reported, the checks every line a node writes must pass before anything believes it,
// where each message goes, the leader a leader fault hits, the link models, and the first
// failure. The hosts differ only in how lines are read and when messages are delivered.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "external/host.h"
#include "external/maelstrom.h"
#include "external/process.h"
#include "real/link_cuts.h"
#include "scenario/scenario.h"
#include "sim/link.h"
#include "sim/message_faults.h"

namespace raftsim::external {

class ProcessHost : public Host {
 public:
  ProcessHost(const scenario::Scenario& s, std::string dir);
  ~ProcessHost() override;

  const Features& features(uint32_t id) const override { return nodes_.at(id - 1).features; }
  std::string stderr_path(uint32_t id) const override;
  // Records a node's breach of the protocol (the first one wins); run_until returns.
  void fail(std::string why) override;
  const std::string& failure() const override { return failure_; }
  // Of the nodes up and not paused whose last report says they lead, the one in the highest
  // term; 0: none.
  uint32_t reported_leader() const;

  // Pins a leader fault on the reported leader, changes link models, and hands every other
  // fault to apply_fault().
  std::string apply(const scenario::Fault& f, std::optional<scenario::Fault>& undo,
                    uint64_t id) final;
  void remove_message_fault(uint64_t id) final { filters_.remove(id); }

 protected:
  // Node ids 1..n, as the scenario numbers its nodes.
  static std::vector<uint32_t> ids_of(size_t n);

  struct Node {
    std::string name;
    Process process;
    bool up = false;
    bool paused = false;
    bool awaiting_init = false;
    bool wiped = false;  // its disk was lost since it last started
    uint64_t life = 0;   // how many times it was started
    uint64_t init_msg_id = 0;
    Features features;
    uint64_t line = 0;  // stdout lines read, over every life of the node
    std::optional<StateReport> last_report;
  };

  // Told of every fault apply() is given, first (deterministic mode's digest).
  virtual void applying(const scenario::Fault& /*f*/) {}
  // A fault that is not a leader fault nor a link model's change.
  virtual std::string apply_fault(const scenario::Fault& f) = 0;
  // A message from node `from` to its peer `to`, checked.
  virtual void route(uint32_t from, uint32_t to, const Envelope& m) = 0;
  // Called first with every well-formed line of node `id` whose src is right: true when the
  // host took it (deterministic mode's disk service).
  virtual bool intercept(uint32_t /*id*/, const Envelope& /*m*/, const std::string& /*line*/) {
    return false;
  }
  // A message to raftsim other than init_ok and state reports: true when the host knows it.
  virtual bool extension(uint32_t /*id*/, const Envelope& /*m*/) { return false; }
  // Node `id` answered init with init_ok (its features are set).
  virtual void initialised(uint32_t /*id*/) {}

  // Checks one line node `id` wrote and hands it on (see above).
  void take_line(uint32_t id, const std::string& line);
  // Reports a bad line of node `id` (the one last read).
  void bad_line(uint32_t id, const std::string& line, const std::string& why);
  // Marks node `id` started again (a new life, awaiting init_ok), tells on_spawn; returns the
  // init's msg_id.
  uint64_t started(uint32_t id);
  uint32_t id_of(const std::string& name) const override;
  uint32_t node_count() const { return static_cast<uint32_t>(nodes_.size()); }
  uint64_t next_raftsim_msg_id() { return ++raftsim_msg_id_; }
  // For init's extension: the scenario's election timeout and heartbeat (whole milliseconds) and
  // the Raft options it asks of every node (pre-vote, check-quorum, vote lease).
  Json cluster_settings() const;
  // Whether the cuts in force stop messages from `from` to `to`.
  bool blocked(uint32_t from, uint32_t to) const;
  // What the message faults do to `m`, which the network would deliver as `r` (so a message a
  // cut blocks or the link loses is never counted, as in the simulated world): false when one
  // dropped it or held it back; else `r` may now be delayed or duplicated. The sender's
  // declared message kinds tell what `m` is.
  bool shape(uint32_t from, uint32_t to, const Envelope& m, sim::Routing& r);
  // The messages held back on from -> to: they arrive right behind the one that left now.
  std::vector<Envelope> release_held(uint32_t from, uint32_t to);
  // Each message a message fault affected (deterministic mode adds it to the digest).
  virtual void message_fault_noted(const std::string& what) {
    if (on_message_fault) on_message_fault(what);
  }

  const scenario::Scenario& s_;
  std::string dir_;
  std::vector<Node> nodes_;  // by id - 1
  real::LinkCuts cuts_;
  std::map<std::pair<uint32_t, uint32_t>, sim::LinkModel> links_;  // (from, to)
  sim::MessageFilters filters_;
  std::map<std::pair<uint32_t, uint32_t>, std::vector<Envelope>> held_;  // hold_messages

 private:
  std::string failure_;
  uint64_t raftsim_msg_id_ = 0;
};

}  // namespace raftsim::external

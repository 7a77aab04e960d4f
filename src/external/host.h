// What the external runner and its clients need from the cluster of external nodes, whichever
// clock drives it: the wall-clock router (cluster.h) or the deterministic host (det_cluster.h),
// where one node runs at a time in virtual time.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "external/maelstrom.h"
#include "scenario/scenario.h"

namespace raftsim::external {

class Host {
 public:
  // Microseconds since the run's time 0 (wall-clock or virtual).
  using Micros = int64_t;

  virtual ~Host() = default;

  // Starts every node and waits for each init_ok. "" or the first failure.
  virtual std::string start() = 0;
  virtual Micros now() const = 0;
  // Runs until `until` (or a failure).
  virtual void run_until(Micros until) = 0;
  // Calls `action` at `when` from inside run_until.
  virtual void at(Micros when, std::function<void()> action) = 0;
  // Sends a client's request to node `id` (clients' links are not faulted); false when the
  // node is down.
  virtual bool send_to_node(const std::string& from, uint32_t id, const Json& body) = 0;
  // Applies one fault; returns notes for the narration. A leader fault acts on the node that
  // last reported leading in the highest term; its undo is left in `undo`. `id` names a message
  // fault, for remove_message_fault (0: it stays until used up).
  virtual std::string apply(const scenario::Fault& f, std::optional<scenario::Fault>& undo,
                            uint64_t id) = 0;
  // Ends message fault `id` (its `for`), used up or not.
  virtual void remove_message_fault(uint64_t id) = 0;

  virtual const Features& features(uint32_t id) const = 0;
  virtual std::string stderr_path(uint32_t id) const = 0;
  // The id of the node named `name`; 0 when no node is.
  virtual uint32_t id_of(const std::string& name) const = 0;
  // A node's breach of the protocol (the first one wins); run_until returns.
  virtual void fail(std::string why) = 0;
  virtual const std::string& failure() const = 0;
  // Node-to-node messages routed (real time) or events run (deterministic).
  virtual uint64_t routed() const = 0;
  // The stretches in which the host itself stood still longer than Raft's timers absorb, each a
  // sentence; none where time is virtual. Node processes on the same machine were most likely
  // not run either, so claims about timing are not judged (scenario::RunReport::disturbances).
  virtual std::vector<std::string> disturbances() const { return {}; }
  // Deterministic hosts: a digest of everything the nodes were given and said, in order.
  virtual std::optional<uint64_t> digest() const { return std::nullopt; }
  // Deterministic hosts: whether the run was stopped by its event budget (run_until then runs
  // nothing more).
  virtual bool over_budget() const { return false; }

  // Handlers for what nodes send to clients (dest c1..) and the state reports they send.
  std::function<void(const Envelope&)> on_client_message;
  std::function<void(uint32_t id, const StateReport&)> on_state;
  // Called each time node `id`'s process is started; `disk_lost`: its disk was wiped since it
  // last ran, so it may rightly forget its term and vote.
  std::function<void(uint32_t id, bool disk_lost)> on_spawn;
  // Told of each message a message fault dropped, delayed, duplicated or held back.
  std::function<void(const std::string& what)> on_message_fault;
  // Told of what the host did on its own that a user would otherwise not know (every node
  // started again because init came after time 0), for the narration.
  std::function<void(const std::string& what)> on_notice;
};

}  // namespace raftsim::external

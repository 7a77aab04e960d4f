// Faults aimed at messages and at events, for external nodes. A message fault tells a node's
// messages apart by the kinds it declared (maelstrom.h's MessageKindMap); the router both hosts
// share applies it (ProcessHost::shape). An event-triggered fault (a scenario's `when`) waits
// for an event: raftsim cannot look inside an external node, so the events come from its state
// reports: each report is compared with the
// one before it (docs/external-protocol.md, "Faults"). A report is a sample taken at the end of
// a step, so an event fires once the step that showed it is over, as the simulator fires
// becomes_leader, becomes_candidate, grants_vote and uncommitted.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "external/host.h"
#include "external/maelstrom.h"
#include "scenario/scenario.h"
#include "sim/world.h"

namespace raftsim::external {

// Why message fault `f` cannot pick its messages out: it names kinds of message, and a node
// whose messages it may hit declared none (or, for an entry of the file, none of those); "" when
// it can, or when `f` is no message fault.
std::string message_kind_refusal(const scenario::Scenario& s, const scenario::Fault& f,
                                 const Host& cluster);

// Whether state reports can show `event`. `persisted` (between fsync and send) and
// `installs_snapshot` happen inside a step, where a report cannot see them.
bool shown_by_reports(sim::NodeEventKind event);

// The node events one report shows against the reports before it.
class ReportEvents {
 public:
  explicit ReportEvents(std::vector<std::string> node_names);
  // Node `id` was started again: a follower, applying from its first entry again.
  void on_start(uint32_t id);
  // In the order the simulator tells them: grants_vote, applies (one per index, from the one
  // after the last reported commit index of this life), becomes_candidate (the role changed to
  // candidate, or a candidate's term rose: another election), becomes_leader, uncommitted
  // (last_log_index - commit_index, when it changed).
  std::vector<sim::NodeEvent> on_report(uint32_t id, const StateReport& r);

 private:
  struct Seen {
    std::string role = "follower";
    uint64_t term = 0;
    std::string voted_for;
    uint64_t applied = 0;  // the highest commit index reported in this life
    std::optional<uint64_t> uncommitted;
  };
  std::vector<std::string> names_;
  std::vector<Seen> seen_;  // by id - 1
};

// The timeline's event-triggered faults: each is armed at its `at`, disarmed at its `by`, and
// fires once, on the `nth` matching event it hears of while armed, as an event of its own at
// the time of the report. `fire` is given the fault with `trigger` replaced by the node, without
// its `when`, its index in the timeline, and why it fired ("n2 becomes leader").
class ExternalTriggers {
 public:
  using Fire =
      std::function<void(const scenario::Fault& fault, size_t index, const std::string& why)>;
  ExternalTriggers(Host& host, const scenario::Scenario& s, Fire fire);

  void add(const scenario::Fault& f, size_t index);
  void on_start(uint32_t id) { events_.on_start(id); }
  void on_report(uint32_t id, const StateReport& r);

 private:
  struct Armed {
    scenario::Fault fault;
    size_t index;
    bool armed = false;
    uint64_t seen = 0;
  };

  Host& host_;
  const scenario::Scenario& s_;
  Fire fire_;
  ReportEvents events_;
  std::vector<Armed> armed_;
  std::vector<uint64_t> uncommitted_;  // per node (by id), as last told
};

}  // namespace raftsim::external

// A running cluster of real node processes, driven the way a scenario drives the simulated world:
// its links through each node's control service (cuts, clogs and link models, by the simulated
// network's rules), crashes, pauses and disk loss through the launcher's signals, and leader
// faults on the node that leads when they fire.
//
// Node ids are the same in the scenario and the cluster file: 1, 2, ... in `cluster.nodes` order.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "raftsim.grpc.pb.h"
#include "real/cluster_file.h"
#include "real/launcher.h"
#include "real/link_cuts.h"
#include "scenario/scenario.h"
#include "sim/link.h"

namespace raftsim::real {

// Whether ClusterControl can do `kind` to real processes.
bool can_apply(scenario::FaultKind kind);

class ClusterControl {
 public:
  ClusterControl(const scenario::Scenario& s, Launcher& launcher, const ClusterFile& file);

  v1::Control::Stub& stub(uint32_t id) { return *stubs_.at(id); }

  // Gives every node its links before time 0: the scenario's network on every link.
  bool start();

  // Of the nodes that answer and believe they lead, the one in the highest term (a deposed
  // leader cut off from the others may still believe it leads an older one); 0 when none does.
  // `status`, if given, receives its Status.
  uint32_t current_leader(v1::StatusReply* status = nullptr);

  // Applies one fault (`can_apply` must hold); returns what the processes did (empty for a link
  // fault), for the narration. A leader fault picks the node leading now and does the plain
  // fault it becomes; its undo, acting on that node, is left in `undo` for its time.
  std::string apply(const scenario::Fault& f, std::optional<scenario::Fault>& undo);

  // How the last link fault's new links reached the running nodes, once: a link fault is in
  // effect only when every node has them, which a loaded machine can delay.
  struct LinkDelivery {
    std::chrono::steady_clock::time_point in_place;  // when the last node that took them did
    std::vector<uint32_t> missed;                    // never took them; in id order
  };
  std::optional<LinkDelivery> take_link_delivery();

 private:
  const std::string& name(uint32_t id) const { return s_.node_name(id); }
  // A fault that names its nodes.
  std::string apply_plain(const scenario::Fault& f);
  // A membership fault: the change asked of the leader through its Membership service, asked
  // again while the leader cannot make it yet, as the simulated world does.
  std::string change_membership(const scenario::Fault& f);
  // Replaces node `id`'s filter on every link it has: what it drops each way, and the model of
  // each link it sends on.
  bool push_links(uint32_t id);
  // push_links to every running node, asked again while one does not answer (bounded); says
  // which never took them, for the narration.
  std::string push_all();
  // A process that starts (or restarts) has every link open and no link model: give it its
  // links, retrying while its control service comes up (bounded).
  bool restore(uint32_t id);

  const scenario::Scenario& s_;
  Launcher& launcher_;
  ClusterFile file_;
  std::map<uint32_t, std::unique_ptr<v1::Control::Stub>> stubs_;
  LinkCuts cuts_;
  std::map<std::pair<uint32_t, uint32_t>, sim::LinkModel> links_;  // (from, to)
  // Links that hold their messages, (from, to): enforced by the sender alone, which is where
  // the held messages wait.
  std::set<std::pair<uint32_t, uint32_t>> clogged_;
  // Crashed or paused by the timeline: not sent control calls (they could only time out) until
  // restarted or resumed, when they are given the links in force.
  std::set<uint32_t> absent_;
  std::optional<LinkDelivery> delivery_;
};

}  // namespace raftsim::real

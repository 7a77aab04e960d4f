// A local multi-process cluster under one directory, for `raftsim cluster ...`:
//
//   DIR/cluster.yaml     the cluster file (ids, names, loopback ports, cluster id)
//   DIR/data/NAME/       each node's data directory (log + meta)
//   DIR/logs/NAME.log    each node's stderr, appended across restarts
//   DIR/pids/NAME.pid    the pid of each running node; removed when the node is killed
//
// Every operation is bounded in time. Node processes run in their own session, so they outlive
// the command that started them until `down` (or `kill`) ends them.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "raftsim.pb.h"
#include "real/cluster_file.h"

namespace raftsim::real {

// The result of a launcher operation: an empty error means success.
struct LaunchResult {
  std::string error;
  std::vector<std::string> notes;  // what was done, one line each
  bool bad_input = false;          // the request itself was wrong (a name, a directory)
  bool ok() const { return error.empty(); }

  static LaunchResult refused(std::string why) { return {std::move(why), {}, true}; }
};

struct NodeStatus {
  ClusterMember member;
  int pid = 0;  // 0: not running (no pid file, or the process is gone)
  bool paused = false;
  std::optional<v1::StatusReply> reply;  // empty: the control service did not answer
};

class Launcher {
 public:
  // `binary`: the raftsim executable that runs `raftsim node` (default: this process's own).
  explicit Launcher(std::string dir, std::string binary = "");

  // `nodes` nodes named n1, n2, ..., with the settings (timers, options, compaction) of `shape`;
  // the first `voters` (0: all) are the voters, the rest spares that a leader may add later.
  LaunchResult up(int nodes, ClusterFile shape = {}, int voters = 0);
  // A cluster shaped like `shape`: its node names (ids 1, 2, ... in order; addresses are chosen
  // here) and its settings (timers, options, start time). Without `wait_for_leader`, returns as
  // soon as every node answers.
  LaunchResult up(const ClusterFile& shape, bool wait_for_leader);
  LaunchResult down();
  LaunchResult kill(const std::string& name);     // SIGKILL
  LaunchResult restart(const std::string& name);  // kill if running, then start
  LaunchResult pause(const std::string& name);    // SIGSTOP; in effect when it returns
  LaunchResult resume(const std::string& name);   // SIGCONT
  LaunchResult wipe(const std::string& name);     // kill, remove the data dir, start
  // Groups like "n1,n2,n3/n4,n5": each node drops messages to and from nodes outside its group;
  // a node named in no group is cut off from all.
  LaunchResult partition(const std::string& groups);
  // A one-way cut: every message a node of `senders` ("n2,n3") sends to a node of `receivers`
  // ("n1") is dropped; the other direction stays open. Adds to the links already cut.
  LaunchResult cut(const std::string& senders, const std::string& receivers);
  LaunchResult heal();

  std::vector<NodeStatus> status(
      std::chrono::milliseconds timeout = std::chrono::milliseconds(500));
  // A table: one line per node with its role, term, commit and last log index.
  static std::string format_status(const std::vector<NodeStatus>& status);

  // Node processes started from now on are killed by the kernel when the thread that started
  // them ends (PR_SET_PDEATHSIG), so a run that dies cannot leave nodes behind. Off by default:
  // `raftsim cluster up` starts nodes that outlive it.
  void set_tie_to_parent(bool tie) { tie_to_parent_ = tie; }

  std::string cluster_path() const { return dir_ + "/cluster.yaml"; }
  // The pids of every node process with a pid file, running or not.
  std::vector<int> pids() const;

 private:
  std::optional<std::string> load();
  LaunchResult up_once(const ClusterFile& shape, bool wait_for_leader);
  LaunchResult start(const ClusterMember& member);
  LaunchResult signal(const std::string& name, int signal, const char* what);
  const ClusterMember* member(const std::string& name, LaunchResult& result) const;
  int running_pid(const ClusterMember& member) const;
  bool kill_and_wait(int pid);

  std::string dir_;
  std::string binary_;
  ClusterFile cluster_;
  bool tie_to_parent_ = false;
};

}  // namespace raftsim::real

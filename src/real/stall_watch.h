// Whether the machine kept a wall-clock run's time. A real run's deadlines, quiet windows and
// scripted stories assume that every node process runs when it should; a loaded machine can stop
// one for longer than Raft's timers absorb, and then an election starts that no fault caused, or
// the story's leader never wins. Such a run proves nothing about those claims either way.
//
// The nodes report when their timers ran late (real/stall_log.h, through Status); the runner adds
// the steps of its own timeline it applied late, and link changes a node never took. A stall counts
// when it is at least `tolerated` long: the shortest election timeout less one heartbeat interval,
// the longest a leader can stop before a follower that heard its last heartbeat just before may
// time out. A node's stop that the timeline itself asked for (a pause) is no disturbance.
//
// Raft's safety never depends on timing, so a safety claim that must hold is judged whatever
// this says; only claims that depend on time (scenario::Verdict::timed) become "not judged".
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "raftsim.pb.h"

namespace raftsim::real {

class StallWatch {
 public:
  using Clock = std::chrono::steady_clock;

  // `names`: node names by id - 1; `t0`: the run's time 0.
  StallWatch(std::vector<std::string> names, Clock::time_point t0,
             std::chrono::microseconds tolerated);

  // Thread-safe: the Status pollers call it for every answer.
  void on_status(uint32_t node, const v1::StatusReply& reply);
  // The timeline stopped (SIGSTOP) or let run again (resumed, restarted, crashed) node `node`.
  void paused(uint32_t node, Clock::time_point at);
  void running(uint32_t node, Clock::time_point at);
  // The timeline's `step` was to take effect at `due` and did at `woke`: when the runner woke
  // for it, or, for a link fault, when the last node had its links.
  void woke(const std::string& step, Clock::time_point due, Clock::time_point woke);
  // The runner could not give node `node` the links of `step` (by `at`): its control service
  // did not answer.
  void missed(const std::string& step, uint32_t node, Clock::time_point at);

  // The stalls at least `tolerated` long that overlap [0, end) of the run, in time order, each a
  // sentence: "n2 stood still for 612ms (1.320s to 1.932s): ...". Empty: the machine kept time.
  std::vector<std::string> disturbances(Clock::time_point end) const;

 private:
  struct Span {
    int64_t begin = 0, end = 0;  // microseconds since t0
  };
  int64_t since_t0(Clock::time_point t) const;
  const std::string& name_of(uint32_t node) const;  // "a node" for an id outside the run

  std::vector<std::string> names_;
  Clock::time_point t0_;
  int64_t tolerated_;
  mutable std::mutex mutex_;
  // (node, began) -> ended: a stall reported again by the next poll is the same key.
  std::map<std::pair<uint32_t, int64_t>, int64_t> stalls_;
  std::map<uint32_t, std::vector<Span>> pauses_;  // an open pause ends at INT64_MAX
  std::vector<std::pair<std::string, Span>> late_steps_;
  std::vector<std::pair<int64_t, std::string>> missed_;  // (at, sentence)
};

}  // namespace raftsim::real

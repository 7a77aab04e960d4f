// The times a node process stood still: its tick timer fired late, because the machine did not
// schedule the process (a loaded machine, or SIGSTOP) or because its event loop waited on a slow
// fsync. Raft's timers assume neither lasts much longer than a heartbeat interval: a leader stopped
// for an election timeout loses its followers though nothing failed. A judge of wall-clock promises
// (real/stall_watch.h) reads these from Status, to tell a machine that did not keep time from a
// node that broke a rule.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>

#include "raftsim.pb.h"

namespace raftsim::real {

class StallLog {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr size_t kKept = 16;  // the runner polls every 20 ms: it misses none

  // A timer that fires `noticed` or more late is a stall worth reporting.
  explicit StallLog(Clock::duration noticed) : noticed_(noticed) {}

  // A timer due at `due` ran at `fired`.
  void on_timer(Clock::time_point due, Clock::time_point fired) {
    if (fired - due < noticed_) return;
    if (stalls_.size() == kKept) stalls_.pop_front();
    stalls_.push_back({due, fired});
  }

  void report(v1::StatusReply& reply) const {
    auto micros = [](Clock::time_point t) {
      return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
    };
    for (const Stall& s : stalls_) {
      v1::Stall* out = reply.add_stalls();
      out->set_began_us(micros(s.began));
      out->set_ended_us(micros(s.ended));
    }
  }

 private:
  struct Stall {
    Clock::time_point began, ended;
  };
  Clock::duration noticed_;
  std::deque<Stall> stalls_;
};

}  // namespace raftsim::real

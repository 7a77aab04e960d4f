// Judges a real run's timed expectations (leader_within, no_election, no_commit, ...) from the
// outside: the runner polls every node's Status and hands each answer here as it arrives.
//
// A reply describes the node at some moment between the poll's send and its receipt, and a
// change between two replies happened somewhere between the earlier send and the later receipt.
// An expectation's window is judged only on spans that certainly lie inside it: a commit that
// first shows in the poll after a heal is not blamed on the partition because the poll before it
// was sent a few milliseconds before the heal, or because a loaded machine answered it late.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "raftsim.pb.h"
#include "scenario/scenario.h"
#include "scenario/verdict.h"

namespace raftsim::real {

class StatusObserver {
 public:
  explicit StatusObserver(const scenario::Scenario& scenario);

  // One Status answer from node `id`; times in microseconds since the run's start. Thread-safe.
  void observe(uint32_t id, int64_t sent, int64_t received, const v1::StatusReply& reply);

  // One verdict row per expectation that status polls (or the count of acknowledged writes)
  // decide, in the scenario's order.
  std::vector<scenario::Verdict> verdicts(size_t acked_writes) const;

  uint64_t highest_commit() const;

 private:
  struct Last {
    bool seen = false;
    int64_t sent = 0;
    std::string role;
    uint64_t term = 0, commit = 0;
  };
  struct Happened {
    bool happened = false;
    std::string note;
    // The highest commit index any node reported in a poll answered before the window opened.
    uint64_t committed_before = 0;
  };

  const scenario::Scenario& scenario_;
  mutable std::mutex mutex_;
  std::map<uint32_t, Last> last_;
  std::vector<Happened> happened_;  // per expectation
  uint64_t highest_commit_ = 0;
};

}  // namespace raftsim::real

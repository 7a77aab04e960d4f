// Raft's per-node invariants judged from the state reports external nodes send
// (docs/external-protocol.md), as far as reports can show them:
//
//   election_safety   two nodes never report leading the same term
//   term_monotonic    a node's reported term never decreases, across restarts too
//   vote_stable       a node never reports two different votes in one term, across restarts too
//   commit_monotonic  a node's reported commit index never moves back within one process life
//
// Reports carry no log entries, so log matching, leader completeness and state-machine safety
// stay unchecked. A report is a sample: a violation between two reports may pass unseen, but one
// seen is real (the node said it).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "check/raft_invariants.h"
#include "external/maelstrom.h"

namespace raftsim::external {

class ReportChecks {
 public:
  explicit ReportChecks(std::vector<std::string> node_names, uint64_t seed)
      : names_(std::move(node_names)), seed_(seed) {}

  // Node `id` (from 1) started a new process life.
  void on_start(uint32_t id);
  // Node `id` reported `r` at `time` (microseconds since time 0).
  void on_report(uint32_t id, const StateReport& r, int64_t time);

  const std::vector<check::PropertyViolation>& violations() const { return violations_; }
  bool saw_any() const { return !last_.empty(); }

 private:
  struct Seen {
    uint64_t term = 0;
    std::map<uint64_t, std::string> votes;  // term -> candidate
    std::optional<uint64_t> commit;         // this life's last commit index
  };
  void violate(std::string_view property, std::vector<uint32_t> ids, uint64_t term, int64_t time,
               std::string detail);

  std::vector<std::string> names_;
  uint64_t seed_;
  std::map<uint32_t, Seen> last_;
  std::map<uint64_t, uint32_t> leaders_;  // term -> the first node that reported leading it
  std::vector<check::PropertyViolation> violations_;
};

}  // namespace raftsim::external

// Raft's per-node invariants judged from the state reports external nodes send
// (docs/external-protocol.md), as far as reports can show them:
//
//   election_safety   two nodes never report leading the same term
//   term_monotonic    a node's reported term never decreases, across restarts too
//   vote_stable       a node never reports two different votes in one term, across restarts too
//   commit_monotonic  a node's reported commit index never moves back within one process life
//   leader_append_only  between two reports of one node leading one term (one process life),
//                     its last log index never falls, and (from logs) no entry it held changes
//
// and, from reports that carry the log (one term and command hash per index):
//
//   log_matching          two logs holding an entry of one term at one index agree up to it
//   leader_completeness   a node reporting leadership of term T holds every entry reported
//                         committed by a node in a term before T
//   state_machine_safety  no two nodes report different entries committed at one index
//
// A report is a sample: a violation between two reports may pass unseen, but one seen is real
// (the node said it). Each property is reported once, at its first violation.
// judge() turns what was seen into the verdict table's rows for these properties.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "check/raft_invariants.h"
#include "external/maelstrom.h"
#include "scenario/runner.h"

namespace raftsim::external {

class ReportChecks {
 public:
  explicit ReportChecks(std::vector<std::string> node_names, uint64_t seed)
      : names_(std::move(node_names)), seed_(seed) {}

  // Node `id` (from 1) started a new process life. `disk_lost`: from an empty disk, so it may
  // rightly report a lower term and another vote (disk loss is outside Raft's fault model; the
  // simulator's checks excuse it the same way).
  void on_start(uint32_t id, bool disk_lost = false);
  // Node `id` reported `r` at `time` (microseconds since time 0).
  void on_report(uint32_t id, const StateReport& r, int64_t time);

  // Whether reports can show a violation of `p`: the properties above (the log-based ones only
  // from reports that carry the log).
  static bool judges(scenario::Property p);
  // One verdict row per property above into `report`, with its first violation; `reports`:
  // whether every node sends state reports (else nothing is judged).
  void judge(const scenario::Scenario& s, bool reports, scenario::RunReport& report) const;

  const std::vector<check::PropertyViolation>& violations() const { return violations_; }
  bool saw_any() const { return !last_.empty(); }
  // Whether some report carried its log (the log-based invariants were checked).
  bool saw_logs() const { return !logs_.empty(); }

 private:
  struct Seen {
    uint64_t term = 0;
    std::map<uint64_t, std::string> votes;  // term -> candidate
    std::optional<uint64_t> commit;         // this life's last commit index
    // This life's last report, when it was of leading: its term and last log index.
    std::optional<std::pair<uint64_t, uint64_t>> leading;
  };
  struct Committed {
    StateReport::Entry entry;
    uint64_t term = 0;  // the reporter's term when it was first reported committed
    uint32_t node = 0;  // who reported it
  };
  // `index`: the log index in question (0 when none applies).
  void violate(std::string_view property, std::vector<uint32_t> ids, uint64_t term, int64_t time,
               std::string detail, uint64_t index = 0);
  void check_log(uint32_t id, const StateReport& r, int64_t time);
  void check_append_only(uint32_t id, const Seen& seen, const StateReport& r, int64_t time);

  std::vector<std::string> names_;
  uint64_t seed_;
  std::map<uint32_t, Seen> last_;
  std::map<uint64_t, uint32_t> leaders_;  // term -> the first node that reported leading it
  std::map<uint32_t, std::vector<StateReport::Entry>> logs_;  // each node's last reported log
  std::map<uint64_t, Committed> committed_;                   // by index
  std::vector<check::PropertyViolation> violations_;
};

}  // namespace raftsim::external

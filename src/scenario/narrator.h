// The classroom narration of a run: one readable line per meaningful event — faults, elections
// (with who voted), campaigns, step-downs, crashes and restarts, commit progress, lies — fed from
// the trace.
#pragma once

#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "sim/trace.h"

namespace raftsim::scenario {

// One line of text for any trace event, using node names ("n2 -> n4 AppendEntries t3 ..."): the
// context of a violation report.
std::string describe(const sim::TraceEvent& event, const std::vector<std::string>& names);

class Narrator {
 public:
  using Print = std::function<void(const std::string&)>;

  // `verbose` adds client operations and every commit advance. `from_outside`: the trace holds
  // only what the nodes reported of themselves (a wall-clock run): no votes, no entries' terms.
  Narrator(std::vector<std::string> names, bool verbose, Print print, bool from_outside = false);

  void on_event(const sim::TraceEvent& event);
  void line(sim::SimTime time, const std::string& text);  // e.g. a violation

 private:
  std::string name(uint32_t id) const;
  void on_role(const sim::TraceEvent& e);
  void on_lie(const sim::TraceEvent& e);
  // Narrates a pending campaign unless `e` shows it was no campaign.
  void settle_campaign(const sim::TraceEvent& e);

  std::vector<std::string> names_;
  bool verbose_;
  bool from_outside_;
  Print print_;
  std::vector<uint64_t> role_;  // last role per node (raft::Role as integer)
  std::vector<uint64_t> term_;
  std::map<std::pair<uint32_t, uint64_t>, std::set<uint32_t>> votes_;  // (candidate, term)
  std::vector<sim::SimTime> last_commit_line_;
  std::vector<uint64_t> last_commit_index_;  // the last index a commit line reported
  std::vector<uint64_t> commit_;             // every node's commit index, as traced
  // Configurations told (entry index and what it says): the first node to act on one tells it.
  std::set<std::pair<uint64_t, std::string>> configurations_told_;
  // A candidate that enters a higher term and stays a candidate campaigns again; it is one only
  // if the same step does not also change its role (a higher term from another node makes it a
  // follower, and the role event comes right after the term event).
  struct Campaign {
    uint32_t node;
    uint64_t term;
    sim::SimTime time;
  };
  std::optional<Campaign> campaign_;
  // The lies already narrated: (liar, lie, term, pre-vote, node lied to, or 0 when any is the
  // same lie). A liar repeats its lie in every message; one line per term says it.
  std::set<std::tuple<uint32_t, uint64_t, uint64_t, bool, uint32_t>> lies_told_;
};

}  // namespace raftsim::scenario

// The classroom narration of a run: one readable line per meaningful event — faults, elections
// (with who voted), step-downs, crashes and restarts, commit progress, lies — fed from the trace.
#pragma once

#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sim/trace.h"

namespace raftsim::scenario {

// One line of text for any trace event, using node names ("n2 -> n4 AppendEntries t3 ..."): the
// context of a violation report.
std::string describe(const sim::TraceEvent& event, const std::vector<std::string>& names);

class Narrator {
 public:
  using Print = std::function<void(const std::string&)>;

  // `verbose` adds client operations and every commit advance.
  Narrator(std::vector<std::string> names, bool verbose, Print print);

  void on_event(const sim::TraceEvent& event);
  void line(sim::SimTime time, const std::string& text);  // e.g. a violation

 private:
  std::string name(uint32_t id) const;
  void on_role(const sim::TraceEvent& e);

  std::vector<std::string> names_;
  bool verbose_;
  Print print_;
  std::vector<uint64_t> role_;  // last role per node (raft::Role as integer)
  std::vector<uint64_t> term_;
  std::map<std::pair<uint32_t, uint64_t>, std::set<uint32_t>> votes_;  // (candidate, term)
  std::vector<sim::SimTime> last_commit_line_;
  std::vector<uint64_t> last_commit_index_;  // the last index a commit line reported
  std::vector<uint64_t> commit_;             // every node's commit index, as traced
};

}  // namespace raftsim::scenario

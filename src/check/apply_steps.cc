// applied_within_commit, the RaftInvariants rule that judges what a core hands its host to apply:
// only entries its commit index covers (Figure 2, Rules for All Servers: "if commitIndex >
// lastApplied: increment lastApplied, apply log[lastApplied] to state machine"), in each Ready.
//
// An entry applied before it commits may be one a later leader replaces, and then two state
// machines disagree; but only if it is replaced. Most such entries commit a moment later, and
// nothing else can tell, so a core that applies what it has merely written to disk breaks State
// Machine Safety only in the runs where a leader change cuts the entry away. Judged where the rule
// breaks: a Ready whose entries to apply run past the core's commit index as it made the Ready.
// One report per node and commit index.
#include <string>

#include "check/raft_invariants.h"

namespace raftsim::check {

void RaftInvariants::check_applied_within_commit(SimTime now, const raft::Raft& core,
                                                 const raft::Ready& rd) {
  if (rd.committed.empty()) return;
  const raft::Entry& last = rd.committed.back();
  const raft::Index commit = core.commit_index();
  if (last.index <= commit) return;
  report(
      {kAppliedWithinCommit, core.id().value, 0, commit.value},
      make(kAppliedWithinCommit, now, {core.id()}, last.term, last.index,
           name(core.id()) + " handed entries " + std::to_string(rd.committed.front().index.value) +
               ".." + std::to_string(last.index.value) +
               " to its state machine with its commit index at " + std::to_string(commit.value)));
}

}  // namespace raftsim::check

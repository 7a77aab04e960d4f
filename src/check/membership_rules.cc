// The membership rules of RaftInvariants (thesis ch. 4) that judge one server's step on its own:
// who may lead or campaign (leader_is_voter), and who may become a voter (voter_caught_up). The
// rules that compare configurations across servers are in configuration_steps.cc.
#include <string>

#include "check/configuration_steps.h"
#include "check/raft_invariants.h"

namespace raftsim::check {

using raft::Index;
using raft::Term;

// Only a voter leads or stands for election (§4.2.1, §4.2.2): see non_voter_standing.
void RaftInvariants::check_leader_is_voter(SimTime now, const raft::Raft& core) {
  const std::string standing =
      non_voter_standing(core.role(), core.term(), core.configuration(), core.id(),
                         core.configuration_index(), core.commit_index());
  if (standing.empty()) return;
  // A pre-candidate asks for the term after its own: one report per node and term it seeks.
  const Term term = core.role() == raft::Role::kPreCandidate ? core.term().next() : core.term();
  report({kLeaderIsVoter, core.id().value, 0, term.value},
         make(kLeaderIsVoter, now, {core.id()}, term, core.configuration_index(),
              name(core.id()) + " " + standing));
}

// A server becomes a voter only once it holds what is committed (§4.2.1): see new_voter_behind.
// Judged at the step a leader appends the change (a configuration entry of its own term that
// its previous sight did not act on), against its commit index at that previous sight.
void RaftInvariants::check_voter_caught_up(SimTime now, NodeState& state, const raft::Raft& core,
                                           Index commit_before) {
  const Index at = core.configuration_index();
  const bool appended = state.acted_on && state.acted_on->first < at &&
                        core.role() == raft::Role::kLeader && core.log().contains(at) &&
                        core.log().term_at(at) == core.term();
  if (appended) {
    if (auto behind = new_voter_behind(core, state.acted_on->second, commit_before)) {
      report({kVoterCaughtUp, core.id().value, 0, at.value},
             make(kVoterCaughtUp, now, {core.id(), behind->voter}, core.term(), at,
                  name(core.id()) + ", leader of term " + std::to_string(core.term().value) +
                      ", made " + name(behind->voter) + " a voter at entry " +
                      std::to_string(at.value) + " while it held entries only through " +
                      std::to_string(behind->holds.value) + " of the " +
                      std::to_string(commit_before.value) +
                      " committed: a new voter is caught up first, or no majority that counts "
                      "it commits until it has copied them"));
    }
  }
  // A truncation can put another configuration entry at the same index: compare both.
  if (!state.acted_on || state.acted_on->first != at ||
      state.acted_on->second != core.configuration()) {
    state.acted_on.emplace(at, core.configuration());
  }
}

}  // namespace raftsim::check

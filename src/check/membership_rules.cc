// The membership rules of RaftInvariants (thesis ch. 4) that judge one server's step on its own:
// who may lead or campaign (leader_is_voter), and what a leader may append as a configuration
// change (configuration_safety, voter_caught_up). The rules that compare configurations across
// servers are in configuration_steps.cc.
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

namespace {

// The step out of joint configuration `before` to its incoming half.
bool leaves_joint(const raft::Configuration& before, const raft::Raft& core) {
  if (!before.joint()) return false;
  raft::Configuration left = before;
  left.outgoing.clear();
  return core.configuration() == left;
}

}  // namespace

// The rules a leader keeps when it appends a configuration entry, judged at the step it does
// (an entry of its own term at an index its previous sight did not act on):
// - configuration_safety: one change at a time, and none before the term has committed an entry
//   (thesis §4.1, as corrected on raft-dev in 2015). The configuration it replaces must have
//   committed, or the next step is taken from one that may yet be lost; and an entry of the
//   leader's term must have committed, or two leaders of different terms can each take one step
//   from the same committed configuration, with majorities that do not overlap. Judged against
//   the commit index after the step, which is at least the one the change was made under.
//   Leaving a committed joint configuration for its incoming half is exempt from the second rule:
//   every later leader holds the joint entry, from which that is the only step, so leaders of
//   two terms that take it take the same one.
// - voter_caught_up: a server becomes a voter only once it holds what is committed (§4.2.1; see
//   new_voter_behind), against the commit index at the previous sight.
void RaftInvariants::check_change(SimTime now, NodeState& state, const raft::Raft& core,
                                  Index commit_before) {
  const Index at = core.configuration_index();
  const bool appended = state.acted_on && state.acted_on->first < at &&
                        core.role() == raft::Role::kLeader && core.log().contains(at) &&
                        core.log().term_at(at) == core.term();
  if (appended) {
    const std::string leader = as_leader(core) + ", ";
    const Index commit = core.commit_index();
    const Index replaced = state.acted_on->first;
    const raft::Configuration& before = state.acted_on->second;
    if (replaced > commit) {
      report({kConfigurationSafety, core.id().value, 2, at.value},
             make(kConfigurationSafety, now, {core.id()}, core.term(), at,
                  leader + "appended configuration entry " + std::to_string(at.value) +
                      " while the one it replaces (entry " + std::to_string(replaced.value) +
                      ") was uncommitted (commit index " + std::to_string(commit.value) +
                      "): one configuration change at a time"));
    } else if (core.log().term_at(commit) != core.term() && !leaves_joint(before, core)) {
      const std::string committed = commit.value == 0
                                        ? "nothing had"
                                        : "its commit index, " + std::to_string(commit.value) +
                                              ", holds an entry of term " +
                                              std::to_string(core.log().term_at(commit).value);
      report({kConfigurationSafety, core.id().value, 3, at.value},
             make(kConfigurationSafety, now, {core.id()}, core.term(), at,
                  leader + "appended configuration entry " + std::to_string(at.value) +
                      " before an entry of its term had committed (" + committed +
                      "): leaders of two terms can then each change the configuration by one "
                      "step from the same one, with majorities that do not overlap"));
    }
    if (auto behind = new_voter_behind(core, before, commit_before)) {
      report({kVoterCaughtUp, core.id().value, 0, at.value},
             make(kVoterCaughtUp, now, {core.id(), behind->voter}, core.term(), at,
                  leader + "made " + name(behind->voter) + " a voter at entry " +
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

// election_restriction, the RaftInvariants rule that judges whom a node gives its vote (§5.4.1):
// "the voter denies its vote if its own log is more up-to-date than that of the candidate". Up to
// date means a later last term, or the same last term and a log at least as long. A pre-vote
// (thesis §9.6) is granted by the same test, so it is judged the same way.
//
// The rule is what makes Leader Completeness hold: a candidate wins only with votes from a
// majority, and each voter of that majority holds no more than the candidate does, so every
// committed entry, which a majority holds, is in the winner's log. Broken, it costs nothing until
// a candidate that lacks a committed entry wins and overwrites it, which needs that entry to be on
// a bare majority and the candidate to win just then; so it is judged where it breaks, in the
// answer: a vote or a pre-vote granted (an answer that is not a rejection) to a candidate whose
// last entry, as its request named it, is behind the voter's as it stood at the step.
//
// The check compares the two last entries itself rather than asking the core: a core whose
// comparison is wrong would otherwise excuse itself. One report per voter, candidate and term.
#include <string>

#include "check/raft_invariants.h"

namespace raftsim::check {

namespace {

std::string last_entry(uint64_t index, uint64_t term) {
  return "(" + std::to_string(index) + ", term " + std::to_string(term) + ")";
}

}  // namespace

std::optional<RaftInvariants::VoteBehind> RaftInvariants::vote_behind(
    const raft::Raft& receiver, const raft::Message& m) const {
  if (m.type != raft::MessageType::kVoteRequest && m.type != raft::MessageType::kPreVoteRequest)
    return std::nullopt;
  const raft::Log& log = receiver.log();
  const VoteBehind seen{m.last_log_index.value, m.last_log_term.value, log.last_index().value,
                        log.last_term().value};
  const bool behind =
      seen.candidate_term < seen.own_term ||
      (seen.candidate_term == seen.own_term && seen.candidate_index < seen.own_index);
  if (!behind) return std::nullopt;
  return seen;
}

void RaftInvariants::check_vote_answer(SimTime now, const raft::Raft& core, const OwedAnswer& o,
                                       const raft::Ready& rd) {
  for (const auto* list : {&rd.messages, &rd.after_persist}) {
    for (const raft::Message& a : *list) {
      if (a.to != o.to || a.type != o.answer || a.reject) continue;
      const VoteBehind& v = *o.vote;
      const bool pre_vote = o.answer == raft::MessageType::kPreVoteResponse;
      report({kElectionRestriction, core.id().value, o.to.value, o.request_term},
             make(kElectionRestriction, now, {core.id(), o.to}, raft::Term{o.request_term},
                  raft::Index{},
                  name(core.id()) + " granted " + (pre_vote ? "a pre-vote" : "its vote") +
                      " of term " + std::to_string(o.request_term) + " to " + name(o.to) +
                      ", whose last entry " + last_entry(v.candidate_index, v.candidate_term) +
                      " is behind its own " + last_entry(v.own_index, v.own_term) +
                      (v.candidate_term < v.own_term ? ": an earlier last term"
                                                     : ": the same last term, a shorter log")));
      return;
    }
  }
}

}  // namespace raftsim::check

// flow_control, the RaftInvariants rule that judges what a leader sends rather than what it
// holds: one follower gets at most the budget's worth of AppendEntries with entries and
// InstallSnapshots in one heartbeat round (raft::Config::max_appends_per_round).
//
// The budget is what keeps a network that duplicates and reorders acknowledgements from turning
// each copy into one more append in flight, so that the appends multiply with every round trip
// (docs/divergence.md, item 15). Nothing Raft promises breaks while they multiply; the run only
// slows until the event budget stops it. So the rule is checked where it is made, at each send:
// a flood is caught in its first round, not thousands of events later.
//
// Every AppendEntries and InstallSnapshot names its term and the round it was sent in, and a
// leader's rounds start over only in a new term. A count is kept per sender and receiver, for
// the (term, round) it last saw; a message of another round starts the count again.
#include <string>

#include "check/raft_invariants.h"

namespace raftsim::check {

void RaftInvariants::on_send(SimTime now, raft::NodeId from, const raft::Message& m) {
  const bool round =
      m.type == raft::MessageType::kAppendEntries || m.type == raft::MessageType::kInstallSnapshot;
  if (round && reads_reported_) note_round_sent(from, m);  // read_rounds.cc
  if (send_budget_ == 0) return;
  const bool spends = (m.type == raft::MessageType::kAppendEntries && !m.entries.empty()) ||
                      m.type == raft::MessageType::kInstallSnapshot;
  if (!spends) return;
  SentInRound& sent = sent_in_round_[{from.value, m.to.value}];
  if (sent.term != m.term.value || sent.round != m.round) sent = {m.term.value, m.round, 0};
  if (++sent.count <= send_budget_) return;
  // One report per leader, follower and term: a core that breaks the rule breaks it every round.
  report({kFlowControl, from.value, m.to.value, m.term.value},
         make(kFlowControl, now, {from, m.to}, m.term, raft::Index{},
              name(from) + ", leader of term " + std::to_string(m.term.value) + ", sent " +
                  name(m.to) + " " + std::to_string(sent.count) +
                  " AppendEntries with entries and InstallSnapshots in heartbeat round " +
                  std::to_string(m.round) + ", past its budget of " + std::to_string(send_budget_) +
                  " a round (max_appends_per_round)"));
}

void RaftInvariants::forget_sends(raft::NodeId node) {
  for (auto it = sent_in_round_.begin(); it != sent_in_round_.end();)
    it = it->first.first == node.value ? sent_in_round_.erase(it) : std::next(it);
}

}  // namespace raftsim::check

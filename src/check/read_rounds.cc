// read_confirmed, the RaftInvariants rule of ReadIndex (§8, thesis §6.4): a leader confirms a read
// only once a majority of its configuration's voters, itself counted, have answered a heartbeat
// round it sent after the read arrived.
//
// The read's index is the leader's commit index when it confirms the read. Answers to a round
// sent after the read arrived show that no other leader had been elected by then, so no write
// committed before the read arrived can be missing from that index. An answer to an earlier round
// shows nothing of the kind: a newer leader may already have committed a write the read then
// misses. Whether it does is up to timing the linearizability check sees only when a client
// happens to read in that window; the rule itself is checked at the read.
//
// It is judged when the host takes the core's answer, which can come after the core confirmed
// the read: the Ready carrying the answer waits while the host's previous write syncs. Answers
// delivered meanwhile count too, so a core that confirms a round early can pass when that wait
// covers its mistake; it cannot make a correct core fail.
//
// What is watched: the rounds each leader sends (every AppendEntries and InstallSnapshot carries
// its term and round, and a leader's rounds only grow within a term), the answers delivered to it
// (each echoes the round it answers), and its reads, from the moment it asks its core for a read
// index to the moment the core answers. The answer may reach the host after the leader moved to
// a later term (it was confirmed before, and the Ready carrying it waited on a sync), so what a
// leader sent and heard is kept per term, back to the oldest term a read of it still waits in.
// Events are ordered by a sequence number, not by virtual time, so a round sent in the same
// instant as a read arrived is still told apart.
#include <algorithm>
#include <string>

#include "check/raft_invariants.h"

namespace raftsim::check {

RaftInvariants::TermRounds& RaftInvariants::term_rounds(raft::NodeId leader, uint64_t term) {
  LeaderReads& reads = reads_[leader.value];
  auto [it, fresh] = reads.terms.try_emplace(term);
  if (fresh) {
    // Earlier terms matter only while a read begun in them waits.
    uint64_t keep = term;
    for (const auto& [request, read] : reads.pending)
      keep = std::min(keep, read.term);
    reads.terms.erase(reads.terms.begin(), reads.terms.lower_bound(keep));
  }
  return reads.terms[term];
}

void RaftInvariants::note_round_sent(raft::NodeId from, const raft::Message& m) {
  ++sequence_;
  TermRounds& sent = term_rounds(from, m.term.value);
  if (sent.rounds.empty() || sent.rounds.back().first < m.round)
    sent.rounds.emplace_back(m.round, sequence_);
}

namespace {

// Where `round` is among the rounds a leader sent in one term (end when it is not).
auto find_round(const std::vector<std::pair<uint64_t, uint64_t>>& rounds, uint64_t round) {
  const auto it =
      std::lower_bound(rounds.begin(), rounds.end(), std::make_pair(round, uint64_t{0}));
  return it != rounds.end() && it->first == round ? it : rounds.end();
}

}  // namespace

void RaftInvariants::on_deliver(const raft::Message& m) {
  if (!reads_reported_ || m.type != raft::MessageType::kAppendResponse) return;
  if (m.reject && m.rejected_index.value == 0) return;  // a newer term, not an answer to a round
  auto leader = reads_.find(m.to.value);
  if (leader == reads_.end()) return;
  auto term = leader->second.terms.find(m.term.value);
  if (term == leader->second.terms.end()) return;
  // Only an answer to a round the leader sent in this term. An honest follower answers a message
  // in the message's term, but one that took a message delayed from an earlier term (mutant 12)
  // echoes that term's round under this one; it says nothing of this term's rounds. (The core
  // refuses such an answer only when the round is above its current one.)
  TermRounds& sent = term->second;
  if (find_round(sent.rounds, m.round) == sent.rounds.end()) return;
  uint64_t& echoed = sent.echoed[m.from.value];
  echoed = std::max(echoed, m.round);
}

void RaftInvariants::on_read_begun(const raft::Raft& core, uint64_t request) {
  if (!reads_reported_) return;
  ++sequence_;
  term_rounds(core.id(), core.term().value);
  LeaderReads& reads = reads_[core.id().value];
  if (reads.pending.empty()) {
    // No round begun before this read can confirm it, nor any later one. The latest is kept:
    // more of its messages may leave after the read began, and its first send stays the one
    // that counts.
    reads.configurations.clear();
    TermRounds& now = reads.terms[core.term().value];
    if (now.rounds.size() > 1) now.rounds.erase(now.rounds.begin(), now.rounds.end() - 1);
  }
  reads.pending[request] = {sequence_, core.term().value};
  note_read_configuration(core);
}

void RaftInvariants::note_read_configuration(const raft::Raft& core) {
  if (!reads_reported_) return;
  auto it = reads_.find(core.id().value);
  if (it == reads_.end() || it->second.pending.empty()) return;
  std::vector<raft::Configuration>& seen = it->second.configurations;
  if (seen.empty() || seen.back() != core.configuration()) seen.push_back(core.configuration());
}

void RaftInvariants::on_read_answered(SimTime now, const raft::Raft& core, uint64_t request,
                                      bool confirmed) {
  if (!reads_reported_) return;
  auto found = reads_.find(core.id().value);
  if (found == reads_.end()) return;
  LeaderReads& reads = found->second;
  const auto waiting = reads.pending.find(request);
  if (waiting == reads.pending.end()) return;
  const PendingRead read = waiting->second;
  note_read_configuration(core);
  reads.pending.erase(waiting);
  if (!confirmed) return;
  const TermRounds& term = reads.terms[read.term];
  // A voter answered since the read began if the highest round it answered in the read's term
  // was first sent after the read began.
  const auto answered_since = [&](raft::NodeId voter) {
    if (voter == core.id()) return true;
    const auto echoed = term.echoed.find(voter.value);
    if (echoed == term.echoed.end()) return false;
    const auto round = find_round(term.rounds, echoed->second);
    return round != term.rounds.end() && round->second > read.sequence;
  };
  // The core confirms under the configuration it acts on then, which may have changed since the
  // read began: any it acted on while the read waited will do.
  for (const raft::Configuration& configuration : reads.configurations)
    if (configuration.has_quorum(answered_since)) return;
  std::string answered;
  for (raft::NodeId voter : core.configuration().members()) {
    if (core.configuration().is_voter(voter) && answered_since(voter))
      answered += (answered.empty() ? "" : " ") + name(voter);
  }
  // One report per leader and term: a core that breaks the rule breaks it at every read.
  report({kReadConfirmed, core.id().value, 0, read.term},
         make(kReadConfirmed, now, {core.id()}, raft::Term{read.term}, raft::Index{},
              name(core.id()) + ", leader of term " + std::to_string(read.term) +
                  ", confirmed a read (ReadIndex) before a majority of its voters answered a " +
                  "heartbeat round sent after the read arrived: " +
                  (answered.empty() ? "none did" : "only " + answered + " did")));
}

}  // namespace raftsim::check

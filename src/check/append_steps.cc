// append_entries_obeyed, the RaftInvariants rule that judges how a follower takes an
// AppendEntries of its term: Figure 2's receiver implementation, at the step and in the answer.
//
//   2. Reply false if the log does not contain an entry at prevLogIndex whose term matches
//      prevLogTerm: the log and the commit index stay as they were, and the answer is a
//      rejection.
//   3. If an existing entry conflicts with a new one (same index, different terms), delete it and
//      all that follow it; 4. append any new entries not already in the log: afterwards the log
//      holds every entry the message carried, ends at the last new entry if one conflicted, and
//      otherwise keeps what it held past it (a duplicate or reordered append truncates nothing).
//   5. If leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of last new
//      entry); otherwise it stays. And the answer acknowledges exactly through the last new entry.
//
// Breaking 3 or 5 loses entries or commits what the leader never checked, which the safety checks
// see only once a later leader's log disagrees; acknowledging past the last new entry lets a
// leader count a stale suffix it never sent. Some of these slips are harmless in this core, whose
// leaders probe so that a follower's stale suffix is always cut by the first append it accepts
// (bench/mutants/README.md, mutants 04 and 05): the rule is judged anyway, since it is the rule
// that makes them harmless in every other core.
//
// Not judged: an append whose previous entry is below the receiver's commit index (or its
// snapshot), which this core acknowledges through its commit index without touching its log, a
// shortcut Figure 2 does not have and safety allows (committed entries match every leader's); and
// an append the core refused as impossible. One report per receiver, sender and term.
#include <algorithm>
#include <string>

#include "check/raft_invariants.h"

namespace raftsim::check {

namespace {

std::string position(uint64_t index, uint64_t term) {
  return "(" + std::to_string(index) + ", term " + std::to_string(term) + ")";
}

}  // namespace

RaftInvariants::AppendSeen RaftInvariants::AppendSeen::of(const raft::Message& m) {
  return {m.from,
          m.term.value,
          m.prev_log_index.value,
          m.prev_log_term.value,
          m.entries.empty() ? 0 : m.entries.front().index.value,
          m.entries.empty() ? 0 : m.entries.back().index.value};
}

std::string RaftInvariants::append_taken(raft::NodeId receiver, const AppendSeen& m) const {
  const std::string what = m.first == 0 ? "heartbeat"
                                        : "AppendEntries of entries " + std::to_string(m.first) +
                                              ".." + std::to_string(m.last);
  return name(receiver) + ", follower of term " + std::to_string(m.term) + ", took " +
         name(m.from) + "'s " + what + " after " + position(m.prev_index, m.prev_term);
}

void RaftInvariants::note_append(const raft::Raft& receiver, const raft::Message& m) {
  const raft::Log& log = receiver.log();
  AppendBefore& b = append_before_;
  b.judged =
      m.prev_log_index >= receiver.commit_index() && m.prev_log_index >= log.snapshot_index();
  if (!b.judged) return;
  b.last_index = log.last_index().value;
  b.last_term = log.last_term().value;
  b.snapshot_index = log.snapshot_index().value;
  b.commit = receiver.commit_index().value;
  b.matched = log.matches(m.prev_log_index, m.prev_log_term);
  b.conflicted = b.matched && std::any_of(m.entries.begin(), m.entries.end(), [&](const auto& e) {
                   return log.contains(e.index) && log.term_at(e.index) != e.term;
                 });
}

// Whether the step of `m` just taken is judged: an AppendEntries whose previous entry was at or
// past the receiver's commit index and snapshot, taken by a follower of its term.
bool RaftInvariants::append_judged(const raft::Raft& receiver, const raft::Message& m) const {
  return m.type == raft::MessageType::kAppendEntries && append_before_.judged &&
         receiver.term() == m.term && receiver.role() == raft::Role::kFollower;
}

void RaftInvariants::check_append_obeyed(SimTime now, const raft::Raft& receiver,
                                         const raft::Message& m) {
  if (!append_judged(receiver, m)) return;
  const AppendBefore& b = append_before_;
  const raft::Log& log = receiver.log();
  auto fail = [&](const std::string& what) {
    report({kAppendEntriesObeyed, receiver.id().value, m.from.value, m.term.value},
           make(kAppendEntriesObeyed, now, {receiver.id(), m.from}, m.term, m.prev_log_index,
                append_taken(receiver.id(), AppendSeen::of(m)) + what));
  };
  const uint64_t commit = receiver.commit_index().value;
  if (!b.matched) {
    if (log.last_index().value != b.last_index || log.last_term().value != b.last_term ||
        log.snapshot_index().value != b.snapshot_index) {
      fail(", which its log does not hold, and changed its log's last entry " +
           position(b.last_index, b.last_term) + " -> " +
           position(log.last_index().value, log.last_term().value));
    } else if (commit != b.commit) {
      fail(", which its log does not hold, and moved its commit index " + std::to_string(b.commit) +
           " -> " + std::to_string(commit));
    }
    return;
  }
  for (const raft::Entry& e : m.entries) {
    if (log.contains(e.index) && log.term_at(e.index) == e.term) continue;
    fail(", which its log holds, and does not hold the entry " +
         position(e.index.value, e.term.value) + " it carried");
    return;
  }
  const uint64_t last_new = m.prev_log_index.value + m.entries.size();
  const uint64_t last = b.conflicted ? last_new : std::max(b.last_index, last_new);
  if (log.last_index().value != last) {
    fail(", which its log holds, and its log ends at " + std::to_string(log.last_index().value) +
         ", not " + std::to_string(last) +
         (b.conflicted ? ": an entry conflicted, so nothing past the last new entry stays"
                       : ": no entry conflicted, so nothing it held goes"));
    return;
  }
  const uint64_t leader_commit = m.leader_commit.value;
  const uint64_t expected = leader_commit > b.commit ? std::min(leader_commit, last_new) : b.commit;
  if (commit != expected) {
    fail(" with the leader's commit index " + std::to_string(leader_commit) +
         " and set its commit index " + std::to_string(b.commit) + " -> " + std::to_string(commit) +
         ", not " + std::to_string(expected) +
         " (the lower of the leader's commit index and its last new entry, " +
         std::to_string(last_new) + ", when that is higher)");
  }
}

std::optional<RaftInvariants::AppendAnswer> RaftInvariants::append_answer_owed(
    const raft::Raft& receiver, const raft::Message& m) const {
  if (!append_judged(receiver, m)) return std::nullopt;
  return AppendAnswer{!append_before_.matched, m.prev_log_index.value + m.entries.size(),
                      AppendSeen::of(m)};
}

void RaftInvariants::check_append_answer(SimTime now, const raft::Raft& core, const OwedAnswer& o,
                                         const raft::Ready& rd) {
  const AppendAnswer& want = *o.append;
  std::string got;
  for (const auto* list : {&rd.messages, &rd.after_persist}) {
    for (const raft::Message& a : *list) {
      if (a.to != o.to || a.type != raft::MessageType::kAppendResponse) continue;
      if (a.reject == want.reject && (a.reject || a.match_index.value == want.match)) return;
      if (got.empty()) {
        got = a.reject ? "a rejection" : "success through " + std::to_string(a.match_index.value);
      }
    }
  }
  if (got.empty()) return;  // no answer at all: request_answered's
  report(
      {kAppendEntriesObeyed, core.id().value, o.to.value, o.request_term},
      make(kAppendEntriesObeyed, now, {core.id(), o.to}, raft::Term{o.request_term}, raft::Index{},
           append_taken(core.id(), want.seen) + " and answered " + got + ", not " +
               (want.reject
                    ? std::string("a rejection: its log does not hold that entry")
                    : "success through " + std::to_string(want.match) + ", its last new entry")));
}

}  // namespace raftsim::check

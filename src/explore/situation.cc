#include "explore/situation.h"

#include <algorithm>

namespace raftsim::explore {

namespace {

using raft::Index;
using raft::Log;
using raft::MessageType;
using raft::Raft;

// 0, 1, 2: below, equal, above.
template <typename T>
uint32_t beside(T value, T reference) {
  return value < reference ? 0 : value == reference ? 1 : 2;
}

// Whether `log` holds the entry at `index` with `term`, an index inside its snapshot counting as
// held (everything a snapshot covers was committed, and so equals every later leader's).
bool holds(const Log& log, Index index, raft::Term term) {
  return index <= log.snapshot_index() || log.matches(index, term);
}

// AppendEntries (§5.3): where its anchor falls in the receiver's log; whether its entries are all
// held already, extend the log or overwrite a conflicting suffix; whether the receiver holds
// entries past the message's last, and whether those agree with the sender's log as it is now
// (a stale suffix the message never proved), and if not, whether the leader's commit index
// reaches into that suffix; whether the leader's commit index lies past the message's last entry,
// and past the receiver's commit index; whether the receiver's log is longer than the sender's;
// and whether the sender is down (its log is gone: a suffix past the message counts as its).
// 10 bits.
uint32_t append_entries(const Raft& receiver, const Raft* sender, const raft::Message& m) {
  const Log& log = receiver.log();
  uint32_t anchor = 0;  // does not match
  if (m.prev_log_index < std::max(receiver.commit_index(), log.snapshot_index())) {
    anchor = 1;  // inside what the receiver committed: a stale or duplicate message
  } else if (m.prev_log_index > log.last_index()) {
    anchor = 2;  // past the receiver's log
  } else if (log.matches(m.prev_log_index, m.prev_log_term)) {
    anchor = 3;
  }
  uint32_t entries = 0;  // none
  if (!m.entries.empty()) {
    entries = 1;  // every one held already
    for (const raft::Entry& e : m.entries) {
      if (e.index > log.last_index()) {
        entries = 2;  // extends the log
        break;
      }
      if (!holds(log, e.index, e.term)) {
        entries = 3;  // overwrites a conflicting suffix
        break;
      }
    }
  }
  const Index last = m.entries.empty() ? m.prev_log_index : m.entries.back().index;
  uint32_t past = 0;  // the receiver's log ends at or before the message's last entry
  if (log.last_index() > last) {
    const auto agrees = [&](Index i) { return !sender || sender_holds(log, sender->log(), i); };
    const Index reach = std::min(std::max(m.leader_commit, last), log.last_index());
    past = agrees(log.last_index()) ? 1  // the suffix is the sender's too
           : reach == last || agrees(reach)
               ? 2   // a stale suffix, past what the leader's commit index reaches
               : 3;  // a stale suffix the leader's commit index reaches into
  }
  const bool longer = sender && log.last_index() > sender->log().last_index();
  return anchor | entries << 2 | past << 4 | (m.leader_commit > last ? 1u : 0u) << 6 |
         (m.leader_commit > receiver.commit_index() ? 1u : 0u) << 7 | (longer ? 1u : 0u) << 8 |
         (sender ? 0u : 1u) << 9;
}

// An AppendEntries' answer at its leader: refused or not; the index it acknowledges beside the
// match the leader already holds for that follower, its commit index and its last index; and the
// heartbeat round it echoes beside the newest one that follower echoed. 8 bits.
uint32_t append_response(const Raft& receiver, const raft::Message& m) {
  const auto p = receiver.progress().find(m.from);
  if (receiver.role() != raft::Role::kLeader || p == receiver.progress().end()) return 0;
  const raft::Progress& progress = p->second;
  return 1u | (m.reject ? 1u : 0u) << 1 | beside(m.match_index, progress.match_index) << 2 |
         (m.match_index > receiver.commit_index() ? 1u : 0u) << 4 |
         (m.match_index > receiver.log().last_index() ? 1u : 0u) << 5 |
         beside(m.round, progress.acked_round) << 6;
}

// A vote request (§5.2, §5.4.1): the candidate's last log term and index beside the receiver's,
// and whom the receiver voted for this term (nobody, itself, this candidate, another). 7 bits.
uint32_t vote_request(const Raft& receiver, const raft::Message& m) {
  const raft::NodeId voted = receiver.voted_for();
  const uint32_t vote = voted.is_none() ? 0 : voted == receiver.id() ? 1 : voted == m.from ? 2 : 3;
  return beside(m.last_log_term, receiver.log().last_term()) |
         beside(m.last_log_index, receiver.log().last_index()) << 2 | vote << 4 |
         (m.transfer ? 1u : 0u) << 6;
}

// An InstallSnapshot (§7): its last included index beside the receiver's commit index and last
// index, and whether the receiver already holds that entry. 5 bits.
uint32_t install_snapshot(const Raft& receiver, const raft::Message& m) {
  if (!m.snapshot) return 0;
  const Log& log = receiver.log();
  const Index index = m.snapshot->index;
  const bool held = index >= log.snapshot_index() && index <= log.last_index() &&
                    log.term_at(index) == m.snapshot->term;
  return beside(index, receiver.commit_index()) | beside(index, log.last_index()) << 2 |
         (held ? 1u : 0u) << 4;
}

}  // namespace

bool sender_holds(const Log& log, const Log& sender, Index i) {
  if (i <= log.snapshot_index()) return true;
  if (i > sender.snapshot_index()) return sender.matches(i, log.term_at(i));
  const Index point = sender.snapshot_index();
  return log.last_index() < point || log.term_at(point) == sender.snapshot_term();
}

// The code's fields must not outgrow their bits.
static_assert(static_cast<uint32_t>(MessageType::kInstallSnapshot) < 8);
static_assert(static_cast<uint32_t>(raft::Role::kLeader) < 4);

uint32_t delivery_situation(const sim::World& world, const raft::Message& m) {
  const node::Node* to = world.node(m.to.value);
  if (!to) return 0;
  const Raft& receiver = to->core();
  const node::Node* from = world.node(m.from.value);
  const Raft* sender = from ? &from->core() : nullptr;
  uint32_t detail = 0;
  switch (m.type) {
    case MessageType::kAppendEntries:
      detail = append_entries(receiver, sender, m);
      break;
    case MessageType::kAppendResponse:
      detail = append_response(receiver, m);
      break;
    case MessageType::kVoteRequest:
    case MessageType::kPreVoteRequest:
      detail = vote_request(receiver, m);
      break;
    case MessageType::kVoteResponse:
    case MessageType::kPreVoteResponse:
      detail = m.reject ? 0 : 1;
      break;
    case MessageType::kInstallSnapshot:
      detail = install_snapshot(receiver, m);
      break;
    case MessageType::kTimeoutNow:
      break;
  }
  // type 3 bits, the receiver's role 2, the message's term beside the receiver's 2, detail 10.
  return 1u | static_cast<uint32_t>(m.type) << 1 | static_cast<uint32_t>(receiver.role()) << 4 |
         beside(m.term, receiver.term()) << 6 | detail << 8;
}

}  // namespace raftsim::explore

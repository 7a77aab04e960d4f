// Log replication (§5.3) and what rests on it: the follower's side of AppendEntries, the
// leader's stream of appends and snapshots to each follower with its flow control, commitment
// (§5.4.2), read confirmation by heartbeat rounds, and check-quorum. The rest of the core is in
// raft.cc.
#include <algorithm>
#include <cassert>

#include "raft/raft.h"

namespace raftsim::raft {

// ---------------------------------------------------------------------------------------------
// The follower's side, and the answers the leader gets

void Raft::handle_append_entries(const Message& m) {
  if (role_ != Role::kFollower) become_follower(term_, m.from);  // the term's leader exists
  leader_ = m.from;
  election_elapsed_ = 0;

  Message r = reply_to(m, MessageType::kAppendResponse);
  r.round = m.round;
  if (m.prev_log_index < commit_) {
    // Everything up to our commit index matches every leader's log: acknowledge that much and
    // let the leader continue from there (a stale or duplicate message truncates nothing).
    r.match_index = commit_;
    return send(std::move(r));
  }
  if (!log_.matches(m.prev_log_index, m.prev_log_term)) {
    // The conflict hint lets the leader skip a whole term per round trip (§5.3, last paragraph).
    r.reject = true;
    r.rejected_index = m.prev_log_index;
    if (m.prev_log_index > log_.last_index()) {
      r.conflict_index = log_.last_index().next();
    } else {
      r.conflict_term = log_.term_at(m.prev_log_index);
      r.conflict_index = std::max(log_.first_index_of_term_run(m.prev_log_index), commit_.next());
    }
    return send(std::move(r));
  }
  bool configuration_changed = false;
  for (const Entry& e : m.entries) {
    if (e.index <= log_.last_index()) {
      if (log_.term_at(e.index) == e.term) continue;  // Log Matching: already have it
      // Figure 2, receiver rule 3: a real conflict; drop it and everything after it. Never a
      // committed entry, even from a broken leader: entries start past prev_log_index, which is
      // at least commit_ here.
      assert(e.index > commit_);
      log_.truncate_from(e.index);
      // A configuration that was only in the dropped suffix is no longer in force.
      configuration_changed |= e.index <= configuration_index_;
    }
    configuration_changed |= e.type == EntryType::kConfiguration;
    log_.append(e);
  }
  if (configuration_changed) refresh_configuration();
  // "index of last new entry": never past what this message proved matches the leader.
  const Index last_new = m.prev_log_index + m.entries.size();
  if (m.leader_commit > commit_) commit_ = std::min(m.leader_commit, last_new);
  r.match_index = last_new;
  send(std::move(r));
}

// An answer of this term that names a position answers an AppendEntries or InstallSnapshot of
// this term, and so of this leader in its current life (a restarted node leads only a later
// term), whose log only grows while it leads and whose rounds only rise. Anything else was never
// sent: taking a rejection past the log at its word would set next_index past the log, and the
// next append would read beyond it.
bool Raft::impossible_append_response(const Message& m) const {
  if (m.round > round_) return true;  // echoes a round not yet begun
  if (!m.reject) return m.match_index > log_.last_index();
  // A rejection names the prev_log_index we sent; its hint lies at or before the follower's
  // commit index + 1, which is at most one past that (see handle_append_entries).
  return m.rejected_index > log_.last_index() || m.conflict_index > m.rejected_index.next();
}

void Raft::handle_append_response(const Message& m) {
  if (role_ != Role::kLeader) return;
  auto it = progress_.find(m.from);
  if (it == progress_.end()) return;
  Progress& pr = it->second;
  if (m.reject && m.rejected_index.value == 0) return;  // its term was all it had to say
  if (impossible_append_response(m)) {
    ++rejections_[static_cast<size_t>(Rejection::kImpossibleLog)];
    return;  // before it can count as activity, confirm a read round or move next_index
  }
  pr.recently_active = true;
  pr.acked_round = std::max(pr.acked_round, m.round);

  if (!m.reject) {
    if (m.match_index > pr.match_index) {
      pr.match_index = m.match_index;
      pr.match_round = std::max(pr.match_round, m.round);
    }
    if (pr.state == Progress::State::kProbe) pr.become_replicate();
    pr.next_index = std::max(pr.next_index, pr.match_index.next());
    maybe_commit();
    if (role_ != Role::kLeader) return;
    if (m.from == transfer_target_ && pr.match_index == log_.last_index()) {
      Message t;
      t.type = MessageType::kTimeoutNow;
      t.to = m.from;
      t.term = term_;
      send(std::move(t));
    }
    if (pr.next_index <= log_.last_index()) send_append(m.from, /*heartbeat=*/false);
    confirm_reads();
    return;
  }

  // A rejection at or below the match index means the follower lost entries it acknowledged
  // (a wiped disk, a lying fsync) — unless the rejection is older than that acknowledgement.
  const bool lost_acked = m.rejected_index <= pr.match_index;
  if (lost_acked && m.round <= pr.match_round) return;
  if (!lost_acked && pr.state == Progress::State::kProbe &&
      m.rejected_index != pr.next_index.prev()) {
    return;  // answers a probe we have since replaced
  }
  if (lost_acked) pr.match_index = m.rejected_index.prev();
  Index next = m.conflict_index;
  if (m.conflict_term.value != 0) {
    const Index last_of_term = log_.last_index_of_term(m.conflict_term);
    if (last_of_term.value != 0) next = last_of_term.next();
  }
  // Always back off (strictly below the rejected position) and never below what matches.
  next = std::clamp(next, pr.match_index.next(), std::max(m.rejected_index, pr.match_index.next()));
  pr.become_probe();
  pr.next_index = next;
  send_append(m.from, /*heartbeat=*/false);
}

// ---------------------------------------------------------------------------------------------
// Leader duties

void Raft::send_append(NodeId to, bool heartbeat) {
  Progress& pr = progress_.at(to);
  if (heartbeat && pr.state == Progress::State::kReplicate &&
      pr.match_index < pr.next_index.prev() && pr.acked_round > pr.sent_round) {
    // The follower has echoed a round begun after our last entries went out, yet not acknowledged
    // them: they were lost. Without this, nothing resends them until the next proposal.
    pr.become_probe();
  }
  if (pr.state == Progress::State::kProbe && pr.probe_sent && !heartbeat) return;
  SendBudget& budget = send_budgets_[to];
  if (budget.round != round_) budget = {round_, 0};
  const bool spent = budget.spent >= std::max<size_t>(config_.max_appends_per_round, 1);
  if (!heartbeat && pr.next_index <= log_.last_index() && spent) {
    return;  // this round's budget is spent; the next heartbeat's answer resumes the stream
  }
  // A heartbeat goes out whatever the budget, but it carries entries (a probe's) or becomes a
  // snapshot only within it. A round can begin before its heartbeat leaves (a read's round goes
  // out with the next Ready), and appends answered meanwhile may spend the budget first: then
  // the heartbeat is anchored at the known match and carries nothing.
  const bool anchored_heartbeat = heartbeat && (pr.state == Progress::State::kReplicate || spent);
  if (!anchored_heartbeat && pr.next_index <= log_.snapshot_index()) {
    ++budget.spent;                // a snapshot spends the round's budget as an append does
    return send_snapshot(to, pr);  // the entries it needs next were compacted away (§7)
  }
  Message m;
  m.type = MessageType::kAppendEntries;
  m.to = to;
  m.term = term_;
  m.leader_commit = commit_;
  m.round = round_;
  if (anchored_heartbeat) {
    // Anchored at the known match, a heartbeat cannot collide with appends still in flight. A
    // match inside the compacted prefix is anchored at the snapshot point instead: the follower
    // either holds it (and so everything before it) or rejects, and then gets the snapshot.
    m.prev_log_index = std::max(pr.match_index, log_.snapshot_index());
  } else {
    m.prev_log_index = pr.next_index.prev();
    auto entries = log_.slice(pr.next_index, log_.last_index(), config_.max_entries_per_append);
    m.entries.assign(entries.begin(), entries.end());
    if (pr.state == Progress::State::kReplicate && !entries.empty()) {
      pr.next_index = entries.back().index.next();
    }
    if (!entries.empty()) {
      pr.sent_round = round_;
      ++budget.spent;
    }
    if (pr.state == Progress::State::kProbe) pr.probe_sent = true;
  }
  m.prev_log_term = log_.term_at(m.prev_log_index);
  send(std::move(m));
}

void Raft::broadcast_append(bool heartbeat) {
  for (const auto& [peer, pr] : progress_)
    send_append(peer, heartbeat);
}

void Raft::flush_pending_appends() {
  if (role_ != Role::kLeader) return;
  if (read_round_pending_) {
    read_round_pending_ = false;
    appends_pending_ = false;
    return broadcast_append(/*heartbeat=*/true);
  }
  if (!appends_pending_) return;
  appends_pending_ = false;
  for (const auto& [peer, pr] : progress_) {
    if (pr.next_index <= log_.last_index()) send_append(peer, /*heartbeat=*/false);
  }
}

void Raft::maybe_commit() {
  const Index quorum = configuration_.committed_index([this](NodeId id) {
    if (id == config_.id) return self_match();
    auto it = progress_.find(id);
    return it == progress_.end() ? Index{} : it->second.match_index;
  });
  if (quorum <= commit_) return;
  // §5.4.2: only entries of the leader's own term are committed by counting replicas; earlier
  // ones commit with them. (Figure 8 shows what the planted bug loses.)
  if (log_.term_at(quorum) != term_ && !config_.bugs.commit_previous_term) return;
  commit_ = quorum;
  confirm_reads();
}

void Raft::confirm_reads() {
  if (pending_reads_.empty()) return;
  // §6.4: until an entry of its own term commits, a new leader's commit index may lag entries
  // committed by its predecessors; a read served now could miss them.
  if (log_.term_at(commit_) != term_) return;
  size_t confirmed = 0;
  for (const PendingRead& read : pending_reads_) {
    const bool echoed = configuration_.has_quorum([&](NodeId id) {
      if (id == config_.id) return true;
      auto it = progress_.find(id);
      return it != progress_.end() && it->second.acked_round >= read.round;
    });
    if (!echoed) break;  // rounds only grow along the queue
    reads_.push_back({read.request_id, commit_, true});
    ++confirmed;
  }
  pending_reads_.erase(pending_reads_.begin(),
                       pending_reads_.begin() + static_cast<ptrdiff_t>(confirmed));
}

void Raft::fail_pending_reads() {
  for (const PendingRead& read : pending_reads_)
    reads_.push_back({read.request_id, Index{}, false});
  pending_reads_.clear();
  read_round_pending_ = false;
}

bool Raft::quorum_active() const {
  return configuration_.has_quorum([this](NodeId id) {
    if (id == config_.id) return true;
    auto it = progress_.find(id);
    return it != progress_.end() && it->second.recently_active;
  });
}

void Raft::check_quorum_activity() {
  if (!quorum_active()) return become_follower(term_, kNoNode);
  for (auto& [peer, pr] : progress_)
    pr.recently_active = false;
}

}  // namespace raftsim::raft

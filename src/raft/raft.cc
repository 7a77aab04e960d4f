#include "raft/raft.h"

#include <algorithm>
#include <cassert>

namespace raftsim::raft {

Raft::Raft(Config config, Restored restored)
    : config_(std::move(config)),
      rng_(config_.seed),
      term_(restored.hard_state.term),
      voted_for_(config_.bugs.forget_vote_on_restart ? kNoNode : restored.hard_state.voted_for),
      log_(restored.snapshot.index, restored.snapshot.term, std::move(restored.entries)),
      persisted_hard_state_(restored.hard_state) {
  assert(std::is_sorted(config_.voters.begin(), config_.voters.end()));
  assert(std::is_sorted(config_.learners.begin(), config_.learners.end()));
  bootstrap_ = Configuration{config_.voters, {}, config_.learners};
  servers_ = config_.servers.empty() ? bootstrap_.members() : config_.servers;
  assert(std::is_sorted(servers_.begin(), servers_.end()));
  assert(std::binary_search(servers_.begin(), servers_.end(), config_.id));
  snapshot_configuration_ =
      restored.snapshot.configuration.empty() ? bootstrap_ : restored.snapshot.configuration;
  // Storage that lost entries but kept metadata (a lying fsync) may remember a commit index past
  // its log; what was committed is then gone from this node, not from the cluster. A snapshot
  // holds only applied, so committed, entries; the host restores its state machine from it.
  commit_ = std::clamp(restored.hard_state.commit, log_.snapshot_index(), log_.last_index());
  applied_ = log_.snapshot_index();
  if (restored.snapshot.index.value != 0)
    snapshot_ = std::make_shared<const Snapshot>(std::move(restored.snapshot));
  refresh_configuration();  // a restart acts on the latest configuration its log holds
  reset_election_timer();
}

uint64_t Raft::total_rejections() const {
  uint64_t total = 0;
  for (uint64_t n : rejections_)
    total += n;
  return total;
}

// ---------------------------------------------------------------------------------------------
// Time

void Raft::tick() {
  if (role_ != Role::kLeader) {
    if (++election_elapsed_ >= randomized_election_timeout_) {
      // A learner, or a server not (or no longer) in the configuration, never campaigns; one
      // whose removal is still uncommitted may (may_campaign).
      if (!may_campaign()) return reset_election_timer();
      start_election(config_.options.pre_vote, /*transfer=*/false);
    }
    return;
  }
  if (++election_elapsed_ >= config_.election_timeout_ticks) {
    election_elapsed_ = 0;
    if (config_.options.check_quorum) check_quorum_activity();
    if (role_ != Role::kLeader) return;
  }
  expire_catching_up();
  if (!transfer_target_.is_none() && ++transfer_elapsed_ >= config_.election_timeout_ticks) {
    transfer_target_ = kNoNode;  // the target did not take over in time; keep leading
  }
  if (++heartbeat_elapsed_ >= config_.heartbeat_ticks) {
    heartbeat_elapsed_ = 0;
    ++round_;
    broadcast_append(/*heartbeat=*/true);
  }
}

void Raft::reset_election_timer() {
  election_elapsed_ = 0;
  const int base = config_.election_timeout_ticks;
  randomized_election_timeout_ = base + static_cast<int>(rng_.uniform(static_cast<uint64_t>(base)));
}

// ---------------------------------------------------------------------------------------------
// Role transitions

void Raft::become_follower(Term term, NodeId leader) {
  if (role_ == Role::kLeader) fail_pending_reads();
  if (term != term_) {
    term_ = term;
    voted_for_ = kNoNode;
  }
  role_ = Role::kFollower;
  leader_ = leader;
  votes_.clear();
  progress_.clear();
  catching_up_.clear();
  transfer_target_ = kNoNode;
  appends_pending_ = false;
  reset_election_timer();
}

void Raft::become_pre_candidate() {
  // A pre-candidate changes nothing durable: not its term, not its vote.
  role_ = Role::kPreCandidate;
  leader_ = kNoNode;
  votes_.clear();
}

void Raft::become_candidate() {
  term_ = term_.next();
  voted_for_ = config_.id;
  role_ = Role::kCandidate;
  leader_ = kNoNode;
  votes_.clear();
}

void Raft::become_leader() {
  role_ = Role::kLeader;
  leader_ = config_.id;
  votes_.clear();
  transfer_target_ = kNoNode;
  round_ = 0;
  send_budgets_.clear();  // rounds start over
  heartbeat_elapsed_ = 0;
  election_elapsed_ = 0;
  // §5.3: nextIndex starts one past the leader's last entry, taken before the no-op is appended,
  // so a follower that already matches the whole log costs no rejection.
  progress_.clear();
  catching_up_.clear();
  track_members();
  // §8: a no-op of the new term lets the leader learn which earlier entries are committed.
  log_.append(Entry{term_, log_.last_index().next(), EntryType::kNoOp, {}});
  appends_pending_ = true;
}

void Raft::campaign() {
  start_election(config_.options.pre_vote, /*transfer=*/false);
}

void Raft::start_election(bool pre_vote, bool transfer) {
  if (role_ == Role::kLeader || !may_campaign()) return;
  reset_election_timer();
  if (pre_vote) {
    become_pre_candidate();
  } else {
    become_candidate();
  }
  votes_[config_.id] = true;
  if (pre_vote && configuration_.vote_result(votes_) == VoteResult::kWon) {
    return start_election(/*pre_vote=*/false, transfer);  // no one else to ask
  }
  maybe_win_election();  // a single voter wins once its own vote is durable
  for (NodeId peer : configuration_.members()) {
    if (peer == config_.id || !configuration_.is_voter(peer)) continue;
    Message m;
    m.type = pre_vote ? MessageType::kPreVoteRequest : MessageType::kVoteRequest;
    m.to = peer;
    m.term = pre_vote ? term_.next() : term_;
    m.last_log_index = log_.last_index();
    m.last_log_term = log_.last_term();
    m.transfer = transfer;
    send(std::move(m));
  }
}

// ---------------------------------------------------------------------------------------------
// Messages in

std::optional<Rejection> Raft::validate(const Message& m) const {
  if (m.to != config_.id) return Rejection::kWrongRecipient;
  if (m.from == config_.id || !is_server(m.from)) {
    return Rejection::kUnknownSender;
  }
  if (m.term.value == 0 && m.type != MessageType::kPreVoteResponse) return Rejection::kZeroTerm;
  // Terms grow by one per election and indices by one per entry: no cluster gets near 2^62 of
  // either. Larger values are forged, and the terms and indices after them would wrap to 0.
  // (Every term a message carries is checked against m.term below.)
  constexpr uint64_t kUnreachable = uint64_t{1} << 62;
  const Index furthest =
      std::max({m.last_log_index, m.prev_log_index, m.leader_commit, m.match_index,
                m.rejected_index, m.conflict_index, m.snapshot ? m.snapshot->index : Index{}});
  if (m.term.value >= kUnreachable || furthest.value >= kUnreachable) {
    return Rejection::kOutOfRange;
  }
  // Index 0 has term 0 and every real entry a term >= 1; no entry's term exceeds its sender's.
  auto impossible_position = [&](Index index, Term term) {
    return (index.value == 0) != (term.value == 0) || term > m.term;
  };
  switch (m.type) {
    case MessageType::kVoteRequest:
    case MessageType::kPreVoteRequest:
      if (impossible_position(m.last_log_index, m.last_log_term)) return Rejection::kImpossibleLog;
      break;
    case MessageType::kAppendEntries: {
      if (impossible_position(m.prev_log_index, m.prev_log_term)) return Rejection::kImpossibleLog;
      if (m.prev_log_index.value > UINT64_MAX - m.entries.size()) return Rejection::kBrokenEntries;
      Index expected = m.prev_log_index.next();
      Term floor = m.prev_log_term;
      for (const Entry& e : m.entries) {
        if (e.index != expected || e.term < floor || e.term > m.term || e.term.value == 0) {
          return Rejection::kBrokenEntries;
        }
        if (e.type == EntryType::kConfiguration && !Configuration::decode(e.command)) {
          return Rejection::kBrokenEntries;
        }
        expected = expected.next();
        floor = e.term;
      }
      break;
    }
    case MessageType::kAppendResponse:
      // A rejection of index 0 answers a message of an older term and carries only its term.
      if (m.reject && m.rejected_index.value != 0 &&
          (m.conflict_index.value == 0 || m.conflict_term > m.term)) {
        return Rejection::kImpossibleLog;
      }
      break;
    case MessageType::kInstallSnapshot:
      if (!m.snapshot || m.snapshot->index.value == 0 ||
          impossible_position(m.snapshot->index, m.snapshot->term)) {
        return Rejection::kImpossibleLog;
      }
      if (!m.snapshot->configuration.empty() &&
          !Configuration::decode(m.snapshot->configuration.encode())) {
        return Rejection::kImpossibleLog;  // no voter, or a learner that also votes
      }
      break;
    case MessageType::kVoteResponse:
    case MessageType::kPreVoteResponse:
    case MessageType::kTimeoutNow:
      break;
    default:
      return Rejection::kBrokenEntries;  // a type no peer can send
  }
  return std::nullopt;
}

void Raft::step(const Message& m) {
  if (auto why = validate(m)) {
    ++rejections_[static_cast<size_t>(*why)];
    return;
  }
  dispatch(m);
  settle_configuration();
}

void Raft::dispatch(const Message& m) {
  const bool vote_request =
      m.type == MessageType::kVoteRequest || m.type == MessageType::kPreVoteRequest;
  if (m.term > term_) {
    if (vote_request && ignore_for_vote_lease(m)) return;
    // Pre-vote traffic carries a term nobody holds yet: answering it, or counting a grant for
    // it, must not move this node's term.
    const bool future_term = m.type == MessageType::kPreVoteRequest ||
                             (m.type == MessageType::kPreVoteResponse && !m.reject);
    if (!future_term) {
      const bool from_leader =
          m.type == MessageType::kAppendEntries || m.type == MessageType::kTimeoutNow;
      become_follower(m.term, from_leader ? m.from : kNoNode);
    }
  } else if (m.term < term_) {
    // Figure 2: "reply false if term < currentTerm" — the answer carries our term, which makes
    // a stale leader or candidate step down.
    if (m.type == MessageType::kAppendEntries || m.type == MessageType::kInstallSnapshot) {
      // No position: by the time it arrives the sender may lead our term, and its log then need
      // not hold what the stale message named (see impossible_append_response).
      Message r = reply_to(m, MessageType::kAppendResponse);
      r.reject = true;
      send(std::move(r));
    } else if (vote_request) {
      Message r = reply_to(m, m.type == MessageType::kVoteRequest ? MessageType::kVoteResponse
                                                                  : MessageType::kPreVoteResponse);
      r.reject = true;
      send(std::move(r));
    }
    return;
  }
  switch (m.type) {
    case MessageType::kVoteRequest:
    case MessageType::kPreVoteRequest:
      return handle_vote_request(m);
    case MessageType::kVoteResponse:
    case MessageType::kPreVoteResponse:
      return handle_vote_response(m);
    case MessageType::kAppendEntries:
      return handle_append_entries(m);
    case MessageType::kAppendResponse:
      return handle_append_response(m);
    case MessageType::kTimeoutNow:
      return handle_timeout_now(m);
    case MessageType::kInstallSnapshot:
      return handle_install_snapshot(m);
  }
}

bool Raft::ignore_for_vote_lease(const Message& m) const {
  // A voter that heard from a live leader less than an election timeout ago has no reason to
  // believe it failed. A transfer-initiated campaign carries the old leader's blessing.
  return config_.options.vote_lease && !m.transfer && !leader_.is_none() &&
         election_elapsed_ < config_.election_timeout_ticks;
}

bool Raft::may_grant_vote(const Message& m) const {
  const bool log_ok =
      config_.bugs.vote_without_log_check || log_.is_up_to_date(m.last_log_index, m.last_log_term);
  if (!log_ok) return false;
  if (m.type == MessageType::kPreVoteRequest) return m.term > term_;
  return voted_for_.is_none() || voted_for_ == m.from;
}

void Raft::handle_vote_request(const Message& m) {
  const bool pre_vote = m.type == MessageType::kPreVoteRequest;
  const bool grant = may_grant_vote(m);
  Message r = reply_to(m, pre_vote ? MessageType::kPreVoteResponse : MessageType::kVoteResponse);
  r.reject = !grant;
  if (grant && pre_vote) r.term = m.term;  // the term the candidate will campaign in
  if (grant && !pre_vote) {
    voted_for_ = m.from;
    reset_election_timer();  // Figure 2: granting a vote resets the election timer
  }
  send(std::move(r));
}

void Raft::handle_vote_response(const Message& m) {
  const bool pre_vote = m.type == MessageType::kPreVoteResponse;
  if (role_ != (pre_vote ? Role::kPreCandidate : Role::kCandidate)) return;
  if (pre_vote && !m.reject && m.term != term_.next()) return;  // answer to an older campaign
  votes_.emplace(m.from, !m.reject);  // a voter's first answer is its answer
  maybe_win_election();
}

void Raft::maybe_win_election() {
  const bool pre_vote = role_ == Role::kPreCandidate;
  if (!pre_vote && role_ != Role::kCandidate) return;
  // A candidate's own vote counts once it is durable, like anyone else's: a candidate that won
  // on a vote it then lost in a crash could lead the same term twice, with different entries.
  const bool own_vote_durable = pre_vote || (persisted_hard_state_.term == term_ &&
                                             persisted_hard_state_.voted_for == config_.id);
  VoteResult result;
  if (own_vote_durable) {
    result = configuration_.vote_result(votes_);
  } else {
    std::map<NodeId, bool> counted = votes_;
    counted.erase(config_.id);
    result = configuration_.vote_result(counted);
  }
  if (result == VoteResult::kWon) {
    if (pre_vote) return start_election(/*pre_vote=*/false, /*transfer=*/false);
    return become_leader();
  }
  if (result == VoteResult::kLost) become_follower(term_, kNoNode);
}

void Raft::handle_timeout_now(const Message& m) {
  if (!config_.options.leadership_transfer || role_ == Role::kLeader ||
      !configuration_.is_voter(config_.id)) {
    return;
  }
  (void)m;
  start_election(/*pre_vote=*/false, /*transfer=*/true);
}

// ---------------------------------------------------------------------------------------------
// Client-facing inputs

ProposeResult Raft::propose(std::string command) {
  if (role_ != Role::kLeader || !transfer_target_.is_none()) return {};
  const Index index = log_.last_index().next();
  log_.append(Entry{term_, index, EntryType::kCommand, std::move(command)});
  appends_pending_ = true;
  return {true, index, term_};
}

void Raft::transfer_leader(NodeId to) {
  if (role_ != Role::kLeader || !config_.options.leadership_transfer) return;
  auto it = progress_.find(to);
  if (it == progress_.end() || !configuration_.is_voter(to)) return;
  transfer_target_ = to;
  transfer_elapsed_ = 0;
  if (it->second.match_index == log_.last_index()) {
    Message t;
    t.type = MessageType::kTimeoutNow;
    t.to = to;
    t.term = term_;
    send(std::move(t));
  } else {
    send_append(to, /*heartbeat=*/false);
  }
}

void Raft::read_index(uint64_t request_id) {
  if (role_ != Role::kLeader) {
    reads_.push_back({request_id, Index{}, false});
    return;
  }
  if (config_.bugs.stale_leader_reads) {
    reads_.push_back({request_id, commit_, true});
    return;
  }
  // Reads that arrive together share one heartbeat round, sent when the Ready is collected.
  if (!read_round_pending_) {
    ++round_;
    read_round_pending_ = true;
  }
  pending_reads_.push_back({request_id, round_});
  confirm_reads();
}

// ---------------------------------------------------------------------------------------------
// Messages out

Message Raft::reply_to(const Message& m, MessageType type) const {
  Message r;
  r.type = type;
  r.to = m.from;
  r.term = term_;
  return r;
}

void Raft::send(Message m) {
  m.from = config_.id;
  switch (m.type) {
    // These carry promises — a vote, an acknowledgement, the term they were made in — that must
    // be on stable storage before anyone can rely on them (Figure 2, "Persistent state").
    case MessageType::kVoteRequest:
    case MessageType::kVoteResponse:
    case MessageType::kAppendResponse:
      after_persist_.push_back(std::move(m));
      break;
    default:
      messages_.push_back(std::move(m));
  }
}

// ---------------------------------------------------------------------------------------------
// Ready / advance

bool Raft::has_ready() const {
  return received_snapshot_ || appends_pending_ || read_round_pending_ || log_.has_unpersisted() ||
         hard_state() != persisted_hard_state_ || !messages_.empty() || !after_persist_.empty() ||
         commit_ > applied_ || soft_state() != reported_soft_state_ || !reads_.empty();
}

Ready Raft::ready() {
  flush_pending_appends();
  Ready rd;
  const HardState hs = hard_state();
  if (hs != persisted_hard_state_) rd.hard_state = hs;
  rd.snapshot = std::move(received_snapshot_);
  received_snapshot_.reset();
  rd.entries = log_.take_unpersisted();
  rd.must_sync = rd.snapshot || !rd.entries.empty() || hs.term != persisted_hard_state_.term ||
                 hs.voted_for != persisted_hard_state_.voted_for;
  rd.messages.swap(messages_);
  rd.after_persist.swap(after_persist_);
  if (commit_ > applied_) {
    auto entries = log_.slice(applied_.next(), commit_, SIZE_MAX);
    rd.committed.assign(entries.begin(), entries.end());
    applied_ = commit_;
  }
  if (soft_state() != reported_soft_state_) {
    rd.soft_state = soft_state();
    reported_soft_state_ = soft_state();
  }
  rd.reads.swap(reads_);
  return rd;
}

void Raft::advance(const Ready& rd) {
  if (rd.hard_state) persisted_hard_state_ = *rd.hard_state;
  log_.persisted(rd.entries);
  maybe_win_election();
  // The leader's own copy counts toward a quorum only once durable.
  if (role_ == Role::kLeader) maybe_commit();
  settle_configuration();
}

}  // namespace raftsim::raft

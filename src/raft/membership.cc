// Membership changes (thesis ch. 4): single-server steps, learners, and joint consensus.
//
// The rules, each enforced here:
//   - every server acts on the latest configuration in its log, committed or not, and falls back
//     to the one before when a conflicting suffix is truncated (§4.1);
//   - the leader appends a configuration entry only once an entry of its own term has committed
//     and the previous configuration entry has committed (the fix for the thesis's
//     single-server bug: without it two leaders of different terms can each make one change
//     from the same committed configuration, with majorities that do not overlap);
//   - a change of more than one voter goes through the joint configuration C_old,new, in which
//     every quorum needs a majority of both halves; once it commits, the leader appends C_new;
//   - a learner replicates but never votes, counts or campaigns, and is promoted only once its
//     log has caught up with the leader's commit index;
//   - likewise a server not yet a member becomes a voter only once it has caught up: the leader
//     replicates to it outside the configuration first (§4.2.1), or a quorum that needs it
//     would stall for as long as its empty log takes to fill;
//   - a leader that is not a voter of a committed configuration steps down (§4.2.2);
//   - a server removed by a configuration not yet committed still campaigns, if it was a voter
//     before, without counting its own vote (§4.2.2): it may hold the only copy of its removal.
#include <algorithm>

#include "raft/raft.h"

namespace raftsim::raft {

bool Raft::is_server(NodeId id) const {
  return std::binary_search(servers_.begin(), servers_.end(), id);
}

Configuration Raft::configuration_at(Index index) const {
  for (Index i = std::min(index, log_.last_index()); i > log_.snapshot_index(); i = i.prev()) {
    const Entry& e = log_.at(i);
    if (e.type != EntryType::kConfiguration) continue;
    // validate() refuses undecodable entries from peers; storage checksums what it returns.
    if (auto c = Configuration::decode(e.command)) return *c;
  }
  return snapshot_configuration_;
}

// §4.2.2: a server that is not in its own latest configuration still campaigns while that
// configuration is uncommitted, if it was a voter in the one before: until C_new commits it may
// be needed. A leader that removed itself and restarted may hold the only copy of its removal,
// and the others, lacking it, can win no election without its vote. Its own vote does not count
// (vote_result counts voters only). Once its removal has committed it never campaigns.
bool Raft::may_campaign() const {
  if (configuration_.is_voter(config_.id)) return true;
  if (configuration_index_ <= commit_ || configuration_index_.value == 0) return false;
  return configuration_at(configuration_index_.prev()).is_voter(config_.id);
}

Configuration Raft::snapshot_configuration(Index index) const {
  Configuration c = configuration_at(index);
  return c == bootstrap_ ? Configuration{} : c;
}

void Raft::refresh_configuration() {
  configuration_ = snapshot_configuration_;
  configuration_index_ = snapshot_configuration_ == bootstrap_ && log_.snapshot_index().value == 0
                             ? Index{}
                             : log_.snapshot_index();
  for (Index i = log_.last_index(); i > log_.snapshot_index(); i = i.prev()) {
    const Entry& e = log_.at(i);
    if (e.type != EntryType::kConfiguration) continue;
    if (auto c = Configuration::decode(e.command)) {
      configuration_ = std::move(*c);
      configuration_index_ = i;
      break;
    }
  }
  if (role_ == Role::kLeader) track_members();
}

void Raft::track_members(Index next) {
  // A new member starts at `next` (a new leader starts everyone one past its last entry), backed
  // off by its rejections. Gone members are forgotten (their messages still arrive, and are
  // ignored).
  for (auto it = progress_.begin(); it != progress_.end();) {
    const bool keep = configuration_.is_member(it->first) || catching_up_.contains(it->first);
    it = keep ? std::next(it) : progress_.erase(it);
  }
  for (NodeId peer : configuration_.members()) {
    if (peer == config_.id || progress_.contains(peer)) continue;
    Progress& pr = progress_[peer];
    pr.next_index = next.value == 0 ? log_.last_index().next() : next;
    pr.recently_active = true;  // gets one election timeout to be heard from
  }
  if (!transfer_target_.is_none() && !configuration_.is_voter(transfer_target_)) {
    transfer_target_ = kNoNode;
  }
}

void Raft::append_configuration(const Configuration& next) {
  log_.append(Entry{term_, log_.last_index().next(), EntryType::kConfiguration, next.encode()});
  configuration_ = next;
  configuration_index_ = log_.last_index();
  track_members(configuration_index_);  // a new member is sent the entry that added it at once
  appends_pending_ = true;
}

ChangeResult Raft::change(const ConfChange& change) {
  ChangeResult result;
  if (role_ != Role::kLeader) return result;
  auto refuse = [&](ChangeRefusal why) {
    result.refusal = why;
    return result;
  };
  if (!transfer_target_.is_none()) return refuse(ChangeRefusal::kTransferring);
  if (log_.term_at(commit_) != term_ && !config_.bugs.change_before_term_commit) {
    return refuse(ChangeRefusal::kNoCommitInTerm);
  }
  if (configuration_index_ > commit_) return refuse(ChangeRefusal::kChangePending);
  ChangeRefusal why = ChangeRefusal::kNone;
  std::optional<ChangePlan> plan = plan_change(configuration_, change, &why);
  if (!plan) return refuse(why);
  if (ChangeRefusal behind = catch_up_new_voters(plan->target); behind != ChangeRefusal::kNone) {
    return refuse(behind);
  }
  Configuration next = plan->target;
  if (!plan->simple) next.outgoing = configuration_.voters;  // C_old,new first
  for (NodeId v : next.voters)
    catching_up_.erase(v);  // a member from here on
  append_configuration(next);
  result.refusal = ChangeRefusal::kNone;
  result.index = configuration_index_;
  result.term = term_;
  return result;
}

// Every voter `target` adds must already hold what is committed. A learner has been replicated
// to all along; a server that is no member yet starts being caught up here, outside the
// configuration, for as long as the change keeps being asked (expire_catching_up). Measuring
// against the commit index when asked, rather than in timed rounds, lets a caller's retry
// interval pace the rounds.
ChangeRefusal Raft::catch_up_new_voters(const Configuration& target) {
  ChangeRefusal behind = ChangeRefusal::kNone;
  for (NodeId v : target.voters) {
    if (v == config_.id || configuration_.is_voter(v)) continue;
    const bool member = configuration_.is_member(v);
    if (!member) catching_up_[v] = 2 * config_.election_timeout_ticks;
    auto [it, fresh] = progress_.try_emplace(v);
    if (fresh) {
      it->second.next_index = log_.last_index().next();
      it->second.recently_active = true;
      send_append(v, /*heartbeat=*/false);
    }
    if (it->second.match_index < commit_ && behind == ChangeRefusal::kNone) {
      behind = member ? ChangeRefusal::kLearnerBehind : ChangeRefusal::kNewVoterBehind;
    }
  }
  return behind;
}

// A change no one asks for again releases the servers it was catching up.
void Raft::expire_catching_up() {
  for (auto it = catching_up_.begin(); it != catching_up_.end();) {
    if (--it->second > 0) {
      ++it;
      continue;
    }
    if (!configuration_.is_member(it->first)) progress_.erase(it->first);
    it = catching_up_.erase(it);
  }
}

void Raft::settle_configuration() {
  if (role_ != Role::kLeader || configuration_index_ > commit_) return;
  if (configuration_.joint()) {
    // C_old,new is committed: no decision can be made by C_old alone any more; move on to C_new.
    Configuration next = configuration_;
    next.outgoing.clear();
    return append_configuration(next);
  }
  if (!configuration_.is_voter(config_.id)) {
    // Removed by a committed configuration: stop leading, and (not a voter) never campaign.
    if (config_.bugs.removed_leader_keeps_leading) return;
    become_follower(term_, kNoNode);
  }
}

}  // namespace raftsim::raft

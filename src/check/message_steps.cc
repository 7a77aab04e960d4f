// request_answered, election_timer_reset, leader_followed, newer_term_adopted and
// stale_term_ignored, the RaftInvariants rules that judge what a node does with one message: its
// answer, in the next Ready its host takes, and the step itself.
//
// These rules keep a cluster moving rather than safe, and so were checked only through what
// breaking them costs. A candidate that takes its term's AppendEntries and neither answers nor
// steps down looks, to every other check, like a network that lost the message; a leader that
// lets an answer from one of its earlier terms move a follower's progress breaks nothing until,
// terms later, its log was cut back beneath what that answer acknowledged. Each is caught here,
// where the rule breaks, whether or not anything else goes wrong afterwards.
//
// request_answered: every request a core takes is owed one answer to its sender, of the
// matching type, in the Ready the host takes next (the core hands over all it has to send in
// each Ready, so a correct core's answer can be in no later one). Not owed: a request the core
// refused as impossible (its rejection counters moved: a lie, corruption, or a broken sender),
// and a vote request of a newer term the vote lease lets the receiver ignore (thesis §4.2.3;
// worked out before the step from what the core shows: lease_lets_ignore). A crash forgets what
// the node owed. One report per receiver, sender and term of the last request left unanswered.
//
// election_timer_reset: a node restarts its election timer when it takes an AppendEntries or an
// InstallSnapshot from the leader of its term, and when it grants its vote (Figure 2, Rules for
// Servers, Followers). Breaking it costs no safety property, only elections nobody needed: a
// follower deposes a healthy leader whenever its timer runs out, and the cluster still elects
// and commits in between, so no liveness window sees it either. Judged at the step: after it, the
// receiver's timer stands at the full timeout it drew. One report per receiver, message type and
// term.
//
// leader_followed: a node that takes an AppendEntries or an InstallSnapshot of its term (or of a
// newer one, which it has adopted) follows its sender: after the step it is a follower with the
// sender as its leader (Figure 2, Rules for Servers, Candidates: "if AppendEntries RPC received
// from new leader: convert to follower"; §5.2). A candidate that answers the winner's appends but
// stays a candidate keeps a role no other check looks at. One report per receiver, message type
// and term.
//
// newer_term_adopted: a message of a newer term than its receiver's makes the receiver take that
// term and become a follower (Figure 2, Rules for Servers, All Servers), judged at the step: after
// it, the receiver holds the message's term as a follower, or, for a TimeoutNow, which asks it to
// campaign at once, is a candidate of the next term. Not judged: what carries a term nobody holds
// yet (a pre-vote request, a granted pre-vote answer) and a vote request the vote lease lets the
// receiver ignore. A leader that ignores the newer term in its followers' answers goes on leading a
// term that can commit nothing; it is deposed as soon as the new leader or a candidate reaches it,
// so only a cluster whose new leader cannot reach the old one shows it otherwise. One report per
// receiver, message type and term.
//
// stale_term_ignored: before a message of an older term than its receiver's is stepped, the
// receiver's term, vote, role, leader, log end, commit index, election timer, configuration and
// per-follower progress are kept; after the step they must be unchanged. The step may only send
// (an answer with the receiver's term) and count a refusal. One report per receiver, message type
// and message term.
#include <algorithm>
#include <string>
#include <vector>

#include "check/raft_invariants.h"

namespace raftsim::check {

namespace {

using raft::MessageType;

// The answer a request is owed, if `m` is a request.
std::optional<MessageType> answer_to(const raft::Message& m) {
  switch (m.type) {
    case MessageType::kAppendEntries:
    case MessageType::kInstallSnapshot:
      return MessageType::kAppendResponse;
    case MessageType::kVoteRequest:
      return MessageType::kVoteResponse;
    case MessageType::kPreVoteRequest:
      return MessageType::kPreVoteResponse;
    default:
      return std::nullopt;
  }
}

// An AppendEntries or an InstallSnapshot: what only a leader sends.
bool from_a_leader(const raft::Message& m) {
  return m.type == MessageType::kAppendEntries || m.type == MessageType::kInstallSnapshot;
}

// Whether the vote lease lets `receiver`, about to step `m`, ignore it (thesis §4.2.3): `m` is a
// vote request of a newer term, not a transfer's, and the receiver heard from a live leader less
// than an election timeout ago (a leader is one). Worked out from what the core shows, not asked
// of it: a core that ignored requests the lease does not cover would otherwise excuse itself.
bool lease_lets_ignore(const raft::Raft& receiver, const raft::Message& m) {
  const bool vote_request =
      m.type == MessageType::kVoteRequest || m.type == MessageType::kPreVoteRequest;
  const raft::Config& config = receiver.config();
  if (!vote_request || m.term <= receiver.term() || !config.options.vote_lease || m.transfer ||
      receiver.leader().is_none()) {
    return false;
  }
  if (receiver.role() == raft::Role::kLeader) return true;
  const int elapsed = receiver.election_timeout() - receiver.election_ticks_left();
  return elapsed < config.election_timeout_ticks;
}

std::string from_to(uint64_t before, uint64_t after) {
  return std::to_string(before) + " -> " + std::to_string(after);
}

// "match 3 -> 4, acked round 2 -> 5": the fields of a follower's progress that differ.
std::string progress_changes(const raft::Progress& before, const raft::Progress& after) {
  std::string out;
  auto field = [&out](const char* what, uint64_t a, uint64_t b) {
    if (a != b) out += (out.empty() ? "" : ", ") + std::string(what) + " " + from_to(a, b);
  };
  field("match", before.match_index.value, after.match_index.value);
  field("next", before.next_index.value, after.next_index.value);
  field("replicating", before.state == raft::Progress::State::kReplicate,
        after.state == raft::Progress::State::kReplicate);
  field("probe sent", before.probe_sent, after.probe_sent);
  field("recently active", before.recently_active, after.recently_active);
  field("acked round", before.acked_round, after.acked_round);
  field("match round", before.match_round, after.match_round);
  field("sent round", before.sent_round, after.sent_round);
  return out;
}

}  // namespace

RaftInvariants::Held RaftInvariants::held_by(const raft::Raft& core) {
  return {core.term().value,
          core.voted_for(),
          core.role(),
          core.leader(),
          core.commit_index().value,
          core.log().last_index().value,
          core.log().last_term().value,
          core.log().snapshot_index().value,
          core.configuration_index().value,
          core.election_ticks_left(),
          core.progress()};
}

std::string RaftInvariants::what_changed(const Held& before, const Held& after) const {
  std::string out;
  auto add = [&out](const std::string& what) { out += (out.empty() ? "" : ", ") + what; };
  if (before.term != after.term) add("its term " + from_to(before.term, after.term));
  // A node named, or "nobody" (a vote not cast, no leader known).
  auto who = [this](raft::NodeId id) { return id.is_none() ? std::string("nobody") : name(id); };
  if (before.vote != after.vote) add("its vote " + who(before.vote) + " -> " + who(after.vote));
  if (before.role != after.role) {
    add("its role " + std::string(raft::to_string(before.role)) + " -> " +
        std::string(raft::to_string(after.role)));
  }
  if (before.leader != after.leader)
    add("its leader " + who(before.leader) + " -> " + who(after.leader));
  if (before.last_index != after.last_index || before.last_term != after.last_term ||
      before.snapshot_index != after.snapshot_index) {
    add("its log's last entry (" + std::to_string(before.last_index) + ", term " +
        std::to_string(before.last_term) + ") -> (" + std::to_string(after.last_index) + ", term " +
        std::to_string(after.last_term) + ")");
  }
  if (before.commit != after.commit)
    add("its commit index " + from_to(before.commit, after.commit));
  if (before.configuration_index != after.configuration_index) add("its configuration");
  if (before.election_ticks_left != after.election_ticks_left) {
    add("its election timer (" + std::to_string(before.election_ticks_left) + " -> " +
        std::to_string(after.election_ticks_left) + " ticks left)");
  }
  for (const auto& [id, now] : after.progress) {
    auto was = before.progress.find(id);
    if (was == before.progress.end() || was->second == now) continue;
    add("its progress for " + name(id) + " (" + progress_changes(was->second, now) + ")");
  }
  if (before.progress.size() != after.progress.size()) add("the followers it tracks");
  return out;
}

std::vector<RaftInvariants::OwedAnswer>& RaftInvariants::owed_by(raft::NodeId node) {
  if (owed_.size() <= node.value) owed_.resize(node.value + 1);
  return owed_[node.value];
}

void RaftInvariants::on_step(SimTime, const raft::Raft& receiver, const raft::Message& m) {
  on_deliver(m);  // read_rounds.cc
  if (!steps_reported_) return;
  lease_ignores_ = lease_lets_ignore(receiver, m);
  answer_owed_ = lease_ignores_ ? std::nullopt : answer_to(m);
  rejections_before_step_ = receiver.total_rejections();
  term_before_step_ = receiver.term();
  vote_before_step_ = receiver.voted_for();
  held_before_step_.reset();
  if (m.term < receiver.term()) held_before_step_ = held_by(receiver);
  append_before_.judged = false;
  if (m.type == MessageType::kAppendEntries) note_append(receiver, m);  // append_steps.cc
  vote_behind_ = vote_behind(receiver, m);                              // vote_steps.cc
}

void RaftInvariants::on_stepped(SimTime now, const raft::Raft& receiver, const raft::Message& m) {
  if (!steps_reported_) return;
  // A request the core refused as impossible was not taken: its rejection counters moved.
  const bool taken = receiver.total_rejections() == rejections_before_step_;
  if (answer_owed_ && taken) {
    owed_by(receiver.id())
        .push_back({m.from, *answer_owed_, m.type, m.term.value, receiver.term().value,
                    receiver.role(), append_answer_owed(receiver, m), vote_behind_});
  }
  if (taken) {
    check_append_obeyed(now, receiver, m);  // append_steps.cc
    check_timer_restarted(now, receiver, m);
    check_newer_term_adopted(now, receiver, m);
    check_leader_followed(now, receiver, m);
  }
  if (!held_before_step_) return;
  const Held after = held_by(receiver);
  if (after == *held_before_step_) return;
  report({kStaleTermIgnored, receiver.id().value, static_cast<uint64_t>(m.type), m.term.value},
         make(kStaleTermIgnored, now, {receiver.id(), m.from}, m.term, raft::Index{},
              name(receiver.id()) + ", " + std::string(raft::to_string(held_before_step_->role)) +
                  " of term " + std::to_string(held_before_step_->term) + ", stepped " +
                  name(m.from) + "'s " + std::string(raft::to_string(m.type)) + " of term " +
                  std::to_string(m.term.value) + " and changed " +
                  what_changed(*held_before_step_, after)));
}

void RaftInvariants::check_timer_restarted(SimTime now, const raft::Raft& receiver,
                                           const raft::Message& m) {
  if (receiver.role() == raft::Role::kLeader || receiver.term() != m.term) return;
  const bool from_leader = from_a_leader(m) && receiver.leader() == m.from;
  // A vote granted in this step, not one it had granted the same candidate before.
  const bool granted = m.type == MessageType::kVoteRequest && receiver.voted_for() == m.from &&
                       (term_before_step_ != m.term || vote_before_step_ != m.from);
  if (!from_leader && !granted) return;
  const int left = receiver.election_ticks_left();
  const int timeout = receiver.election_timeout();
  if (left == timeout) return;
  const std::string what =
      from_leader ? "took its leader " + name(m.from) + "'s " + std::string(raft::to_string(m.type))
                  : "granted its vote to " + name(m.from);
  report({kElectionTimerReset, receiver.id().value, static_cast<uint64_t>(m.type), m.term.value},
         make(kElectionTimerReset, now, {receiver.id(), m.from}, m.term, raft::Index{},
              name(receiver.id()) + ", " + std::string(raft::to_string(receiver.role())) +
                  " of term " + std::to_string(m.term.value) + ", " + what +
                  " and did not restart its election timer (" + std::to_string(left) + " of " +
                  std::to_string(timeout) + " ticks left)"));
}

void RaftInvariants::check_leader_followed(SimTime now, const raft::Raft& receiver,
                                           const raft::Message& m) {
  if (!from_a_leader(m)) return;
  // An older term is stale_term_ignored's; a newer one not adopted, newer_term_adopted's.
  if (m.term < term_before_step_ || receiver.term() != m.term) return;
  if (receiver.role() == raft::Role::kFollower && receiver.leader() == m.from) return;
  // A leader of the term (two in one term: another check's report) names no leader of its own.
  const std::string leader = receiver.role() == raft::Role::kLeader ? std::string()
                             : receiver.leader().is_none()
                                 ? std::string(", no leader")
                                 : ", " + name(receiver.leader()) + " its leader";
  report(
      {kLeaderFollowed, receiver.id().value, static_cast<uint64_t>(m.type), m.term.value},
      make(kLeaderFollowed, now, {receiver.id(), m.from}, m.term, raft::Index{},
           name(receiver.id()) + " took " + name(m.from) + "'s " +
               std::string(raft::to_string(m.type)) + " of term " + std::to_string(m.term.value) +
               " and is " + std::string(raft::to_string(receiver.role())) + " of term " +
               std::to_string(receiver.term().value) + leader));
}

void RaftInvariants::check_newer_term_adopted(SimTime now, const raft::Raft& receiver,
                                              const raft::Message& m) {
  if (m.term <= term_before_step_ || lease_ignores_) return;
  if (m.type == MessageType::kPreVoteRequest ||
      (m.type == MessageType::kPreVoteResponse && !m.reject)) {
    return;  // a term nobody holds yet
  }
  if (receiver.term() == m.term && receiver.role() == raft::Role::kFollower) return;
  // A TimeoutNow asks its receiver to campaign at once: it takes the term, then the next.
  if (m.type == MessageType::kTimeoutNow && receiver.term() == m.term.next() &&
      receiver.role() == raft::Role::kCandidate) {
    return;
  }
  report({kNewerTermAdopted, receiver.id().value, static_cast<uint64_t>(m.type), m.term.value},
         make(kNewerTermAdopted, now, {receiver.id(), m.from}, m.term, raft::Index{},
              name(receiver.id()) + " of term " + std::to_string(term_before_step_.value) +
                  " stepped " + name(m.from) + "'s " + std::string(raft::to_string(m.type)) +
                  " of term " + std::to_string(m.term.value) + " and is " +
                  std::string(raft::to_string(receiver.role())) + " of term " +
                  std::to_string(receiver.term().value)));
}

void RaftInvariants::on_ready(SimTime now, const raft::Raft& core, const raft::Ready& rd) {
  check_applied_within_commit(now, core, rd);  // apply_steps.cc
  if (owed_.size() <= core.id().value) return;
  std::vector<OwedAnswer>& owed = owed_[core.id().value];
  if (owed.empty()) return;
  auto same = [](const OwedAnswer& a, const OwedAnswer& b) {
    return a.to == b.to && a.answer == b.answer;
  };
  // Each answer in the Ready settles one request of its sender and type. Judged once per sender
  // and type, at the last such request owed.
  for (size_t i = 0; i < owed.size(); ++i) {
    const OwedAnswer& o = owed[i];
    if (std::any_of(owed.begin() + static_cast<ptrdiff_t>(i) + 1, owed.end(),
                    [&](const OwedAnswer& later) { return same(o, later); })) {
      continue;
    }
    const auto taken = static_cast<size_t>(
        std::count_if(owed.begin(), owed.end(), [&](const OwedAnswer& p) { return same(o, p); }));
    size_t answered = 0;
    for (const auto* list : {&rd.messages, &rd.after_persist}) {
      for (const raft::Message& m : *list)
        answered += m.to == o.to && m.type == o.answer;
    }
    if (answered >= taken) {
      // What the answer says is judged where it answers one request of its sender alone.
      if (taken == 1 && o.append) check_append_answer(now, core, o, rd);  // append_steps.cc
      if (taken == 1 && o.vote) check_vote_answer(now, core, o, rd);      // vote_steps.cc
      continue;
    }
    const std::string request = std::string(raft::to_string(o.request));
    const std::string answer = std::string(raft::to_string(o.answer));
    const std::string what =
        taken == 1 ? name(o.to) + "'s " + request + " of term " + std::to_string(o.request_term)
                   : std::to_string(taken) + " requests from " + name(o.to) + " (the last its " +
                         request + " of term " + std::to_string(o.request_term) + ")";
    const std::string carried =
        answered == 0 ? "no " + answer : std::to_string(answered) + " " + answer;
    report({kRequestAnswered, core.id().value, o.to.value, o.request_term},
           make(kRequestAnswered, now, {core.id(), o.to}, raft::Term{o.request_term}, raft::Index{},
                name(core.id()) + ", " + std::string(raft::to_string(o.receiver_role)) +
                    " of term " + std::to_string(o.receiver_term) + ", took " + what +
                    " and its next Ready carried " + carried + " to " + name(o.to)));
  }
  owed.clear();
}

}  // namespace raftsim::check

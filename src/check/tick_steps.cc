// election_on_timeout, the RaftInvariants rule that judges what a node does with one tick of its
// election timer.
//
// Figure 2, Rules for Servers: a follower whose election timeout elapses without hearing from its
// leader or granting a vote converts to candidate; a candidate whose election timeout elapses
// starts a new election. §5.2: each draws its timeout at random from a fixed interval, here
// [election_timeout_ticks, 2 * election_timeout_ticks), and starting an election restarts the
// timer. Thesis §4.2.2 adds who may: a voter of the configuration it acts on, and a server that
// configuration removes while it is still uncommitted, if it was a voter in the one before (it may
// hold the only copy of its removal); no one else (a learner, a server outside the configuration),
// which just restarts its timer.
//
// These rules keep a cluster electing, and breaking them costs no safety property. A candidate
// that waits out a split vote forever, a removed server that refuses to stand although only its
// vote can elect anyone, a timer that fires early or never restarts: each shows, at most, as a
// slow election that some other node's timer happens to rescue. Judged at the tick, whatever
// happens afterwards:
//   - a tick the timer survives changes nothing but the timer, which moves by one;
//   - a tick it runs out on leaves the node a pre-candidate of its term (pre-vote on), or a
//     candidate of the next term voting for itself, or (a sole voter) its leader, if it may
//     campaign; and unchanged otherwise; either way with its timer restarted at a timeout drawn
//     from the interval.
// Leaders are not judged: their election timer only paces check-quorum. One report per node and
// term.
#include <string>

#include "check/raft_invariants.h"

namespace raftsim::check {

namespace {

using raft::Role;

std::string role_of(Role role, uint64_t term) {
  return std::string(raft::to_string(role)) + " of term " + std::to_string(term);
}

}  // namespace

// Worked out from the configuration the core acts on, not asked of the core: one that refused to
// campaign when it should would otherwise excuse itself.
RaftInvariants::Standing RaftInvariants::standing(const raft::Raft& core) const {
  const raft::Configuration& acting = core.configuration();
  if (acting.is_voter(core.id())) return {true, "a voter of the configuration it acts on"};
  const raft::Index at = core.configuration_index();
  const std::string outside =
      acting.is_learner(core.id()) ? "a learner" : "outside the configuration it acts on";
  if (at.value == 0 || at <= core.commit_index()) return {false, outside};
  // Its removal is still uncommitted: was it a voter in the configuration before? (The core
  // records the bootstrap configuration as an empty one.)
  raft::Configuration before = core.snapshot_configuration(at.prev());
  if (before == raft::Configuration{}) {
    before.voters = core.config().voters;
    before.learners = core.config().learners;
  }
  const std::string removal =
      "removed by the configuration at index " + std::to_string(at.value) + ", not yet committed, ";
  if (before.is_voter(core.id())) return {true, removal + "from one it was a voter of"};
  return {false, outside + ", and not a voter before it either"};
}

void RaftInvariants::on_tick(const raft::Raft& core) {
  if (!steps_reported_) return;
  before_tick_ = {core.term().value, core.voted_for(), core.role(), core.election_ticks_left(),
                  core.election_timeout()};
}

void RaftInvariants::on_ticked(SimTime now, const raft::Raft& core) {
  if (!steps_reported_ || before_tick_.role == Role::kLeader) return;
  const BeforeTick& b = before_tick_;
  const uint64_t term = core.term().value;
  const int left = core.election_ticks_left();
  const int timeout = core.election_timeout();
  // Texts are made only for a report: a tick is the commonest event there is.
  auto fail = [&](const std::string& what) {
    report({kElectionOnTimeout, core.id().value, 0, b.term},
           make(kElectionOnTimeout, now, {core.id()}, raft::Term{b.term}, raft::Index{},
                name(core.id()) + ", " + role_of(b.role, b.term) + ", " + what));
  };
  auto now_is = [&] { return "; it is " + role_of(core.role(), term); };
  if (b.ticks_left > 1) {  // the timer survives this tick
    if (core.role() == b.role && term == b.term && core.voted_for() == b.vote &&
        left == b.ticks_left - 1 && timeout == b.timeout) {
      return;
    }
    fail("ticked with " + std::to_string(b.ticks_left) + " of " + std::to_string(b.timeout) +
         " ticks left on its election timer and did more than count one down" + now_is() + ", " +
         std::to_string(left) + " of " + std::to_string(timeout) + " ticks left");
    return;
  }
  auto elapsed = [&] {
    return "saw its election timeout (" + std::to_string(b.timeout) + " ticks) elapse";
  };
  const Standing stands = standing(core);
  if (stands.may_campaign) {
    const bool pre_candidate =
        core.role() == Role::kPreCandidate && term == b.term && core.config().options.pre_vote;
    const bool candidate =
        core.role() == Role::kCandidate && term == b.term + 1 && core.voted_for() == core.id();
    const bool leader = core.role() == Role::kLeader && term == b.term + 1;
    if (!pre_candidate && !candidate && !leader) {
      fail(elapsed() + " and did not start an election, though it may (" + stands.why + ")" +
           now_is());
      return;
    }
    if (leader) return;  // a sole voter: no election timer to restart
  } else if (core.role() != b.role || term != b.term || core.voted_for() != b.vote) {
    fail(elapsed() + " and started an election, though it may not (" + stands.why + ")" + now_is());
    return;
  }
  const int base = core.config().election_timeout_ticks;
  if (left != timeout) {
    fail(elapsed() + " and did not restart its election timer (" + std::to_string(left) + " of " +
         std::to_string(timeout) + " ticks left)");
  } else if (timeout < base || timeout >= 2 * base) {
    fail(elapsed() + " and drew an election timeout of " + std::to_string(timeout) +
         " ticks, outside [" + std::to_string(base) + ", " + std::to_string(2 * base) + ")");
  }
}

}  // namespace raftsim::check

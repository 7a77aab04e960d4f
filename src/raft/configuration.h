// Cluster membership (thesis ch. 4): who votes, who only replicates, and what makes a quorum.
//
// A configuration is either simple (one set of voters) or joint (C_old,new: the new voters and
// the outgoing ones, while an arbitrary change is under way). In a joint configuration every
// decision that needs a majority — winning an election, committing an entry, confirming a read,
// staying leader under check-quorum — needs a majority of each half separately. Learners receive
// the log but never vote, never count toward a quorum and never campaign.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "raft/types.h"

namespace raftsim::raft {

enum class VoteResult : uint8_t { kPending, kWon, kLost };

struct Configuration {
  std::vector<NodeId> voters;    // sorted, no duplicates
  std::vector<NodeId> outgoing;  // the old voters of a joint configuration; empty when simple
  std::vector<NodeId> learners;  // sorted; never a voter of either half

  bool operator==(const Configuration&) const = default;

  bool empty() const { return voters.empty() && outgoing.empty() && learners.empty(); }
  bool joint() const { return !outgoing.empty(); }
  // A voter of either half: it may campaign and its vote and replicas count.
  bool is_voter(NodeId id) const;
  bool is_learner(NodeId id) const;
  bool is_member(NodeId id) const { return is_voter(id) || is_learner(id); }
  // Every member: the voters of both halves and the learners, sorted.
  std::vector<NodeId> members() const;

  // Whether the answers so far (true = granted) decide an election: won once both halves have
  // a majority of grants, lost once either half has a majority of refusals. Answers from
  // servers that are not voters do not count.
  VoteResult vote_result(const std::map<NodeId, bool>& votes) const;
  // The largest index held by a majority of each half, given each voter's match index.
  Index committed_index(const std::function<Index(NodeId)>& match) const;
  // Whether the voters for which `yes` holds make a majority of each half.
  bool has_quorum(const std::function<bool(NodeId)>& yes) const;

  // The payload of a configuration entry, and of a snapshot's configuration.
  std::string encode() const;
  // Refuses (nullopt) anything encode() cannot have written: unsorted or duplicate ids, id 0,
  // a learner that is also a voter, no voters.
  static std::optional<Configuration> decode(std::string_view bytes);
};

// What a change asks for. The leader turns it into a configuration entry (see Raft::change).
struct ConfChange {
  enum class Kind : uint8_t {
    kAddLearner,  // `node` joins as a learner
    kPromote,     // learner `node` becomes a voter, once it has caught up
    kAddVoter,    // `node` joins as a voter directly (one server: a simple step)
    kRemove,      // `node` leaves, voter or learner
    kReplace,     // the voters become `voters` (any number of servers: through a joint config)
  };
  Kind kind = Kind::kAddLearner;
  NodeId node;
  std::vector<NodeId> voters;  // kReplace only

  std::string describe() const;
};

// Why a change was refused; kNone when accepted.
enum class ChangeRefusal : uint8_t {
  kNone,
  kNotLeader,
  kTransferring,    // a leadership transfer is under way
  kNoCommitInTerm,  // no entry of the leader's term has committed yet (the thesis bug's fix)
  kChangePending,   // the previous configuration entry has not committed yet
  kLearnerBehind,   // promotion waits until the learner has caught up
  kNewVoterBehind,  // a server not yet a member is being caught up before it becomes a voter
  kNoEffect,        // nothing would change (already a member, not a member, ...)
  kInvalid,         // would leave no voter, or names server 0
};

std::string_view to_string(ChangeRefusal refusal);
std::string_view to_string(ConfChange::Kind kind);

// The configuration a change leads to from `from`, and whether it is a single step (at most one
// voter added or removed, learners aside) that may be entered directly; any other change goes
// through the joint configuration {to.voters, from.voters}. nullopt: the change is invalid or
// has no effect (refusal says which).
struct ChangePlan {
  Configuration target;  // the simple configuration the change ends in
  bool simple = true;
};
std::optional<ChangePlan> plan_change(const Configuration& from, const ConfChange& change,
                                      ChangeRefusal* refusal);
// Whether `to` follows `from` by one allowed step: a simple change of at most one voter (any
// learners), entering a joint configuration whose outgoing half is `from`'s voters, or leaving
// a joint configuration for its incoming half.
bool is_single_step(const Configuration& from, const Configuration& to);

}  // namespace raftsim::raft

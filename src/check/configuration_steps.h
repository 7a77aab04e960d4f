// configuration_safety: committed configurations follow one another by allowed steps (thesis
// ch. 4). From one committed configuration to the next, either at most one voter changes
// (learners aside), or a joint configuration is entered whose outgoing voters are the previous
// voters, or a joint configuration is left for its incoming voters. Anything else lets two
// majorities that do not overlap decide at once.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "raft/raft.h"

namespace raftsim::check {

inline constexpr std::string_view kConfigurationSafety = "configuration_safety";

class ConfigurationSteps {
 public:
  struct Broken {
    raft::Index index;  // the configuration entry that broke the rule
    std::string detail;
  };

  // `bootstrap`: the configuration every server starts from (as if committed at index 0).
  explicit ConfigurationSteps(raft::Configuration bootstrap = {});
  void set_bootstrap(raft::Configuration bootstrap) {
    committed_[raft::Index{}] = {std::move(bootstrap), false};
  }

  // After any event that touched the node: every configuration entry its commit index newly
  // covers (entries still in its log) is checked against its committed neighbours. O(E) for the
  // E entries newly committed; O(1) otherwise.
  std::optional<Broken> observe(const raft::Raft& core);
  // The configuration of the highest committed configuration entry seen (the bootstrap one
  // before any): the one whose majorities decide every later election.
  const raft::Configuration& latest() const { return committed_.rbegin()->second.configuration; }

 private:
  struct Known {
    raft::Configuration configuration;
    // Seen only as a snapshot's configuration: the entries before it were compacted unseen, so
    // the step into it is unknown (the step out of it is checked as any other).
    bool after_gap = false;
  };
  std::optional<Broken> record(raft::Index index, const Known& known);

  std::map<raft::Index, Known> committed_;       // by entry index (or snapshot point)
  std::map<raft::NodeId, raft::Index> scanned_;  // per node: committed entries seen
};

// Also configuration_safety: a server acts on the latest configuration in its log (thesis §4.1),
// so the entry its configuration came from is still in its log, as a configuration entry. One a
// truncation removed is no longer in force, and a server acting on it counts the wrong quorums.
// `at` and `configuration`: the entry the server's configuration came from, and what it says.
// What is wrong, in words after the server's name; empty when nothing is. O(1).
std::string configuration_not_in_log(const raft::Log& log, raft::Index at,
                                     const raft::Configuration& configuration);

// leader_is_voter: only a voter leads or stands for election (thesis §4.2.1, §4.2.2). A learner,
// or a server outside the configuration, never campaigns: its own vote does not count, so its
// campaign can only raise terms (§4.2.3) or win on others' votes with a log that need not be
// current. A server that its latest configuration leaves out may still campaign, and lead, while
// that configuration is uncommitted (it may hold the only copy of its own removal); once the
// removal commits it steps down and campaigns no more. Judged on the configuration the server
// acts on (`configuration`, from entry `configuration_index`; 0: the bootstrap one) against its
// own commit index. What is wrong, in words after the server's name; empty when nothing is. O(1).
std::string non_voter_standing(raft::Role role, raft::Term term,
                               const raft::Configuration& configuration, raft::NodeId id,
                               raft::Index configuration_index, raft::Index commit_index);

// voter_caught_up: a server becomes a voter only once it holds what is committed (thesis
// §4.2.1: the leader catches a new server up, as a learner or outside the configuration, before
// it counts toward any majority; otherwise nothing commits until it has copied the log). Called
// when `leader` has just appended configuration entry `at` of its own term on top of `before`:
// each server that is a voter of the new configuration but was none of `before` must already
// be known to the leader (its progress) to hold its log through `commit`, the leader's commit
// index when last seen before the change. The first such voter that lacks entries, and how far
// the leader knows it holds the log; nothing when every new voter is caught up. O(n).
struct VoterBehind {
  raft::NodeId voter;
  raft::Index holds;
};
std::optional<VoterBehind> new_voter_behind(const raft::Raft& leader,
                                            const raft::Configuration& before, raft::Index commit);

// "voters {1 2 3} outgoing {..} learners {..}"
std::string describe(const raft::Configuration& configuration);

}  // namespace raftsim::check

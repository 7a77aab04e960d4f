// The properties a run is judged by: their names in files and reports, what each is judged from,
// and so which runs can judge it. One table, so a new property is named and placed once.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace raftsim::scenario {

// The checks every run makes. Each can be expected to fail instead of hold.
enum class Property : uint8_t {
  kElectionSafety,
  kLogMatching,
  kLeaderCompleteness,
  kStateMachineSafety,
  kTermMonotonic,
  kVoteStable,
  kCommitMonotonic,
  kDurability,
  kLinearizability,
  kLiveness,
  kConfigurationSafety,  // committed configurations follow one another by single or joint steps
  kCommitQuorum,         // a leader commits only what a majority of the voters hold on disk
  kCommitCurrentTerm,    // a leader commits by counting replicas only an entry of its own term
  kLeaderAppendOnly,     // a leader never overwrites or deletes entries of its log
  kLeaderIsVoter,        // only a voter leads or campaigns: no learner, spare, or removed server
  kVoterCaughtUp,        // a server becomes a voter only once it holds what is committed
  kFlowControl,          // a leader sends a follower at most its budget of appends a round
  kReadConfirmed,        // a leader confirms a read only after a majority answered a later round
  kRequestAnswered,      // a node answers every request its core takes, in its next Ready
  kStaleTermIgnored,     // a message of an older term changes nothing at its receiver
  kElectionTimerReset,   // a node restarts its election timer on its leader's append, a vote
  kNewerTermAdopted,     // a message of a newer term makes its receiver a follower of that term
  kLeaderFollowed,       // a node that takes its term's AppendEntries follows the sender
  kElectionOnTimeout,    // a node whose election timeout elapses campaigns if it may, not before
  kAppendEntriesObeyed,  // a follower takes an AppendEntries by Figure 2's receiver rules
  kElectionRestriction,  // a vote or pre-vote goes only to a candidate whose log is up to date
  kAppliedWithinCommit,  // a core hands its host to apply only entries its commit index covers
};

// The names files and reports use, by the enum's value.
inline constexpr std::array<std::string_view, 27> kPropertyNames = {
    "election_safety",       "log_matching",
    "leader_completeness",   "state_machine_safety",
    "term_monotonic",        "vote_stable",
    "commit_monotonic",      "durability",
    "linearizability",       "liveness",
    "configuration_safety",  "commit_quorum",
    "commit_current_term",   "leader_append_only",
    "leader_is_voter",       "voter_caught_up",
    "flow_control",          "read_confirmed",
    "request_answered",      "stale_term_ignored",
    "election_timer_reset",  "newer_term_adopted",
    "leader_followed",       "election_on_timeout",
    "append_entries_obeyed", "election_restriction",
    "applied_within_commit"};
static_assert(kPropertyNames.size() == static_cast<size_t>(Property::kAppliedWithinCommit) + 1,
              "every property has a name, in the enum's order");

constexpr std::string_view to_string(Property property) {
  return kPropertyNames[static_cast<size_t>(property)];
}

// What a property is judged from. It decides which runs can judge it: a run of raftsim's own
// nodes in the simulated world sees all of it; real processes report nothing per event; an
// external implementation reports its state, never the inside of its steps.
enum class Evidence : uint8_t {
  kHistory,         // what the clients saw, and when: linearizability, liveness
  kCommittedLog,    // the acknowledged writes against what the cluster holds, at the end
  kNodeState,       // each node's term, vote, role, log and commit as they change
  kConfigurations,  // the configurations the cluster commits, as they change
  kCoreInternals,   // raftsim's own core's steps, syncs, timers, send budget and read rounds
};

constexpr Evidence evidence(Property property) {
  switch (property) {
    case Property::kLinearizability:
    case Property::kLiveness:
      return Evidence::kHistory;
    case Property::kDurability:
      return Evidence::kCommittedLog;
    case Property::kElectionSafety:
    case Property::kLogMatching:
    case Property::kLeaderCompleteness:
    case Property::kStateMachineSafety:
    case Property::kTermMonotonic:
    case Property::kVoteStable:
    case Property::kCommitMonotonic:
    case Property::kLeaderAppendOnly:
      return Evidence::kNodeState;
    case Property::kConfigurationSafety:
      return Evidence::kConfigurations;
    case Property::kCommitQuorum:       // every sync of every disk
    case Property::kCommitCurrentTerm:  // every step of a commit, not a sample of them
    case Property::kLeaderIsVoter:      // the configuration a node acts on
    case Property::kVoterCaughtUp:
    case Property::kFlowControl:
    case Property::kReadConfirmed:
    case Property::kRequestAnswered:
    case Property::kStaleTermIgnored:
    case Property::kElectionTimerReset:
    case Property::kNewerTermAdopted:
    case Property::kLeaderFollowed:
    case Property::kElectionOnTimeout:
    case Property::kAppendEntriesObeyed:
    case Property::kElectionRestriction:
    case Property::kAppliedWithinCommit:
      return Evidence::kCoreInternals;
  }
  return Evidence::kCoreInternals;
}

// A safety property: anything but what the clients' history is judged for.
constexpr bool is_safety(Property property) {
  return evidence(property) != Evidence::kHistory;
}

// Judged at each event as the run goes, so a search for it can stop at its first violation.
constexpr bool is_per_event(Property property) {
  return is_safety(property) && evidence(property) != Evidence::kCommittedLog;
}

// Every safety property, in the order a run lists them in its verdict table. (The violated ones
// a report names, RunReport::violated_properties, come in the order they first broke.)
inline constexpr std::array kSafetyProperties = {
    Property::kElectionSafety,      Property::kLogMatching,         Property::kLeaderCompleteness,
    Property::kStateMachineSafety,  Property::kTermMonotonic,       Property::kVoteStable,
    Property::kCommitMonotonic,     Property::kCommitQuorum,        Property::kCommitCurrentTerm,
    Property::kLeaderAppendOnly,    Property::kLeaderIsVoter,       Property::kDurability,
    Property::kConfigurationSafety, Property::kVoterCaughtUp,       Property::kReadConfirmed,
    Property::kFlowControl,         Property::kRequestAnswered,     Property::kStaleTermIgnored,
    Property::kElectionTimerReset,  Property::kNewerTermAdopted,    Property::kLeaderFollowed,
    Property::kElectionOnTimeout,   Property::kAppendEntriesObeyed, Property::kElectionRestriction,
    Property::kAppliedWithinCommit};

namespace detail {
constexpr bool lists_each_safety_property_once() {
  for (size_t p = 0; p < kPropertyNames.size(); ++p) {
    size_t listed = 0;
    for (Property q : kSafetyProperties)
      listed += static_cast<size_t>(q) == p;
    if (listed != (is_safety(static_cast<Property>(p)) ? 1u : 0u)) return false;
  }
  return true;
}
}  // namespace detail
static_assert(detail::lists_each_safety_property_once(),
              "kSafetyProperties lists every safety property once, and nothing else");

}  // namespace raftsim::scenario

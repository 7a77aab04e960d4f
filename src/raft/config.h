// How one Raft node is configured: who it is, its timers, the protocol options it runs with, and
// the bugs planted in it on purpose for teaching.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "raft/types.h"

namespace raftsim::raft {

// Extensions beyond the basic protocol of Figure 2. Each is off by default but
// leadership_transfer, which changes nothing until the host asks for a transfer.
struct Options {
  // §9.6: ask "would you vote for me?" at term+1 before campaigning, so a node that cannot win
  // (partitioned, or behind) never bumps everyone's term.
  bool pre_vote = false;
  // §6.2 of the thesis: a leader that has not heard from a quorum within an election timeout
  // steps down, so clients stop talking to a deposed leader.
  bool check_quorum = false;
  // §4.2.3 of the thesis: a node that heard from a live leader within the minimum election
  // timeout ignores vote requests, so a rejoining node cannot depose a healthy leader.
  bool vote_lease = false;
  // §3.10 of the thesis: the leader can hand leadership to a chosen, caught-up follower.
  bool leadership_transfer = true;
};

// Bugs planted on purpose to show how Raft breaks. Each breaks one named rule; all are off by
// default and all are compiled into every build, so tests can prove the checkers catch them.
struct PlantedBugs {
  // Breaks §5.4.2: the leader commits an entry of an earlier term by counting its replicas.
  // Figure 8 shows how such an entry can be overwritten after being applied.
  bool commit_previous_term = false;
  // Breaks §5.4.1 (election restriction): votes are granted without the up-to-date check, so a
  // leader can be elected that lacks committed entries.
  bool vote_without_log_check = false;
  // Breaks Figure 2's "persistent state: votedFor": the vote is forgotten on restart, so a node
  // can vote twice in one term and two leaders can be elected in it.
  bool forget_vote_on_restart = false;
  // Breaks Figure 2's "updated on stable storage before responding to RPCs": the host sends votes
  // and append acknowledgements, and acknowledges clients, before its write is durable.
  bool ack_before_persist = false;
  // Breaks §8's read rule: a leader answers reads from its own state without confirming that it
  // still leads, so a deposed leader can return stale data.
  bool stale_leader_reads = false;
  // Breaks the rule that fixed the thesis's single-server change algorithm (Ongaro, raft-dev,
  // 2015): a leader may append a configuration entry before an entry of its own term has
  // committed. Two leaders of different terms can then each make one single-server change from
  // the same committed configuration, with majorities that do not overlap.
  bool change_before_term_commit = false;
  // Breaks thesis §4.2.2: a leader that removed itself goes on leading once its removal has
  // committed, instead of stepping down: a server outside the configuration leads it.
  bool removed_leader_keeps_leading = false;

  bool any() const {
    return commit_previous_term || vote_without_log_check || forget_vote_on_restart ||
           ack_before_persist || stale_leader_reads || change_before_term_commit ||
           removed_leader_keeps_leading;
  }
};

struct Config {
  NodeId id;
  // The bootstrap configuration, which every server starts from until its log says otherwise:
  // the voters and the learners, each sorted, no duplicates, none in both. A server that is to
  // join later starts with the same bootstrap configuration, which does not name it.
  std::vector<NodeId> voters;
  std::vector<NodeId> learners;
  // Every server that may ever take part, `id` included; sorted. Messages from anyone else are
  // refused. Empty: the voters and learners above.
  std::vector<NodeId> servers;

  // Timers, in ticks. An election timeout is drawn uniformly from
  // [election_timeout_ticks, 2 * election_timeout_ticks) each time the timer is reset (§5.2).
  int election_timeout_ticks = 10;
  int heartbeat_ticks = 1;

  uint64_t seed = 1;                    // the election-jitter RNG's seed
  size_t max_entries_per_append = 256;  // flow control: entries carried by one AppendEntries
  // Flow control: AppendEntries with entries, and InstallSnapshots, sent to one follower in one
  // heartbeat round (heartbeats and ReadIndex both begin rounds), at most (at least 1).
  size_t max_appends_per_round = 256;

  Options options;
  PlantedBugs bugs;
};

}  // namespace raftsim::raft

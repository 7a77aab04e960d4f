// The Raft core: a pure, deterministic state machine for one node.
//
// Nothing here touches a thread, socket, file, clock or global RNG. The host drives it:
//   inputs   tick(), step(message), propose(command), campaign(), transfer_leader(id),
//            read_index(request_id), compact(snapshot)
//   outputs  ready(): what to persist, send, apply and answer (see ready.h), then advance().
// Time is only the count of tick() calls; randomness is the seeded jitter RNG in Config.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "raft/config.h"
#include "raft/configuration.h"
#include "raft/log.h"
#include "raft/progress.h"
#include "raft/random.h"
#include "raft/ready.h"

namespace raftsim::raft {

// Why a message was refused before it could touch any state.
enum class Rejection : uint8_t {
  kUnknownSender,   // not one of the servers of this group (Config::servers), or ourselves
  kWrongRecipient,  // addressed to another node
  kZeroTerm,        // only a pre-vote refusal from a fresh node may carry term 0
  kImpossibleLog,   // a log position that no honest log can have (term beyond the message's,
                    // a prev term for index 0, a match or rejection past the leader's log, an
                    // echo of a round the leader has not begun, ...)
  kBrokenEntries,   // entries not numbered prev+1, prev+2, ... or with terms out of order
  kOutOfRange,      // a term or index of 2^62 or more, which no cluster reaches
  kCount,
};

std::string_view to_string(Rejection rejection);

// What the core restarts from: whatever the node's storage kept.
struct Restored {
  HardState hard_state;
  std::vector<Entry> entries;  // indices snapshot.index + 1 .. n
  Snapshot snapshot;           // the latest snapshot kept; index 0: none
};

// The outcome of a membership change asked of the leader.
struct ChangeResult {
  ChangeRefusal refusal = ChangeRefusal::kNotLeader;
  Index index;  // the configuration entry appended, when accepted
  Term term;
  bool accepted() const { return refusal == ChangeRefusal::kNone; }
};

struct ProposeResult {
  bool accepted = false;  // false: not the leader, or a leadership transfer is under way
  Index index;
  Term term;
};

class Raft {
 public:
  explicit Raft(Config config, Restored restored = {});

  // One unit of logical time has passed.
  void tick();
  // Delivers a message from a peer. Messages with impossible content are refused and counted
  // (rejections()); they never assert and never change state.
  void step(const Message& message);
  // On the leader: appends a command to the log. Elsewhere: refused.
  ProposeResult propose(std::string command);
  // Starts an election now, as if the election timer had fired.
  void campaign();
  // On the leader: appends a configuration entry for `change` (thesis ch. 4; see membership.cc
  // for the rules), or says why it cannot yet.
  ChangeResult change(const ConfChange& change);
  // On the leader, with the option on: hand leadership to `to` once it is caught up.
  void transfer_leader(NodeId to);
  // Asks to serve a linearizable read (§8, ReadIndex). The answer comes in a later Ready.
  void read_index(uint64_t request_id);
  // Log compaction (§7): the host has made `snapshot` from its state machine after applying
  // through snapshot.index and stored it durably. The log drops the entries it covers, and a
  // leader sends it to any follower that needs them. Ignored unless snapshot.index lies past the
  // current snapshot and at or before both the applied and the durable index.
  void compact(Snapshot snapshot);

  bool has_ready() const;
  // Collects the outstanding work. At most one Ready may be outstanding: call advance() with it
  // once it has been handled, before asking for the next.
  Ready ready();
  void advance(const Ready& ready);

  // Observers (for the host, the simulator's trace and the checkers).
  NodeId id() const { return config_.id; }
  const Config& config() const { return config_; }
  Role role() const { return role_; }
  Term term() const { return term_; }
  NodeId voted_for() const { return voted_for_; }
  NodeId leader() const { return leader_; }
  Index commit_index() const { return commit_; }
  const Log& log() const { return log_; }
  // The latest snapshot, made here or received from a leader; null before any.
  const std::shared_ptr<const Snapshot>& snapshot() const { return snapshot_; }
  const std::map<NodeId, Progress>& progress() const { return progress_; }
  // The latest configuration in the log, committed or not, which this server acts on; and the
  // index of its entry (at or before the snapshot point when it predates the log held).
  const Configuration& configuration() const { return configuration_; }
  Index configuration_index() const { return configuration_index_; }
  // The configuration in force at `index` (snapshot_index() <= index <= last index), in the form
  // a snapshot through `index` records it (empty for the bootstrap configuration).
  Configuration snapshot_configuration(Index index) const;
  NodeId transfer_target() const { return transfer_target_; }
  // Ticks until the election timer fires, and the randomized timeout it was last reset to; 0
  // and 0 on a leader, whose election timer only paces check-quorum. For viewers of a run.
  int election_ticks_left() const {
    return role_ == Role::kLeader ? 0 : randomized_election_timeout_ - election_elapsed_;
  }
  int election_timeout() const { return role_ == Role::kLeader ? 0 : randomized_election_timeout_; }
  uint64_t rejections(Rejection why) const { return rejections_[static_cast<size_t>(why)]; }
  uint64_t total_rejections() const;

 private:
  // Whether a vote request of a newer term goes unanswered under the vote lease: this voter heard
  // from a live leader less than an election timeout ago (thesis §4.2.3).
  bool ignore_for_vote_lease(const Message& m) const;
  // Role transitions.
  void become_follower(Term term, NodeId leader);
  void become_pre_candidate();
  void become_candidate();
  void become_leader();
  void start_election(bool pre_vote, bool transfer);
  void reset_election_timer();

  // Membership (membership.cc).
  Configuration configuration_at(Index index) const;
  bool may_campaign() const;
  void refresh_configuration();
  void track_members(Index next = {});
  void append_configuration(const Configuration& next);
  void settle_configuration();
  ChangeRefusal catch_up_new_voters(const Configuration& target);
  void expire_catching_up();
  bool is_server(NodeId id) const;

  // Message handling.
  std::optional<Rejection> validate(const Message& m) const;
  void dispatch(const Message& m);
  void handle_vote_request(const Message& m);
  void handle_vote_response(const Message& m);
  void maybe_win_election();
  void handle_append_entries(const Message& m);
  bool impossible_append_response(const Message& m) const;
  void handle_append_response(const Message& m);
  void handle_timeout_now(const Message& m);
  void handle_install_snapshot(const Message& m);
  bool may_grant_vote(const Message& m) const;

  // Leader duties.
  void send_append(NodeId to, bool heartbeat);
  void send_snapshot(NodeId to, Progress& pr);
  void broadcast_append(bool heartbeat);
  void flush_pending_appends();
  void maybe_commit();
  void confirm_reads();
  void fail_pending_reads();
  void check_quorum_activity();
  bool quorum_active() const;
  Index self_match() const { return log_.stable_index(); }

  void send(Message m);
  void send_response(Message m);
  Message reply_to(const Message& m, MessageType type) const;
  HardState hard_state() const { return {term_, voted_for_, commit_}; }
  SoftState soft_state() const { return {role_, leader_}; }

  Config config_;
  Random rng_;

  // Persistent (Figure 2).
  Term term_;
  NodeId voted_for_;
  Log log_;
  std::shared_ptr<const Snapshot> snapshot_;
  // Membership: the bootstrap configuration, the one in force at the snapshot point, and the
  // latest one in the log with its index (derived from the log, so never stored apart from it).
  Configuration bootstrap_;
  Configuration snapshot_configuration_;
  Configuration configuration_;
  Index configuration_index_;
  std::vector<NodeId> servers_;  // sorted
  // Volatile.
  Index commit_;
  Index applied_;  // handed to the host in a Ready; invariant applied_ <= commit_ (see advance)
  Role role_ = Role::kFollower;
  NodeId leader_;

  // Timers, in ticks since the last reset.
  int election_elapsed_ = 0;
  int randomized_election_timeout_ = 0;
  int heartbeat_elapsed_ = 0;
  int transfer_elapsed_ = 0;

  // Candidate / pre-candidate: the answers so far (true = granted).
  std::map<NodeId, bool> votes_;
  // Leader.
  std::map<NodeId, Progress> progress_;  // every member but self, and servers catching up
  // Servers not yet members that a change asked to make voters (§4.2.1): the leader replicates
  // to them first, for this many more ticks unless the change is asked again.
  std::map<NodeId, int> catching_up_;
  // AppendEntries with entries and InstallSnapshots sent to each server in heartbeat round
  // `round`: at most Config::max_appends_per_round. Every success is answered with the next
  // append; a network that duplicates and reorders acknowledgements would otherwise multiply the
  // appends in flight with each round trip, without bound. Kept apart from progress_, which
  // forgets a server its configuration drops: removed and added again within one round, a
  // server would be sent a second round's worth.
  struct SendBudget {
    uint64_t round = 0;
    size_t spent = 0;
  };
  std::map<NodeId, SendBudget> send_budgets_;
  NodeId transfer_target_;
  uint64_t round_ = 0;               // the current heartbeat round
  bool appends_pending_ = false;     // new entries not yet sent to followers
  bool read_round_pending_ = false;  // reads wait for a heartbeat round not yet sent
  struct PendingRead {
    uint64_t request_id;
    uint64_t round;  // confirmed once a quorum has echoed this round
  };
  std::vector<PendingRead> pending_reads_;  // rounds non-decreasing along the queue

  // Outputs waiting for the next Ready.
  std::shared_ptr<const Snapshot> received_snapshot_;  // to store and restore
  std::vector<Message> messages_;
  std::vector<Message> after_persist_;
  std::vector<ReadState> reads_;
  HardState persisted_hard_state_;
  SoftState reported_soft_state_;

  std::array<uint64_t, static_cast<size_t>(Rejection::kCount)> rejections_{};
};

}  // namespace raftsim::raft

// Raft's safety properties, checked after every simulated event.
//
// The simulator reports what each node did (log writes, state, applies, restarts) and the checker
// keeps just enough global state to notice the first moment a property breaks:
//
//   election_safety       at most one leader per term, ever; and every leader won the votes of a
//                         majority of the voters of the configuration in force (its log's
//                         latest), of each half when that configuration is joint
//   log_matching          two logs holding an entry of the same index and term are identical up
//                         to it
//   leader_completeness   an entry committed by term T is in the log of every leader of a term > T
//                         (and no two nodes ever commit different entries at one index)
//   state_machine_safety  the sequences of entries the nodes applied are prefixes of one another
//   term_monotonic        a node's term never decreases, across restarts too
//   vote_stable           a node never votes for two candidates in one term, across restarts too
//   commit_monotonic      a node's commit index never moves back within one process life
//   commit_quorum         a leader commits an entry only once the voters of the configuration
//                         it acts on (of each half when joint) that hold it on disk form a
//                         majority (checked when the host reports its syncs: on_synced); when
//                         one step both commits and changes the configuration, a majority of
//                         the configuration before the step or after it
//   commit_current_term   a leader advances its commit index only to an entry of its own term:
//                         an earlier term's entries commit beneath one of its own, never by
//                         counting their replicas (§5.4.2, Figure 8)
//   leader_append_only    a leader never overwrites or deletes entries of its log while it leads
//                         (Figure 3); checked when the host reports its log writes
//   leader_is_voter       only a voter leads or stands for election: no learner and no server
//                         outside the configuration it acts on, unless that configuration, its
//                         own removal, is uncommitted (§4.2.1, §4.2.2)
//   voter_caught_up       a server becomes a voter only once the leader knows it holds what is
//                         committed (thesis §4.2.1); judged when a leader appends the change
//   configuration_safety  committed configurations follow one another by one step or a joint
//                         step (configuration_steps.h), and every server acts on the latest
//                         configuration its log holds: never on one a truncation removed (§4.1);
//                         and a leader appends a configuration entry only once the one it
//                         replaces and an entry of its own term have committed
//   read_confirmed        a leader confirms a read (ReadIndex) only once a majority of its
//                         configuration's voters answered a heartbeat round it sent after the
//                         read arrived (§8; checked when the host reports its reads and
//                         deliveries: read_rounds.cc)
//   flow_control          a leader sends one follower at most max_appends_per_round
//                         AppendEntries with entries and InstallSnapshots in one heartbeat round
//                         (checked when the host reports its sends: on_send; send_budget.cc)
//   request_answered      a node answers every AppendEntries and InstallSnapshot its core takes,
//                         and every RequestVote and pre-vote request but those a vote lease lets
//                         it ignore (Figure 2, §5.1); judged at the first Ready its host takes
//                         after the step
//   stale_term_ignored    a message of an older term changes nothing at its receiver, which only
//                         answers a request with its own term (§5.1, Figure 2): not its term,
//                         vote, role, leader, log, commit index, configuration, election timer
//                         or any follower's progress; judged at the step
//   election_timer_reset  a node restarts its election timer when it takes an AppendEntries or
//                         InstallSnapshot from its term's leader, or grants its vote (Figure 2,
//                         Rules for Servers); judged at the step
//   newer_term_adopted    a message of a newer term makes its receiver take that term and
//                         become a follower (Figure 2, All Servers; not a pre-vote request, a
//                         granted pre-vote answer, or a vote request a vote lease ignores);
//                         judged at the step
//   leader_followed       a node that takes an AppendEntries or InstallSnapshot of its term, or
//                         of a newer one, is a follower of its sender after the step (Figure 2,
//                         Candidates; §5.2); judged at the step (these five: message_steps.cc)
//   append_entries_obeyed a follower takes an AppendEntries of its term by Figure 2's receiver
//                         rules: a log without the previous entry stays as it was and the
//                         answer is a rejection; otherwise the log holds every entry carried,
//                         drops its suffix only past a conflict, the commit index becomes
//                         min(leaderCommit, last new entry) when that is higher, and the answer
//                         acknowledges through the last new entry; judged at the step and in the
//                         next Ready (append_steps.cc)
//   election_restriction  a node grants its vote, or a pre-vote, only to a candidate whose log is
//                         at least as up to date as its own: a later last term, or the same last
//                         term and at least as long (§5.4.1); judged in the answer, in the next
//                         Ready (vote_steps.cc)
//   applied_within_commit a core hands its host to apply only entries its commit index covers
//                         (Figure 2, All Servers: "if commitIndex > lastApplied: increment
//                         lastApplied, apply log[lastApplied]"); judged in each Ready
//                         (apply_steps.cc)
//   election_on_timeout   a follower or candidate whose election timeout elapses starts an
//                         election if it may (a voter, or removed by an uncommitted
//                         configuration from one it voted in: thesis §4.2.2) and restarts its
//                         timer at a timeout drawn from [T, 2T); a tick that does not run the
//                         timer out changes nothing else (Figure 2, §5.2); judged at the tick
//                         (tick_steps.cc)
//
// Driving it: after each simulated event, for each node the event touched, report in this order
// what the host did: on_log_write() for each batch of entries written to storage,
// on_persisted() once a hard state is durable, on_synced() for each completed sync (before the
// core hears of it), on_apply() for each entry applied, on_compact() for each snapshot the node
// takes of its own state machine, then on_state() with the core. A crash needs no call; the
// restart that follows calls on_restart() and then on_state() with the new core. Check
// violations().size() after the event to attach trace context to new reports. For flow_control
// and read_confirmed, also report each message as the core sends it (on_send) and as it reaches
// its receiver, before the receiver steps it (on_deliver, or on_step, which calls it), each
// read as the host asks the core
// for it (on_read_begun, before read_index()) and as the host takes the core's answer
// (on_read_answered). For request_answered, stale_term_ignored, election_timer_reset,
// newer_term_adopted, leader_followed, append_entries_obeyed and election_restriction, report
// each message a core
// steps, just before and just after the step (on_step, on_stepped), and each Ready its host takes
// (on_ready). For election_on_timeout, report each tick of a core, just before and just after
// (on_tick, on_ticked).
//
// Every check is incremental: no call rescans a whole log. Costs are stated per call below; n is
// the number of nodes, E the number of entries a call hands over or newly commits, R the number of
// distinct terms in a new leader's log.
//
// Memory: for each log index ever written, one record per distinct term written there (~32 bytes;
// almost always one term), plus 8 bytes per committed index and 24 per applied index; one map entry
// per term that had a leader; per current leader, the term runs of its log; per leader, 16 bytes
// per heartbeat round of its current term (and of older terms a read still waits in), counted
// from its last read that began with none waiting. Entry contents are kept only as 64-bit hashes.
//
// Determinism: violations are recorded in the order they are detected; nothing the checker
// outputs depends on the iteration order of an unordered container.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "check/configuration_steps.h"
#include "check/disk_view.h"
#include "raft/raft.h"

namespace raftsim::check {

// Virtual time, in microseconds since the start of the run.
using SimTime = int64_t;

// Stable property names, as they appear in reports.
inline constexpr std::string_view kElectionSafety = "election_safety";
inline constexpr std::string_view kLogMatching = "log_matching";
inline constexpr std::string_view kLeaderCompleteness = "leader_completeness";
inline constexpr std::string_view kStateMachineSafety = "state_machine_safety";
inline constexpr std::string_view kTermMonotonic = "term_monotonic";
inline constexpr std::string_view kVoteStable = "vote_stable";
inline constexpr std::string_view kCommitMonotonic = "commit_monotonic";
inline constexpr std::string_view kCommitQuorum = "commit_quorum";
inline constexpr std::string_view kCommitCurrentTerm = "commit_current_term";
inline constexpr std::string_view kLeaderAppendOnly = "leader_append_only";
inline constexpr std::string_view kLeaderIsVoter = "leader_is_voter";
inline constexpr std::string_view kVoterCaughtUp = "voter_caught_up";
inline constexpr std::string_view kDurability = "durability";
inline constexpr std::string_view kFlowControl = "flow_control";
inline constexpr std::string_view kReadConfirmed = "read_confirmed";
inline constexpr std::string_view kRequestAnswered = "request_answered";
inline constexpr std::string_view kStaleTermIgnored = "stale_term_ignored";
inline constexpr std::string_view kElectionTimerReset = "election_timer_reset";
inline constexpr std::string_view kNewerTermAdopted = "newer_term_adopted";
inline constexpr std::string_view kLeaderFollowed = "leader_followed";
inline constexpr std::string_view kElectionOnTimeout = "election_on_timeout";
inline constexpr std::string_view kAppendEntriesObeyed = "append_entries_obeyed";
inline constexpr std::string_view kElectionRestriction = "election_restriction";
inline constexpr std::string_view kAppliedWithinCommit = "applied_within_commit";

// One broken property, as reported to the user.
struct PropertyViolation {
  std::string property;              // one of the k* names above
  std::vector<raft::NodeId> nodes;   // the nodes involved, the observed one first
  raft::Term term;                   // the term in question (0 when none applies)
  raft::Index index;                 // the log index in question (0 when none applies)
  SimTime time = 0;                  // when it was detected
  uint64_t seed = 0;                 // the run's seed
  std::string detail;                // what was seen, in words
  std::vector<std::string> context;  // the last events before it, filled in by the caller

  bool operator==(const PropertyViolation&) const = default;
};

// "election_safety at 1.500000s (seed 7), term 3, nodes 1 2: ..." followed by one line per
// context event.
// `names[i]` names node i+1 (the scenario's names); without them nodes read "n<id>".
std::string to_string(const PropertyViolation& violation, std::span<const std::string> names = {});

// A 64-bit digest of an entry's type and command; equal entries have equal digests.
uint64_t entry_digest(const raft::Entry& entry);

class RaftInvariants {
 public:
  // `nodes` are the cluster's members (others are admitted on first sight); `seed` is copied into
  // every report.
  explicit RaftInvariants(std::span<const raft::NodeId> nodes, uint64_t seed = 0);

  // The configuration every server starts from (default: every node of `nodes` a voter), for
  // configuration_safety.
  void set_bootstrap_configuration(raft::Configuration c) { configurations_.set_bootstrap(c); }
  // The latest configuration some node committed (the bootstrap one before any).
  const raft::Configuration& committed_configuration() const { return configurations_.latest(); }

  // Names for reports: names[i] names node i+1. Without them nodes read "n<id>".
  void set_node_names(std::vector<std::string> names) { node_names_ = std::move(names); }

  // The host promises to call on_persisted() after every durable write, so a node it has reported
  // nothing for has nothing durable: after a restart its baseline is term 0 and no vote, not what
  // was last seen in memory (a term adopted but never synced is not a promise broken).
  void set_durability_reported(bool reported) { durability_reported_ = reported; }

  // The host promises to call on_synced() for every completed sync, so commit_quorum can be
  // judged: without that promise nobody's disk is known and the check is off.
  void set_syncs_reported(bool reported) { syncs_reported_ = reported; }

  // A sync of `node` completed: `snapshot_index` (0: none) is a snapshot from a leader that
  // replaced its whole log, then `entries` were written. O(E).
  void on_synced(raft::NodeId node, raft::Index snapshot_index,
                 std::span<const raft::Entry> entries);

  // The node truncated its log at written.front().index and appended `written` (one persisted
  // batch, indices consecutive); `log_after` is its in-memory log after the write, used for the
  // term preceding the batch. Checks log matching. O(E).
  void on_log_write(SimTime now, raft::NodeId node, const raft::Log& log_after,
                    std::span<const raft::Entry> written);

  // The node's storage reports this hard state durable. Optional: when a node has reported one,
  // its term and vote after a restart are compared with the last durable ones (a crash may
  // legitimately lose a term or vote that was never durable, and so never promised to anyone);
  // otherwise with the last ones observed by on_state(). O(log n).
  void on_persisted(SimTime now, raft::NodeId node, const raft::HardState& hard_state);

  // After any event that touched the node: checks its term, vote, commit index and, if it leads,
  // election safety and leader completeness. O(log n); plus O(E + n) when its commit index
  // advances, and O(R log N) when it has just become leader (N: its log's length).
  void on_state(SimTime now, const raft::Raft& core);

  // The node applied `entry` to its state machine. Entries arrive in index order within a process
  // life, starting from 1. O(log n).
  void on_apply(SimTime now, raft::NodeId node, const raft::Entry& entry);

  // The node's state machine now stands at a snapshot through (index, term): loaded at a restart
  // (call after on_restart()) or received from a leader. Its next apply is index + 1; a snapshot
  // point that differs from what was applied there is a state-machine safety violation. O(1).
  void on_restore(SimTime now, raft::NodeId node, raft::Index index, raft::Term term);

  // The node compacted its log into a snapshot of its own state machine through (index, term):
  // that must be the last entry it applied (§7), or the image lacks entries the snapshot claims
  // and a restart from it never applies them. A state-machine safety violation otherwise. O(1).
  void on_compact(SimTime now, raft::NodeId node, raft::Index index, raft::Term term);

  // A new process life of the node begins: its commit index may restart lower, and it applies
  // again from index 1. Call before the new life's first on_state(). `disk_lost`: the node
  // restarts from an empty disk (an injected fault), so its own term and vote start over; the
  // cluster-wide properties still hold it to everything else. O(log n).
  void on_restart(SimTime now, raft::NodeId node, bool disk_lost = false);

  // The nodes' send budget (raft::Config::max_appends_per_round, 0 taken as 1): with it set,
  // on_send() checks flow_control. Without it (the default) sends are not judged: a host whose
  // nodes keep another budget, or none, is not held to this one.
  void set_send_budget(size_t per_round) { send_budget_ = std::max<size_t>(per_round, 1); }

  // `from`'s core sent `m`. O(log n).
  void on_send(SimTime now, raft::NodeId from, const raft::Message& m);

  // The host promises to report every read a leader asks its core for (on_read_begun), every
  // answer the core gives one (on_read_answered), every message it sends (on_send) and every
  // message delivered to it (on_deliver): then read_confirmed is judged. Off by default.
  void set_reads_reported(bool reported) { reads_reported_ = reported; }
  // `m` reaches its receiver, which steps it next. O(log n).
  void on_deliver(const raft::Message& m);
  // A leader asks its core for a read index for `request`. O(log n).
  void on_read_begun(const raft::Raft& core, uint64_t request);
  // The core answered `request`: confirmed (ok) or failed. Checks read_confirmed. O(n log n).
  void on_read_answered(SimTime now, const raft::Raft& core, uint64_t request, bool confirmed);

  // The host promises to report every message its cores step (on_step just before the step,
  // on_stepped just after), every tick (on_tick, on_ticked) and every Ready its cores make
  // (on_ready): then request_answered and stale_term_ignored, election_timer_reset,
  // newer_term_adopted, leader_followed, election_on_timeout, append_entries_obeyed and
  // election_restriction are judged. Off by default.
  void set_steps_reported(bool reported) { steps_reported_ = reported; }
  // `receiver`'s core is about to step `m`; on_deliver() too. O(1), plus O(n) when `m` is of an
  // older term than the receiver's, and O(E) for an AppendEntries of E entries.
  void on_step(SimTime now, const raft::Raft& receiver, const raft::Message& m);
  // It stepped `m`, and nothing else happened since on_step(). Checks stale_term_ignored (O(n)),
  // election_timer_reset, newer_term_adopted and leader_followed (O(1)) and
  // append_entries_obeyed (O(E)).
  void on_stepped(SimTime now, const raft::Raft& receiver, const raft::Message& m);
  // `core` is about to tick, and has just ticked, nothing else between. on_ticked checks
  // election_on_timeout: O(1), plus O(log length) when a non-voter's timer runs out.
  void on_tick(const raft::Raft& core);
  void on_ticked(SimTime now, const raft::Raft& core);
  // The core's host took `rd`, before handling any of it. Checks request_answered, and what an
  // AppendEntries' answer says (append_entries_obeyed) and a vote's (election_restriction), and
  // what it hands over to apply (applied_within_commit). O(k (m + k)) for k answers owed (almost
  // always 0 or 1) and m messages in `rd`.
  void on_ready(SimTime now, const raft::Raft& core, const raft::Ready& rd);
  // Every distinct violation, in detection order. Repeats of one (property, node, term or index)
  // are counted in suppressed() instead.
  const std::vector<PropertyViolation>& violations() const { return violations_; }
  uint64_t suppressed() const { return suppressed_; }
  // Attaches the events that led to violations()[i], for the report.
  void set_context(size_t i, std::vector<std::string> context);

  // The highest index known committed (some node's commit index covered it).
  raft::Index committed_index() const { return raft::Index{committed_terms_.size()}; }

 private:
  // What was first written at one (index, term).
  struct WriteRecord {
    raft::Term term;       // Term{0}: nothing written at this index yet
    raft::Term prev_term;  // the term of the entry before it in the writer's log, if known
    uint64_t digest = 0;
    raft::NodeId writer;
    bool prev_known = false;
  };
  // A run of equal terms in a log: indices [first, next run's first) hold `term`.
  struct TermRun {
    raft::Index first;
    raft::Term term;
  };
  // A node leading right now, with its log as it was when it won the election. A leader only
  // appends entries of its own term, so this answers for every earlier-term entry it will hold.
  struct LeaderView {
    raft::Term term;
    raft::Index last_at_election;
    std::vector<TermRun> runs;  // covering 1..last_at_election, in index order

    bool holds(raft::Index index, raft::Term entry_term) const;
  };
  struct NodeState {
    // Baselines for the monotonic checks: the term last seen and the vote seen in it (kNoNode
    // until one is seen). After a restart, the last durable values when they are known.
    raft::Term term;
    raft::NodeId vote;
    std::optional<raft::HardState> persisted;
    // This process life.
    raft::Index commit;
    raft::Index next_apply{1};
    uint32_t life = 0;
    std::optional<LeaderView> leading;
    // The highest term it has led, in any life, and that as of its last restart: a restarted
    // node never leads a term it led before (see check_leadership).
    raft::Term led;
    raft::Term led_before_restart;
    // Leader append-only: the last index its host wrote in this process life (unknown after a
    // restart until it writes), the first index where a write since the last on_state() put
    // another term than its leader's log held, and its log's last index at the last on_state().
    std::optional<raft::Index> written_through;
    std::optional<raft::Index> rewritten_from;
    raft::Index last_index;
    // The configuration it acted on when last seen in this process life, and the entry it came
    // from: what a change appended in the next step replaced (check_change), and what a commit
    // in it may have been decided under (one event can commit under it and then append a
    // configuration entry, an apply that asks for a change, or the other way round).
    std::optional<std::pair<raft::Index, raft::Configuration>> acted_on;
  };
  // Entries 1..index were committed by term T (the key): `nodes` had a commit index of `index`
  // while at term T, named in reports of a leader that lacks the entry (never empty).
  struct CommitPoint {
    raft::Index index;
    std::vector<raft::NodeId> nodes;
  };
  // (property, node, what kind of breach, which term or index): one report per key.
  using DedupKey = std::tuple<std::string_view, uint32_t, uint64_t, uint64_t>;

  NodeState& node_state(raft::NodeId node);
  void report(DedupKey key, PropertyViolation violation);
  PropertyViolation make(std::string_view property, SimTime now, std::vector<raft::NodeId> nodes,
                         raft::Term term, raft::Index index, std::string detail) const;

  WriteRecord& record_for(raft::Index index, raft::Term term);
  void check_write(SimTime now, raft::NodeId node, const raft::Entry& entry,
                   std::optional<raft::Term> prev_term);
  void check_term_and_vote(SimTime now, NodeState& state, const raft::Raft& core);
  void check_commit(SimTime now, NodeState& state, const raft::Raft& core);
  void check_commit_quorum(SimTime now, const NodeState& state, const raft::Raft& core);
  void check_leadership(SimTime now, NodeState& state, const raft::Raft& core);
  void check_append_only(SimTime now, NodeState& state, const raft::Raft& core);
  void check_leader_is_voter(SimTime now, const raft::Raft& core);
  // A restarted node's rounds start over: what it sent in its last life no longer counts.
  void forget_sends(raft::NodeId node);

  // Read confirmation (read_rounds.cc). What a leader sent and heard in one term: its rounds,
  // each with the sequence number of its first message (rounds increasing), and the highest
  // round each follower answered.
  struct TermRounds {
    std::vector<std::pair<uint64_t, uint64_t>> rounds;
    std::map<uint32_t, uint64_t> echoed;
  };
  struct PendingRead {
    uint64_t sequence = 0;  // when it began
    uint64_t term = 0;      // the leader's term then
  };
  // Per leader: its terms back to the oldest one a read waits in, its reads waiting for an
  // answer (by request), and the configurations it acted on since the oldest of them began.
  struct LeaderReads {
    std::map<uint64_t, TermRounds> terms;
    std::map<uint64_t, PendingRead> pending;
    std::vector<raft::Configuration> configurations;
  };
  TermRounds& term_rounds(raft::NodeId leader, uint64_t term);
  void note_round_sent(raft::NodeId from, const raft::Message& m);
  // Keeps the configuration a leader acts on now, while it has reads waiting.
  void note_read_configuration(const raft::Raft& core);
  bool reads_reported_ = false;
  uint64_t sequence_ = 0;  // orders sends and reads begun
  std::map<uint32_t, LeaderReads> reads_;
  void check_change(SimTime now, NodeState& state, const raft::Raft& core,
                    raft::Index commit_before);
  void add_commit_point(SimTime now, raft::Index index, raft::Term by_term, raft::NodeId by);
  // The commit point of the highest committed index whose entry every leader of `leader_term`
  // must hold, with its term; nullptr when nothing was committed before that term.
  const std::pair<const raft::Term, CommitPoint>* committed_before(raft::Term leader_term) const;
  // "n1 in term 2", "n1, n3 in term 2": who committed a point, for reports.
  std::string committed_by(const std::pair<const raft::Term, CommitPoint>& point) const;

  uint64_t seed_;
  std::map<raft::NodeId, NodeState> nodes_;

  // Log matching: records_[i - 1] is the first record written at index i; records of further
  // terms at an index live in extra_records_ (rare: only after a leader change with conflicts).
  std::vector<WriteRecord> records_;
  std::unordered_map<uint64_t, std::vector<WriteRecord>> extra_records_;  // lookups only

  // Election safety: the leader of each term, and who voted for whom in each term (the nodes
  // seen with voted_for == candidate at that term; a vote is seen before its response leaves).
  std::map<raft::Term, raft::NodeId> leaders_;
  std::map<std::pair<raft::Term, raft::NodeId>, std::vector<raft::NodeId>> votes_;
  void record_vote(const raft::Raft& core);
  void check_quorum_of_votes(SimTime now, const raft::Raft& core);

  // Leader completeness: committed_terms_[i - 1] is the term of the committed entry at index i.
  std::vector<raft::Term> committed_terms_;
  // Commit points by term, kept as a staircase: both keys and indices strictly increase,
  // dominated points are dropped.
  std::map<raft::Term, CommitPoint> commit_points_;

  // State-machine safety: what was applied at each index (the first time anyone applied it).
  struct Applied {
    raft::Term term;  // Term{0}: nobody applied this index yet
    uint64_t digest = 0;
    raft::NodeId node;  // the first node that applied it
  };
  std::vector<Applied> applied_;

  // Flow control: per (sender, receiver), what the sender spent of its budget in the (term,
  // round) it last sent in.
  struct SentInRound {
    uint64_t term = 0;
    uint64_t round = 0;
    size_t count = 0;
  };
  size_t send_budget_ = 0;  // 0: sends are not judged
  std::map<std::pair<uint32_t, uint32_t>, SentInRound> sent_in_round_;

  // What a node does with each message (message_steps.cc). A step in progress: the receiver's
  // rejections before it, and for a message of an older term, what the receiver held.
  struct Held {
    uint64_t term = 0;
    raft::NodeId vote;
    raft::Role role = raft::Role::kFollower;
    raft::NodeId leader;
    uint64_t commit = 0;
    uint64_t last_index = 0;
    uint64_t last_term = 0;
    uint64_t snapshot_index = 0;
    uint64_t configuration_index = 0;
    int election_ticks_left = 0;
    std::map<raft::NodeId, raft::Progress> progress;
    bool operator==(const Held&) const = default;
  };
  static Held held_by(const raft::Raft& core);
  std::string what_changed(const Held& before, const Held& after) const;
  // An answer a node's core owes for a request it took: to whom, of which type, and how the
  // request and the receiver stood.
  // append_entries_obeyed: an AppendEntries as its text needs it, and the answer it is owed.
  struct AppendSeen {
    raft::NodeId from;
    uint64_t term = 0;
    uint64_t prev_index = 0;
    uint64_t prev_term = 0;
    uint64_t first = 0;  // its entries' indexes; 0 for a heartbeat
    uint64_t last = 0;
    static AppendSeen of(const raft::Message& m);
  };
  struct AppendAnswer {
    bool reject = false;
    uint64_t match = 0;  // when not a rejection
    AppendSeen seen;
  };
  // election_restriction: a vote request whose candidate's log was behind the receiver's, both
  // last entries as they stood at the step.
  struct VoteBehind {
    uint64_t candidate_index = 0;
    uint64_t candidate_term = 0;
    uint64_t own_index = 0;
    uint64_t own_term = 0;
  };
  struct OwedAnswer {
    raft::NodeId to;
    raft::MessageType answer = raft::MessageType::kAppendResponse;
    raft::MessageType request = raft::MessageType::kAppendEntries;
    uint64_t request_term = 0;
    uint64_t receiver_term = 0;
    raft::Role receiver_role = raft::Role::kFollower;
    std::optional<AppendAnswer> append;  // what an AppendEntries' answer must say, when judged
    std::optional<VoteBehind> vote;      // a vote request whose candidate's log was behind
  };
  std::optional<VoteBehind> vote_behind(const raft::Raft& receiver, const raft::Message& m) const;
  std::optional<VoteBehind> vote_behind_;  // for the vote request being stepped
  void check_vote_answer(SimTime now, const raft::Raft& core, const OwedAnswer& o,
                         const raft::Ready& rd);
  void check_applied_within_commit(SimTime now, const raft::Raft& core, const raft::Ready& rd);
  // The receiver of an AppendEntries as it stood before the step.
  struct AppendBefore {
    bool judged = false;      // its previous entry at or past the commit index and the snapshot
    bool matched = false;     // the log held the previous entry
    bool conflicted = false;  // and some entry carried conflicted with one it held
    uint64_t last_index = 0;
    uint64_t last_term = 0;
    uint64_t snapshot_index = 0;
    uint64_t commit = 0;
  } append_before_;
  void note_append(const raft::Raft& receiver, const raft::Message& m);
  bool append_judged(const raft::Raft& receiver, const raft::Message& m) const;
  void check_append_obeyed(SimTime now, const raft::Raft& receiver, const raft::Message& m);
  std::optional<AppendAnswer> append_answer_owed(const raft::Raft& receiver,
                                                 const raft::Message& m) const;
  void check_append_answer(SimTime now, const raft::Raft& core, const OwedAnswer& o,
                           const raft::Ready& rd);
  std::string append_taken(raft::NodeId receiver, const AppendSeen& m) const;
  bool steps_reported_ = false;
  std::optional<raft::MessageType> answer_owed_;  // by the message being stepped, if taken
  uint64_t rejections_before_step_ = 0;
  std::optional<Held> held_before_step_;
  raft::Term term_before_step_;
  raft::NodeId vote_before_step_;
  bool lease_ignores_ = false;  // the vote lease lets the receiver ignore the message
  // election_timer_reset, newer_term_adopted and leader_followed, for a step just taken.
  void check_timer_restarted(SimTime now, const raft::Raft& receiver, const raft::Message& m);
  void check_newer_term_adopted(SimTime now, const raft::Raft& receiver, const raft::Message& m);
  void check_leader_followed(SimTime now, const raft::Raft& receiver, const raft::Message& m);
  std::vector<std::vector<OwedAnswer>> owed_;  // by node id; kept allocated: a step is hot
  // election_on_timeout: the ticking node as it stood before its tick.
  struct BeforeTick {
    uint64_t term = 0;
    raft::NodeId vote;
    raft::Role role = raft::Role::kFollower;
    int ticks_left = 0;
    int timeout = 0;
  } before_tick_;
  // Whether `core` may stand for election now, and why (thesis §4.2.2).
  struct Standing {
    bool may_campaign = false;
    std::string why;
  };
  Standing standing(const raft::Raft& core) const;
  std::vector<OwedAnswer>& owed_by(raft::NodeId node);

  std::vector<PropertyViolation> violations_;
  std::set<DedupKey> reported_;
  ConfigurationSteps configurations_;
  uint64_t suppressed_ = 0;
  std::string name(raft::NodeId id) const;
  // "n1, leader of term 2": how a leader's own step is told.
  std::string as_leader(const raft::Raft& core) const;
  std::vector<std::string> node_names_;
  bool durability_reported_ = false;

  // Commit quorum: what each server holds on disk.
  DiskView disks_;
  bool syncs_reported_ = false;
};

}  // namespace raftsim::check

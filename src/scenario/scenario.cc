#include "scenario/scenario.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "scenario/duration.h"

namespace raftsim::scenario {
namespace {

// The sim and raft configuration structs have no operator==; these compare every field.
// A field added to one of them must be added here too.
bool same(const sim::Latency& a, const sim::Latency& b) {
  return std::tie(a.shape, a.min, a.max, a.tail_chance, a.tail_max) ==
         std::tie(b.shape, b.min, b.max, b.tail_chance, b.tail_max);
}

bool same(const sim::LinkModel& a, const sim::LinkModel& b) {
  return same(a.latency, b.latency) && std::tie(a.loss, a.duplicate, a.reorder, a.extra_delay) ==
                                           std::tie(b.loss, b.duplicate, b.reorder, b.extra_delay);
}

bool same(const sim::WorkloadModel& a, const sim::WorkloadModel& b) {
  return std::tie(a.clients, a.keys, a.mix.get, a.mix.put, a.mix.append, a.mix.cas, a.rate, a.think,
                  a.attempt_timeout, a.give_up, a.stop_at) ==
             std::tie(b.clients, b.keys, b.mix.get, b.mix.put, b.mix.append, b.mix.cas, b.rate,
                      b.think, b.attempt_timeout, b.give_up, b.stop_at) &&
         same(a.latency, b.latency);
}

bool same(const raft::Options& a, const raft::Options& b) {
  return std::tie(a.pre_vote, a.check_quorum, a.vote_lease, a.leadership_transfer) ==
         std::tie(b.pre_vote, b.check_quorum, b.vote_lease, b.leadership_transfer);
}

bool same(const raft::PlantedBugs& a, const raft::PlantedBugs& b) {
  return std::tie(a.commit_previous_term, a.vote_without_log_check, a.forget_vote_on_restart,
                  a.ack_before_persist, a.stale_leader_reads, a.change_before_term_commit,
                  a.removed_leader_keeps_leading) ==
         std::tie(b.commit_previous_term, b.vote_without_log_check, b.forget_vote_on_restart,
                  b.ack_before_persist, b.stale_leader_reads, b.change_before_term_commit,
                  b.removed_leader_keeps_leading);
}

bool same(const sim::Lies& a, const sim::Lies& b) {
  return std::tie(a.inflate_log, a.vote_for_everyone, a.forge_acks, a.term_inflation) ==
         std::tie(b.inflate_log, b.vote_for_everyone, b.forge_acks, b.term_inflation);
}

bool same(const sim::WorldConfig& a, const sim::WorldConfig& b) {
  return a.node_names == b.node_names && a.voters == b.voters && a.learners == b.learners &&
         same(a.options, b.options) && same(a.bugs, b.bugs) &&
         std::tie(a.election_timeout_ticks, a.heartbeat_ticks, a.tick, a.seed, a.snapshot_every,
                  a.max_entries_per_append, a.max_appends_per_round) ==
             std::tie(b.election_timeout_ticks, b.heartbeat_ticks, b.tick, b.seed, b.snapshot_every,
                      b.max_entries_per_append, b.max_appends_per_round) &&
         same(a.network, b.network) && same(a.disk.fsync, b.disk.fsync) &&
         std::tie(a.pct.depth, a.pct.messages, a.pct.hold) ==
             std::tie(b.pct.depth, b.pct.messages, b.pct.hold) &&
         same(a.workload, b.workload);
}

}  // namespace

uint32_t Scenario::node_id(const std::string& wanted) const {
  for (size_t i = 0; i < world.node_names.size(); ++i) {
    if (world.node_names[i] == wanted) return static_cast<uint32_t>(i + 1);
  }
  return 0;
}

std::string_view to_string(FaultKind kind) {
  switch (kind) {
    case FaultKind::kPartition:
      return "partition";
    case FaultKind::kCut:
      return "cut";
    case FaultKind::kHeal:
      return "heal";
    case FaultKind::kDelay:
      return "delay";
    case FaultKind::kLoss:
      return "loss";
    case FaultKind::kDuplicate:
      return "duplicate";
    case FaultKind::kClog:
      return "clog";
    case FaultKind::kUnclog:
      return "unclog";
    case FaultKind::kCrash:
      return "crash";
    case FaultKind::kRestart:
      return "restart";
    case FaultKind::kPause:
      return "pause";
    case FaultKind::kResume:
      return "resume";
    case FaultKind::kWipe:
      return "wipe";
    case FaultKind::kFsyncLies:
      return "fsync_lies";
    case FaultKind::kTornWrite:
      return "torn_write";
    case FaultKind::kCorrupt:
      return "corrupt";
    case FaultKind::kClockSkew:
      return "clock_skew";
    case FaultKind::kLie:
      return "lie";
    case FaultKind::kElect:
      return "elect";
    case FaultKind::kTransfer:
      return "transfer";
    case FaultKind::kCrashLeader:
      return "crash_leader";
    case FaultKind::kIsolateLeader:
      return "isolate_leader";
    case FaultKind::kDropMessages:
      return "drop_messages";
    case FaultKind::kDelayMessages:
      return "delay_messages";
    case FaultKind::kDuplicateMessages:
      return "duplicate_messages";
    case FaultKind::kHoldMessages:
      return "hold_messages";
    case FaultKind::kIsolate:
      return "isolate";
    case FaultKind::kTriggeredCrash:
      return "triggered_crash";
    case FaultKind::kTriggeredPause:
      return "triggered_pause";
    case FaultKind::kTriggeredIsolate:
      return "triggered_isolate";
    case FaultKind::kTriggeredDelay:
      return "triggered_delay";
    case FaultKind::kAddLearner:
      return "add_learner";
    case FaultKind::kPromote:
      return "promote";
    case FaultKind::kAddVoter:
      return "add_voter";
    case FaultKind::kRemove:
      return "remove";
    case FaultKind::kChangeVoters:
      return "change_voters";
    case FaultKind::kReconfigure:
      return "reconfigure";
    case FaultKind::kTriggeredReconfigure:
      return "triggered_reconfigure";
    case FaultKind::kReconfigureLearner:
      return "reconfigure_learner";
    case FaultKind::kReconfigureJoint:
      return "reconfigure_joint";
    case FaultKind::kTriggeredReconfigureLearner:
      return "triggered_reconfigure_learner";
    case FaultKind::kTriggeredReconfigureJoint:
      return "triggered_reconfigure_joint";
  }
  return "unknown";
}

std::string_view to_string(sim::NodeEventKind event) {
  switch (event) {
    case sim::NodeEventKind::kBecomesLeader:
      return "becomes_leader";
    case sim::NodeEventKind::kBecomesCandidate:
      return "becomes_candidate";
    case sim::NodeEventKind::kGrantsVote:
      return "grants_vote";
    case sim::NodeEventKind::kPersisted:
      return "persisted";
    case sim::NodeEventKind::kApplies:
      return "applies";
    case sim::NodeEventKind::kInstallsSnapshot:
      return "installs_snapshot";
    case sim::NodeEventKind::kUncommitted:
      return "uncommitted";
  }
  return "unknown";
}

bool is_membership_fault(FaultKind kind) {
  return (kind >= FaultKind::kAddLearner && kind <= FaultKind::kReconfigure) ||
         kind == FaultKind::kReconfigureLearner || kind == FaultKind::kReconfigureJoint;
}

bool is_triggered_fault(FaultKind kind) {
  return kind == FaultKind::kTriggeredCrash || kind == FaultKind::kTriggeredPause ||
         kind == FaultKind::kTriggeredIsolate || kind == FaultKind::kTriggeredDelay;
}

bool is_triggered_reconfigure(FaultKind kind) {
  return kind == FaultKind::kTriggeredReconfigure ||
         kind == FaultKind::kTriggeredReconfigureLearner ||
         kind == FaultKind::kTriggeredReconfigureJoint;
}

bool is_reconfigure(FaultKind kind) {
  return kind == FaultKind::kReconfigure || kind == FaultKind::kReconfigureLearner ||
         kind == FaultKind::kReconfigureJoint;
}

bool is_message_fault(FaultKind kind) {
  return kind == FaultKind::kDropMessages || kind == FaultKind::kDelayMessages ||
         kind == FaultKind::kDuplicateMessages || kind == FaultKind::kHoldMessages;
}

bool is_leader_fault(FaultKind kind) {
  return kind == FaultKind::kCrashLeader || kind == FaultKind::kIsolateLeader;
}

size_t count_faults(const std::vector<Fault>& timeline) {
  return timeline.size() +
         static_cast<size_t>(std::count_if(timeline.begin(), timeline.end(), [](const Fault& f) {
           return is_leader_fault(f.kind) || f.undo_after.count() > 0;
         }));
}

namespace {

std::string time_text(SimTime t) {
  return t == SimTime::max() ? "end" : format_duration(t.time_since_epoch());
}

std::string window_text(const Expectation& e) {
  return fmt::format("{}..{}", time_text(e.from), time_text(e.to));
}

// " [n4 n5]", or "" for every node.
std::string group_text(const Expectation& e, const std::vector<std::string>& node_names) {
  if (e.group.empty()) return "";
  std::string names;
  for (uint32_t id : e.group) {
    if (!names.empty()) names += ' ';
    names += id >= 1 && id <= node_names.size() ? node_names[id - 1] : std::to_string(id);
  }
  return " [" + names + "]";
}

std::string group_window_text(std::string_view kind, const Expectation& e,
                              const std::vector<std::string>& node_names) {
  return fmt::format("{}{} {}", kind, group_text(e, node_names), window_text(e));
}

}  // namespace

std::string describe(const Expectation& e, const std::vector<std::string>& node_names) {
  using Kind = Expectation::Kind;
  switch (e.kind) {
    case Kind::kHolds:
      return fmt::format("holds {}", to_string(e.property));
    case Kind::kViolated:
      return fmt::format("violated {}", to_string(e.property));
    case Kind::kSafetyViolated:
      return "safety violated";
    case Kind::kLeaderWithin:
      return fmt::format("leader_within{} {} after {}", group_text(e, node_names),
                         format_duration(e.within), time_text(e.from));
    case Kind::kNoLeader:
      return group_window_text("no_leader", e, node_names);
    case Kind::kNoElection:
      return group_window_text("no_election", e, node_names);
    case Kind::kNoCommit:
      return group_window_text("no_commit", e, node_names);
    case Kind::kCommitsAtLeast:
      return fmt::format("commits_at_least {}", e.count);
    case Kind::kAckedWritesAtLeast:
      return fmt::format("acked_writes_at_least {}", e.count);
    case Kind::kTermAtMost:
      return fmt::format("term_at_most {} {}", e.count, window_text(e));
    case Kind::kTermAbove:
      return fmt::format("term_above {} by {}", e.count, time_text(e.to));
  }
  return "unknown";
}

bool operator==(const Fault& a, const Fault& b) {
  return std::tie(a.at, a.kind, a.groups, a.nodes, a.links, a.delay, a.rate, a.factor, a.on,
                  a.record, a.length) == std::tie(b.at, b.kind, b.groups, b.nodes, b.links, b.delay,
                                                  b.rate, b.factor, b.on, b.record, b.length) &&
         std::tie(a.messages, a.from, a.to, a.count, a.undo_after, a.when) ==
             std::tie(b.messages, b.from, b.to, b.count, b.undo_after, b.when) &&
         same(a.lies, b.lies);
}

bool operator==(const Nemesis& a, const Nemesis& b) {
  if (!a.enabled() && !b.enabled()) return true;
  return std::tie(a.faults, a.every_min, a.every_max, a.duration_min, a.duration_max, a.quiet,
                  a.delay, a.loss, a.overlap) == std::tie(b.faults, b.every_min, b.every_max,
                                                          b.duration_min, b.duration_max, b.quiet,
                                                          b.delay, b.loss, b.overlap);
}

bool operator==(const Expectation& a, const Expectation& b) {
  return std::tie(a.kind, a.property, a.group, a.from, a.to, a.within, a.count, a.text) ==
         std::tie(b.kind, b.property, b.group, b.from, b.to, b.within, b.count, b.text);
}

bool operator==(const Liveness& a, const Liveness& b) {
  if (!a.enabled && !b.enabled) return true;
  return std::tie(a.enabled, a.quiet, a.within) == std::tie(b.enabled, b.quiet, b.within);
}

bool operator==(const Scenario& a, const Scenario& b) {
  return std::tie(a.name, a.teaches, a.seed, a.duration, a.timeline, a.nemesis, a.swarm, a.liveness,
                  a.expectations, a.implementation) ==
             std::tie(b.name, b.teaches, b.seed, b.duration, b.timeline, b.nemesis, b.swarm,
                      b.liveness, b.expectations, b.implementation) &&
         same(a.world, b.world);
}

}  // namespace raftsim::scenario

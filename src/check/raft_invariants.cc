#include "check/raft_invariants.h"

#include <algorithm>
#include <cassert>
#include <cinttypes>
#include <cstdio>
#include <iterator>
#include <utility>

#include "check/node_name.h"

namespace raftsim::check {

using raft::Entry;
using raft::Index;
using raft::NodeId;
using raft::Term;

namespace {

std::string at(Index index, Term term) {
  return "(index " + std::to_string(index.value) + ", term " + std::to_string(term.value) + ")";
}

std::string seconds(SimTime t) {
  char buf[40];
  const char* sign = t < 0 ? "-" : "";
  uint64_t magnitude = t < 0 ? -static_cast<uint64_t>(t) : static_cast<uint64_t>(t);
  std::snprintf(buf, sizeof buf, "%s%" PRIu64 ".%06" PRIu64 "s", sign, magnitude / 1'000'000,
                magnitude % 1'000'000);
  return buf;
}

// The runs of equal terms in a log, found by binary search: terms never decrease along a log, so
// each run's end is the first index holding a greater term. O(R log N). A compacted log's runs
// start at its snapshot point.
template <typename Run>
std::vector<Run> term_runs(const raft::Log& log) {
  std::vector<Run> runs;
  const uint64_t last = log.last_index().value;
  uint64_t i = std::max<uint64_t>(1, log.snapshot_index().value);
  while (i <= last) {
    const Term term = log.term_at(Index{i});
    uint64_t lo = i + 1;
    uint64_t hi = last + 1;
    while (lo < hi) {
      const uint64_t mid = lo + (hi - lo) / 2;
      if (log.term_at(Index{mid}) > term) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    runs.push_back(Run{Index{i}, term});
    i = lo;
  }
  return runs;
}

}  // namespace

std::string to_string(const PropertyViolation& v, std::span<const std::string> names) {
  std::string out = v.property + " at " + seconds(v.time) + " (seed " + std::to_string(v.seed) +
                    "), term " + std::to_string(v.term.value) + ", index " +
                    std::to_string(v.index.value) + ", nodes";
  for (NodeId id : v.nodes)
    out += " " + node_name(names, id);
  out += ": " + v.detail;
  for (const std::string& line : v.context)
    out += "\n  " + line;
  return out;
}

uint64_t entry_digest(const Entry& entry) {
  // FNV-1a: stable across builds and platforms, so digests may appear in reports.
  uint64_t h = 14695981039346656037ull;
  auto mix = [&h](unsigned char byte) {
    h ^= byte;
    h *= 1099511628211ull;
  };
  mix(static_cast<unsigned char>(entry.type));
  for (char c : entry.command)
    mix(static_cast<unsigned char>(c));
  return h;
}

bool RaftInvariants::LeaderView::holds(Index index, Term entry_term) const {
  if (index.value == 0) return true;
  if (index > last_at_election) return false;  // later entries are all of the leader's own term
  auto run = std::upper_bound(runs.begin(), runs.end(), index,
                              [](Index i, const TermRun& r) { return i < r.first; });
  // Before the first run: compacted into the leader's snapshot, which holds only entries it
  // applied — and state-machine safety holds those to what everyone applied there.
  if (run == runs.begin()) return true;
  return std::prev(run)->term == entry_term;
}

RaftInvariants::RaftInvariants(std::span<const NodeId> nodes, uint64_t seed)
    : seed_(seed), configurations_(raft::Configuration{{nodes.begin(), nodes.end()}, {}, {}}) {
  for (NodeId id : nodes)
    node_state(id);
}

RaftInvariants::NodeState& RaftInvariants::node_state(NodeId node) {
  assert(!node.is_none());
  return nodes_[node];
}

PropertyViolation RaftInvariants::make(std::string_view property, SimTime now,
                                       std::vector<NodeId> nodes, Term term, Index index,
                                       std::string detail) const {
  return PropertyViolation{
      std::string(property), std::move(nodes), term, index, now, seed_, std::move(detail), {}};
}

void RaftInvariants::report(DedupKey key, PropertyViolation violation) {
  if (reported_.insert(key).second) {
    violations_.push_back(std::move(violation));
  } else {
    ++suppressed_;
  }
}

void RaftInvariants::set_context(size_t i, std::vector<std::string> context) {
  assert(i < violations_.size());
  violations_[i].context = std::move(context);
}

// ---------------------------------------------------------------------------------------------
// Log matching

void RaftInvariants::on_log_write(SimTime now, NodeId node, const raft::Log& log_after,
                                  std::span<const Entry> written) {
  NodeState& state = node_state(node);
  if (!written.empty()) {
    // A leader's write over an index it wrote before, with another term than its log held
    // there (the same term with other content is log matching's to report).
    if (state.leading && state.written_through) {
      const LeaderView& view = *state.leading;
      for (const Entry& e : written) {
        if (e.index > *state.written_through) break;
        const bool same =
            e.index > view.last_at_election ? e.term == view.term : view.holds(e.index, e.term);
        if (same) continue;
        state.rewritten_from = std::min(state.rewritten_from.value_or(e.index), e.index);
        break;
      }
    }
    state.written_through = written.back().index;
  }
  for (size_t k = 0; k < written.size(); ++k) {
    const Entry& entry = written[k];
    assert(entry.index == written.front().index + k);
    std::optional<Term> prev_term;
    if (k > 0) {
      prev_term = written[k - 1].term;
    } else if (entry.index.value == 1) {
      prev_term = Term{0};
    } else if (log_after.matches(entry.index, entry.term)) {
      prev_term = log_after.term_at(entry.index.prev());
    }
    check_write(now, node, entry, prev_term);
  }
}

RaftInvariants::WriteRecord& RaftInvariants::record_for(Index index, Term term) {
  assert(index.value >= 1 && term.value >= 1);
  if (records_.size() < index.value) records_.resize(index.value);
  WriteRecord& first = records_[index.value - 1];
  if (first.term == term || first.term.value == 0) return first;
  std::vector<WriteRecord>& others = extra_records_[index.value];
  for (WriteRecord& r : others)
    if (r.term == term) return r;
  return others.emplace_back();
}

// Induction: if every (index, term) is only ever written with one content and one predecessor
// term, two logs sharing (index, term) share (index - 1, term'), and so on down to index 1.
void RaftInvariants::check_write(SimTime now, NodeId node, const Entry& entry,
                                 std::optional<Term> prev_term) {
  const uint64_t digest = entry_digest(entry);
  WriteRecord& record = record_for(entry.index, entry.term);
  if (record.term.value == 0) {
    record =
        WriteRecord{entry.term, prev_term.value_or(Term{}), digest, node, prev_term.has_value()};
    return;
  }
  const DedupKey key{kLogMatching, node.value, 0, entry.term.value};
  if (record.digest != digest) {
    report(key,
           make(kLogMatching, now, {node, record.writer}, entry.term, entry.index,
                name(node) + " wrote an entry at " + at(entry.index, entry.term) +
                    " whose content differs from the one " + name(record.writer) + " wrote there"));
  } else if (prev_term && record.prev_known && *prev_term != record.prev_term) {
    report(key,
           make(kLogMatching, now, {node, record.writer}, entry.term, entry.index,
                name(node) + " holds " + at(entry.index, entry.term) + " after an entry of term " +
                    std::to_string(prev_term->value) + ", " + name(record.writer) +
                    " after one of term " + std::to_string(record.prev_term.value)));
  } else if (prev_term && !record.prev_known) {
    record.prev_term = *prev_term;
    record.prev_known = true;
  }
}

// ---------------------------------------------------------------------------------------------
// Node state: term, vote, commit, leadership

void RaftInvariants::on_persisted(SimTime, NodeId node, const raft::HardState& hard_state) {
  node_state(node).persisted = hard_state;
}

void RaftInvariants::on_restart(SimTime, NodeId node, bool disk_lost) {
  NodeState& state = node_state(node);
  ++state.life;
  state.commit = Index{0};
  state.next_apply = Index{1};
  state.leading.reset();
  forget_sends(node);
  reads_.erase(node.value);  // its reads died with it
  owed_by(node).clear();     // and what it owed: its next Ready is a new life's
  state.led_before_restart = state.led;
  state.written_through.reset();
  state.rewritten_from.reset();
  state.last_index = Index{0};
  state.acted_on.reset();
  if (disk_lost) {
    state.term = Term{0};
    state.vote = raft::kNoNode;
    state.persisted.reset();
  } else if (state.persisted || durability_reported_) {
    const raft::HardState durable = state.persisted.value_or(raft::HardState{});
    state.term = durable.term;
    state.vote = durable.voted_for;
  }
}

void RaftInvariants::on_state(SimTime now, const raft::Raft& core) {
  NodeState& state = node_state(core.id());
  const Index commit_before = state.commit;
  record_vote(core);
  check_term_and_vote(now, state, core);
  check_commit(now, state, core);
  check_append_only(now, state, core);  // before check_leadership moves `leading` on
  check_leadership(now, state, core);
  check_leader_is_voter(now, core);
  check_change(now, state, core, commit_before);
  if (auto broken = configurations_.observe(core)) {
    report({kConfigurationSafety, 0, broken->index.value, 0},
           make(kConfigurationSafety, now, {core.id()}, Term{}, broken->index, broken->detail));
  }
  const std::string stale =
      configuration_not_in_log(core.log(), core.configuration_index(), core.configuration());
  if (!stale.empty()) {
    report({kConfigurationSafety, core.id().value, 1, core.configuration_index().value},
           make(kConfigurationSafety, now, {core.id()}, core.term(), core.configuration_index(),
                name(core.id()) + " " + stale));
  }
  note_read_configuration(core);
}

void RaftInvariants::check_term_and_vote(SimTime now, NodeState& state, const raft::Raft& core) {
  const NodeId id = core.id();
  const Term term = core.term();
  const NodeId vote = core.voted_for();
  if (term < state.term) {
    report({kTermMonotonic, id.value, 0, term.value},
           make(kTermMonotonic, now, {id}, term, Index{},
                name(id) + "'s term went back from " + std::to_string(state.term.value) + " to " +
                    std::to_string(term.value) + " (process life " + std::to_string(state.life) +
                    ")"));
  }
  if (term != state.term) {  // a new term (or, after a violation, a new baseline)
    state.term = term;
    state.vote = vote;
    return;
  }
  if (vote.is_none()) return;
  if (!state.vote.is_none() && vote != state.vote) {
    report({kVoteStable, id.value, 0, term.value},
           make(kVoteStable, now, {id, state.vote, vote}, term, Index{},
                name(id) + " voted for " + name(state.vote) + " in term " +
                    std::to_string(term.value) + ", then for " + name(vote) + " (process life " +
                    std::to_string(state.life) + ")"));
  }
  state.vote = vote;
}

void RaftInvariants::check_commit(SimTime now, NodeState& state, const raft::Raft& core) {
  const NodeId id = core.id();
  const Index commit = core.commit_index();
  if (commit < state.commit) {
    report({kCommitMonotonic, id.value, 0, state.life},
           make(kCommitMonotonic, now, {id}, core.term(), commit,
                name(id) + "'s commit index went back from " + std::to_string(state.commit.value) +
                    " to " + std::to_string(commit.value) + " within process life " +
                    std::to_string(state.life)));
  }
  if (commit <= state.commit) {
    state.commit = commit;
    return;
  }
  state.commit = commit;
  const raft::Log& log = core.log();
  assert(commit <= log.last_index());
  if (core.role() == raft::Role::kLeader) {
    if (syncs_reported_) check_commit_quorum(now, state, core);
    // §5.4.2: a leader commits by counting replicas only an entry of its own term; the earlier
    // terms' entries beneath it commit with it. A leader's commit index therefore always rests
    // on an entry of its term (Figure 8 shows what counting an older one loses).
    if (commit >= log.snapshot_index() && log.term_at(commit) != core.term()) {
      report({kCommitCurrentTerm, core.id().value, 0, core.term().value},
             make(kCommitCurrentTerm, now, {core.id()}, core.term(), commit,
                  as_leader(core) + ", committed " + at(commit, log.term_at(commit)) +
                      ", an entry of an earlier term: only an entry of the leader's own term "
                      "commits by counting replicas"));
    }
  }

  // By log matching, agreeing at the highest index both have committed means agreeing below it.
  // (Below a snapshot point the node's terms are gone; its applies were checked instead.)
  const Index overlap = std::min(commit, committed_index());
  if (overlap.value > 0 && overlap >= log.snapshot_index() &&
      committed_terms_[overlap.value - 1].value != 0 &&
      log.term_at(overlap) != committed_terms_[overlap.value - 1]) {
    const Term committed = committed_terms_[overlap.value - 1];
    report({kLeaderCompleteness, id.value, 1, overlap.value},
           make(kLeaderCompleteness, now, {id}, log.term_at(overlap), overlap,
                name(id) + " committed " + at(overlap, log.term_at(overlap)) +
                    ", but the entry committed there earlier has term " +
                    std::to_string(committed.value) + ": a leader replaced a committed entry"));
  }
  for (Index i = committed_index().next(); i <= commit; i = i.next())
    committed_terms_.push_back(i >= log.snapshot_index() ? log.term_at(i) : Term{});  // 0: unknown
  add_commit_point(now, commit, core.term(), id);
}

// A node at term T that sees index c committed learned it from a leader of some term <= T, which
// counted a quorum storing the entry at that term; every later leader won a vote from someone in
// that quorum, and so (§5.4.1) holds the entry.
void RaftInvariants::add_commit_point(SimTime now, Index index, Term by_term, NodeId by) {
  auto after = commit_points_.upper_bound(by_term);
  if (after != commit_points_.begin()) {
    auto& [term, point] = *std::prev(after);
    if (point.index >= index) {  // dominated, but a node reaching the very point also vouches
      if (term == by_term && point.index == index &&
          std::find(point.nodes.begin(), point.nodes.end(), by) == point.nodes.end()) {
        point.nodes.push_back(by);
      }
      return;
    }
  }
  auto point = commit_points_.insert_or_assign(by_term, CommitPoint{index, {by}}).first;
  for (auto next = std::next(point); next != commit_points_.end() && next->second.index <= index;)
    next = commit_points_.erase(next);

  const Term entry_term = committed_terms_[index.value - 1];
  if (entry_term.value == 0) return;
  for (const auto& [id, state] : nodes_) {
    if (!state.leading || state.leading->term <= by_term) continue;
    if (state.leading->holds(index, entry_term)) continue;
    std::vector<NodeId> involved{id};
    involved.insert(involved.end(), point->second.nodes.begin(), point->second.nodes.end());
    report({kLeaderCompleteness, id.value, 0, state.leading->term.value},
           make(kLeaderCompleteness, now, std::move(involved), state.leading->term, index,
                name(id) + " leads term " + std::to_string(state.leading->term.value) +
                    " but its log lacks " + at(index, entry_term) + ", committed by " +
                    committed_by(*point)));
  }
}

const std::pair<const Term, RaftInvariants::CommitPoint>* RaftInvariants::committed_before(
    Term leader_term) const {
  auto point = commit_points_.lower_bound(leader_term);
  if (point == commit_points_.begin()) return nullptr;
  return &*std::prev(point);
}

std::string RaftInvariants::committed_by(const std::pair<const Term, CommitPoint>& point) const {
  std::string out;
  for (NodeId id : point.second.nodes)
    out += (out.empty() ? "" : ", ") + name(id);
  return out + " in term " + std::to_string(point.first.value);
}

void RaftInvariants::check_leadership(SimTime now, NodeState& state, const raft::Raft& core) {
  if (core.role() != raft::Role::kLeader) {
    state.leading.reset();
    return;
  }
  const Term term = core.term();
  if (state.leading && state.leading->term == term) return;
  const NodeId id = core.id();

  auto [leader, first] = leaders_.try_emplace(term, id);
  if (!first && leader->second != id) {
    report({kElectionSafety, 0, 0, term.value},
           make(kElectionSafety, now, {id, leader->second}, term, Index{},
                name(id) + " became leader of term " + std::to_string(term.value) + ", which " +
                    name(leader->second) + " already led"));
  }
  // A leadership ends with the process that held it. A node campaigns on a durable term and vote
  // (its own vote counts only once durable), so it restarts in a term at least as high as any it
  // led, and its next campaign is for a later one. Leading such a term again is a second
  // leadership of it, which knows nothing of what the first appended.
  if (term <= state.led_before_restart) {
    report({kElectionSafety, id.value, 2, term.value},
           make(kElectionSafety, now, {id}, term, Index{},
                name(id) + " became leader of term " + std::to_string(term.value) +
                    " after a restart, having led term " +
                    std::to_string(state.led_before_restart.value) + " before it: " +
                    (term == state.led_before_restart ? "one term, two leaderships"
                                                      : "its term went back")));
  }
  state.led = std::max(state.led, term);

  check_quorum_of_votes(now, core);

  const raft::Log& log = core.log();
  if (const auto* point = committed_before(term)) {
    const Index committed = point->second.index;
    const Term entry_term = committed_terms_[committed.value - 1];
    const bool compacted = committed < log.snapshot_index();  // see LeaderView::holds
    if (!compacted && entry_term.value != 0 && !log.matches(committed, entry_term)) {
      std::vector<NodeId> involved{id};
      involved.insert(involved.end(), point->second.nodes.begin(), point->second.nodes.end());
      report({kLeaderCompleteness, id.value, 0, term.value},
             make(kLeaderCompleteness, now, std::move(involved), term, committed,
                  name(id) + " became leader of term " + std::to_string(term.value) +
                      " without the committed entry " + at(committed, entry_term) +
                      ", committed by " + committed_by(*point)));
    }
  }
  state.leading = LeaderView{term, log.last_index(), term_runs<TermRun>(log)};
}

// Figure 3: a leader never overwrites or deletes entries in its log; it only appends. Judged
// between two observations of the same leader of the same term, from the log writes its host
// reported in between (an entry of another term written at an index already written) and its
// log's length. A node that stepped down in between may truncate: it is no leader when observed.
void RaftInvariants::check_append_only(SimTime now, NodeState& state, const raft::Raft& core) {
  const Index last = core.log().last_index();
  const std::optional<Index> rewritten = std::exchange(state.rewritten_from, std::nullopt);
  const Index before = std::exchange(state.last_index, last);
  if (core.role() != raft::Role::kLeader || !state.leading || state.leading->term != core.term())
    return;
  if (!rewritten && last >= before) return;  // it only appended: the common case, checked first
  const NodeId id = core.id();
  const std::string who = as_leader(core) + ", ";
  if (rewritten) {
    report({kLeaderAppendOnly, id.value, 0, core.term().value},
           make(kLeaderAppendOnly, now, {id}, core.term(), *rewritten,
                who + "wrote another term's entry at index " + std::to_string(rewritten->value) +
                    " over the one it held: a leader only appends"));
  } else if (last < before) {
    report({kLeaderAppendOnly, id.value, 0, core.term().value},
           make(kLeaderAppendOnly, now, {id}, core.term(), last.next(),
                who + "deleted entries " + std::to_string(last.next().value) + ".." +
                    std::to_string(before.value) + " of its log: a leader only appends"));
  }
}

void RaftInvariants::record_vote(const raft::Raft& core) {
  if (core.voted_for().is_none()) return;
  std::vector<NodeId>& voters = votes_[{core.term(), core.voted_for()}];
  if (std::find(voters.begin(), voters.end(), core.id()) == voters.end())
    voters.push_back(core.id());
}

// A leader is only as safe as its election: §5.4.1's argument needs its voters to overlap every
// quorum that committed something, so they must be a quorum of the configuration it acts on —
// that configuration's voters only (learners, spares and removed servers elect nobody), and a
// majority of each half of a joint one.
void RaftInvariants::check_quorum_of_votes(SimTime now, const raft::Raft& core) {
  const raft::Configuration& configuration = core.configuration();
  const auto found = votes_.find({core.term(), core.id()});
  const std::vector<NodeId> none;
  const std::vector<NodeId>& voters = found == votes_.end() ? none : found->second;
  auto voted = [&](NodeId id) {
    return std::find(voters.begin(), voters.end(), id) != voters.end();
  };
  if (configuration.has_quorum(voted)) return;
  std::vector<NodeId> sorted = voters;
  std::sort(sorted.begin(), sorted.end());
  std::string who;
  for (NodeId id : sorted)
    who += (who.empty() ? "" : " ") + name(id);
  const NodeId id = core.id();
  report({kElectionSafety, id.value, 1, core.term().value},
         make(kElectionSafety, now, {id}, core.term(), Index{},
              name(id) + " became leader of term " + std::to_string(core.term().value) +
                  " with the votes of {" + who + "}, no majority of " + describe(configuration)));
}

// ---------------------------------------------------------------------------------------------
// Commit quorum

void RaftInvariants::on_synced(NodeId node, Index snapshot_index, std::span<const Entry> entries) {
  if (syncs_reported_) disks_.synced(node, snapshot_index, entries);
}

// Figure 2: a leader sets commitIndex = N once a majority of matchIndex >= N (with log[N] of its
// term), each acknowledgement sent only after the follower's disk held the entries, and the
// leader's own copy counted only once its own disk holds it. Every guarantee Raft makes of a
// committed entry rests on that quorum; this checks it against the servers' disks as reported,
// at the moment the leader commits, whatever the leader believed. The entry cannot have left a
// counted disk since it was acknowledged: a later leader that could overwrite it would need the
// vote of someone who acknowledged it, and so (§5.4.1) would hold it.
void RaftInvariants::check_commit_quorum(SimTime now, const NodeState& state,
                                         const raft::Raft& core) {
  const raft::Log& log = core.log();
  const Index commit = core.commit_index();
  if (commit < log.snapshot_index()) return;  // a term the log no longer knows
  const Term term = log.term_at(commit);
  auto on_disk = [&](NodeId id) { return disks_.holds(id, commit, term); };
  // The step that committed may also have changed the configuration, before or after deciding:
  // a quorum of the one it acted on before the step, or of the one after, will do.
  if (state.acted_on && state.acted_on->second.has_quorum(on_disk)) return;
  const raft::Configuration& configuration = core.configuration();
  if (configuration.has_quorum(on_disk)) return;
  std::string who;
  for (NodeId id : configuration.members())
    if (on_disk(id)) who += (who.empty() ? "" : " ") + name(id);
  const NodeId id = core.id();
  report({kCommitQuorum, id.value, 0, core.term().value},
         make(kCommitQuorum, now, {id}, core.term(), commit,
              as_leader(core) + ", committed " + at(commit, term) + " while " +
                  (who.empty() ? "no server" : "only {" + who + "}") +
                  " held it on disk, no majority of " + describe(configuration)));
}

// ---------------------------------------------------------------------------------------------
// State-machine safety

void RaftInvariants::on_restore(SimTime now, NodeId node, Index index, Term term) {
  NodeState& state = node_state(node);
  state.next_apply = index.next();
  if (applied_.size() < index.value) return;
  const Applied& applied = applied_[index.value - 1];
  if (applied.term.value != 0 && applied.term != term) {
    report({kStateMachineSafety, node.value, 0, term.value},
           make(kStateMachineSafety, now, {node, applied.node}, term, index,
                name(node) + " restored a snapshot through " + at(index, term) + " where " +
                    name(applied.node) + " applied " + at(index, applied.term)));
  }
}

void RaftInvariants::on_compact(SimTime now, NodeId node, Index index, Term term) {
  const Index applied = node_state(node).next_apply.prev();
  if (index == applied) return;
  report({kStateMachineSafety, node.value, 2, index.value},
         make(kStateMachineSafety, now, {node}, term, index,
              name(node) + " took a snapshot through " + at(index, term) +
                  " while its state machine had applied through index " +
                  std::to_string(applied.value)));
}

void RaftInvariants::on_apply(SimTime now, NodeId node, const Entry& entry) {
  NodeState& state = node_state(node);
  assert(entry.index.value >= 1);
  if (entry.index != state.next_apply) {
    report({kStateMachineSafety, node.value, 1, state.life},
           make(kStateMachineSafety, now, {node}, entry.term, entry.index,
                name(node) + " applied index " + std::to_string(entry.index.value) +
                    " when index " + std::to_string(state.next_apply.value) +
                    " was next (process life " + std::to_string(state.life) + ")"));
  }
  state.next_apply = entry.index.next();

  const uint64_t digest = entry_digest(entry);
  if (applied_.size() < entry.index.value) applied_.resize(entry.index.value);
  Applied& applied = applied_[entry.index.value - 1];
  if (applied.term.value == 0) {
    applied = Applied{entry.term, digest, node};
    return;
  }
  if (applied.term != entry.term || applied.digest != digest) {
    report({kStateMachineSafety, node.value, 0, entry.term.value},
           make(kStateMachineSafety, now, {node, applied.node}, entry.term, entry.index,
                name(node) + " applied " + at(entry.index, entry.term) + " where " +
                    name(applied.node) + " applied " + at(entry.index, applied.term) +
                    (applied.term == entry.term ? " with other content" : "")));
  }
}

}  // namespace raftsim::check

namespace raftsim::check {

std::string RaftInvariants::name(raft::NodeId id) const {
  return node_name(node_names_, id);
}

std::string RaftInvariants::as_leader(const raft::Raft& core) const {
  return name(core.id()) + ", leader of term " + std::to_string(core.term().value);
}

}  // namespace raftsim::check

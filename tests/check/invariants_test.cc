// The per-event Raft invariant checker: each property is fed the smallest sequence of
// observations that breaks it, and a clean multi-term run must report nothing.
#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "check/raft_invariants.h"
#include "raft/raft.h"
#include "violations_text.h"

namespace raftsim::check {
namespace {

using raft::Entry;
using raft::EntryType;
using raft::Index;
using raft::NodeId;
using raft::Role;
using raft::Term;

constexpr NodeId n1{1}, n2{2}, n3{3};
const std::vector<NodeId> kCluster{n1, n2, n3};

// A command whose content is fixed by its position, so logs that agree on (index, term) agree.
Entry entry(uint64_t term, uint64_t index) {
  return Entry{Term{term}, Index{index}, EntryType::kCommand,
               "cmd@" + std::to_string(index) + "." + std::to_string(term)};
}

// A log holding one entry per listed term, at indices 1, 2, ...
std::vector<Entry> log_of(std::initializer_list<uint64_t> terms) {
  std::vector<Entry> entries;
  for (uint64_t term : terms)
    entries.push_back(entry(term, entries.size() + 1));
  return entries;
}

// A follower of the three-node cluster, as restored from storage.
raft::Raft follower(NodeId id, uint64_t term, NodeId vote, uint64_t commit,
                    std::vector<Entry> entries) {
  raft::Config config;
  config.id = id;
  config.voters = kCluster;
  return raft::Raft(config, raft::Restored{{Term{term}, vote, Index{commit}}, std::move(entries)});
}

// A node that wins the election of term `term` on its own (it is configured as the only voter,
// which the checker cannot see): its log is `entries` plus the new leader's no-op.
raft::Raft leader(NodeId id, uint64_t term, std::vector<Entry> entries) {
  raft::Config config;
  config.id = id;
  config.voters = {id};
  raft::Raft core(config, raft::Restored{{Term{term - 1}, id, Index{0}}, std::move(entries)});
  core.campaign();
  core.advance(core.ready());  // its own vote counts once durable
  EXPECT_EQ(core.role(), Role::kLeader);
  EXPECT_EQ(core.term(), Term{term});
  return core;
}

// Entries 1..last of a core's log.
std::vector<Entry> entries_of(const raft::Raft& core) {
  std::span<const Entry> all = core.log().slice(Index{1}, core.log().last_index(), SIZE_MAX);
  return {all.begin(), all.end()};
}

class InvariantsTest : public ::testing::Test {
 protected:
  // Reports a whole restored log as one write, then the node's state.
  void observe(const raft::Raft& core) {
    const auto& log = core.log();
    if (log.last_index().value > 0)
      inv.on_log_write(tick(), core.id(), log, log.slice(Index{1}, log.last_index(), SIZE_MAX));
    inv.on_state(tick(), core);
  }

  // Runs the host loop of a core that needs no peers until it has nothing left to do, reporting
  // every write, durable hard state, apply and state change, as the simulator would.
  void settle(raft::Raft& core) {
    inv.on_state(tick(), core);
    while (core.has_ready()) {
      raft::Ready rd = core.ready();
      if (!rd.entries.empty()) inv.on_log_write(tick(), core.id(), core.log(), rd.entries);
      if (rd.hard_state) inv.on_persisted(tick(), core.id(), *rd.hard_state);
      for (const Entry& e : rd.committed)
        inv.on_apply(tick(), core.id(), e);
      core.advance(rd);
      inv.on_state(tick(), core);
    }
  }

  void apply(NodeId node, uint64_t from, const raft::Raft& source, uint64_t to) {
    for (uint64_t i = from; i <= to; ++i)
      inv.on_apply(tick(), node, source.log().at(Index{i}));
  }

  SimTime tick() { return now += 1000; }

  const PropertyViolation& only_violation() {
    EXPECT_EQ(inv.violations().size(), 1u) << all(inv);
    static const PropertyViolation kNone;
    return inv.violations().empty() ? kNone : inv.violations().front();
  }

  SimTime now = 0;
  RaftInvariants inv{kCluster, /*seed=*/7};
};

// Three terms with three leaders, replication, commits, applies, and a restart that re-applies
// from index 1: nothing is reported.
TEST_F(InvariantsTest, CleanMultiTermRunReportsNothing) {
  // Term 1: n1 leads, commits its no-op and two commands.
  raft::Raft l1 = leader(n1, 1, {});
  settle(l1);
  l1.propose("a");
  l1.propose("b");
  settle(l1);
  ASSERT_EQ(l1.commit_index(), Index{3});
  std::vector<Entry> log1 = entries_of(l1);

  raft::Raft f2 = follower(n2, 1, n1, 3, log1);
  raft::Raft f3 = follower(n3, 1, n1, 2, log1);
  observe(f2);
  observe(f3);
  apply(n2, 1, f2, 3);
  apply(n3, 1, f3, 2);

  // Term 2: n2 wins (n3 votes for it), commits a no-op and a command.
  raft::Raft l2 = leader(n2, 2, log1);
  inv.on_restart(tick(), n2);  // the single-voter stand-in is a new process life of n2
  settle(l2);
  l2.propose("c");
  settle(l2);
  ASSERT_EQ(l2.commit_index(), Index{5});
  std::vector<Entry> log2 = entries_of(l2);

  raft::Raft f3b = follower(n3, 2, n2, 5, log2);  // n3 restarts into term 2 with the new log
  inv.on_restart(tick(), n3);
  observe(f3b);
  apply(n3, 1, f3b, 5);  // re-applies from index 1

  // n1 crashed as leader of term 1 and restarts as a follower of term 2, re-applying all of it.
  inv.on_restart(tick(), n1);
  raft::Raft f1 = follower(n1, 2, n2, 5, log2);
  observe(f1);
  apply(n1, 1, f1, 5);

  // Term 3: n3 wins and commits on top.
  raft::Raft l3 = leader(n3, 3, log2);
  inv.on_restart(tick(), n3);
  settle(l3);
  ASSERT_EQ(l3.commit_index(), Index{6});

  EXPECT_TRUE(inv.violations().empty()) << all(inv);
  EXPECT_EQ(inv.suppressed(), 0u);
  EXPECT_EQ(inv.committed_index(), Index{6});
}

// §5.2: two nodes win term 2.
TEST_F(InvariantsTest, TwoLeadersInOneTermBreakElectionSafety) {
  inv.on_state(tick(), leader(n1, 2, {}));
  inv.on_state(tick(), leader(n2, 2, {}));
  const PropertyViolation& v = only_violation();
  EXPECT_EQ(v.property, "election_safety");
  EXPECT_EQ(v.nodes, (std::vector<NodeId>{n2, n1}));
  EXPECT_EQ(v.term, Term{2});
  EXPECT_EQ(v.time, now);
  EXPECT_EQ(v.seed, 7u);
}

TEST_F(InvariantsTest, OneLeaderObservedManyTimesIsFine) {
  raft::Raft l = leader(n1, 2, {});
  inv.on_state(tick(), l);
  inv.on_state(tick(), l);
  inv.on_state(tick(), leader(n2, 3, {}));
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

// Figure 2: a candidate's vote for itself is persistent state like any other. One that won on a
// vote it had not made durable, and crashed, restarts in the term before and can win the same
// term again, with other entries than its first leadership appended.
TEST_F(InvariantsTest, LeadingATermAgainAfterARestartBreaksElectionSafety) {
  inv.on_persisted(tick(), n1, raft::HardState{Term{1}, raft::kNoNode, Index{0}});
  inv.on_state(tick(), leader(n1, 2, {}));
  inv.on_restart(tick(), n1);
  inv.on_state(tick(), follower(n1, 1, raft::kNoNode, 0, {}));
  inv.on_state(tick(), leader(n1, 2, {}));
  const PropertyViolation& v = only_violation();
  EXPECT_EQ(v.property, "election_safety");
  EXPECT_EQ(v.nodes, (std::vector<NodeId>{n1}));
  EXPECT_EQ(v.term, Term{2});
  EXPECT_NE(v.detail.find("n1 became leader of term 2 after a restart, having led term 2"),
            std::string::npos)
      << v.detail;
}

TEST_F(InvariantsTest, LeadingALaterTermAfterARestartIsFine) {
  inv.on_state(tick(), leader(n1, 2, {}));
  inv.on_persisted(tick(), n1, raft::HardState{Term{2}, n1, Index{0}});
  inv.on_restart(tick(), n1);
  inv.on_state(tick(), follower(n1, 2, n1, 0, {}));
  inv.on_state(tick(), leader(n1, 3, {}));
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

// §5.3: the same (index, term) written with two contents.
TEST_F(InvariantsTest, SameIndexAndTermWithOtherContentBreaksLogMatching) {
  std::vector<Entry> a = log_of({1, 1});
  std::vector<Entry> b = a;
  b[1].command = "something else";
  inv.on_log_write(tick(), n1, raft::Log(a), a);
  inv.on_log_write(tick(), n2, raft::Log(b), b);
  const PropertyViolation& v = only_violation();
  EXPECT_EQ(v.property, "log_matching");
  EXPECT_EQ(v.nodes, (std::vector<NodeId>{n2, n1}));
  EXPECT_EQ(v.term, Term{1});
  EXPECT_EQ(v.index, Index{2});
}

// §5.3: the same entry at (2, 2), but preceded by different terms, so the logs differ below it.
TEST_F(InvariantsTest, SameEntryAfterDifferentPrefixesBreaksLogMatching) {
  std::vector<Entry> a = log_of({1, 2});
  std::vector<Entry> b = log_of({2, 2});
  inv.on_log_write(tick(), n1, raft::Log(a), a);
  // n2 writes only index 2; its predecessor comes from the log after the write.
  inv.on_log_write(tick(), n2, raft::Log(b), std::span(b).subspan(1));
  const PropertyViolation& v = only_violation();
  EXPECT_EQ(v.property, "log_matching");
  EXPECT_EQ(v.nodes, (std::vector<NodeId>{n2, n1}));
  EXPECT_EQ(v.term, Term{2});
  EXPECT_EQ(v.index, Index{2});
}

TEST_F(InvariantsTest, ReplacingAnUncommittedSuffixKeepsLogMatching) {
  std::vector<Entry> old_log = log_of({1, 1, 2});
  std::vector<Entry> new_log = log_of({1, 1, 3, 3});
  inv.on_log_write(tick(), n1, raft::Log(old_log), old_log);
  inv.on_log_write(tick(), n2, raft::Log(new_log), new_log);
  // n1 truncates at 3 and takes n2's entries.
  inv.on_log_write(tick(), n1, raft::Log(new_log), std::span(new_log).subspan(2));
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

// §5.4: index 2 is committed in term 1; n2 then wins term 2 without it. The report names the
// new leader first, then the node that committed the entry, and that node's term.
TEST_F(InvariantsTest, LeaderElectedWithoutCommittedEntryBreaksLeaderCompleteness) {
  observe(follower(n1, 1, n1, 2, log_of({1, 1})));
  observe(leader(n2, 2, log_of({1})));
  const PropertyViolation& v = only_violation();
  EXPECT_EQ(v.property, "leader_completeness");
  EXPECT_EQ(v.nodes, (std::vector<NodeId>{n2, n1}));
  EXPECT_EQ(v.term, Term{2});
  EXPECT_EQ(v.index, Index{2});
  EXPECT_EQ(v.detail,
            "n2 became leader of term 2 without the committed entry (index 2, term 1), committed "
            "by n1 in term 1");
}

// Every node seen committing the entry in the term of the commit point is named.
TEST_F(InvariantsTest, LeaderCompletenessNamesEveryNodeThatCommittedTheEntry) {
  observe(follower(n1, 1, n1, 2, log_of({1, 1})));
  observe(follower(n3, 1, n1, 2, log_of({1, 1})));
  observe(leader(n2, 2, log_of({1})));
  const PropertyViolation& v = only_violation();
  EXPECT_EQ(v.nodes, (std::vector<NodeId>{n2, n1, n3}));
  EXPECT_NE(v.detail.find("committed by n1, n3 in term 1"), std::string::npos) << v.detail;
}

// §5.4: n3 leads term 3; afterwards n1 reports index 2 committed by term 2, which n3 lacks.
TEST_F(InvariantsTest, EntryCommittedByEarlierTermMissingFromCurrentLeaderIsCaught) {
  observe(leader(n3, 3, log_of({1})));
  observe(follower(n1, 2, n2, 2, log_of({1, 2})));
  const PropertyViolation& v = only_violation();
  EXPECT_EQ(v.property, "leader_completeness");
  EXPECT_EQ(v.nodes, (std::vector<NodeId>{n3, n1}));
  EXPECT_EQ(v.term, Term{3});
  EXPECT_EQ(v.index, Index{2});
  EXPECT_EQ(v.detail,
            "n3 leads term 3 but its log lacks (index 2, term 2), committed by n1 in term 2");
}

// A deposed leader that has not heard of the new term yet holds no promise about its entries.
TEST_F(InvariantsTest, StaleLeaderIsNotBlamedForLaterCommits) {
  observe(leader(n3, 2, log_of({1})));
  observe(follower(n1, 3, n2, 2, log_of({1, 3})));
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

// Figure 8: index 2 was committed with term 2, then n2 commits a term-3 entry at index 2.
TEST_F(InvariantsTest, TwoNodesCommittingDifferentEntriesAtAnIndexIsCaught) {
  observe(follower(n1, 2, n1, 2, log_of({1, 2})));
  observe(follower(n2, 3, n3, 2, log_of({1, 3})));
  const PropertyViolation& v = only_violation();
  EXPECT_EQ(v.property, "leader_completeness");
  EXPECT_EQ(v.nodes, (std::vector<NodeId>{n2}));
  EXPECT_EQ(v.term, Term{3});
  EXPECT_EQ(v.index, Index{2});
}

// §5.4.3: two nodes apply different entries at index 2.
TEST_F(InvariantsTest, DifferentEntriesAppliedAtOneIndexBreakStateMachineSafety) {
  inv.on_apply(tick(), n1, entry(1, 1));
  inv.on_apply(tick(), n1, entry(1, 2));
  inv.on_apply(tick(), n2, entry(1, 1));
  inv.on_apply(tick(), n2, entry(2, 2));
  const PropertyViolation& v = only_violation();
  EXPECT_EQ(v.property, "state_machine_safety");
  EXPECT_EQ(v.nodes, (std::vector<NodeId>{n2, n1}));
  EXPECT_EQ(v.term, Term{2});
  EXPECT_EQ(v.index, Index{2});
}

TEST_F(InvariantsTest, SkippingAnIndexBreaksStateMachineSafety) {
  inv.on_apply(tick(), n1, entry(1, 1));
  inv.on_apply(tick(), n1, entry(1, 3));
  const PropertyViolation& v = only_violation();
  EXPECT_EQ(v.property, "state_machine_safety");
  EXPECT_EQ(v.nodes, (std::vector<NodeId>{n1}));
  EXPECT_EQ(v.index, Index{3});
}

TEST_F(InvariantsTest, ReapplyingFromOneAfterRestartIsFine) {
  inv.on_apply(tick(), n1, entry(1, 1));
  inv.on_apply(tick(), n1, entry(1, 2));
  inv.on_restart(tick(), n1);
  inv.on_apply(tick(), n1, entry(1, 1));
  inv.on_apply(tick(), n1, entry(1, 2));
  inv.on_apply(tick(), n1, entry(1, 3));
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

// §7: a restart from a snapshot through index 2 applies from 3; so does a leader's snapshot.
TEST_F(InvariantsTest, ApplyingOnFromASnapshotIsFine) {
  inv.on_apply(tick(), n1, entry(1, 1));
  inv.on_apply(tick(), n1, entry(1, 2));
  inv.on_restart(tick(), n1);
  inv.on_restore(tick(), n1, Index{2}, Term{1});
  inv.on_apply(tick(), n1, entry(1, 3));
  inv.on_restore(tick(), n2, Index{3}, Term{1});
  inv.on_apply(tick(), n2, entry(1, 4));
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

TEST_F(InvariantsTest, ASnapshotPointThatDiffersFromWhatWasAppliedBreaksStateMachineSafety) {
  inv.on_apply(tick(), n1, entry(1, 1));
  inv.on_apply(tick(), n1, entry(1, 2));
  inv.on_restore(tick(), n2, Index{2}, Term{2});
  const PropertyViolation& v = only_violation();
  EXPECT_EQ(v.property, "state_machine_safety");
  EXPECT_EQ(v.nodes, (std::vector<NodeId>{n2, n1}));
  EXPECT_EQ(v.index, Index{2});
}

// §7: a node's own snapshot ends at the last entry its state machine applied.
TEST_F(InvariantsTest, ASnapshotOfWhatWasAppliedIsFine) {
  inv.on_apply(tick(), n1, entry(1, 1));
  inv.on_apply(tick(), n1, entry(2, 2));
  inv.on_compact(tick(), n1, Index{2}, Term{2});
  inv.on_restore(tick(), n2, Index{2}, Term{2});
  inv.on_compact(tick(), n2, Index{2}, Term{2});  // its image is the snapshot it installed
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

TEST_F(InvariantsTest, ASnapshotLabelledPastWhatWasAppliedBreaksStateMachineSafety) {
  inv.on_apply(tick(), n1, entry(1, 1));
  inv.on_apply(tick(), n1, entry(1, 2));
  inv.on_compact(tick(), n1, Index{4}, Term{1});
  const PropertyViolation& v = only_violation();
  EXPECT_EQ(v.property, "state_machine_safety");
  EXPECT_EQ(v.index, Index{4});
  EXPECT_EQ(v.detail,
            "n1 took a snapshot through (index 4, term 1) while its state machine had applied "
            "through index 2");
}

TEST_F(InvariantsTest, ApplyingBehindASnapshotBreaksStateMachineSafety) {
  inv.on_restore(tick(), n1, Index{5}, Term{1});
  inv.on_apply(tick(), n1, entry(1, 3));
  EXPECT_EQ(only_violation().property, "state_machine_safety");
}

// Figure 2: currentTerm is persistent. n1 was seen in term 3 and restarts in term 2.
TEST_F(InvariantsTest, TermGoingBackAcrossRestartBreaksTermMonotonic) {
  inv.on_state(tick(), follower(n1, 3, NodeId{}, 0, {}));
  inv.on_restart(tick(), n1);
  inv.on_state(tick(), follower(n1, 2, NodeId{}, 0, {}));
  const PropertyViolation& v = only_violation();
  EXPECT_EQ(v.property, "term_monotonic");
  EXPECT_EQ(v.nodes, (std::vector<NodeId>{n1}));
  EXPECT_EQ(v.term, Term{2});
}

// A term bump that never reached the disk was never promised to anyone: losing it in a crash is
// fine; going below what the disk acknowledged is not.
TEST_F(InvariantsTest, TermMonotonicAcrossRestartComparesWithDurableTerm) {
  inv.on_persisted(tick(), n1, raft::HardState{Term{2}, NodeId{}, Index{}});
  inv.on_state(tick(), follower(n1, 3, NodeId{}, 0, {}));
  inv.on_restart(tick(), n1);
  inv.on_state(tick(), follower(n1, 2, NodeId{}, 0, {}));
  EXPECT_TRUE(inv.violations().empty()) << all(inv);

  inv.on_restart(tick(), n1);
  inv.on_state(tick(), follower(n1, 1, NodeId{}, 0, {}));
  const PropertyViolation& v = only_violation();
  EXPECT_EQ(v.property, "term_monotonic");
  EXPECT_EQ(v.term, Term{1});
}

// When the host reports every durable write, a node it reported nothing for had nothing durable:
// a crash between adopting term 1 and its first sync may bring it back in term 0.
TEST_F(InvariantsTest, WithDurabilityReportedATermNeverSyncedMayBeForgotten) {
  inv.set_durability_reported(true);
  inv.on_state(tick(), follower(n1, 1, n2, 0, {}));
  inv.on_restart(tick(), n1);
  inv.on_state(tick(), follower(n1, 0, NodeId{}, 0, {}));
  EXPECT_TRUE(inv.violations().empty()) << all(inv);

  // ...but what the disk did acknowledge still binds it.
  inv.on_persisted(tick(), n1, raft::HardState{Term{1}, n2, Index{}});
  inv.on_restart(tick(), n1);
  inv.on_state(tick(), follower(n1, 0, NodeId{}, 0, {}));
  EXPECT_EQ(only_violation().property, "term_monotonic");
}

// Disk loss is an injected fault, not a bug in the node: its term and vote start over.
TEST_F(InvariantsTest, RestartFromAnEmptyDiskStartsTermAndVoteOver) {
  inv.on_persisted(tick(), n1, raft::HardState{Term{4}, n2, Index{}});
  inv.on_state(tick(), follower(n1, 4, n2, 0, {}));
  inv.on_restart(tick(), n1, /*disk_lost=*/true);
  inv.on_state(tick(), follower(n1, 0, NodeId{}, 0, {}));
  inv.on_state(tick(), follower(n1, 4, n3, 0, {}));
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

// Figure 2: votedFor is persistent. n1 voted for n2 in term 4, restarts, and votes for n3.
TEST_F(InvariantsTest, SecondVoteInOneTermBreaksVoteStable) {
  inv.on_state(tick(), follower(n1, 4, n2, 0, {}));
  inv.on_restart(tick(), n1);
  inv.on_state(tick(), follower(n1, 4, NodeId{}, 0, {}));  // the vote was forgotten
  inv.on_state(tick(), follower(n1, 4, n3, 0, {}));
  const PropertyViolation& v = only_violation();
  EXPECT_EQ(v.property, "vote_stable");
  EXPECT_EQ(v.nodes, (std::vector<NodeId>{n1, n2, n3}));
  EXPECT_EQ(v.term, Term{4});
}

// With durability reported, the restart baseline is the vote the disk acknowledged.
TEST_F(InvariantsTest, DurableVoteForgottenAcrossRestartBreaksVoteStable) {
  inv.on_persisted(tick(), n1, raft::HardState{Term{4}, n2, Index{}});
  inv.on_state(tick(), follower(n1, 4, n2, 0, {}));
  inv.on_restart(tick(), n1);
  inv.on_state(tick(), follower(n1, 4, n3, 0, {}));
  const PropertyViolation& v = only_violation();
  EXPECT_EQ(v.property, "vote_stable");
  EXPECT_EQ(v.nodes, (std::vector<NodeId>{n1, n2, n3}));
  EXPECT_EQ(v.term, Term{4});
}

// A vote lost before it was durable was never sent (Figure 2: persist before responding).
TEST_F(InvariantsTest, VoteLostBeforeItWasDurableMayBeCastAgain) {
  inv.on_persisted(tick(), n1, raft::HardState{Term{3}, NodeId{}, Index{}});
  inv.on_state(tick(), follower(n1, 4, n2, 0, {}));
  inv.on_restart(tick(), n1);
  inv.on_state(tick(), follower(n1, 3, NodeId{}, 0, {}));
  inv.on_state(tick(), follower(n1, 4, n3, 0, {}));
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

TEST_F(InvariantsTest, VotingAgainInANewTermIsFine) {
  inv.on_state(tick(), follower(n1, 4, n2, 0, {}));
  inv.on_state(tick(), follower(n1, 5, n3, 0, {}));
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

TEST_F(InvariantsTest, CommitIndexGoingBackWithinALifeBreaksCommitMonotonic) {
  std::vector<Entry> log = log_of({1, 1, 1});
  observe(follower(n1, 1, n2, 3, log));
  observe(follower(n1, 1, n2, 2, log));
  const PropertyViolation& v = only_violation();
  EXPECT_EQ(v.property, "commit_monotonic");
  EXPECT_EQ(v.nodes, (std::vector<NodeId>{n1}));
  EXPECT_EQ(v.index, Index{2});
}

TEST_F(InvariantsTest, CommitIndexRestartsLowerAfterRestart) {
  std::vector<Entry> log = log_of({1, 1, 1});
  observe(follower(n1, 1, n2, 3, log));
  inv.on_restart(tick(), n1);
  observe(follower(n1, 1, n2, 0, log));
  observe(follower(n1, 1, n2, 3, log));
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

TEST_F(InvariantsTest, RepeatsOfOneViolationAreReportedOnce) {
  inv.on_state(tick(), follower(n1, 4, n2, 0, {}));
  for (int i = 0; i < 3; ++i) {
    inv.on_state(tick(), follower(n1, 4, n3, 0, {}));
    inv.on_state(tick(), follower(n1, 4, n2, 0, {}));
  }
  EXPECT_EQ(inv.violations().size(), 1u);
  EXPECT_EQ(inv.suppressed(), 5u);
}

TEST_F(InvariantsTest, ReportNamesPropertyTimeSeedNodesAndContext) {
  now = 1'499'000;
  inv.on_state(tick(), leader(n1, 2, {}));
  inv.on_state(tick(), leader(n2, 2, {}));
  inv.set_context(0, {"t=1.500000s n2 became leader"});
  EXPECT_EQ(to_string(inv.violations().at(0)),
            "election_safety at 1.501000s (seed 7), term 2, index 0, nodes n2 n1: n2 became "
            "leader of term 2, which n1 already led\n"
            "  t=1.500000s n2 became leader");
}

}  // namespace
}  // namespace raftsim::check

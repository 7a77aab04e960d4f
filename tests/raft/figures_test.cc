// The paper's Figures 7 and 8 as scripted schedules over the in-memory cluster. The data comes
// from /work/shared/reference/raft-paper-figures.md (RAFTSIM_SHARED_DIR/reference/...).
#include <gtest/gtest.h>

#include <cstdio>

#include "cluster.h"
#include "single.h"

namespace raftsim::test {
namespace {

using raft::MessageType;
using raft::Role;

// ---------------------------------------------------------------------------------------------
// Figure 7 (§5.3): a new leader of term 8 brings each possible follower log in line with its own.

struct Figure7Follower {
  const char* name;
  std::vector<uint64_t> log;
  size_t max_rejections;  // the XTerm/XIndex/XLen column of the reference table
};

const std::vector<uint64_t> kFigure7Leader = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6};

const Figure7Follower kFigure7Followers[] = {
    {"a", {1, 1, 1, 4, 4, 5, 5, 6, 6}, 1},
    {"b", {1, 1, 1, 4}, 1},
    {"c", {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6}, 0},
    {"d", {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7}, 0},
    {"e", {1, 1, 1, 4, 4, 4, 4}, 2},
    {"f", {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3}, 2},
};

size_t rejected_appends(const std::vector<Message>& sent) {
  size_t n = 0;
  for (const Message& m : sent)
    n += m.type == MessageType::kAppendResponse && m.reject ? 1 : 0;
  return n;
}

TEST(Sec5_3_Figure7, LeaderOfTerm8RepairsEveryFollowerLogWithBoundedRejections) {
  std::printf("  follower  rejections  bound  final log\n");
  for (const Figure7Follower& f : kFigure7Followers) {
    // Node 1 leads with the leader log (etcd loads it with commit 10); node 2 is the follower
    // at currentTerm 7; node 3 has an empty log and only lends its vote.
    Cluster c(3);
    c.load(NodeId{1}, {{Term{7}, {}, Index{10}}, log_of_terms(kFigure7Leader)});
    c.load(NodeId{2}, {{Term{7}, {}, Index{}}, log_of_terms(f.log)});
    c.load(NodeId{3}, {{Term{7}, {}, Index{}}, {}});
    c.campaign(NodeId{1});
    c.stabilize();
    ASSERT_EQ(c.core(NodeId{1}).role(), Role::kLeader) << f.name;
    ASSERT_EQ(c.core(NodeId{1}).term(), Term{8}) << f.name;

    std::vector<uint64_t> expected = kFigure7Leader;
    expected.push_back(8);  // the new leader's no-op at index 11
    const raft::Log& follower = c.core(NodeId{2}).log();
    EXPECT_EQ(terms_of(follower), expected) << "follower " << f.name;
    for (Index i{1}; i <= std::min(follower.last_index(), Index{11}); i = i.next())
      EXPECT_EQ(follower.at(i), c.core(NodeId{1}).log().at(i)) << f.name << " index " << i.value;
    const size_t rejections = rejected_appends(c.sent(NodeId{2}));
    EXPECT_LE(rejections, f.max_rejections) << "follower " << f.name;
    std::string final_log;
    for (uint64_t t : terms_of(follower))
      final_log += std::to_string(t) + " ";
    std::printf("  (%s)       %zu           %zu      %s\n", f.name, rejections, f.max_rejections,
                final_log.c_str());
  }
}

TEST(Sec5_3_Figure7, HeartbeatMatchingPrevDoesNotTruncateExtraEntries) {
  // Figure 7 (c), (d): a heartbeat at prev 10 matches and must leave 11..12 alone (Figure 2,
  // receiver rule 3); only an entry of a different term at 11 removes them.
  raft::Raft r(config_for(2, 3),
               {{Term{7}, {}, Index{}}, log_of_terms({1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7})});
  r.step(append(1, 2, 8, 10, 6));
  EXPECT_EQ(r.log().last_index(), Index{12});
  r.step(append(1, 2, 8, 10, 6, {entry(11, 8)}));
  EXPECT_EQ(terms_of(r.log()), (std::vector<uint64_t>{1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 8}));
}

// ---------------------------------------------------------------------------------------------
// Figure 8 (§5.4.2): the schedule of the reference file, steps 1-5. S1..S5 are nodes 1..5.

constexpr NodeId S1{1}, S2{2}, S3{3}, S4{4}, S5{5};

bool from_to(const Message& m, NodeId from, std::initializer_list<NodeId> to) {
  if (m.from != from) return false;
  for (NodeId t : to) {
    if (m.to == t) return true;
  }
  return false;
}

struct Figure8Run {
  std::vector<Index> commit_in_panel_c;  // per node, while S1 leads term 4
  std::vector<std::vector<uint64_t>> final_logs;
  std::string safety;  // check_applied_prefixes over every incarnation
  std::vector<std::vector<Entry>> applied;
};

Figure8Run run_figure8(bool commit_previous_term) {
  Cluster c(5, [&](raft::Config& cfg) { cfg.bugs.commit_previous_term = commit_previous_term; });
  Figure8Run run;
  auto logs_are = [&](std::vector<std::vector<uint64_t>> want) {
    for (NodeId id : c.ids()) {
      const raft::Log& log = c.up(id) ? c.core(id).log() : raft::Log(c.storage(id).state().entries);
      EXPECT_EQ(terms_of(log), want[id.value - 1]) << "S" << id.value;
    }
  };

  // 1. Term 1: S2 leads and its no-op (index 1, term 1) reaches everyone and commits.
  c.campaign(S2);
  c.stabilize();
  c.tick(S2);
  c.stabilize();
  EXPECT_EQ(c.core(S2).commit_index(), Index{1});

  // 2. (a) S1 leads term 2; its index-2 entry (the term-2 no-op) reaches only S2.
  c.intercept = [](Message& m) {
    return !(m.type == MessageType::kAppendEntries && from_to(m, S1, {S3, S4, S5}));
  };
  c.campaign(S1);
  c.stabilize();
  EXPECT_EQ(c.core(S1).role(), Role::kLeader);
  EXPECT_EQ(c.core(S1).term(), Term{2});
  logs_are({{1, 2}, {1, 2}, {1}, {1}, {1}});

  // 3. (b) S1 crashes. S5 wins term 3 with S3 and S4, appends index 2 (term 3), reaches nobody.
  c.crash(S1);
  c.intercept = [](Message& m) { return !(m.type == MessageType::kAppendEntries && m.from == S5); };
  c.campaign(S5);
  c.stabilize();
  EXPECT_EQ(c.core(S5).role(), Role::kLeader);
  EXPECT_EQ(c.core(S5).term(), Term{3});
  c.crash(S5);
  logs_are({{1, 2}, {1, 2}, {1}, {1}, {1, 3}});

  // 4. (c) S1 restarts and wins term 4 (its term-3 attempt fails: S3, S4 voted for S5). It
  // appends index 3 (term 4); only its index-2 entry gets through, to S2 and S3.
  c.restart(S1);
  c.intercept = [](Message& m) {
    if (m.from != S1 || m.type != MessageType::kAppendEntries) return true;
    if (m.to == S4) return false;
    std::erase_if(m.entries, [](const Entry& e) { return e.index > Index{2}; });
    return true;
  };
  c.campaign(S1);
  c.stabilize();
  EXPECT_EQ(c.core(S1).term(), Term{3});
  EXPECT_NE(c.core(S1).role(), Role::kLeader);
  c.campaign(S1);
  c.stabilize();
  EXPECT_EQ(c.core(S1).role(), Role::kLeader);
  EXPECT_EQ(c.core(S1).term(), Term{4});
  logs_are({{1, 2, 4}, {1, 2}, {1, 2}, {1}, {1, 3}});
  for (NodeId id : c.ids())
    run.commit_in_panel_c.push_back(c.up(id) ? c.core(id).commit_index() : Index{});

  // 5. (d) S1 crashes. S5 restarts and wins term 5 (term 4 fails: S2..S4 voted for S1) with
  // votes from S2, S3, S4, and overwrites index 2 everywhere, on S1 too once it is back.
  c.crash(S1);
  c.intercept = nullptr;
  c.restart(S5);
  c.campaign(S5);
  c.stabilize();
  EXPECT_NE(c.core(S5).role(), Role::kLeader);
  c.campaign(S5);
  c.stabilize();
  EXPECT_EQ(c.core(S5).role(), Role::kLeader);
  EXPECT_EQ(c.core(S5).term(), Term{5});
  c.restart(S1);
  for (int i = 0; i < 3; ++i) {
    c.tick(S5);
    c.stabilize();
  }
  for (NodeId id : c.ids())
    run.final_logs.push_back(terms_of(c.core(id).log()));
  run.applied = c.all_applied();
  run.safety = check_applied_prefixes(run.applied);
  return run;
}

TEST(Sec5_4_2_Figure8, PanelCCommitsNothingFromAnOlderTermAndPanelDLosesNothing) {
  const Figure8Run run = run_figure8(/*commit_previous_term=*/false);
  for (size_t i = 0; i < run.commit_in_panel_c.size(); ++i)
    EXPECT_LT(run.commit_in_panel_c[i], Index{2}) << "panel (c), S" << i + 1;
  const std::vector<uint64_t> expected = {1, 3, 5};  // S5's no-op of term 5 at index 3
  for (size_t i = 0; i < run.final_logs.size(); ++i)
    EXPECT_EQ(run.final_logs[i], expected) << "S" << i + 1;
  // Nothing any node applied was lost: each applied entry is still at its index everywhere.
  for (const auto& sequence : run.applied) {
    for (const Entry& e : sequence) {
      ASSERT_LE(e.index.value, expected.size());
      EXPECT_EQ(e.term.value, expected[e.index.value - 1]) << "index " << e.index.value;
    }
  }
  EXPECT_EQ(run.safety, "");
}

TEST(Sec5_4_2_Figure8, PlantedCommitPreviousTermAppliesAnEntryThatIsLaterOverwritten) {
  const Figure8Run run = run_figure8(/*commit_previous_term=*/true);
  EXPECT_EQ(run.commit_in_panel_c[0], Index{2}) << "S1 committed index 2 (term 2) by counting";
  bool applied_term2 = false, applied_term3 = false;
  for (const auto& sequence : run.applied) {
    if (sequence.size() < 2) continue;
    applied_term2 |= sequence[1].term == Term{2};
    applied_term3 |= sequence[1].term == Term{3};
  }
  EXPECT_TRUE(applied_term2) << "index 2 applied with term 2 somewhere";
  EXPECT_TRUE(applied_term3) << "index 2 applied with term 3 somewhere";
  EXPECT_NE(run.safety, "") << "the applied sequences must disagree at index 2";
  std::printf("  detected: %s\n", run.safety.c_str());
}

}  // namespace
}  // namespace raftsim::test

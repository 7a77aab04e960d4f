// applied_within_commit: a core hands its host to apply only entries its commit index covers
// (apply_steps.cc). A correct core never does otherwise, so the slip is a Ready written as a
// broken core would have made it.
#include <gtest/gtest.h>

#include "check/raft_invariants.h"
#include "raft/raft.h"
#include "three_cores.h"
#include "violations_text.h"

namespace raftsim::check {
namespace {

using raft::Index;

class ApplyStepsTest : public ThreeCores {
 protected:
  ApplyStepsTest() {
    report_steps = true;
    inv.set_steps_reported(true);
  }
};

// n1 leads and writes entry 2, which reaches nobody: it is on n1's disk, not committed.
TEST_F(ApplyStepsTest, AnEntryHandedOverBeforeItCommitsIsReported) {
  elect(n1);
  lost_for = {n2, n3};
  core(n1).propose("a");
  settle();
  ASSERT_EQ(core(n1).commit_index(), Index{1});
  EXPECT_TRUE(inv.violations().empty()) << all(inv);  // every Ready so far applied within it

  raft::Ready rd;
  rd.committed = {core(n1).log().at(Index{2})};
  inv.on_ready(tick(), core(n1), rd);
  ASSERT_EQ(inv.violations().size(), 1u) << all(inv);
  const PropertyViolation& v = inv.violations()[0];
  EXPECT_EQ(v.property, kAppliedWithinCommit);
  EXPECT_EQ(v.nodes, (std::vector<raft::NodeId>{n1}));
  EXPECT_EQ(v.index, Index{2});
  EXPECT_EQ(v.detail, "n1 handed entries 2..2 to its state machine with its commit index at 1");
}

}  // namespace
}  // namespace raftsim::check

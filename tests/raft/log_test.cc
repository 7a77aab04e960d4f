// The log refuses, in every build, what it does not hold: a core that asks for an entry past its
// end or inside its snapshot has broken its own rules, and a run must end there the same way each
// time rather than read stray memory.
#include "raft/log.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace raftsim::raft {
namespace {

Entry entry(uint64_t term, uint64_t index) {
  return {Term{term}, Index{index}};
}

// A log with a snapshot through 2 (term 1) and entries 3 and 4 (term 2).
Log snapshot_and_two() {
  return Log(Index{2}, Term{1}, {entry(2, 3), entry(2, 4)});
}

TEST(Log, ReadsWhatItHolds) {
  const Log log = snapshot_and_two();
  EXPECT_EQ(log.term_at(Index{2}), Term{1});  // the snapshot point
  EXPECT_EQ(log.term_at(Index{4}), Term{2});
  EXPECT_EQ(log.at(Index{3}).index, Index{3});
  EXPECT_EQ(log.slice(Index{3}, Index{9}, 10).size(), 2u);
  EXPECT_TRUE(log.slice(Index{5}, Index{9}, 10).empty());  // past the end: nothing, not an error
}

TEST(Log, ThrowsOnWhatItDoesNotHold) {
  Log log = snapshot_and_two();
  EXPECT_THROW(log.term_at(Index{1}), std::logic_error);  // inside the snapshot
  EXPECT_THROW(log.term_at(Index{5}), std::logic_error);  // past the end
  EXPECT_THROW(log.at(Index{2}), std::logic_error);
  EXPECT_THROW(log.at(Index{5}), std::logic_error);
  EXPECT_THROW(log.slice(Index{2}, Index{4}, 10), std::logic_error);
  EXPECT_THROW(log.truncate_from(Index{2}), std::logic_error);
  EXPECT_THROW(log.truncate_from(Index{5}), std::logic_error);
  EXPECT_THROW(log.append(entry(2, 6)), std::logic_error);  // a gap
  EXPECT_THROW(log.compact_through(Index{2}), std::logic_error);
  try {
    log.at(Index{7});
  } catch (const std::logic_error& e) {
    EXPECT_STREQ(e.what(), "log at at index 7: the log holds 3..4 after a snapshot through 2");
  }
}

}  // namespace
}  // namespace raftsim::raft

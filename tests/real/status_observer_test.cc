// The real runner's judge of timed expectations: a violation seen inside the window is caught,
// and a change that may have happened just outside it is not blamed on the window.
#include "real/status_observer.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "scenario/parse.h"

namespace raftsim::real {
namespace {

scenario::Scenario split_brain() {
  auto parsed = scenario::parse_scenario_text(R"(
name: observed
duration: 20s
cluster: {nodes: [n1, n2, n3, n4, n5]}
timeline:
  - {at: 3s, partition: [[n1, n2, n3], [n4, n5]]}
  - {at: 12s, heal: true}
expect:
  - leader_within: {after: 3s, within: 2s, group: [n1, n2, n3]}
  - no_election: {group: [n4, n5], from: 3s, to: 12s}
  - no_commit: {group: [n4, n5], from: 3.2s, to: 12s}
  - acked_writes_at_least: 50
)",
                                              "observed.yaml");
  return std::get<scenario::Scenario>(parsed);
}

v1::StatusReply status(const std::string& role, uint64_t term, uint64_t commit) {
  v1::StatusReply r;
  r.set_role(role);
  r.set_term(term);
  r.set_commit(commit);
  return r;
}

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kMs = 1'000;

// Rows in the scenario's order: leader_within, no_election, no_commit, acked_writes_at_least.
enum Row { kLeaderWithin, kNoElection, kNoCommit, kAcked };

TEST(StatusObserverTest, QuietPartitionPassesEveryRow) {
  const scenario::Scenario s = split_brain();
  StatusObserver o(s);
  o.observe(4, 5 * kSecond, 5 * kSecond + kMs, status("leader", 1, 7));
  o.observe(4, 6 * kSecond, 6 * kSecond + kMs, status("leader", 1, 7));  // stale, not elected
  o.observe(1, 4 * kSecond, 4 * kSecond + kMs, status("leader", 2, 9));
  const auto rows = o.verdicts(60);
  ASSERT_EQ(rows.size(), 4u);
  for (const scenario::Verdict& row : rows)
    EXPECT_TRUE(row.ok) << row.name << ": " << row.observed;
  EXPECT_EQ(o.highest_commit(), 9u);
}

TEST(StatusObserverTest, MinorityCommitInsideTheWindowIsCaught) {
  const scenario::Scenario s = split_brain();
  StatusObserver o(s);
  o.observe(5, 6 * kSecond, 6 * kSecond + kMs, status("follower", 1, 7));
  o.observe(5, 6 * kSecond + 20 * kMs, 6 * kSecond + 21 * kMs, status("follower", 1, 8));
  const auto rows = o.verdicts(60);
  EXPECT_FALSE(rows[kNoCommit].ok);
  EXPECT_EQ(rows[kNoCommit].observed, "n5 commit 7 -> 8 between 6.000s and 6.021s");
}

// The minority's leader knew index 8 committed before the window opened (the majority acked
// it); its follower hears so only with a heartbeat a loaded machine delivered late. Past 8 is a
// commit of the minority's own.
TEST(StatusObserverTest, LearningLateOfAnEarlierCommitIsNoCommitButGoingPastItIs) {
  const scenario::Scenario s = split_brain();
  StatusObserver o(s);
  o.observe(4, 3'100 * kMs, 3'101 * kMs, status("leader", 1, 8));  // answered before 3.2 s
  o.observe(5, 3'300 * kMs, 3'301 * kMs, status("follower", 1, 7));
  o.observe(5, 3'320 * kMs, 3'321 * kMs, status("follower", 1, 8));
  EXPECT_TRUE(o.verdicts(60)[kNoCommit].ok) << o.verdicts(60)[kNoCommit].observed;
  o.observe(5, 3'340 * kMs, 3'341 * kMs, status("follower", 1, 9));
  const auto rows = o.verdicts(60);
  EXPECT_FALSE(rows[kNoCommit].ok);
  EXPECT_EQ(rows[kNoCommit].observed, "n5 commit 8 -> 9 between 3.320s and 3.341s");
}

TEST(StatusObserverTest, MinorityElectionInsideTheWindowIsCaught) {
  const scenario::Scenario s = split_brain();
  StatusObserver o(s);
  o.observe(5, 6 * kSecond, 6 * kSecond + kMs, status("candidate", 2, 7));
  o.observe(5, 6 * kSecond + 20 * kMs, 6 * kSecond + 21 * kMs, status("leader", 2, 7));
  EXPECT_FALSE(o.verdicts(60)[kNoElection].ok);
}

TEST(StatusObserverTest, ACommitSeenFirstAfterTheHealIsNotBlamedOnThePartition) {
  const scenario::Scenario s = split_brain();
  StatusObserver o(s);
  // Sent before the heal at 12 s; the next answer, after it, shows the majority's commits.
  o.observe(4, 11'990 * kMs, 11'991 * kMs, status("follower", 2, 7));
  o.observe(4, 12'010 * kMs, 12'011 * kMs, status("follower", 2, 40));
  EXPECT_TRUE(o.verdicts(60)[kNoCommit].ok);
}

TEST(StatusObserverTest, AnAnswerDelayedPastTheHealIsNotBlamedOnThePartition) {
  const scenario::Scenario s = split_brain();
  StatusObserver o(s);
  o.observe(4, 11'950 * kMs, 11'951 * kMs, status("follower", 2, 7));
  // Sent inside the window but answered after the heal by a loaded machine.
  o.observe(4, 11'990 * kMs, 12'060 * kMs, status("follower", 2, 40));
  EXPECT_TRUE(o.verdicts(60)[kNoCommit].ok);
}

TEST(StatusObserverTest, LeaderOutsideItsDeadlineDoesNotCountAndTooFewWritesFail) {
  const scenario::Scenario s = split_brain();
  StatusObserver o(s);
  o.observe(1, 4'990 * kMs, 5'010 * kMs, status("leader", 2, 9));        // may be after 5 s
  o.observe(4, 4 * kSecond, 4 * kSecond + kMs, status("leader", 1, 9));  // not in the group
  const auto rows = o.verdicts(49);
  EXPECT_FALSE(rows[kLeaderWithin].ok);
  EXPECT_EQ(rows[kLeaderWithin].observed, "never (status polls)");
  EXPECT_FALSE(rows[kAcked].ok);
  EXPECT_EQ(rows[kAcked].observed, "49 writes acknowledged");
}

}  // namespace
}  // namespace raftsim::real

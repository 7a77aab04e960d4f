// read_confirmed: a leader confirms a read (ReadIndex, §8) only once a majority of its voters
// answered a heartbeat round it sent after the read arrived (read_rounds.cc).
#include <gtest/gtest.h>

#include <string>

#include "check/raft_invariants.h"
#include "raft/raft.h"
#include "three_cores.h"
#include "violations_text.h"

namespace raftsim::check {
namespace {

using raft::MessageType;
using raft::Role;

class ReadConfirmedTest : public ThreeCores {
 protected:
  explicit ReadConfirmedTest(bool planted = false) {
    configure = [planted](raft::Config& config) { config.bugs.stale_leader_reads = planted; };
    report_reads = true;
    inv.set_reads_reported(true);
  }

  void elect_n1() {
    core(n1).campaign();
    settle();
    ASSERT_EQ(core(n1).role(), Role::kLeader);
  }

  // What a leader sends to begin a round, and a follower's answer to it, told to the checker by
  // hand (the cores never see them).
  void round_answered(raft::NodeId follower, uint64_t round) {
    raft::Message heartbeat;
    heartbeat.type = MessageType::kAppendEntries;
    heartbeat.from = n1;
    heartbeat.to = follower;
    heartbeat.term = core(n1).term();
    heartbeat.round = round;
    inv.on_send(tick(), n1, heartbeat);
    raft::Message answer;
    answer.type = MessageType::kAppendResponse;
    answer.from = follower;
    answer.to = n1;
    answer.term = core(n1).term();
    answer.round = round;
    inv.on_deliver(answer);
  }
};

class PlantedStaleReadsTest : public ReadConfirmedTest {
 protected:
  PlantedStaleReadsTest() : ReadConfirmedTest(/*planted=*/true) {}
};

TEST_F(ReadConfirmedTest, AReadConfirmedByARoundSentAfterItHolds) {
  elect_n1();
  core(n1).propose("a");
  settle();
  read(n1, 7);
  settle();
  read(n1, 8);
  lost_for = {n3};  // n2's answers make the majority
  settle();
  EXPECT_EQ(reads_confirmed, 2);
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

TEST_F(PlantedStaleReadsTest, AReadAnsweredWithoutARoundIsReported) {
  elect_n1();
  read(n1, 7);
  settle();
  ASSERT_EQ(inv.violations().size(), 1u) << all(inv);
  const PropertyViolation& v = inv.violations()[0];
  EXPECT_EQ(v.property, kReadConfirmed);
  EXPECT_EQ(v.nodes, std::vector<raft::NodeId>{n1});
  EXPECT_EQ(v.term, core(n1).term());
  EXPECT_EQ(v.detail,
            "n1, leader of term 1, confirmed a read (ReadIndex) before a majority of its voters "
            "answered a heartbeat round sent after the read arrived: only n1 did");
  read(n1, 8);
  settle();
  EXPECT_EQ(inv.violations().size(), 1u) << "one report per leader and term";
}

// Mutant 46's slip, told to the checker: the answers that confirm the read are to a round sent
// before it arrived.
TEST_F(ReadConfirmedTest, AnswersToARoundSentBeforeTheReadDoNotConfirmIt) {
  elect_n1();
  round_answered(n2, 5);
  round_answered(n3, 5);
  inv.on_read_begun(core(n1), 9);
  inv.on_read_answered(tick(), core(n1), 9, /*confirmed=*/true);
  ASSERT_EQ(inv.violations().size(), 1u) << all(inv);
  EXPECT_EQ(inv.violations()[0].property, kReadConfirmed);

  // The same answers to a round sent after the read began confirm it.
  inv.on_read_begun(core(n1), 10);
  round_answered(n2, 6);
  inv.on_read_answered(tick(), core(n1), 10, /*confirmed=*/true);
  EXPECT_EQ(inv.violations().size(), 1u) << all(inv);
}

// An answer that carries the leader's term but echoes a round it never sent in that term (a
// follower took a message delayed from an earlier term) is not an answer to this term's rounds,
// and does not hide the answers that are.
TEST_F(ReadConfirmedTest, AnAnswerToARoundNotSentInTheTermIsIgnored) {
  elect_n1();
  inv.on_read_begun(core(n1), 9);
  round_answered(n2, 3);
  raft::Message late;
  late.type = MessageType::kAppendResponse;
  late.from = n2;
  late.to = n1;
  late.term = core(n1).term();
  late.round = 40;  // never sent in this term
  inv.on_deliver(late);
  inv.on_read_answered(tick(), core(n1), 9, /*confirmed=*/true);
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

TEST_F(ReadConfirmedTest, AFailedReadIsNotJudged) {
  elect_n1();
  inv.on_read_begun(core(n1), 9);
  inv.on_read_answered(tick(), core(n1), 9, /*confirmed=*/false);
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

// A read confirmed in one term can reach the host after its leader moved on (the Ready carrying
// it waited on a sync): it is judged by what the leader sent and heard in the read's term.
TEST_F(ReadConfirmedTest, AReadIsJudgedInTheTermItBeganIn) {
  elect_n1();
  inv.on_read_begun(core(n1), 9);
  round_answered(n2, 4);
  core(n2).campaign();  // n1 hears of term 2 and steps down
  settle();
  ASSERT_NE(core(n1).term().value, 1u);
  inv.on_read_answered(tick(), core(n1), 9, /*confirmed=*/true);
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

}  // namespace
}  // namespace raftsim::check

// The checkers judge quorums by the configuration in force, not by every server the run has:
// a leader must hold the votes of a majority of its configuration's voters (of each half when
// joint), and an acknowledged write the committed log lacks is excused only when a quorum of that
// configuration holds it durably. Spares never added and servers removed count for nothing.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "check/durability.h"
#include "check/raft_invariants.h"
#include "raft/raft.h"
#include "violations_text.h"

namespace raftsim::check::membership {
namespace {

using raft::Configuration;
using raft::Index;
using raft::NodeId;
using raft::Term;

constexpr NodeId n1{1}, n2{2}, n3{3}, n4{4}, n5{5};
const std::vector<NodeId> kFive{n1, n2, n3, n4, n5};

// A follower at `term` that voted for `vote` there (what the checker sees of a granted vote).
raft::Raft voter(NodeId id, uint64_t term, NodeId vote) {
  raft::Config config;
  config.id = id;
  config.voters = {n1, n2, n3};
  config.servers = kFive;  // n4 and n5 exist as spares
  return raft::Raft(config, raft::Restored{{Term{term}, vote, Index{0}}, {}});
}

// n1 at term 1, its log's one entry the configuration entry `configuration`, committed through
// `commit`.
raft::Raft restored_n1(const Configuration& configuration, Index commit = Index{0}) {
  raft::Config config;
  config.id = n1;
  config.voters = {n1, n2, n3};
  config.servers = kFive;
  raft::Raft core(config, raft::Restored{{Term{1}, raft::kNoNode, commit},
                                         {{Term{1}, Index{1}, raft::EntryType::kConfiguration,
                                           configuration.encode()}}});
  EXPECT_EQ(core.configuration(), configuration);
  return core;
}

// `core` (n1) campaigns for term 2 and wins on the votes of `granted`.
void win_term_2(raft::Raft& core, const std::vector<NodeId>& granted) {
  core.campaign();
  core.advance(core.ready());
  for (NodeId from : granted) {
    raft::Message m;
    m.type = raft::MessageType::kVoteResponse;
    m.from = from;
    m.to = n1;
    m.term = Term{2};
    core.step(m);
  }
  EXPECT_EQ(core.role(), raft::Role::kLeader);
}

// n1 campaigns for term 2 in `configuration` (its log's one configuration entry) and wins on the
// votes of `granted`.
raft::Raft elected(const Configuration& configuration, const std::vector<NodeId>& granted) {
  raft::Raft core = restored_n1(configuration);
  win_term_2(core, granted);
  return core;
}

// A leader the core let through on the incoming half alone: n2's vote, which the outgoing half
// needs, was never cast (the checker saw n2 vote for no one).
TEST(MembershipChecks, ALeaderWithoutAMajorityOfTheOutgoingHalfBreaksElectionSafety) {
  const Configuration joint{{n1, n4, n5}, {n1, n2, n3}, {}};
  RaftInvariants inv(kFive);
  for (NodeId id : {n4, n5})
    inv.on_state(1, voter(id, 2, n1));
  inv.on_state(2, voter(n2, 2, raft::kNoNode));
  inv.on_state(3, elected(joint, {n2, n4, n5}));
  ASSERT_EQ(inv.violations().size(), 1u) << all(inv);
  EXPECT_EQ(inv.violations()[0].property, kElectionSafety);
  EXPECT_EQ(inv.violations()[0].detail,
            "n1 became leader of term 2 with the votes of {n1 n4 n5}, no majority of voters "
            "{n1 n4 n5} outgoing {n1 n2 n3}");
}

// Votes of servers outside the configuration elect nobody, however many there are.
TEST(MembershipChecks, VotesOfNonMembersDoNotMakeAQuorum) {
  const Configuration simple{{n1, n2, n3}, {}, {n4}};
  RaftInvariants inv(kFive);
  for (NodeId id : {n4, n5})
    inv.on_state(1, voter(id, 2, n1));
  inv.on_state(2, elected(simple, {n2}));  // the core counted n2, who never voted
  ASSERT_EQ(inv.violations().size(), 1u) << all(inv);
  EXPECT_EQ(inv.violations()[0].property, kElectionSafety);
}

// A new leader that finds a committed joint configuration leaves it for the incoming half at
// once, before an entry of its own term has committed. That is safe (every later leader holds
// the joint entry, and leaving it is the only step from it), so configuration_safety, which
// reports any other change made that early, lets it pass.
TEST(MembershipChecks, LeavingACommittedJointConfigurationAtElectionBreaksNothing) {
  const Configuration joint{{n1, n4, n5}, {n1, n2, n3}, {}};
  raft::Raft core = restored_n1(joint, /*commit=*/Index{1});
  RaftInvariants inv(kFive);
  inv.set_bootstrap_configuration(Configuration{{n1, n2, n3}, {}, {}});
  for (NodeId id : {n2, n4})
    inv.on_state(1, voter(id, 2, n1));
  inv.on_state(2, core);
  win_term_2(core, {n2, n4});
  ASSERT_EQ(core.role(), raft::Role::kLeader);
  ASSERT_EQ(core.configuration(), (Configuration{{n1, n4, n5}, {}, {}}));
  ASSERT_EQ(core.commit_index(), Index{1}) << "nothing of term 2 has committed";
  inv.on_state(3, core);
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

// Two of the three voters elect n1; the two spares are silent. A majority of all five servers
// would have called this leader unelected.
TEST(MembershipChecks, AMajorityOfTheVotersElectsWhateverTheSparesDo) {
  const Configuration simple{{n1, n2, n3}, {}, {}};
  RaftInvariants inv(kFive);
  inv.on_state(1, voter(n2, 2, n1));
  inv.on_state(2, elected(simple, {n2}));
  EXPECT_TRUE(inv.violations().empty()) << all(inv);
}

// Five servers' disks; `holding` hold the write (client 1, seq 5), acknowledged as index 45 past
// the committed log's 40.
DurableLogs disks_with(const std::vector<NodeId>& holding) {
  DurableLogs disks;
  disks.committed_through = Index{40};
  disks.nodes.resize(5);
  for (NodeId id : holding)
    disks.nodes[id.value - 1].commands.push_back({1, 5});
  return disks;
}

AckedWrite write_at_45() {
  AckedWrite w{1, 5, "put", "x", n1, 2'000'000, "v"};
  w.index = Index{45};
  w.term = Term{2};
  return w;
}

// Voters {n1 n2 n3} and two spares that were never added: two voters hold the write, so every
// future leader does. Counting all five servers called it lost.
TEST(MembershipChecks, DurabilityCountsOnlyVotersOfTheConfigurationInForce) {
  const std::vector<AckedWrite> acks{write_at_45()};
  DurableLogs disks = disks_with({n1, n2});
  EXPECT_EQ(lost_writes(acks, {}, &disks).size(), 1u) << "every server counted";
  disks.configuration = Configuration{{n1, n2, n3}, {}, {}};
  EXPECT_TRUE(lost_writes(acks, {}, &disks).empty());
}

// Three of five disks hold the write, but two of them are servers removed from the configuration
// (and one a learner): one voter of three holds it, and a leader elected by n2 and n3 lacks it.
TEST(MembershipChecks, DisksOfRemovedServersDoNotExcuseALostWrite) {
  const std::vector<AckedWrite> acks{write_at_45()};
  DurableLogs disks = disks_with({n1, n4, n5});
  EXPECT_TRUE(lost_writes(acks, {}, &disks).empty()) << "every server counted";
  disks.configuration = Configuration{{n1, n2, n3}, {}, {n5}};
  ASSERT_EQ(lost_writes(acks, {}, &disks), (std::vector<size_t>{0}));
  EXPECT_EQ(durability_violation(acks[0], 9'000'000, 1, {}, &disks).detail,
            "client 1 seq 5 (put x \"v\"), acknowledged by n1 at 2.000000s as (index 45, term 2), "
            "is not in the committed log, and the voters holding it durably (n1) are no majority "
            "of voters {n1 n2 n3}");
}

// Joint: a majority of each half. n1 and n4 are a majority of the incoming voters {n1 n2 n4} but
// not of the outgoing {n1 n2 n3}.
TEST(MembershipChecks, AJointConfigurationNeedsAMajorityOfEachHalf) {
  const std::vector<AckedWrite> acks{write_at_45()};
  DurableLogs disks = disks_with({n1, n4});
  disks.configuration = Configuration{{n1, n2, n4}, {n1, n2, n3}, {}};
  ASSERT_EQ(lost_writes(acks, {}, &disks).size(), 1u);
  EXPECT_EQ(durability_violation(acks[0], 9'000'000, 1, {}, &disks).detail,
            "client 1 seq 5 (put x \"v\"), acknowledged by n1 at 2.000000s as (index 45, term 2), "
            "is not in the committed log, and the voters holding it durably (n1 n4) are no "
            "majority of voters {n1 n2 n4} and outgoing voters {n1 n2 n3}");
  disks.nodes[2].commands.push_back({1, 5});  // n3 too
  EXPECT_TRUE(lost_writes(acks, {}, &disks).empty());
}

}  // namespace
}  // namespace raftsim::check::membership

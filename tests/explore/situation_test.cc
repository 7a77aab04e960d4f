// What a delivered message meets at its receiver (explore/situation.h), and how a search weighs
// the situations its runs meet (Coverage::Gain::rarity).
#include "explore/situation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <utility>
#include <vector>

#include "explore/coverage.h"
#include "raft/random.h"
#include "sim/world.h"

namespace raftsim::explore {
namespace {

using namespace std::chrono_literals;

sim::WorldConfig three_nodes() {
  sim::WorldConfig config;
  config.node_names = {"n1", "n2", "n3"};
  return config;
}

// A world whose leader has committed its first entry on every node.
uint32_t settled_leader(sim::World& world) {
  world.run_until(sim::kTimeZero + 3s);
  for (uint32_t id = 1; id <= world.node_count(); ++id)
    if (world.node(id)->core().role() == raft::Role::kLeader) return id;
  ADD_FAILURE() << "no leader within 3 s";
  return 1;
}

raft::Message heartbeat(const sim::World& world, uint32_t leader, uint32_t to) {
  const raft::Raft& core = world.node(leader)->core();
  raft::Message m;
  m.type = raft::MessageType::kAppendEntries;
  m.from = raft::NodeId{leader};
  m.to = raft::NodeId{to};
  m.term = core.term();
  m.prev_log_index = core.log().last_index();
  m.prev_log_term = core.log().last_term();
  m.leader_commit = core.commit_index();
  return m;
}

TEST(Situation, AnAppendIsReadAgainstItsReceiversLog) {
  sim::World world(three_nodes());
  const uint32_t leader = settled_leader(world);
  const uint32_t follower = leader % 3 + 1;
  const raft::Message plain = heartbeat(world, leader, follower);
  ASSERT_GE(plain.prev_log_index.value, 1u);
  const uint32_t matched = delivery_situation(world, plain);
  EXPECT_EQ(matched >> 1 & 7, static_cast<uint32_t>(raft::MessageType::kAppendEntries));
  EXPECT_EQ(matched >> 4 & 3, static_cast<uint32_t>(raft::Role::kFollower));
  EXPECT_EQ(matched >> 6 & 3, 1u) << "the follower's own term";
  EXPECT_EQ(matched >> 8 & 3, 3u) << "anchored where the follower's log matches";
  EXPECT_EQ(matched >> 10 & 3, 0u) << "no entries";
  EXPECT_EQ(matched >> 12 & 3, 0u) << "nothing past the anchor";

  raft::Message ahead = plain;  // anchored past the follower's log
  ahead.prev_log_index = plain.prev_log_index + 5;
  EXPECT_EQ(delivery_situation(world, ahead) >> 8 & 3, 2u);

  raft::Message extends = plain;  // carries an entry the follower lacks
  extends.entries.push_back({plain.term, plain.prev_log_index.next(), raft::EntryType::kNoOp, {}});
  EXPECT_EQ(delivery_situation(world, extends) >> 10 & 3, 2u);
  raft::Message shorter = plain;  // anchored one entry back: the last entry lies past it
  shorter.prev_log_index = plain.prev_log_index.prev();
  shorter.prev_log_term = world.node(leader)->core().log().term_at(shorter.prev_log_index);
  EXPECT_EQ(delivery_situation(world, shorter) >> 12 & 3, 1u) << "a suffix the leader holds too";

  raft::Message older = plain;  // from a term the follower has left
  older.term = raft::Term{plain.term.value - 1};
  EXPECT_EQ(delivery_situation(world, older) >> 6 & 3, 0u);
  world.crash(leader);
  EXPECT_EQ(delivery_situation(world, shorter) >> 17 & 1, 1u) << "the sender is down";
  raft::Message to_the_down = plain;
  to_the_down.from = raft::NodeId{follower};
  to_the_down.to = raft::NodeId{leader};
  EXPECT_EQ(delivery_situation(world, to_the_down), 0u);
}

raft::Log log_of(uint64_t snapshot_index, uint64_t snapshot_term,
                 std::vector<std::pair<uint64_t, uint64_t>> entries) {  // (index, term)
  std::vector<raft::Entry> out;
  for (auto [index, term] : entries)
    out.push_back({raft::Term{term}, raft::Index{index}, raft::EntryType::kNoOp, {}});
  return raft::Log(raft::Index{snapshot_index}, raft::Term{snapshot_term}, std::move(out));
}

// The line between a short message and a stale suffix nobody proved: does the leader hold what
// the follower holds past the message?
TEST(Situation, TheSenderHoldsWhatItsLogAgreesWith) {
  // The follower took 5 and 6 from a leader of term 2 that the leader of term 3 outlived.
  const raft::Log follower = log_of(3, 1, {{4, 1}, {5, 2}, {6, 2}});
  const raft::Log leader = log_of(0, 0, {{1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 3}, {6, 3}, {7, 3}});
  EXPECT_TRUE(sender_holds(follower, leader, raft::Index{2}));  // inside the follower's snapshot
  EXPECT_TRUE(sender_holds(follower, leader, raft::Index{4}));
  EXPECT_FALSE(sender_holds(follower, leader, raft::Index{5}));
  EXPECT_FALSE(sender_holds(follower, leader, raft::Index{6}));
  // A leader that compacted through 5 settles 4 and 5 at its snapshot point.
  const raft::Log compacted = log_of(5, 3, {{6, 3}, {7, 3}});
  EXPECT_FALSE(sender_holds(follower, compacted, raft::Index{5}));
  const raft::Log caught_up = log_of(3, 1, {{4, 1}, {5, 3}, {6, 3}});
  EXPECT_TRUE(sender_holds(caught_up, compacted, raft::Index{4}));
  EXPECT_TRUE(sender_holds(caught_up, compacted, raft::Index{5}));
  EXPECT_TRUE(sender_holds(log_of(3, 1, {{4, 1}}), log_of(5, 3, {}), raft::Index{4}))
      << "a follower that ends before the leader's snapshot point has nothing left to compare";
  EXPECT_TRUE(sender_holds(log_of(0, 0, {{1, 1}, {2, 1}}), log_of(2, 1, {{3, 3}}), raft::Index{1}));
}

TEST(Situation, AVoteRequestIsReadAgainstTheVotersLogAndVote) {
  sim::World world(three_nodes());
  raft::Message request;
  request.type = raft::MessageType::kVoteRequest;
  request.from = raft::NodeId{1};
  request.to = raft::NodeId{2};
  request.term = raft::Term{1};
  const uint32_t even = delivery_situation(world, request);
  request.last_log_term = raft::Term{1};
  request.last_log_index = raft::Index{1};
  EXPECT_NE(delivery_situation(world, request), even);
}

TEST(Coverage, ASituationIsWorthLessWithEveryRunThatMeetsIt) {
  Coverage coverage;
  const uint64_t situation = (0x1234ULL << 2) | static_cast<uint64_t>(KeyKind::kSituation);
  const uint64_t state = 0x5678ULL << 2;
  Coverage::Gain first = coverage.add({situation, state});
  EXPECT_EQ(first.situations, 1u);
  EXPECT_EQ(first.states, 1u);
  EXPECT_DOUBLE_EQ(first.rarity, 1.0);
  Coverage::Gain second = coverage.add({situation, state});
  EXPECT_EQ(second.total(), 0u);
  EXPECT_DOUBLE_EQ(second.rarity, 0.5);
  EXPECT_EQ(coverage.situations(), 1u);
  EXPECT_EQ(coverage.states(), 1u);
}

// Hash sets hand a run's keys over in an order seeded anew by every process; floating-point sums
// depend on their order. The rarity must come out the same to the last bit either way, or the same
// search would pick differently from one process to the next.
TEST(Coverage, RarityDoesNotDependOnTheOrderOfARunsKeys) {
  auto situation = [](uint64_t n) { return (n << 2) | static_cast<uint64_t>(KeyKind::kSituation); };
  const std::vector<uint64_t> keys = {situation(1), situation(2), situation(3), situation(4)};
  Coverage one, two;
  // Met before by 1, 2, 3 and 6 runs: the next run adds 1/2 + 1/3 + 1/4 + 1/7, whose rounding
  // differs between the two orders below when summed as given.
  const size_t met_before[] = {1, 2, 3, 6};
  for (Coverage* c : {&one, &two})
    for (size_t i = 0; i < keys.size(); ++i)
      for (size_t k = 0; k < met_before[i]; ++k)
        c->add({keys[i]});
  const Coverage::Gain forward = one.add(keys);
  const Coverage::Gain backward = two.add({keys.rbegin(), keys.rend()});
  EXPECT_EQ(forward.rarity, backward.rarity);
  EXPECT_NEAR(forward.rarity, 1.0 / 2 + 1.0 / 3 + 1.0 / 4 + 1.0 / 7, 1e-12);
}

// Past its exact set's bound, coverage keeps one bit per key: memory stops growing, a key is still
// new once and seen after, and only a key whose bit another took is missed.
TEST(Coverage, PastItsBoundCoverageKeepsABitPerKey) {
  auto state = [](uint64_t n) { return n << 2; };
  auto transition = [](uint64_t n) {
    return (n << 2) | static_cast<uint64_t>(KeyKind::kTransition);
  };
  Coverage coverage(/*exact_keys=*/4, /*table_bits_log2=*/10);
  EXPECT_EQ(coverage.add({state(1), state(2), transition(3), transition(4)}).total(), 4u);
  EXPECT_FALSE(coverage.bounded());
  // The set is full: new keys go to the table, and are new once.
  const Coverage::Gain past = coverage.add({state(5), transition(6), state(1)});
  EXPECT_EQ(past.states, 1u);
  EXPECT_EQ(past.transitions, 1u);
  EXPECT_TRUE(coverage.bounded());
  EXPECT_EQ(coverage.add({state(5), transition(6), state(2), transition(4)}).total(), 0u);
  EXPECT_EQ(coverage.states(), 3u);
  EXPECT_EQ(coverage.transitions(), 3u);
  // A key whose bit (its hash past the kind bits, modulo 2^10) another key set is taken for seen.
  EXPECT_EQ(coverage.add({state(5 + 1024)}).total(), 0u);
  EXPECT_EQ(coverage.add({state(7)}).states, 1u);
}

// Up to its bound, coverage counts exactly the keys it never saw; a key past the bound may be
// taken for seen, never counted twice.
TEST(Coverage, UpToItsBoundCoverageIsExact) {
  Coverage coverage(/*exact_keys=*/200, /*table_bits_log2=*/16);
  std::set<uint64_t> reference;
  raft::Random rng(7);
  for (int run = 0; run < 100; ++run) {
    std::vector<uint64_t> keys;
    for (int k = 0; k < 10; ++k) {
      // A state or a transition, of distinct hashes (a real key's hash is 62 random bits).
      const uint64_t kind = rng.uniform(2);
      const uint64_t hash = rng.uniform(1000) * 2 + kind;
      keys.push_back(hash << 2 | kind);
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());  // a run lists each once
    const bool exact = reference.size() + keys.size() <= 200;
    size_t fresh = 0;
    for (uint64_t key : keys)
      fresh += reference.insert(key).second;
    const size_t counted = coverage.add(keys).total();
    if (exact) {
      EXPECT_EQ(counted, fresh) << "run " << run;
      EXPECT_FALSE(coverage.bounded());
    } else {
      EXPECT_LE(counted, fresh) << "run " << run;
    }
  }
  EXPECT_TRUE(coverage.bounded());
  EXPECT_EQ(coverage.states() + coverage.transitions(), reference.size())
      << "2^16 bits hold the keys past the bound without a collision here";
}

}  // namespace
}  // namespace raftsim::explore

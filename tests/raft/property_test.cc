// Randomized properties of the core. (a) quorum_index against brute force; (b) random
// interleavings of ticks, deliveries, drops, duplicates, crashes and proposals never break
// Election Safety, Log Matching, Leader Completeness or State Machine Safety (§5.4.3); (c) with
// vote_without_log_check planted, a bounded search over seeded schedules finds a violation;
// (d) arbitrary messages from known peers never make a core assert or break its invariants.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <sstream>

#include "cluster.h"
#include "raft/quorum.h"
#include "raft/random.h"

namespace raftsim::test {
namespace {

using raft::Role;

// Runs a property `runs` times (RapidCheck's default is 100) regardless of RC_PARAMS' count, so
// each property's cost under the sanitizer build is fixed here. RC_PARAMS' seed still applies.
template <typename Testable>
void check_property(int runs, int max_size, Testable&& testable) {
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  params.maxSuccess = runs;
  params.maxSize = max_size;
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  rc::detail::TestMetadata metadata;
  metadata.id = std::string(info->test_suite_name()) + "/" + info->name();
  metadata.description = info->name();
  const auto result = rc::detail::checkProperty(
      rc::detail::toProperty(std::forward<Testable>(testable)), metadata, params);
  if (!result.template is<rc::detail::SuccessResult>()) {
    std::ostringstream out;
    rc::detail::printResultMessage(result, out);
    FAIL() << out.str();
  }
}

// ---------------------------------------------------------------------------------------------
// (a) quorum_index

Index brute_force_quorum_index(const std::vector<Index>& match) {
  const size_t needed = raft::majority(match.size());
  Index best;
  for (Index candidate : match) {
    size_t holders = 0;
    for (Index m : match)
      holders += m >= candidate ? 1 : 0;
    if (holders >= needed && candidate > best) best = candidate;
  }
  return best;
}

TEST(QuorumIndex, EqualsLargestIndexHeldByAMajority) {
  check_property(300, 100, [] {
    const auto values = *rc::gen::container<std::vector<uint64_t>>(
        *rc::gen::inRange<size_t>(1, 10), rc::gen::inRange<uint64_t>(0, 20));
    std::vector<Index> match;
    for (uint64_t v : values)
      match.push_back(Index{v});
    RC_ASSERT(raft::quorum_index(match) == brute_force_quorum_index(match));
  });
}

TEST(QuorumIndex, EdgeConventions) {
  EXPECT_EQ(raft::quorum_index({}), Index{0});
  const std::vector<Index> one{Index{7}};
  EXPECT_EQ(raft::quorum_index(one), Index{7});
  const std::vector<Index> four{Index{9}, Index{5}, Index{5}, Index{1}};
  EXPECT_EQ(raft::quorum_index(four), Index{5}) << "3 of 4 is the majority";
}

// ---------------------------------------------------------------------------------------------
// (b) random interleavings

// One step of a schedule, decoded from a random word: what to do, and to which node or message.
struct Step {
  enum Kind : uint8_t {
    kTick,
    kDeliver,
    kDrop,
    kDuplicate,
    kCrash,
    kRestart,
    kPropose,
    kCompact,
    kChange,
  };
  Kind kind;
  uint32_t pick;
};

// With `compaction`, some proposals become snapshots instead (the other schedules stay as they
// were, so the seeds recorded for them still mean what they meant).
// With `membership`, some proposals become configuration changes asked of the leader.
Step decode_step(uint32_t word, bool compaction, bool membership = false) {
  const uint32_t roll = word % 100;
  const uint32_t pick = word / 100;
  if (membership && roll >= 86 && roll < 90) return {Step::kChange, pick};
  if (compaction && roll >= 92) return {Step::kCompact, pick};
  if (roll < 30) return {Step::kTick, pick};
  if (roll < 70) return {Step::kDeliver, pick};
  if (roll < 76) return {Step::kDrop, pick};
  if (roll < 80) return {Step::kDuplicate, pick};
  if (roll < 83) return {Step::kCrash, pick};
  if (roll < 86) return {Step::kRestart, pick};
  return {Step::kPropose, pick};
}

// Runs a schedule on an n-node cluster and returns the first property it breaks ("" if none).
class ScheduleRun {
 public:
  // `membership`: servers 1..n exist, the bootstrap voters are 1..3, and changes happen.
  ScheduleRun(size_t n, raft::PlantedBugs bugs, bool compaction = false, bool membership = false)
      : compaction_(compaction), membership_(membership), cluster_(n, [&](raft::Config& cfg) {
          cfg.election_timeout_ticks = 4;
          cfg.heartbeat_ticks = 2;
          cfg.max_entries_per_append = 4;
          cfg.bugs = bugs;
          if (membership) {
            cfg.servers = cfg.voters;
            cfg.voters = {NodeId{1}, NodeId{2}, NodeId{3}};
          }
        }) {
    cluster_.on_apply = [this](NodeId id, const Entry& e, Term term) { applied(id, e, term); };
  }

  std::string run(const std::vector<uint32_t>& words) {
    for (size_t i = 0; i < words.size() && violation_.empty(); ++i) {
      perform(decode_step(words[i], compaction_, membership_));
      if (violation_.empty()) check();
      if (!violation_.empty()) violation_ = "step " + std::to_string(i) + ": " + violation_;
    }
    return violation_;
  }

  size_t leaders_seen() const { return leaders_.size(); }
  // State machine safety over every incarnation's applied sequence, snapshots included.
  std::string check_applied() const { return check_applied_prefixes(cluster_.all_applied()); }
  size_t entries_committed() const { return committed_.size(); }
  size_t changes_made() const { return changes_; }
  bool entered_joint() const { return joint_; }

 private:
  void perform(Step step) {
    const NodeId node{static_cast<uint32_t>(step.pick % cluster_.size() + 1)};
    auto& flight = cluster_.in_flight();
    switch (step.kind) {
      case Step::kTick:
        return cluster_.tick(node);
      case Step::kDeliver:
      case Step::kDrop:
      case Step::kDuplicate: {
        if (flight.empty()) return;
        const auto at = flight.begin() + static_cast<ptrdiff_t>(step.pick % flight.size());
        Message m = *at;
        if (step.kind != Step::kDuplicate) flight.erase(at);
        if (step.kind != Step::kDrop) cluster_.deliver(std::move(m));
        return;
      }
      case Step::kCrash:
        if (cluster_.up(node)) cluster_.crash(node);
        return;
      case Step::kRestart:  // the first node that is down, so few stay down for long
        for (NodeId id : cluster_.ids()) {
          if (!cluster_.up(id)) return cluster_.restart(id);
        }
        return;
      case Step::kPropose:
        if (auto leader = cluster_.leader()) {
          cluster_.propose(*leader, "c" + std::to_string(++proposals_));
        }
        return;
      case Step::kCompact:
        return cluster_.compact(node);
      case Step::kChange:
        if (auto leader = cluster_.leader()) {
          if (cluster_.core(*leader).change(random_change(step.pick)).accepted()) {
            ++changes_;
            joint_ |= cluster_.core(*leader).configuration().joint();
          }
          cluster_.process(*leader);
        }
        return;
    }
  }

  // Any change to any server: add a learner, promote, add or remove one, or a new voter set
  // (a joint change when it differs by more than one).
  raft::ConfChange random_change(uint32_t pick) const {
    using Kind = raft::ConfChange::Kind;
    const auto n = static_cast<uint32_t>(cluster_.size());
    const NodeId node{pick % n + 1};
    const uint32_t kind = (pick / n) % 5;
    if (kind < 4) return {static_cast<Kind>(kind), node, {}};
    raft::ConfChange change{Kind::kReplace, {}, {}};
    const uint32_t mask = (pick / n / 5) % ((1u << n) - 1) + 1;  // a non-empty set
    for (uint32_t id = 1; id <= n; ++id) {
      if (mask & (1u << (id - 1))) change.voters.push_back(NodeId{id});
    }
    return change;
  }

  void applied(NodeId id, const Entry& e, Term term) {
    auto [it, fresh] = committed_.try_emplace(e.index, Committed{e, term});
    if (!fresh && !(it->second.entry == e)) {
      fail("state machine safety: node " + std::to_string(id.value) + " applied index " +
           std::to_string(e.index.value) + " term " + std::to_string(e.term.value) +
           ", another node applied term " + std::to_string(it->second.entry.term.value));
    }
    if (!fresh) it->second.by_term = std::min(it->second.by_term, term);
  }

  void check() {
    std::vector<const raft::Log*> logs;
    for (NodeId id : cluster_.ids()) {
      if (!cluster_.up(id)) continue;
      const raft::Raft& r = cluster_.core(id);
      logs.push_back(&r.log());
      const bool leads = r.role() == Role::kLeader;
      if (leads) {
        auto [it, fresh] = leaders_.try_emplace(r.term(), id);
        if (it->second != id) {
          return fail("election safety: term " + std::to_string(r.term().value) + " has leaders " +
                      std::to_string(it->second.value) + " and " + std::to_string(id.value));
        }
        if (fresh) check_leader_completeness(id, r);
      }
    }
    if (std::string broken = check_log_matching(logs); !broken.empty()) fail(broken);
    // Every message here is honest, however late or duplicated: none may look impossible.
    for (NodeId id : cluster_.ids()) {
      if (cluster_.up(id) && cluster_.core(id).total_rejections() != 0) {
        return fail("node " + std::to_string(id.value) + " refused an honest message");
      }
    }
  }

  // An entry applied by a node in term U was committed in a term <= U; every leader of a later
  // term must hold it (§5.4.3, Leader Completeness).
  void check_leader_completeness(NodeId id, const raft::Raft& r) {
    for (const auto& [index, c] : committed_) {
      // A compacted entry is in the leader's snapshot, which its applied sequence reflects.
      if (c.by_term >= r.term() || index <= r.log().snapshot_index()) continue;
      if (!r.log().contains(index) || !(r.log().at(index) == c.entry)) {
        return fail("leader completeness: leader " + std::to_string(id.value) + " of term " +
                    std::to_string(r.term().value) + " lacks index " + std::to_string(index.value) +
                    " committed by term " + std::to_string(c.by_term.value));
      }
    }
  }

  void fail(std::string what) {
    if (violation_.empty()) violation_ = std::move(what);
  }

  struct Committed {
    Entry entry;
    Term by_term;  // an upper bound on the term in which it was committed
  };
  bool compaction_;
  bool membership_;
  Cluster cluster_;
  std::map<Index, Committed> committed_;
  std::map<Term, NodeId> leaders_;
  uint64_t proposals_ = 0;
  size_t changes_ = 0;
  bool joint_ = false;
  std::string violation_;
};

// 100 schedules of 100-400 steps over 3-5 nodes.
TEST(Sec5_4_3_Properties, RandomInterleavingsKeepElectionSafetyLogMatchingAndCompleteness) {
  check_property(100, 100, [] {
    const size_t nodes = *rc::gen::inRange<size_t>(3, 6);
    const size_t length = *rc::gen::inRange<size_t>(100, 401);
    const auto words = *rc::gen::container<std::vector<uint32_t>>(
        length, rc::gen::inRange<uint32_t>(0, UINT32_MAX));
    const std::string violation = ScheduleRun(nodes, {}).run(words);
    RC_ASSERT(violation == "");
  });
}

// Thesis ch. 4: the same over 5 servers, 3 of them voters at first, with random configuration
// changes (single-server, learners, joint) among the crashes, drops and duplicates.
TEST(Thesis4_Properties, RandomChangesUnderFaultsKeepEverySafetyProperty) {
  check_property(100, 100, [] {
    const size_t length = *rc::gen::inRange<size_t>(100, 401);
    const auto words = *rc::gen::container<std::vector<uint32_t>>(
        length, rc::gen::inRange<uint32_t>(0, UINT32_MAX));
    ScheduleRun run(5, {}, /*compaction=*/true, /*membership=*/true);
    const std::string violation = run.run(words);
    RC_ASSERT(violation == "");
    RC_ASSERT(run.check_applied() == "");
  });
}

// The schedules above do change the configuration, joint changes included (else the property
// would hold vacuously).
TEST(Thesis4_Properties, RandomSchedulesMakeSingleAndJointChanges) {
  raft::Random rng(4);
  size_t changes = 0;
  bool joint = false;
  for (int run = 0; run < 50; ++run) {
    std::vector<uint32_t> words(400);
    for (uint32_t& w : words)
      w = static_cast<uint32_t>(rng.uniform(UINT32_MAX));
    ScheduleRun schedule(5, {}, /*compaction=*/true, /*membership=*/true);
    EXPECT_EQ(schedule.run(words), "");
    changes += schedule.changes_made();
    joint |= schedule.entered_joint();
  }
  EXPECT_GT(changes, 10u);
  EXPECT_TRUE(joint);
}

// §7: the same, with nodes compacting their logs at random moments, so that followers that fall
// behind are caught up by InstallSnapshot, and restarts begin from snapshots.
TEST(Sec7_Properties, RandomInterleavingsWithCompactionKeepEverySafetyProperty) {
  check_property(100, 100, [] {
    const size_t nodes = *rc::gen::inRange<size_t>(3, 6);
    const size_t length = *rc::gen::inRange<size_t>(100, 401);
    const auto words = *rc::gen::container<std::vector<uint32_t>>(
        length, rc::gen::inRange<uint32_t>(0, UINT32_MAX));
    ScheduleRun schedule(nodes, {}, /*compaction=*/true);
    const std::string violation = schedule.run(words);
    RC_ASSERT(violation == "");
    RC_ASSERT(schedule.check_applied() == "");
  });
}

// ---------------------------------------------------------------------------------------------
// (c) planted bugs are found by searching seeded schedules

constexpr size_t kSearchSteps = 1000;

// The first seed in [1, max_seeds] whose schedule breaks a property, or 0.
uint64_t search_schedules(raft::PlantedBugs bugs, uint64_t max_seeds, std::string* found,
                          std::pair<size_t, size_t>* stats = nullptr) {
  for (uint64_t seed = 1; seed <= max_seeds; ++seed) {
    raft::Random rng(seed);
    const size_t nodes = 3 + rng.uniform(3);
    std::vector<uint32_t> words(kSearchSteps);
    for (uint32_t& w : words)
      w = static_cast<uint32_t>(rng.next_u64());
    ScheduleRun schedule(nodes, bugs);
    std::string violation = schedule.run(words);
    if (stats) {
      stats->first += schedule.leaders_seen();
      stats->second += schedule.entries_committed();
    }
    if (!violation.empty()) {
      *found = violation;
      return seed;
    }
  }
  return 0;
}

TEST(Sec5_4_3_Properties, SearchFindsPlantedVoteWithoutLogCheck) {
  raft::PlantedBugs bugs;
  bugs.vote_without_log_check = true;
  std::string found;
  const uint64_t seed = search_schedules(bugs, 300, &found);
  EXPECT_NE(seed, 0u) << "no violation in 300 schedules";
  std::printf("  vote_without_log_check: seed %llu, %s\n", static_cast<unsigned long long>(seed),
              found.c_str());
}

// commit_previous_term needs a Figure 8 shape (an old-term entry on a majority, its leader
// deposed before a current-term entry commits, then overwritten): 300 random schedules of 1000
// steps did not find one in this harness. The scripted Figure 8 test in figures_test.cc shows the
// planted bug breaking State Machine Safety instead.

TEST(Sec5_4_3_Properties, SearchFindsNothingWithoutPlantedBugs) {
  std::string found;
  std::pair<size_t, size_t> stats;
  EXPECT_EQ(search_schedules({}, 300, &found, &stats), 0u) << found;
  // The search is only worth something if the schedules elect leaders and commit entries.
  std::printf("  300 schedules: %zu leaders, %zu entries committed\n", stats.first, stats.second);
  EXPECT_GT(stats.first, 300u);
  EXPECT_GT(stats.second, 300u);
}

// ---------------------------------------------------------------------------------------------
// (d) arbitrary messages from known peers

// Mostly values near `near` (a core's term or last index), sometimes farther, sometimes extreme.
rc::Gen<uint64_t> near_or_extreme(uint64_t near) {
  return rc::gen::weightedOneOf<uint64_t>(
      {{16, rc::gen::inRange<uint64_t>(near > 2 ? near - 2 : 0, near + 4)},
       {2, rc::gen::inRange<uint64_t>(0, 200)},
       {1, rc::gen::element<uint64_t>(UINT64_MAX, UINT64_MAX - 1, uint64_t{1} << 62)}});
}

// The type of message a node in `role` acts on most.
raft::MessageType answer_expected_by(Role role) {
  switch (role) {
    case Role::kLeader:
      return raft::MessageType::kAppendResponse;
    case Role::kCandidate:
      return raft::MessageType::kVoteResponse;
    case Role::kPreCandidate:
      return raft::MessageType::kPreVoteResponse;
    case Role::kFollower:
      break;
  }
  return *rc::gen::element(raft::MessageType::kAppendEntries, raft::MessageType::kInstallSnapshot);
}

// A message from a voter other than node 1 to `r` (node 1), every field drawn independently but
// mostly near r's term and last index, so that much of it gets past validation and a leader is
// not deposed by the first message it hears. Half the time it is of the type r's role acts on;
// half the time its entries are numbered and termed plausibly.
Message arbitrary_message(size_t voters, const raft::Raft& r) {
  auto term = [&] { return Term{*near_or_extreme(r.term().value)}; };
  auto index = [&] { return Index{*near_or_extreme(r.log().last_index().value)}; };
  // The term of a log position: 0 for index 0, or for "too short" in a rejection's hint.
  auto log_term = [&] { return *rc::gen::inRange(0, 3) == 0 ? Term{} : term(); };
  Message m;
  if (*rc::gen::arbitrary<bool>()) {
    // One past the last type too: a type no peer can send.
    m.type = static_cast<raft::MessageType>(*rc::gen::inRange<int>(0, 9));
  } else {
    m.type = answer_expected_by(r.role());
  }
  m.from = NodeId{*rc::gen::inRange<uint32_t>(2, static_cast<uint32_t>(voters) + 1)};
  m.to = NodeId{1};
  m.term = *rc::gen::inRange(0, 8) != 0 ? r.term() : term();
  m.last_log_index = index();
  m.last_log_term = log_term();
  m.transfer = *rc::gen::arbitrary<bool>();
  m.prev_log_index = index();
  m.prev_log_term = log_term();
  m.leader_commit = index();
  m.round = *near_or_extreme(0);
  m.reject = *rc::gen::arbitrary<bool>();
  m.match_index = index();
  m.rejected_index = index();
  m.conflict_index = index();
  m.conflict_term = log_term();
  const size_t count = *rc::gen::inRange<size_t>(0, 4);
  const bool plausible = *rc::gen::arbitrary<bool>();
  for (size_t i = 0; i < count; ++i)
    m.entries.push_back(plausible ? Entry{m.term, m.prev_log_index + (i + 1)}
                                  : Entry{term(), index()});
  if (*rc::gen::inRange(0, 4) != 0) {
    m.snapshot = std::make_shared<const raft::Snapshot>(raft::Snapshot{index(), term(), "image"});
  }
  return m;
}

// Node 1 of `voters`, restored from a log of terms [1, 1, 2] (indices 1-3; with `compacted`,
// index 1 is in a snapshot), then made follower, pre-candidate, candidate or leader.
raft::Raft core_in_role(Role role, size_t voters, bool compacted, raft::Options options) {
  raft::Config cfg;
  cfg.id = NodeId{1};
  for (uint32_t i = 1; i <= voters; ++i)
    cfg.voters.push_back(NodeId{i});
  cfg.election_timeout_ticks = 4;
  cfg.max_entries_per_append = 2;
  cfg.options = options;
  cfg.options.pre_vote = role == Role::kPreCandidate;
  raft::Restored restored{{Term{2}, {}, Index{1}}, log_of_terms({1, 1, 2}), {}};
  if (compacted) {
    restored.entries.erase(restored.entries.begin());
    restored.snapshot = raft::Snapshot{Index{1}, Term{1}, "image"};
  }
  raft::Raft r(cfg, std::move(restored));
  if (role != Role::kFollower) r.campaign();
  r.advance(r.ready());  // the candidate's own vote is durable
  for (uint32_t peer = 2; role == Role::kLeader && r.role() != Role::kLeader; ++peer) {
    Message grant;
    grant.type = raft::MessageType::kVoteResponse;
    grant.from = NodeId{peer};
    grant.to = NodeId{1};
    grant.term = r.term();
    r.step(grant);
  }
  r.advance(r.ready());
  return r;
}

// What must hold of one core whatever it is told. Returns what broke, or "".
std::string check_core(const raft::Raft& r, Term old_term, Index old_commit) {
  const raft::Log& log = r.log();
  if (r.term() < old_term) return "term went backwards";
  if (r.commit_index() < old_commit) return "commit index went backwards";
  if (r.commit_index() > log.last_index()) return "commit index past the last index";
  if (r.commit_index() < log.snapshot_index()) return "commit index inside the snapshot";
  for (const auto& [peer, pr] : r.progress()) {
    const std::string who = "progress of node " + std::to_string(peer.value) + ": ";
    if (pr.match_index > log.last_index()) return who + "match index past the last index";
    if (pr.next_index.value == 0 || pr.next_index > log.last_index().next()) {
      return who + "next index outside [1, last + 1]";
    }
    if (pr.match_index >= pr.next_index) return who + "match index not below next index";
  }
  return "";
}

// Feeds one core, in a role drawn at random, a random mix of ticks, host inputs and arbitrary
// messages, checking it after each.
bool feed_arbitrary_messages() {
  const size_t voters = *rc::gen::inRange<size_t>(2, 6);
  const Role roles[] = {Role::kFollower, Role::kPreCandidate, Role::kCandidate, Role::kLeader};
  const Role role = roles[*rc::gen::inRange(0, 4)];
  raft::Options options;
  options.check_quorum = *rc::gen::arbitrary<bool>();
  options.vote_lease = *rc::gen::arbitrary<bool>();
  raft::Raft r = core_in_role(role, voters, *rc::gen::arbitrary<bool>(), options);
  RC_ASSERT(r.role() == role);
  const size_t steps = *rc::gen::inRange<size_t>(1, 80);
  for (size_t i = 0; i < steps; ++i) {
    const Term term = r.term();
    const Index commit = r.commit_index();
    const uint64_t refused = r.total_rejections();
    const int action = *rc::gen::inRange(0, 20);
    if (action == 0) {
      r.tick();
    } else if (action == 1) {
      r.advance(r.ready());
    } else if (action == 2) {
      r.propose("p");
    } else if (action == 3) {
      r.read_index(i);
    } else if (action == 4) {
      r.transfer_leader(NodeId{*rc::gen::inRange<uint32_t>(1, static_cast<uint32_t>(voters) + 1)});
    } else {
      const Message m = arbitrary_message(voters, r);
      const Role role_before = r.role();
      const NodeId vote_before = r.voted_for();
      const Index last_before = r.log().last_index();
      r.step(m);
      if (r.total_rejections() != refused) {
        RC_ASSERT(r.term() == term);
        RC_ASSERT(r.voted_for() == vote_before);
        RC_ASSERT(r.role() == role_before);
        RC_ASSERT(r.commit_index() == commit);
        RC_ASSERT(r.log().last_index() == last_before);
      }
    }
    const std::string broken = check_core(r, term, commit);
    RC_ASSERT(broken == "");
  }
  r.advance(r.ready());
  return true;
}

// Whatever a known peer sends (a buggy or lying node, a corrupt link), the core neither asserts
// nor reads out of bounds, its invariants hold, and a refused message changes nothing.
TEST(Fig2_Validation, ArbitraryMessagesFromKnownPeersNeverBreakTheCoresInvariants) {
  check_property(300, 100, [] {
    // At full size from the first run: RapidCheck's ranges grow with the size, and a small one
    // would draw nothing but ticks and the first message type.
    RC_ASSERT(*rc::gen::resize(rc::kNominalSize, rc::gen::exec(feed_arbitrary_messages)));
  });
}

}  // namespace
}  // namespace raftsim::test

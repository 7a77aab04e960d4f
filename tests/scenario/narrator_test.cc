// The narration: a line for every campaign, the lies a lying node tells summarised a line or two
// per term, and a run narrated or not has the same digest.
#include "scenario/narrator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "raft/ready.h"
#include "scenario/parse.h"
#include "scenario/runner.h"
#include "scratch.h"
#include "sim/world.h"

namespace raftsim::scenario {
namespace {

using sim::TraceEvent;
using sim::TraceKind;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class Told {
 public:
  explicit Told(bool verbose = false, bool from_outside = false)
      : narrator_(
            {"n1", "n2", "n3"}, verbose, [this](const std::string& l) { lines_.push_back(l); },
            from_outside) {}

  void at(int64_t ms, TraceEvent e) {
    e.time = sim::kTimeZero + sim::Duration{ms * 1000};
    narrator_.on_event(e);
  }
  void role(int64_t ms, uint32_t node, raft::Role role, uint64_t term) {
    at(ms, {.kind = TraceKind::kRole, .node = node, .a = static_cast<uint64_t>(role), .b = term});
  }
  void term(int64_t ms, uint32_t node, uint64_t term) {
    at(ms, {.kind = TraceKind::kTerm, .node = node, .b = term});
  }
  void lie(int64_t ms, sim::Lie lie, uint32_t liar, uint32_t to, uint64_t term, uint64_t claim,
           uint64_t truth) {
    at(ms, {.kind = TraceKind::kLie,
            .node = liar,
            .peer = to,
            .a = static_cast<uint64_t>(lie),
            .b = term,
            .c = claim,
            .d = truth});
  }
  // Any event of another node ends the step that came before it.
  void later(int64_t ms) { at(ms, {.kind = TraceKind::kCommit, .node = 3, .a = 1, .b = 1}); }

  const std::vector<std::string>& lines() const { return lines_; }

 private:
  std::vector<std::string> lines_;
  Narrator narrator_;
};

// The livelock narration used to jump from "campaigns for term 1" to term 13: a candidate whose
// election timer fires again stays a candidate, so no role change announced its new campaign.
TEST(Narrator, ACandidateThatCampaignsAgainIsToldEveryTime) {
  Told t;
  t.term(10, 2, 1);
  t.role(10, 2, raft::Role::kCandidate, 1);
  t.term(160, 2, 2);  // its timer fired again: a new term, still a candidate
  t.later(161);
  t.term(320, 2, 3);
  t.later(321);
  EXPECT_THAT(t.lines(), ElementsAre(HasSubstr("0.010s  n2 campaigns for term 1"),
                                     HasSubstr("0.160s  n2 campaigns for term 2"),
                                     HasSubstr("0.320s  n2 campaigns for term 3")));
}

TEST(Narrator, ACandidateThatAdoptsAHigherTermAndStepsDownDoesNotCampaign) {
  Told t;
  t.term(10, 2, 1);
  t.role(10, 2, raft::Role::kCandidate, 1);
  // A vote request of term 2 from n3: n2 adopts the term, votes, and becomes a follower, all in
  // one step.
  t.term(20, 2, 2);
  t.at(20, {.kind = TraceKind::kVote, .node = 2, .peer = 3, .b = 2});
  t.role(20, 2, raft::Role::kFollower, 2);
  t.later(21);
  EXPECT_THAT(t.lines(), ElementsAre(HasSubstr("n2 campaigns for term 1")));
}

// A restarted node comes back a follower; a leader that crashed did not step down, and telling it
// so would suggest it heard of a higher term.
TEST(Narrator, ALeaderThatCrashesAndRestartsIsNotToldAsSteppingDown) {
  Told t;
  t.role(10, 1, raft::Role::kLeader, 1);
  t.at(500, {.kind = TraceKind::kNodeDown, .node = 1, .text = "crashed"});
  t.at(600, {.kind = TraceKind::kNodeUp, .node = 1});
  t.role(600, 1, raft::Role::kFollower, 1);
  t.role(700, 2, raft::Role::kLeader, 2);
  t.role(800, 2, raft::Role::kFollower, 3);
  EXPECT_THAT(t.lines(), ElementsAre(HasSubstr("0.010s  n1 becomes leader of term 1"),
                                     HasSubstr("0.500s  n1 crashed"),
                                     HasSubstr("0.600s  n1 starts again from its disk"),
                                     HasSubstr("0.700s  n2 becomes leader of term 2"),
                                     HasSubstr("0.800s  n2 steps down in term 3")));
}

TEST(Narrator, ForgedAcksAreToldOncePerTermAndAgainWhenTheLogLacksTheEntries) {
  Told t;
  for (int i = 0; i < 200; ++i)
    t.lie(100 + i, sim::Lie::kForgeAcks, 3, 1, 2, 10 + i, 1);
  t.lie(400, sim::Lie::kForgeAcks, 3, 1, 2, 300, 0);
  t.lie(401, sim::Lie::kForgeAcks, 3, 1, 2, 301, 0);
  t.lie(500, sim::Lie::kForgeAcks, 3, 2, 3, 320, 1);
  EXPECT_THAT(
      t.lines(),
      ElementsAre("    0.100s  LIE    n3 acknowledges n1's appends of term 2 as they arrive, "
                  "whatever its log holds (first: entries through 10)",
                  "    0.400s  LIE    n3 acknowledges entries through 300 of term 2 to n1: "
                  "its log does not hold them",
                  HasSubstr("n3 acknowledges n2's appends of term 3")));
}

TEST(Narrator, EachCandidateAForgedVoteWentToIsNamed) {
  Told t;
  t.lie(13, sim::Lie::kVoteForEveryone, 3, 1, 1, 0, 0);
  t.lie(14, sim::Lie::kVoteForEveryone, 3, 2, 1, 0, 0);
  t.lie(15, sim::Lie::kVoteForEveryone, 3, 2, 1, 0, 0);  // the same vote again: told already
  EXPECT_THAT(
      t.lines(),
      ElementsAre(HasSubstr("LIE    n3 grants n1 its vote in term 1"),
                  HasSubstr("LIE    n3 grants n2 its vote in term 1 (it also granted n1)")));
}

TEST(Narrator, InflatedClaimsAreToldOncePerTerm) {
  Told t;
  for (int i = 0; i < 5; ++i) {
    t.lie(10 + i, sim::Lie::kInflateLog, 3, 1 + i % 2, 2, 1019, 19);
    t.lie(10 + i, sim::Lie::kTermInflation, 3, 1 + i % 2, 2, 1000002, 0);
  }
  EXPECT_THAT(t.lines(), ElementsAre("    0.010s  LIE    n3's vote requests for term 2 claim a log "
                                     "through entry 1019 of term 2 (its log ends at entry 19)",
                                     "    0.010s  LIE    n3 sends its messages of term 2 as term "
                                     "1000002"));
}

// The trace notes a forged vote or ack as a fault of the liar's own; the LIE lines tell it.
TEST(Narrator, ALiarsOwnFaultNotesAreNotPrintedOneByOne) {
  Told t;
  t.at(10, {.kind = TraceKind::kFault, .node = 3, .text = "n3 lies: grants n1 its vote in term 1"});
  t.at(10, {.kind = TraceKind::kFault, .text = "crash n2"});
  EXPECT_THAT(t.lines(), ElementsAre(HasSubstr("FAULT  crash n2")));
}

// A cluster whose n3 tells `lies` from 20ms on, with clients busy enough for hundreds of appends.
Scenario liar(const std::string& lies) {
  const std::string yaml = R"(seed: 3
duration: 3s
cluster: {nodes: [n1, n2, n3], election_timeout: 150ms, heartbeat: 50ms}
network: {latency: {shape: uniform, min: 1ms, max: 5ms}}
workload: {clients: 2, keys: 2, think: 5ms}
liveness: false
timeline:
  - {at: 10ms, elect: n1}
  - {at: 20ms, lie: {node: n3, lies: )" +
                           lies + "}}\n";
  auto parsed = parse_scenario_text(yaml, "liar.yaml");
  if (auto* error = std::get_if<ParseError>(&parsed)) ADD_FAILURE() << error->text();
  return std::get<Scenario>(parsed);
}

std::vector<std::string> narration(const Scenario& s, RunReport* report = nullptr) {
  std::vector<std::string> lines;
  RunOptions options;
  options.print = [&](const std::string& l) { lines.push_back(l); };
  const RunReport r = run_scenario(s, options);
  if (report) *report = r;
  return lines;
}

size_t lie_lines(const std::vector<std::string>& lines) {
  size_t n = 0;
  for (const std::string& l : lines)
    n += l.find("LIE    ") != std::string::npos;
  return n;
}

TEST(Narrator, NarratingTheLiesChangesNeitherTheRunNorItsDigest) {
  const Scenario s = liar("[inflate_log, vote_for_everyone, forge_acks, term_inflation]");
  RunReport narrated;
  EXPECT_GT(lie_lines(narration(s, &narrated)), 0u);
  RunOptions silent;
  silent.narrate = false;
  const RunReport quiet = run_scenario(s, silent);
  EXPECT_EQ(narrated.digest, quiet.digest);
  EXPECT_EQ(narrated.events, quiet.events);
}

TEST(Narrator, HundredsOfForgedAcksInOneTermAreAtMostTwoLines) {
  Scenario s = liar("[forge_acks]");
  std::vector<std::string> lines;
  RunOptions options;
  options.print = [&](const std::string& l) { lines.push_back(l); };
  options.trace_path = test::scratch_path("forged_acks.jsonl");
  run_scenario(s, options);
  // The trace notes every forged ack that carried entries.
  std::ifstream trace(options.trace_path);
  size_t forged = 0;
  for (std::string event; std::getline(trace, event);)
    forged += event.find("n3 lies: acknowledges") != std::string::npos;
  ASSERT_GT(forged, 200u);
  EXPECT_GE(lie_lines(lines), 1u);
  EXPECT_LE(lie_lines(lines), 2u) << ::testing::PrintToString(lines);
}

// A run watched from outside (real processes, external nodes) traces what the nodes report: no
// votes and no entry's term, which the narration then does not claim to know.
TEST(Narration, FromOutsideTellsNoVotesAndNoEntryTerms) {
  Told told(/*verbose=*/true, /*from_outside=*/true);
  told.term(10, 2, 3);
  told.role(10, 2, raft::Role::kLeader, 3);
  told.at(30, {.kind = TraceKind::kCommit, .node = 2, .a = 7});
  told.at(40, {.kind = TraceKind::kClientComplete, .node = 1, .peer = 2, .text = "get k1 -> \"\""});
  EXPECT_THAT(told.lines(), ElementsAre(HasSubstr("n2 becomes leader of term 3"),
                                        HasSubstr("n2 commits entries 1..7"),
                                        HasSubstr("client 1 done: get k1 -> \"\"")));
  EXPECT_THAT(told.lines()[0], ::testing::EndsWith("term 3"));
  EXPECT_THAT(told.lines()[1], ::testing::EndsWith("1..7"));
}

}  // namespace
}  // namespace raftsim::scenario

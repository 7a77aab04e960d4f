// The scenario language, read from a file that uses every key, fault and expectation.
#include "scenario/parse.h"

#include <gtest/gtest.h>

#include <fstream>
#include <tuple>
#include <variant>

#include "full_example.h"
#include "scratch.h"

namespace raftsim::scenario {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Kind = Expectation::Kind;

Scenario parse_ok(std::string_view text) {
  auto result = parse_scenario_text(text, "dir/full.yaml");
  if (auto* error = std::get_if<ParseError>(&result)) {
    ADD_FAILURE() << error->text();
    return {};
  }
  return std::get<Scenario>(std::move(result));
}

SimTime at(Duration d) {
  return SimTime{d};
}

TEST(ScenarioParse, TopLevelClusterAndTeaches) {
  const Scenario s = parse_ok(kFullExample);
  EXPECT_EQ(s.file, "dir/full.yaml");
  EXPECT_EQ(s.name, "full");
  EXPECT_EQ(s.teaches, "A leader is cut off with a minority.\n\nThe majority elects a new leader.");
  EXPECT_EQ(s.seed, 42u);
  EXPECT_EQ(s.world.seed, 42u);
  EXPECT_EQ(s.duration, seconds(30));
  const sim::WorldConfig& w = s.world;
  EXPECT_EQ(w.node_names, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(s.node_id("c"), 3u);
  EXPECT_EQ(s.node_id("z"), 0u);
  EXPECT_EQ(w.tick, milliseconds(5));
  EXPECT_EQ(w.election_timeout_ticks, 20);
  EXPECT_EQ(w.heartbeat_ticks, 4);
  EXPECT_TRUE(w.options.pre_vote && w.options.check_quorum && w.options.vote_lease);
  EXPECT_FALSE(w.options.leadership_transfer);
  EXPECT_TRUE(w.bugs.commit_previous_term && w.bugs.stale_leader_reads);
  EXPECT_FALSE(w.bugs.vote_without_log_check || w.bugs.forget_vote_on_restart ||
               w.bugs.ack_before_persist);
  EXPECT_EQ(w.disk.fsync.shape, sim::Latency::Shape::kUniform);
  EXPECT_EQ(w.disk.fsync.min, milliseconds(1));
  EXPECT_EQ(w.disk.fsync.max, milliseconds(3));
  EXPECT_EQ(w.snapshot_every, 500u);
  EXPECT_EQ(w.max_entries_per_append, 64u);
  EXPECT_EQ(w.max_appends_per_round, 8u);
}

TEST(ScenarioParse, NetworkAndWorkload) {
  const Scenario s = parse_ok(kFullExample);
  const sim::LinkModel& n = s.world.network;
  EXPECT_EQ(n.latency.shape, sim::Latency::Shape::kLongTail);
  EXPECT_EQ(n.latency.min, milliseconds(2));
  EXPECT_EQ(n.latency.max, milliseconds(8));
  EXPECT_EQ(n.latency.tail_chance, 0.05);
  EXPECT_EQ(n.latency.tail_max, milliseconds(500));
  EXPECT_EQ(n.loss, 0.01);
  EXPECT_EQ(n.duplicate, 0.02);
  EXPECT_EQ(n.reorder, 0.03);
  EXPECT_EQ(n.extra_delay, milliseconds(1));
  const sim::WorkloadModel& w = s.world.workload;
  EXPECT_EQ(w.clients, 4u);
  EXPECT_EQ(w.keys, 7u);
  EXPECT_EQ(w.mix.get, 1);
  EXPECT_EQ(w.mix.put, 2);
  EXPECT_EQ(w.mix.append, 0);  // left out of a written mix: zero
  EXPECT_EQ(w.mix.cas, 0);
  EXPECT_EQ(w.rate, 50);
  EXPECT_EQ(w.think, milliseconds(5));
  EXPECT_EQ(w.attempt_timeout, milliseconds(200));
  EXPECT_EQ(w.give_up, seconds(2));
  EXPECT_EQ(w.latency.shape, sim::Latency::Shape::kConstant);
  EXPECT_EQ(w.latency.min, milliseconds(3));
  EXPECT_EQ(w.latency.max, milliseconds(8));  // keys left out: the network's
  EXPECT_EQ(w.latency.tail_max, milliseconds(500));
  EXPECT_EQ(w.stop_at, at(seconds(25)));
}

TEST(ScenarioParse, TimelineIsSortedStablyAndShapesAreExpanded) {
  const Scenario s = parse_ok(kFullExample);
  std::vector<std::string> kinds;
  for (const Fault& f : s.timeline)
    kinds.emplace_back(to_string(f.kind));
  EXPECT_EQ(kinds, (std::vector<std::string>{"partition",
                                             "partition",
                                             "heal",
                                             "cut",
                                             "heal",
                                             "cut",
                                             "cut",
                                             "cut",
                                             "delay",
                                             "loss",
                                             "duplicate",
                                             "clog",
                                             "unclog",
                                             "crash",
                                             "restart",
                                             "pause",
                                             "resume",
                                             "wipe",
                                             "torn_write",
                                             "fsync_lies",
                                             "fsync_lies",
                                             "corrupt",
                                             "corrupt",
                                             "clock_skew",
                                             "lie",
                                             "lie",
                                             "elect",
                                             "transfer",
                                             "crash_leader",
                                             "isolate_leader",
                                             "heal",
                                             "drop_messages",
                                             "delay_messages",
                                             "duplicate_messages",
                                             "hold_messages",
                                             "crash",
                                             "pause",
                                             "drop_messages",
                                             "promote",
                                             "add_learner",
                                             "add_voter",
                                             "remove",
                                             "change_voters",
                                             "reconfigure",
                                             "reconfigure_learner",
                                             "reconfigure_joint"}));
  const auto& t = s.timeline;
  using Groups = std::vector<std::vector<uint32_t>>;
  using Links = std::vector<std::pair<uint32_t, uint32_t>>;
  EXPECT_EQ(t[0].at, at(seconds(1)));
  EXPECT_EQ(t[0].groups, (Groups{{1, 2}, {3, 4}}));
  EXPECT_EQ(t[1].groups, (Groups{{3}, {1, 2, 4, 5}}));
  EXPECT_EQ(t[1].where.line, 45);  // the fault key
  EXPECT_EQ(t[1].where.column, 14);
  // Ring of five: each node reaches its two neighbours.
  EXPECT_EQ(
      t[3].links,
      (Links{{1, 3}, {1, 4}, {2, 4}, {2, 5}, {3, 1}, {3, 5}, {4, 1}, {4, 2}, {5, 2}, {5, 3}}));
  // Bridge c: {a, b} and {d, e} reach each other only through c.
  EXPECT_EQ(t[5].links, (Links{{1, 4}, {1, 5}, {2, 4}, {2, 5}, {4, 1}, {4, 2}, {5, 1}, {5, 2}}));
  EXPECT_EQ(t[6].links, (Links{{1, 2}}));
  EXPECT_EQ(t[7].links, (Links{{1, 2}, {3, 2}}));
  EXPECT_EQ(t[8].delay, seconds(10));
  EXPECT_TRUE(t[8].links.empty());
  EXPECT_EQ(t[9].rate, 0.2);
  EXPECT_EQ(t[9].links, (Links{{1, 2}}));
  EXPECT_EQ(t[10].rate, 0.1);
  EXPECT_EQ(t[10].links, (Links{{1, 3}}));
  EXPECT_EQ(t[11].links, (Links{{1, 2}}));
  EXPECT_EQ(t[13].nodes, (std::vector<uint32_t>{1}));
  EXPECT_EQ(t[14].nodes, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(t[18].nodes, (std::vector<uint32_t>{4}));
  EXPECT_TRUE(t[19].on);
  EXPECT_FALSE(t[20].on);
  EXPECT_EQ(t[21].record, 0u);
  EXPECT_EQ(t[22].record, 3u);
  EXPECT_EQ(t[23].factor, 1.5);
  EXPECT_EQ(t[23].nodes, (std::vector<uint32_t>{5}));
  EXPECT_TRUE(t[24].lies.inflate_log && t[24].lies.forge_acks);
  EXPECT_FALSE(t[24].lies.vote_for_everyone || t[24].lies.term_inflation);
  EXPECT_FALSE(t[25].lies.any());
  EXPECT_EQ(t[26].nodes, (std::vector<uint32_t>{4}));
  EXPECT_EQ(t[27].nodes, (std::vector<uint32_t>{4, 5}));
  EXPECT_EQ(t[28].length, milliseconds(300));
  EXPECT_TRUE(t[28].nodes.empty());
  EXPECT_EQ(t[29].length, seconds(1));
  EXPECT_EQ(t[30].at, at(seconds(20)));
  // Message faults: type, direction, count, and their delay, copy delay or `for`.
  EXPECT_EQ(t[31].messages, sim::bit(sim::MessageKind::kAppendResponse));
  EXPECT_EQ(std::tie(t[31].from, t[31].to, t[31].count), std::tuple(2u, 1u, uint64_t{3}));
  EXPECT_EQ(t[32].messages,
            sim::bit(sim::MessageKind::kVoteRequest) | sim::bit(sim::MessageKind::kPreVoteRequest));
  EXPECT_EQ(std::tie(t[32].from, t[32].to, t[32].count), std::tuple(1u, 0u, uint64_t{1}));
  EXPECT_EQ(t[32].delay, milliseconds(500));
  EXPECT_EQ(t[32].undo_after, seconds(2));
  EXPECT_EQ(t[33].delay, milliseconds(200));
  EXPECT_EQ(t[34].messages, sim::bit(sim::MessageKind::kHeartbeat));
  EXPECT_EQ(t[34].from, 0u);
  // Event-triggered faults keep their trigger; `trigger` is the node the event happens on.
  ASSERT_TRUE(t[35].when && t[36].when && t[37].when);
  EXPECT_EQ(t[35].when->event, sim::NodeEventKind::kBecomesLeader);
  EXPECT_EQ(t[35].when->nth, 2u);
  EXPECT_EQ(t[35].when->node, 0u);
  EXPECT_EQ(t[35].when->by, SimTime::max());
  EXPECT_EQ(t[35].nodes, (std::vector<uint32_t>{kTriggerNode}));
  EXPECT_EQ(t[35].undo_after, milliseconds(300));
  EXPECT_EQ(t[36].when->event, sim::NodeEventKind::kUncommitted);
  EXPECT_EQ(std::tie(t[36].when->node, t[36].when->entries), std::tuple(2u, uint64_t{5}));
  EXPECT_EQ(t[36].when->by, at(seconds(25)));
  EXPECT_EQ(t[36].nodes, (std::vector<uint32_t>{2}));
  EXPECT_EQ(t[37].when->event, sim::NodeEventKind::kPersisted);
  EXPECT_EQ(t[37].from, kTriggerNode);
  EXPECT_EQ(t[37].count, 2u);
  EXPECT_EQ(count_faults(t), t.size() + 4);  // two leader faults, two `for`s
}

TEST(ScenarioParse, AnEventTriggeredFaultWithoutAtIsArmedFromTheStart) {
  const Scenario s = parse_ok(
      "cluster: {nodes: [a, b, c]}\n"
      "timeline:\n"
      "  - {at: 1s, crash: a}\n"
      "  - {when: {event: grants_vote, node: c}, isolate: trigger}\n");
  ASSERT_EQ(s.timeline.size(), 2u);
  EXPECT_EQ(s.timeline[0].kind, FaultKind::kIsolate);
  EXPECT_EQ(s.timeline[0].at, SimTime{});
  EXPECT_EQ(s.timeline[0].when->event, sim::NodeEventKind::kGrantsVote);
  EXPECT_EQ(s.timeline[0].when->node, 3u);
}

// The predicates the explore and external layers share, against the names files write: a
// triggered fault is exactly a `triggered_*` kind that is not a membership change.
TEST(ScenarioParse, TheTriggeredFaultsAreTheTriggeredKindsThatChangeNoMembers) {
  size_t triggered = 0;
  for (FaultKind kind : kNemesisKinds) {
    const bool named = to_string(kind).starts_with("triggered_");
    EXPECT_EQ(is_triggered_fault(kind), named && !is_triggered_reconfigure(kind))
        << to_string(kind);
    EXPECT_FALSE(is_triggered_fault(kind) && is_message_fault(kind)) << to_string(kind);
    triggered += is_triggered_fault(kind) ? 1 : 0;
  }
  EXPECT_EQ(triggered, 4u);
}

TEST(ScenarioParse, PctScheduler) {
  const Scenario s = parse_ok(kFullExample);
  EXPECT_EQ(s.world.pct.depth, 3u);
  EXPECT_EQ(s.world.pct.messages, 500u);
  EXPECT_EQ(s.world.pct.hold, milliseconds(100));
  EXPECT_FALSE(parse_ok("cluster: {nodes: [a]}\n").world.pct.enabled());
}

TEST(ScenarioParse, NemesisAndLiveness) {
  const Scenario s = parse_ok(kFullExample);
  EXPECT_EQ(s.nemesis.faults.size(), 25u);
  EXPECT_EQ(s.nemesis.faults[24], FaultKind::kTriggeredReconfigureJoint);
  EXPECT_EQ(s.nemesis.faults[11], FaultKind::kDropMessages);
  EXPECT_EQ(s.nemesis.faults[18], FaultKind::kTriggeredDelay);
  EXPECT_EQ(s.nemesis.faults[8], FaultKind::kClockSkew);
  EXPECT_EQ(s.nemesis.faults[10], FaultKind::kIsolateLeader);
  EXPECT_EQ(s.nemesis.every_min, seconds(1));
  EXPECT_EQ(s.nemesis.every_max, seconds(4));
  EXPECT_EQ(s.nemesis.duration_min, milliseconds(500));
  EXPECT_EQ(s.nemesis.duration_max, seconds(2));
  EXPECT_EQ(s.nemesis.quiet, seconds(3));
  EXPECT_EQ(s.nemesis.delay, seconds(2));
  EXPECT_EQ(s.nemesis.loss, 0.5);
  EXPECT_TRUE(s.nemesis.overlap);
  EXPECT_TRUE(s.liveness.enabled);
  EXPECT_EQ(s.liveness.quiet, seconds(1));
  EXPECT_EQ(s.liveness.within, seconds(4));
}

TEST(ScenarioParse, ExpectationsAndTheirText) {
  const Scenario s = parse_ok(kFullExample);
  std::vector<std::string> texts;
  for (const Expectation& e : s.expectations)
    texts.push_back(e.text);
  // `safety: holds` adds nothing: every property holds unless an expectation says otherwise.
  EXPECT_EQ(texts,
            (std::vector<std::string>{
                "safety violated", "holds election_safety", "violated durability",
                "violated linearizability", "holds log_matching", "violated liveness",
                "leader_within 2s after 20s", "no_leader [d e] 6s..20s", "no_election 1s..end",
                "no_commit [d] 0..end", "commits_at_least 20", "acked_writes_at_least 10",
                "term_at_most 10 20s..30s", "term_above 50 by 30s"}));
  const auto& e = s.expectations;
  EXPECT_EQ(e[0].kind, Kind::kSafetyViolated);
  EXPECT_EQ(e[2].kind, Kind::kViolated);
  EXPECT_EQ(e[2].property, Property::kDurability);
  EXPECT_EQ(e[5].property, Property::kLiveness);
  EXPECT_EQ(e[6].kind, Kind::kLeaderWithin);
  EXPECT_EQ(e[6].from, at(seconds(20)));
  EXPECT_EQ(e[6].within, seconds(2));
  EXPECT_EQ(e[7].kind, Kind::kNoLeader);
  EXPECT_EQ(e[7].group, (std::vector<uint32_t>{4, 5}));
  EXPECT_EQ(e[7].to, at(seconds(20)));
  EXPECT_EQ(e[8].to, SimTime::max());
  EXPECT_EQ(e[11].count, 10u);
  EXPECT_EQ(e[13].kind, Kind::kTermAbove);
  EXPECT_EQ(e[13].count, 50u);
  EXPECT_EQ(e[13].to, at(seconds(30)));
  EXPECT_EQ(e[13].where.line, 130);
  EXPECT_EQ(e[13].where.column, 5);
}

TEST(ScenarioParse, DefaultsOfAMinimalFile) {
  const Scenario s = parse_ok("cluster: {nodes: [x]}\n");
  EXPECT_EQ(s.name, "full");  // the file's stem
  EXPECT_EQ(s.teaches, "");
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.duration, seconds(30));
  EXPECT_EQ(s.world.tick, milliseconds(10));
  EXPECT_EQ(s.world.election_timeout_ticks, 15);
  EXPECT_EQ(s.world.heartbeat_ticks, 5);
  EXPECT_EQ(s.world.workload.stop_at, at(seconds(30)));
  EXPECT_EQ(s.world.workload.latency.min, s.world.network.latency.min);
  EXPECT_EQ(s.world.workload.latency.max, s.world.network.latency.max);
  EXPECT_FALSE(s.nemesis.enabled());
  EXPECT_TRUE(s.liveness.enabled);
  EXPECT_TRUE(s.timeline.empty());
  EXPECT_TRUE(s.expectations.empty());
  const Scenario off = parse_ok("cluster: {nodes: [x]}\nliveness: false\n");
  EXPECT_FALSE(off.liveness.enabled);
}

TEST(ScenarioParse, MissingFileIsAnError) {
  auto result = parse_scenario_file("/nonexistent/x.yaml");
  ASSERT_TRUE(std::holds_alternative<ParseError>(result));
  EXPECT_EQ(std::get<ParseError>(result).messages,
            std::vector<std::string>{"/nonexistent/x.yaml: cannot read file"});
}

// A device would otherwise be read until memory runs out (/dev/zero never ends).
TEST(ScenarioParse, ADeviceIsNotAScenarioFile) {
  for (const std::string path : {"/dev/zero", "/dev/null", "/tmp"}) {
    auto result = parse_scenario_file(path);
    ASSERT_TRUE(std::holds_alternative<ParseError>(result)) << path;
    EXPECT_EQ(std::get<ParseError>(result).messages,
              std::vector<std::string>{path + ": not a regular file (a scenario is a YAML file)"});
  }
}

TEST(ScenarioParse, AFileOverTheSizeLimitIsAnErrorAndOneAtTheLimitIsRead) {
  const std::string cluster = "cluster: {nodes: [a]}\n";
  const std::string big = test::scratch_path("big.yaml");
  std::ofstream(big) << cluster << std::string(kMaxScenarioBytes - cluster.size() + 1, '#');
  auto result = parse_scenario_file(big);
  ASSERT_TRUE(std::holds_alternative<ParseError>(result));
  EXPECT_EQ(std::get<ParseError>(result).messages,
            std::vector<std::string>{big + ": too large for a scenario file (the limit is 4 MiB)"});

  const std::string at_limit = test::scratch_path("at_limit.yaml");
  std::ofstream(at_limit) << cluster << std::string(kMaxScenarioBytes - cluster.size(), '#');
  result = parse_scenario_file(at_limit);
  EXPECT_TRUE(std::holds_alternative<Scenario>(result)) << std::get<ParseError>(result).text();
}

}  // namespace
}  // namespace raftsim::scenario

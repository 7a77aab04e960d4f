// Every class of mistake in a scenario file gives a message that names its place.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <variant>

#include "scenario/parse.h"

namespace raftsim::scenario {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> errors(std::string_view yaml) {
  auto result = parse_scenario_text(yaml, "x.yaml");
  if (std::holds_alternative<Scenario>(result)) return {};
  return std::get<ParseError>(result).messages;
}

// A valid cluster, then `rest`.
std::vector<std::string> errors_after_cluster(const std::string& rest) {
  return errors("cluster:\n  nodes: [n1, n2, n3, n4, n5]\n" + rest);
}

TEST(ScenarioErrors, YamlSyntaxNamesLineAndColumn) {
  EXPECT_THAT(errors("cluster:\n  nodes: [n1, n2\nseed: 1\n"),
              ElementsAre("x.yaml:3:5: YAML syntax error: end of sequence flow not found"));
  EXPECT_THAT(errors("a: b\n c: d: e\n"), ElementsAre(HasSubstr("x.yaml:2:")));
  EXPECT_THAT(errors("cluster: {nodes: [a]}\nseed: \"1\n"),
              ElementsAre(::testing::StartsWith("x.yaml:")));
}

TEST(ScenarioErrors, EmptyOrNonMapDocument) {
  // Nothing to point at: the place is the start of the file.
  for (const char* nothing : {"", "# only a comment\n", "\n\n", "# a\n\n# b\n"}) {
    EXPECT_THAT(errors(nothing),
                ElementsAre("x.yaml:1:1: expected a map of scenario settings (name, seed, "
                            "duration, cluster, ...)"))
        << nothing;
  }
  EXPECT_THAT(errors("- 1\n- 2\n"),
              ElementsAre("x.yaml:1:1: expected a map of scenario settings (name, seed, "
                          "duration, cluster, ...)"));
}

TEST(ScenarioErrors, UnknownKeysSuggestTheNearestKnownOne) {
  EXPECT_THAT(errors_after_cluster("worklaod:\n  clients: 1\n"),
              ElementsAre("x.yaml:3:1: unknown key 'worklaod' (did you mean 'workload'?)"));
  EXPECT_THAT(errors_after_cluster("network:\n  los: 0.1\n"),
              ElementsAre("x.yaml:4:3: unknown key 'los' (did you mean 'loss'?)"));
  EXPECT_THAT(errors_after_cluster("zebra: 1\n"), ElementsAre("x.yaml:3:1: unknown key 'zebra'"));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, partiton: [[n1]]}\n"),
              ElementsAre("x.yaml:4:14: unknown fault 'partiton' (did you mean 'partition'?)"));
  EXPECT_THAT(errors_after_cluster("expect:\n  - hold: liveness\n"),
              ElementsAre("x.yaml:4:5: unknown expectation 'hold' (did you mean 'holds'?)"));
}

// Claims the verdict could not judge are refused: two that cannot both be met (only one would
// be judged), and one about a check the file switches off.
TEST(ScenarioErrors, ContradictoryOrUnjudgeableClaims) {
  EXPECT_THAT(errors_after_cluster("expect:\n  - holds: durability\n  - violated: durability\n"),
              ElementsAre("x.yaml:5:5: 'violated durability' contradicts 'holds durability' at "
                          "line 4: one run cannot show both"));
  EXPECT_THAT(errors_after_cluster("liveness: false\nexpect:\n  - liveness: fails\n"),
              ElementsAre("x.yaml:5:5: 'violated liveness' cannot be judged: this file's "
                          "`liveness: false` switches the liveness check off"));
  EXPECT_THAT(errors_after_cluster("expect:\n  - liveness: fails\n  - violated: liveness\n"),
              ElementsAre());  // the same claim twice
}

TEST(ScenarioErrors, ABugOrALieListedTwice) {
  EXPECT_THAT(errors("cluster:\n  nodes: [n1, n2, n3]\n  bugs: [ack_before_persist, "
                     "ack_before_persist]\n"),
              ElementsAre("x.yaml:3:30: bug 'ack_before_persist' is listed twice"));
  EXPECT_THAT(errors_after_cluster(
                  "timeline:\n  - {at: 1s, lie: {node: n1, lies: [forge_acks, forge_acks]}}\n"),
              ElementsAre("x.yaml:4:49: lie 'forge_acks' is listed twice"));
}

// `trigger` is the node a `when` event happened on: an entry without `when` is told so.
TEST(ScenarioErrors, TriggerWithoutWhen) {
  for (const char* fault :
       {"crash: trigger", "pause: [n1, trigger]", "isolate: trigger", "reconfigure: trigger"}) {
    EXPECT_THAT(errors_after_cluster(fmt::format("timeline:\n  - {{at: 1s, {}}}\n", fault)),
                ElementsAre(HasSubstr("'trigger' names the node of a `when` event; this entry "
                                      "has no `when`")))
        << fault;
  }
}

// A key written with no value is named at its own line, not at the next token's.
TEST(ScenarioErrors, AnEmptyValueIsReportedAtItsKey) {
  EXPECT_THAT(errors_after_cluster("workload:\n\nnetwork: {}\n"),
              ElementsAre("x.yaml:3:1: expected a map of workload settings (the key has no "
                          "value)"));
}

TEST(ScenarioErrors, DuplicateKey) {
  EXPECT_THAT(errors_after_cluster("seed: 1\nseed: 2\n"),
              ElementsAre("x.yaml:4:1: duplicate key 'seed'"));
}

TEST(ScenarioErrors, WrongTypes) {
  EXPECT_THAT(errors("cluster:\n  nodes: n1\n"),
              ElementsAre("x.yaml:2:10: expected a list of node names (1 to 9)"));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, partition: n1}\n"),
              ElementsAre("x.yaml:4:25: expected a list of groups of node names, e.g. [[n1, "
                          "n2], [n3]]"));
  EXPECT_THAT(errors_after_cluster("seed: many\n"),
              ElementsAre("x.yaml:3:7: expected a whole number from 0 to 18446744073709551615, "
                          "not 'many'"));
  EXPECT_THAT(errors_after_cluster("network: [1]\n"),
              ElementsAre("x.yaml:3:10: expected a map of network settings"));
  EXPECT_THAT(errors("cluster:\n  nodes: [a]\n  pre_vote: maybe\n"),
              ElementsAre("x.yaml:3:13: expected true or false, not 'maybe'"));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - crash\n"),
              ElementsAre("x.yaml:4:5: expected a timeline entry {at: <time>, <fault>: ...}"));
}

TEST(ScenarioErrors, BadDurations) {
  EXPECT_THAT(errors("cluster:\n  nodes: [a]\n  tick: 5 sec\n"),
              ElementsAre("x.yaml:3:9: bad duration '5 sec' (write e.g. 150ms, 2.5s, 1m)"));
  EXPECT_THAT(errors_after_cluster("duration: 5\n"),
              ElementsAre("x.yaml:3:11: bad duration '5' (write e.g. 150ms, 2.5s, 1m)"));
  EXPECT_THAT(errors_after_cluster("duration: -1s\n"),
              ElementsAre("x.yaml:3:11: bad duration '-1s' (write e.g. 150ms, 2.5s, 1m)"));
  EXPECT_THAT(errors_after_cluster("duration: [1s]\n"),
              ElementsAre("x.yaml:3:11: expected a duration (write e.g. 150ms, 2.5s, 1m)"));
}

TEST(ScenarioErrors, MessageFaults) {
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, drop_messages: {type: apend}}\n"),
              ElementsAre("x.yaml:4:36: unknown message type 'apend' (did you mean 'append'?)"));
  EXPECT_THAT(
      errors_after_cluster("timeline:\n  - {at: 1s, drop_messages: {type: [heartbeat, votes]}}\n"),
      ElementsAre(HasSubstr("x.yaml:4:48: unknown message type 'votes'")));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, drop_messages: {count: 0}}\n"),
              ElementsAre("x.yaml:4:37: expected a whole number from 1 to 1000000, not '0'"));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, hold_messages: {count: -3}}\n"),
              ElementsAre(HasSubstr("x.yaml:4:37: expected a whole number from 1 to 1000000")));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, delay_messages: {from: n1}}\n"),
              ElementsAre("x.yaml:4:30: missing 'by' (how much later the messages arrive, e.g. "
                          "by: 500ms)"));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, drop_messages: {from: n2, to: n2}}\n"),
              ElementsAre(HasSubstr("'from' and 'to' are the same node")));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, drop_messages: {from: trigger}}\n"),
              ElementsAre(HasSubstr("x.yaml:4:36: 'trigger' names the node of a `when` event")));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, drop_messages: {cont: 2}}\n"),
              ElementsAre("x.yaml:4:30: unknown key 'cont' (did you mean 'count'?)"));
  EXPECT_THAT(errors_after_cluster("duration: 10s\ntimeline:\n  - {at: 9s, hold_messages: {}, "
                                   "for: 2s}\n"),
              ElementsAre(HasSubstr("x.yaml:5:38: hold_messages at 9s for 2s lasts until after "
                                    "the end of the run (10s)")));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, crash: n1, for: 2s}\n"),
              ElementsAre(HasSubstr("'for' goes with a message fault or an event-triggered")));
}

TEST(ScenarioErrors, EventTriggeredFaults) {
  EXPECT_THAT(
      errors_after_cluster("timeline:\n  - {when: {event: becomes_leadr}, crash: trigger}\n"),
      ElementsAre("x.yaml:4:20: unknown event 'becomes_leadr' (did you mean 'becomes_leader'?)"));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {when: {node: n1}, crash: trigger}\n"),
              ElementsAre(HasSubstr("x.yaml:4:12: missing 'event'")));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {when: {event: applies, nth: 0}, crash: n1}\n"),
              ElementsAre(HasSubstr("x.yaml:4:34: expected a whole number from 1")));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {when: {event: applies}, wipe: n1}\n"),
              ElementsAre(HasSubstr("x.yaml:4:30: 'when' goes with crash, pause, isolate, a "
                                    "membership change (reconfigure, reconfigure_learner, "
                                    "reconfigure_joint, add_learner, promote, add_voter, remove, "
                                    "change_voters) or a message fault")));
  EXPECT_THAT(
      errors_after_cluster("timeline:\n  - {when: {event: applies, entries: 3}, crash: n1}\n"),
      ElementsAre(HasSubstr("'entries' goes with event: uncommitted")));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 5s, when: {event: applies, by: 2s}, "
                                   "crash: n1}\n"),
              ElementsAre(HasSubstr("'by' is before the entry's 'at'")));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, crash: trigger}\n"),
              ElementsAre("x.yaml:4:21: 'trigger' names the node of a `when` event; this entry "
                          "has no `when`"));
}

TEST(ScenarioErrors, PctScheduler) {
  EXPECT_THAT(errors_after_cluster("network: {pct: {messages: 10}}\n"),
              ElementsAre(HasSubstr("x.yaml:3:16: missing 'depth'")));
  EXPECT_THAT(errors_after_cluster("network: {pct: {depth: 0}}\n"),
              ElementsAre(HasSubstr("x.yaml:3:24: expected a whole number from 1 to 1000")));
  EXPECT_THAT(errors_after_cluster("network: {pct: {depht: 3}}\n"),
              ElementsAre(HasSubstr("x.yaml:3:16: missing 'depth'"),
                          "x.yaml:3:17: unknown key 'depht' (did you mean 'depth'?)"));
}

TEST(ScenarioErrors, SwarmRanges) {
  EXPECT_THAT(errors_after_cluster("swarm: {nodes: [4, 12]}\n"),
              ElementsAre("x.yaml:3:20: expected a whole number from 1 to 9, not '12'"));
  EXPECT_THAT(errors_after_cluster("swarm: {nodes: [5, 3]}\n"),
              ElementsAre("x.yaml:3:16: min 5 is above max 3"));
  EXPECT_THAT(errors_after_cluster("swarm: {election_timeout: [100ms, 200ms], heartbeat: 300ms}\n"),
              ElementsAre(HasSubstr("x.yaml:3:54: a heartbeat of at least 300ms never fits")));
  EXPECT_THAT(errors_after_cluster("swarm: {election_timeout: [0ms, 200ms]}\n"),
              ElementsAre("x.yaml:3:27: the range must start above 0"));
  EXPECT_THAT(errors_after_cluster("swarm: {reorder: [0.5, 2]}\n"),
              ElementsAre(HasSubstr("x.yaml:3:24: ")));
  EXPECT_THAT(errors_after_cluster("swarm: {clients: [1, 2, 3]}\n"),
              ElementsAre("x.yaml:3:18: expected [min, max] whole numbers from 0 to 64"));
  EXPECT_THAT(errors_after_cluster("swarm: {faults: [crash, crahs]}\n"),
              ElementsAre("x.yaml:3:25: unknown swarm fault 'crahs' (did you mean 'crash'?)"));
  EXPECT_THAT(errors_after_cluster("swarm: {node: 3}\n"),
              ElementsAre("x.yaml:3:9: unknown key 'node' (did you mean 'nodes'?)"));
  EXPECT_THAT(errors_after_cluster("swarm: [3, 5]\n"),
              ElementsAre("x.yaml:3:8: expected a map of ranges for swarm draws"));
}

TEST(ScenarioErrors, NodeNames) {
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, crash: n9}\n"),
              ElementsAre("x.yaml:4:21: unknown node 'n9' (did you mean 'n1'?)"));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, crash: zed}\n"),
              ElementsAre("x.yaml:4:21: unknown node 'zed'"));
  EXPECT_THAT(errors("cluster:\n  nodes: [a, b, a]\n"),
              ElementsAre("x.yaml:2:17: duplicate node name 'a'"));
  EXPECT_THAT(errors("cluster:\n  nodes: [1a]\n"),
              ElementsAre("x.yaml:2:11: bad node name '1a' (a letter, then letters, digits, _ "
                          "or -)"));
  EXPECT_THAT(errors("cluster:\n  nodes: []\n"),
              ElementsAre("x.yaml:2:10: expected a list of node names (1 to 9)"));
  EXPECT_THAT(errors("cluster:\n  nodes: [a, b, c, d, e, f, g, h, i, j]\n"),
              ElementsAre("x.yaml:2:10: expected a list of node names (1 to 9)"));
  EXPECT_THAT(errors("seed: 1\n"),
              ElementsAre("x.yaml:1:1: missing required key 'cluster' (with at least 'nodes')"));
  EXPECT_THAT(errors("cluster:\n  tick: 10ms\n"),
              ElementsAre("x.yaml:2:3: missing required key 'nodes' (a list of 1 to 9 node "
                          "names)"));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, partition: [[n1, n2], [n2]]}\n"),
              ElementsAre("x.yaml:4:37: node 'n2' is in two groups"));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, crash: [n1, n1]}\n"),
              ElementsAre("x.yaml:4:26: node 'n1' is listed twice"));
}

TEST(ScenarioErrors, TimelineEntryShape) {
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, crash: n1, pause: n2}\n"),
              ElementsAre("x.yaml:4:25: a timeline entry holds one fault, but has both 'crash' "
                          "and 'pause'; write one entry per fault"));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s}\n"),
              ElementsAre("x.yaml:4:5: a timeline entry needs one fault (partition, isolate, "
                          "crash, heal, ...)"));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {crash: n1}\n"),
              ElementsAre("x.yaml:4:5: missing 'at' (when the fault happens, e.g. at: 5s)"));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, crash: n1, links: [n1, n2]}\n"),
              ElementsAre("x.yaml:4:32: 'links' goes with delay, loss or duplicate, not with "
                          "'crash'"));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, heal: false}\n"),
              ElementsAre("x.yaml:4:20: heal takes only 'true'"));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, cut: [n1, n1]}\n"),
              ElementsAre("x.yaml:4:19: a link joins two different nodes"));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, transfer: {from: n1}}\n"),
              ElementsAre("x.yaml:4:24: transfer needs both 'from' and 'to'"));
}

TEST(ScenarioErrors, FaultAfterTheEnd) {
  EXPECT_THAT(errors_after_cluster("duration: 10s\ntimeline:\n  - {at: 11s, crash: n1}\n"),
              ElementsAre("x.yaml:5:10: 11s is after the end of the run (10s)"));
  EXPECT_THAT(errors_after_cluster("duration: 10s\nexpect:\n  - no_leader: {to: 1m}\n"),
              ElementsAre("x.yaml:5:21: 1m is after the end of the run (10s)"));
}

// Times given as lengths end after the run too: a leader fault's undo, the nemesis's quiet
// window, the workload's stop and a leader_within window.
TEST(ScenarioErrors, LengthsThatRunPastTheEnd) {
  EXPECT_THAT(errors_after_cluster("duration: 5s\ntimeline:\n  - {at: 1s, crash_leader: 100s}\n"),
              ElementsAre("x.yaml:5:28: crash_leader 100s at 1s lasts until 101s, after the end "
                          "of the run (5s)"));
  EXPECT_THAT(
      errors_after_cluster("duration: 5s\ntimeline:\n  - {at: 4s, isolate_leader: 1001ms}\n"),
      ElementsAre("x.yaml:5:30: isolate_leader 1001ms at 4s lasts until 5001ms, after the end of "
                  "the run (5s)"));
  EXPECT_THAT(errors_after_cluster("duration: 5s\nnemesis:\n  faults: [crash]\n  quiet: 6s\n"),
              ElementsAre("x.yaml:6:10: nemesis quiet 6s is longer than the run (5s): no fault "
                          "would ever start"));
  // The default quiet (5s) counts too: a nemesis that could never act is a mistake to name.
  EXPECT_THAT(errors_after_cluster("duration: 4s\nnemesis:\n  faults: [crash]\n"),
              ElementsAre("x.yaml:5:3: the nemesis's default quiet (5s) is longer than the run "
                          "(4s): no fault would ever start; set a shorter `quiet`"));
  EXPECT_THAT(errors_after_cluster("duration: 4s\nnemesis:\n  faults: []\n"), ElementsAre());
  EXPECT_THAT(errors_after_cluster("duration: 5s\nworkload:\n  stop: 5001ms\n"),
              ElementsAre("x.yaml:5:9: workload stop 5001ms is after the end of the run (5s)"));
  EXPECT_THAT(
      errors_after_cluster("duration: 5s\nexpect:\n  - leader_within: {after: 4s, within: 2s}\n"),
      ElementsAre("x.yaml:5:40: leader_within window 4s .. 6s runs past the end of the run (5s)"));
}

TEST(ScenarioErrors, LengthsThatEndWithTheRunAreAccepted) {
  EXPECT_THAT(errors_after_cluster("duration: 5s\n"
                                   "timeline:\n  - {at: 1s, crash_leader: 4s}\n"
                                   "nemesis: {faults: [crash], quiet: 5s}\n"
                                   "workload: {stop: 5s}\n"
                                   "expect:\n  - leader_within: {after: 4s, within: 1s}\n"),
              ElementsAre());
}

TEST(ScenarioErrors, ProbabilitiesOutsideZeroToOne) {
  EXPECT_THAT(errors_after_cluster("network:\n  loss: 1.5\n"),
              ElementsAre("x.yaml:4:9: probability 1.5 is outside [0, 1]"));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, duplicate: -0.1}\n"),
              ElementsAre("x.yaml:4:25: probability -0.1 is outside [0, 1]"));
  EXPECT_THAT(errors_after_cluster("nemesis: {loss: .nan}\n"),
              ElementsAre("x.yaml:3:17: expected a number, not '.nan'"));
}

TEST(ScenarioErrors, NonPositiveFactor) {
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, clock_skew: {node: n1, factor: 0}}\n"),
              ElementsAre("x.yaml:4:45: factor 0 must be above 0 (and at most 1000)"));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, clock_skew: {node: n1}}\n"),
              ElementsAre(HasSubstr("x.yaml:4:26: missing 'factor'")));
}

TEST(ScenarioErrors, Timers) {
  EXPECT_THAT(errors("cluster:\n  nodes: [a]\n  election_timeout: 155ms\n"),
              ElementsAre("x.yaml:3:21: election_timeout 155ms is not a positive multiple of "
                          "tick 10ms"));
  EXPECT_THAT(errors("cluster:\n  nodes: [a]\n  heartbeat: 150ms\n"),
              ElementsAre("x.yaml:3:14: heartbeat 150ms must be shorter than election_timeout "
                          "150ms"));
  EXPECT_THAT(errors("cluster:\n  nodes: [a]\n  election_timeout: 40ms\n"),
              ElementsAre("x.yaml:3:21: heartbeat 50ms must be shorter than election_timeout "
                          "40ms"));
  EXPECT_THAT(errors("cluster:\n  nodes: [a]\n  tick: 0\n"),
              ElementsAre("x.yaml:3:9: tick must be positive"));
}

TEST(ScenarioErrors, UnknownNamesSuggest) {
  EXPECT_THAT(errors("cluster:\n  nodes: [a]\n  bugs: [ack_before_persits]\n"),
              ElementsAre("x.yaml:3:10: unknown bug 'ack_before_persits' (did you mean "
                          "'ack_before_persist'?)"));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, lie: {node: n1, lies: [forge_ack]}}\n"),
              ElementsAre("x.yaml:4:37: unknown lie 'forge_ack' (did you mean 'forge_acks'?)"));
  EXPECT_THAT(errors_after_cluster("expect:\n  - holds: durabilty\n"),
              ElementsAre("x.yaml:4:12: unknown property 'durabilty' (did you mean "
                          "'durability'?)"));
  EXPECT_THAT(errors_after_cluster("nemesis:\n  faults: [crash, isolate]\n"),
              ElementsAre("x.yaml:4:19: unknown nemesis fault 'isolate'"));
  EXPECT_THAT(errors_after_cluster("nemesis:\n  faults: [crash_leadr]\n"),
              ElementsAre("x.yaml:4:12: unknown nemesis fault 'crash_leadr' (did you mean "
                          "'crash_leader'?)"));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, isolate_leder: 1s}\n"),
              ElementsAre("x.yaml:4:14: unknown fault 'isolate_leder' (did you mean "
                          "'isolate_leader'?)"));
  EXPECT_THAT(errors_after_cluster("network:\n  latency: {shape: long-tail}\n"),
              ElementsAre("x.yaml:4:20: unknown latency shape 'long-tail' (did you mean "
                          "'long_tail'?)"));
  EXPECT_THAT(errors_after_cluster("expect:\n  - liveness: ok\n"),
              ElementsAre("x.yaml:4:15: unknown liveness outcome 'ok'"));
}

TEST(ScenarioErrors, CountsOutOfRange) {
  EXPECT_THAT(errors_after_cluster("workload:\n  clients: 65\n"),
              ElementsAre("x.yaml:4:12: expected a whole number from 0 to 64, not '65'"));
  EXPECT_THAT(errors_after_cluster("workload:\n  keys: 0\n"),
              ElementsAre("x.yaml:4:9: expected a whole number from 1 to 1000, not '0'"));
  EXPECT_THAT(errors_after_cluster("seed: 99999999999999999999999\n"),
              ElementsAre(HasSubstr("x.yaml:3:7: expected a whole number from 0 to")));
  EXPECT_THAT(errors_after_cluster("workload:\n  mix: {get: 0, put: 0}\n"),
              ElementsAre("x.yaml:4:8: the mix needs at least one positive weight"));
  EXPECT_THAT(errors_after_cluster("workload:\n  mix: {get: -1}\n"),
              ElementsAre("x.yaml:4:14: weight -1 is negative"));
}

TEST(ScenarioErrors, ExpectationShape) {
  EXPECT_THAT(errors_after_cluster("expect:\n  - {holds: liveness, violated: durability}\n"),
              ElementsAre("x.yaml:4:5: an expectation is a map with exactly one key; write one "
                          "item per claim"));
  EXPECT_THAT(errors_after_cluster("expect:\n  - no_commit: {from: 5s, to: 2s}\n"),
              ElementsAre("x.yaml:4:16: the window starts (5s) after it ends (2s)"));
  EXPECT_THAT(errors_after_cluster("expect:\n  - leader_within: {after: 5s}\n"),
              ElementsAre("x.yaml:4:20: missing 'within'"));
}

TEST(ScenarioErrors, ReportsEveryErrorUpToTwentyInFileOrder) {
  EXPECT_THAT(errors("cluster:\n  nodes: [a]\n  tick: 1x\nseed: y\nduration: z\n"),
              ElementsAre(HasSubstr("x.yaml:3:9: bad duration '1x'"),
                          HasSubstr("x.yaml:4:7: expected a whole number"),
                          HasSubstr("x.yaml:5:11: bad duration 'z'")));
  std::string many = "cluster:\n  nodes: [a]\ntimeline:\n";
  for (int i = 0; i < 30; ++i)
    many += "  - {at: 1s, crash: b}\n";
  const auto messages = errors(many);
  ASSERT_EQ(messages.size(), 21u);
  EXPECT_EQ(messages[20], "x.yaml: too many errors; stopped after 20");
}

// yaml-cpp quotes the byte it choked on; a raw control byte would reach the terminal.
TEST(ScenarioErrors, BinaryBytesInAMessageAreEscaped) {
  for (const std::string& text :
       {std::string("cluster: {nodes: [a]}\nname: [\x01\xff\x1b]\n"),
        std::string("\x1b[2J\xfe\xff\x00\x07", 8), std::string("cluster: {nodes: [\x07\x1b]}\n")}) {
    for (const std::string& m : errors(text)) {
      for (const char c : m) {
        const auto byte = static_cast<unsigned char>(c);
        EXPECT_TRUE(byte >= 0x20 && byte < 0x7f) << m;
      }
    }
  }
  EXPECT_THAT(errors("cluster: {nodes: [\"a\\u0007b\"]}\n"),
              ElementsAre(HasSubstr("bad node name 'a\\x07b'")));
  EXPECT_THAT(errors("cluster: {nodes: [\"\u00f1\"]}\n"),
              ElementsAre(HasSubstr("bad node name '\u00f1'")));  // well-formed UTF-8 stays
}

TEST(ScenarioErrors, LeaderFaultsTakeAPositiveDuration) {
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, crash_leader: n1}\n"),
              ElementsAre(HasSubstr("x.yaml:4:28: bad duration 'n1'")));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, isolate_leader: 0ms}\n"),
              ElementsAre("x.yaml:4:30: isolate_leader needs a positive duration (how long until "
                          "it is undone)"));
  EXPECT_THAT(errors_after_cluster("timeline:\n  - {at: 1s, crash_leader: [n1]}\n"),
              ElementsAre(HasSubstr("x.yaml:4:28: expected a duration")));
}

}  // namespace
}  // namespace raftsim::scenario

// Telling a machine that did not keep time from a run that broke a promise: the stalls a node
// reports, the ones the runner counts, and what they do to a verdict.
#include "real/stall_watch.h"

#include <gtest/gtest.h>

#include "real/stall_log.h"
#include "scenario/runner.h"
#include "scenario/verdict.h"

namespace raftsim::real {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

const Clock::time_point kT0 = Clock::time_point{} + 1000s;

TEST(StallLog, KeepsTheLatestTimersThatRanAtLeastAHeartbeatLate) {
  StallLog log(50ms);
  log.on_timer(kT0, kT0 + 49ms);  // late, but less than a heartbeat: Raft absorbs it
  v1::StatusReply none;
  log.report(none);
  EXPECT_EQ(none.stalls_size(), 0);
  for (int i = 0; i < 20; ++i)
    log.on_timer(kT0 + i * 1s, kT0 + i * 1s + 50ms + i * 1ms);
  v1::StatusReply reply;
  log.report(reply);
  ASSERT_EQ(reply.stalls_size(), static_cast<int>(StallLog::kKept));
  const v1::Stall& last = reply.stalls(reply.stalls_size() - 1);
  EXPECT_EQ(last.ended_us() - last.began_us(), 69'000);                        // the 20th
  EXPECT_EQ(reply.stalls(0).ended_us() - reply.stalls(0).began_us(), 54'000);  // the 5th
}

// A Status reply naming one stall of node `node`, from `begin` to `end` after kT0.
v1::StatusReply stalled(Clock::duration begin, Clock::duration end) {
  auto micros = [](Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  };
  v1::StatusReply reply;
  v1::Stall* s = reply.add_stalls();
  s->set_began_us(micros(kT0 + begin));
  s->set_ended_us(micros(kT0 + end));
  return reply;
}

TEST(StallWatch, CountsAStallOnlyWhenItIsLongerThanRaftsTimersAbsorb) {
  StallWatch watch({"n1", "n2", "n3"}, kT0, 100ms);
  watch.on_status(1, stalled(1s, 1s + 99ms));
  EXPECT_TRUE(watch.disturbances(kT0 + 10s).empty());
  watch.on_status(2, stalled(3039ms, 3145ms));
  watch.on_status(2, stalled(3039ms, 3145ms));  // the next poll reports it again
  const std::vector<std::string> d = watch.disturbances(kT0 + 10s);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0],
            "n2 stood still for 106ms (3.039s to 3.145s): its process was not scheduled, or a "
            "write to its disk took that long");
}

TEST(StallWatch, AStopTheTimelineAskedForIsNoDisturbance) {
  StallWatch watch({"n1", "n2"}, kT0, 100ms);
  watch.paused(1, kT0 + 2s);
  watch.running(1, kT0 + 3s);
  watch.on_status(1, stalled(2s + 5ms, 3s + 20ms));  // the pause itself
  watch.on_status(2, stalled(2s + 5ms, 3s + 20ms));  // n2 was never paused
  watch.on_status(1, stalled(5s, 6s));               // n1 again, long after its resume
  const std::vector<std::string> d = watch.disturbances(kT0 + 10s);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].substr(0, 26), "n2 stood still for 1015ms ");
  EXPECT_EQ(d[1].substr(0, 26), "n1 stood still for 1000ms ");
}

TEST(StallWatch, OnlyTheRunsOwnTimeCountsAndTheRunnersLateStepsToo) {
  StallWatch watch({"n1"}, kT0, 100ms);
  watch.on_status(1, stalled(-3s, -2s));              // while the nodes started, before time 0
  watch.on_status(1, stalled(12s, 13s));              // after the end
  watch.woke("crash n1", kT0 + 1s, kT0 + 1s + 99ms);  // on time, as far as Raft can tell
  EXPECT_TRUE(watch.disturbances(kT0 + 10s).empty());
  watch.woke("wipe the disk of n1", kT0 + 1600ms, kT0 + 1743ms);
  const std::vector<std::string> d = watch.disturbances(kT0 + 10s);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0], "'wipe the disk of n1' took effect 143ms late (1.600s to 1.743s)");
}

// A link change a node never took leaves the run another than the one the timeline asked for.
TEST(StallWatch, ALinkChangeANodeNeverTookIsADisturbance) {
  StallWatch watch({"n1", "n2"}, kT0, 100ms);
  watch.missed("partition n1 | n2", 2, kT0 + 3s);
  watch.missed("heal", 2, kT0 + 11s);  // after the end
  const std::vector<std::string> d = watch.disturbances(kT0 + 10s);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0],
            "n2 never took the links of 'partition n1 | n2' (given up at 3.000s): its control "
            "service did not answer");
}

scenario::Verdict row(const char* name, bool ok, bool timed) {
  scenario::Verdict v{name, "met", "", ok};
  v.timed = timed;
  return v;
}

// A run fails when a row the machine's time cannot excuse fails; it is inconclusive when only
// timed rows failed and the machine did not keep time; without disturbances a timed row that
// fails fails the run.
TEST(RunReportOutcome, OnlyTimedRowsAreExcusedAndOnlyByADisturbance) {
  scenario::RunReport r;
  r.rows = {row("linearizability", true, false), row("no_election 6s..20s", false, true)};
  EXPECT_EQ(r.outcome(), "FAIL");
  EXPECT_EQ(r.exit_code(), 1);
  r.disturbances = {"n2 stood still for 612ms"};
  EXPECT_TRUE(r.unjudged(r.rows[1]));
  EXPECT_EQ(r.outcome(), "INCONCLUSIVE");
  EXPECT_EQ(r.exit_code(), 3);
  r.rows.push_back(row("durability", false, false));  // a loss is a loss, however slow the machine
  EXPECT_EQ(r.outcome(), "FAIL");
  EXPECT_EQ(r.exit_code(), 1);
  r.rows.pop_back();
  r.rows[1].ok = true;
  EXPECT_EQ(r.outcome(), "PASS");
  EXPECT_EQ(r.exit_code(), 0);
  const std::string table = scenario::format_report(r, false);
  EXPECT_NE(table.find("the machine did not keep this run's time:\n  n2 stood still for 612ms"),
            std::string::npos)
      << table;
}

// The shared rows say themselves which depend on time, for every wall-clock runner alike.
TEST(RunReportOutcome, LivenessIsTimedALinearizabilityThatMustHoldIsNot) {
  const scenario::Scenario s;
  std::vector<std::string> violated;
  EXPECT_TRUE(scenario::liveness_verdict(s, sim::kTimeZero, std::nullopt, violated).timed);
  EXPECT_FALSE(
      scenario::linearizability_verdict(s, std::nullopt, 0, "not checked", violated).timed);
}

}  // namespace
}  // namespace raftsim::real

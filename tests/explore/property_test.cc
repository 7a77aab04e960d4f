// Generated fault schedules (schedule.h) against the simulated cluster. With the correct core,
// every safety property holds on every schedule; with each planted bug, RapidCheck finds a
// schedule that breaks a property and shrinks it to a handful of faults.
//
// Run counts are small and fixed (not RC_PARAMS' count), and so is RapidCheck's seed, so the cost
// under the sanitizer build is bounded and a failure reproduces; the wider random search is
// `raftsim explore` (bench/RESULTS-explore.md).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <sstream>

#include "generated_schedule.h"
#include "scenario/runner.h"

namespace raftsim::test {
namespace {

constexpr uint64_t kRapidCheckSeed = 20261121;

struct Search {
  bool found = false;
  std::optional<Schedule> smallest;  // the counterexample RapidCheck shrank to
  std::string property;              // the first property it violates
  std::string message;               // RapidCheck's report
  int runs = 0;                      // schedules run, shrinking included
};

// Checks "no property is violated" on `runs` generated schedules. RapidCheck's final
// counterexample is the last schedule that failed (every shrink it tried afterwards passed).
// `targets`: the properties that count (empty: every property).
Search search(const raft::PlantedBugs& bugs, int runs, const ScheduleShape& shape,
              const std::vector<std::string>& targets,
              const std::string& fsync = "{min: 500us, max: 2ms}") {
  const bool linearizability = targets.empty() || std::find(targets.begin(), targets.end(),
                                                            "linearizability") != targets.end();
  Search out;
  scenario::RunOptions options;
  options.narrate = false;
  options.stop_on_violation = !linearizability;
  options.check_linearizability = linearizability;
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  params.maxSuccess = runs;
  params.maxSize = 100;
  params.seed = kRapidCheckSeed;
  rc::detail::TestMetadata metadata;
  const auto result = rc::detail::checkProperty(
      rc::detail::toProperty([&] {
        const Schedule schedule = *schedules(shape);
        ++out.runs;
        const auto report = scenario::run_scenario(scenario_for(schedule, bugs, fsync), options);
        std::string violated;
        for (const std::string& p : report.violated_properties) {
          if (targets.empty() || std::find(targets.begin(), targets.end(), p) != targets.end()) {
            violated = p;
            break;
          }
        }
        if (!violated.empty()) {
          out.smallest = schedule;
          out.property = violated;
        }
        RC_ASSERT(violated.empty());
      }),
      metadata, params);
  out.found = result.is<rc::detail::FailureResult>();
  std::ostringstream message;
  rc::detail::printResultMessage(result, message);
  out.message = message.str();
  return out;
}

void expect_found_and_small(const Search& s) {
  ASSERT_TRUE(s.found) << s.message;
  ASSERT_TRUE(s.smallest);
  const size_t faults = timeline(*s.smallest).size();
  std::ostringstream shown;
  shown << *s.smallest;
  ::testing::Test::RecordProperty("counterexample", shown.str());
  ::testing::Test::RecordProperty("property", s.property);
  EXPECT_LE(faults, 5u) << s.property << " by " << shown.str();
  std::printf("%s after %d runs (shrinking included): %s\n", s.property.c_str(), s.runs,
              shown.str().c_str());
}

raft::PlantedBugs bug(bool raft::PlantedBugs::*flag) {
  raft::PlantedBugs bugs;
  bugs.*flag = true;
  return bugs;
}

TEST(GeneratedSchedules, CorrectCoreKeepsEverySafetyProperty) {
  const Search s = search({}, 40, {}, {});
  EXPECT_FALSE(s.found) << s.property << "\n" << s.message;
}

// Each planted bug is judged by the properties its broken rule protects.

TEST(GeneratedSchedules, FindVoteWithoutLogCheck) {
  expect_found_and_small(search(
      bug(&raft::PlantedBugs::vote_without_log_check), 100, {},
      {"election_restriction", "leader_completeness", "state_machine_safety", "durability"}));
}

}  // namespace
}  // namespace raftsim::test

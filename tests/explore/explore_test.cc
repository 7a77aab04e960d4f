// raftsim explore: which seeds a shard runs, results that do not depend on the number of
// threads, shrinking towards the same property, and repro files that `raftsim run` fails on.
#include "explore/explore.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <regex>
#include <string>

#include "sanitized.h"
#include "scenario/parse.h"
#include "scenario/runner.h"
#include "scenario_text.h"

namespace raftsim::scenario {
namespace {

using explore::explore;
using explore::ExploreOptions;
using explore::ExploreResult;
using explore::Failure;
using explore::Finding;
using explore::shard_seeds;

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

// Three nodes, a fault every 0.5-1.5 s, vote_without_log_check planted: most seeds break
// leader completeness within a few seconds.
constexpr const char* kBuggy = R"(name: buggy
duration: 6s
cluster:
  nodes: [n1, n2, n3]
  election_timeout: 150ms
  heartbeat: 50ms
  bugs: [vote_without_log_check]
network:
  latency: {shape: uniform, min: 1ms, max: 20ms}
workload: {clients: 3, keys: 3, think: 10ms}
nemesis:
  faults: [crash, partition, pause]
  every: [500ms, 1500ms]
  duration: [100ms, 800ms]
  quiet: 2s
liveness: {quiet: 1s, within: 2s}
)";

using test::parse;

std::string correct(std::string yaml) {
  yaml.replace(yaml.find("vote_without_log_check"), 22, "");
  return yaml;
}

std::vector<uint64_t> listed(const explore::SeedRange& seeds) {
  std::vector<uint64_t> out;
  for (uint64_t i = 0; i < seeds.size(); ++i)
    out.push_back(seeds[i]);
  return out;
}

TEST(ShardSeeds, ShardsTogetherRunExactlyTheUnshardedSweep) {
  ExploreOptions all{.runs = 10, .first_seed = 100};
  std::vector<uint64_t> merged;
  for (uint64_t i = 0; i < 3; ++i) {
    ExploreOptions shard = all;
    shard.shard_index = i;
    shard.shard_count = 3;
    const std::vector<uint64_t> seeds = listed(shard_seeds(shard));
    merged.insert(merged.end(), seeds.begin(), seeds.end());
  }
  std::sort(merged.begin(), merged.end());
  EXPECT_EQ(merged, listed(shard_seeds(all)));
  EXPECT_EQ(listed(shard_seeds(all)).size(), 10u);
  ExploreOptions second = all;
  second.shard_index = 1;
  second.shard_count = 3;
  EXPECT_EQ(listed(shard_seeds(second)), (std::vector<uint64_t>{101, 104, 107}));
}

TEST(ShardSeeds, AShardOutOfRangeRunsNothing) {
  EXPECT_TRUE(shard_seeds({.runs = 10, .shard_index = 3, .shard_count = 2}).empty());
  EXPECT_TRUE(shard_seeds({.runs = 10, .shard_index = 0, .shard_count = 0}).empty());
  EXPECT_TRUE(shard_seeds({.runs = 3, .shard_index = 3, .shard_count = 4}).empty());
}

// The seeds are counted, not listed: the longest sweep there is takes no memory to start
// (listing it up front ran the machine out of memory).
TEST(ShardSeeds, TheLongestSweepIsCountedNotListed) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  const explore::SeedRange all = shard_seeds({.runs = kMax, .first_seed = 5});
  EXPECT_EQ(all.size(), kMax);
  EXPECT_EQ(all[0], 5u);
  EXPECT_EQ(all[kMax - 1], 3u);  // wraps past 2^64 - 1, as seeds do
  const explore::SeedRange last =
      shard_seeds({.runs = kMax, .first_seed = 0, .shard_index = 6, .shard_count = 7});
  EXPECT_EQ(last.size(), (kMax - 6 - 1) / 7 + 1);
  EXPECT_EQ(last[last.size() - 1] % 7, 6u);
}

TEST(Explore, ResultsDoNotDependOnTheNumberOfThreads) {
  const Scenario s = parse(kBuggy);
  ExploreOptions options{.runs = 8, .first_seed = 1, .shrink_runs = 40};
  options.jobs = 1;
  const ExploreResult one = explore(s, options);
  options.jobs = 3;
  const ExploreResult three = explore(s, options);
  ASSERT_TRUE(one.found());
  ASSERT_EQ(one.failures.size(), three.failures.size());
  for (size_t i = 0; i < one.failures.size(); ++i) {
    EXPECT_EQ(one.failures[i].seed, three.failures[i].seed);
    EXPECT_EQ(one.failures[i].label, three.failures[i].label);
    EXPECT_EQ(one.failures[i].digest, three.failures[i].digest);
  }
  ASSERT_EQ(one.findings.size(), three.findings.size());
  for (size_t i = 0; i < one.findings.size(); ++i)
    EXPECT_EQ(one.findings[i].repro_yaml, three.findings[i].repro_yaml);
}

TEST(Explore, TheCorrectCoreFindsNothing) {
  const ExploreResult r = explore(parse(correct(kBuggy)), {.runs = 8, .jobs = 2});
  EXPECT_EQ(r.seeds.size(), 8u);
  EXPECT_FALSE(r.found()) << r.failures.front().label << " at seed " << r.failures.front().seed;
}

TEST(Explore, TheReproFailsWithTheSamePropertyWhenRunAsRaftsimRunRunsIt) {
  const ExploreResult r = explore(parse(kBuggy), {.runs = 4, .jobs = 2, .shrink_runs = 200});
  ASSERT_FALSE(r.findings.empty());
  const Finding& f = r.findings.front();
  EXPECT_TRUE(f.shrunk);
  EXPECT_TRUE(f.reproduced);
  EXPECT_LE(f.shrunk_faults, f.original_faults);

  const Scenario repro = parse(f.repro_yaml, "repro.yaml");
  EXPECT_FALSE(repro.nemesis.enabled());
  // The shrinker may keep the schedule under another seed; the file then says which, and why.
  if (repro.seed != f.first_seed) {
    EXPECT_THAT(f.repro_yaml, HasSubstr(fmt::format("fails under seed {}", repro.seed)));
  }
  EXPECT_TRUE(repro.expectations.empty());
  RunOptions as_run;  // what `raftsim run` uses, narration aside
  as_run.narrate = false;
  const RunReport report = run_scenario(repro, as_run);
  EXPECT_THAT(report.violated_properties, Contains(f.label));
  EXPECT_EQ(report.exit_code(), 1);
}

// A leader that answers reads without confirming it still leads (the planted stale_leader_reads)
// breaks read_confirmed at its first read, with no fault needed: exploration names that rule at
// once and shrinks the run to no fault at all. (What the slip costs, a stale read, needs a
// partition that strands the leader with clients attached: scenarios/stale_read.yaml.) The same
// schedules with the correct read rule break nothing.
constexpr const char* kStaleReads = R"(
duration: 10s
cluster:
  nodes: [n1, n2, n3, n4, n5]
  fsync: {min: 500us, max: 2ms}
  bugs: [stale_leader_reads]
network:
  latency: {shape: uniform, min: 1ms, max: 20ms}
workload: {clients: 3, keys: 3, think: 10ms}
nemesis:
  faults: [partition]
  every: [1s, 3s]
  duration: [500ms, 2s]
  quiet: 3s
liveness: {quiet: 1s, within: 2s}
)";

TEST(Explore, FindsAndShrinksStaleLeaderReads) {
  RAFTSIM_OPTIMISED_BUILD_ONLY();
  const ExploreResult r =
      explore(parse(kStaleReads, "stale.yaml"), {.runs = 100, .jobs = 2, .shrink_runs = 100});
  ASSERT_FALSE(r.findings.empty());
  const Finding& f = r.findings.front();
  EXPECT_EQ(f.label, "read_confirmed");
  EXPECT_TRUE(f.reproduced);
  EXPECT_EQ(f.shrunk_faults, 0u);

  std::string correct_reads = kStaleReads;
  correct_reads.replace(correct_reads.find("stale_leader_reads"), 18, "");
  const ExploreResult clean =
      explore(parse(correct_reads, "reads.yaml"), {.runs = 100, .jobs = 2, .shrink = false});
  EXPECT_FALSE(clean.found()) << clean.failures.front().label;
}

TEST(Shrink, AScenarioThatPassesIsLeftAlone) {
  const Scenario s = concrete_scenario(parse(correct(kBuggy)), 1);
  const ShrinkResult r = shrink(s, "leader_completeness", {.max_runs = 20});
  EXPECT_FALSE(r.reproduced);
  EXPECT_EQ(r.runs, 1u);
  EXPECT_EQ(r.scenario, s);
}

TEST(Shrink, KeepsTheSamePropertyViolatedWithinTheBudget) {
  const Scenario original = parse(kBuggy);
  const ExploreResult found = explore(original, {.runs = 4, .jobs = 2, .shrink = false});
  ASSERT_TRUE(found.found());
  const Failure& first = found.failures.front();
  const Scenario s = concrete_scenario(original, first.seed);
  EXPECT_EQ(run_scenario(s, {.narrate = false, .stop_on_violation = true}).digest, first.digest);
  const ShrinkResult r = shrink(s, first.label, {.max_runs = 60});
  ASSERT_TRUE(r.reproduced);
  EXPECT_LE(r.runs, 60u);
  EXPECT_LE(r.shrunk_faults, r.original_faults);
  EXPECT_TRUE(still_fails(r.scenario, first.label));
}

// A fault every 20-80 ms, overlapping, and commit_previous_term planted: at seed 32 the planted
// rule commits an entry of an earlier term (commit_current_term) among 270 timeline entries. A long
// schedule is cut by stretches first, so the budget goes to the few faults that matter rather than
// to one run per fault.
constexpr const char* kLongSchedule = R"(name: long
duration: 10s
cluster:
  nodes: [n1, n2, n3]
  election_timeout: 150ms
  heartbeat: 50ms
  fsync: {min: 500us, max: 2ms}
  bugs: [commit_previous_term]
  max_entries_per_append: 1
network:
  latency: {shape: uniform, min: 1ms, max: 10ms}
workload: {clients: 16, keys: 5, mix: {put: 1}, think: 1ms, timeout: 30ms, give_up: 30ms}
nemesis:
  faults: [crash_leader, crash, pause, delay, duplicate]
  every: [20ms, 80ms]
  duration: [50ms, 600ms]
  quiet: 3s
  overlap: true
liveness: {quiet: 1s, within: 5s}
)";

TEST(Shrink, ALongScheduleShrinksToATenthWithinTheBudget) {
  // 500 shrink runs of a 20-second, 200-fault schedule: past ctest's 600 s under AddressSanitizer.
  RAFTSIM_OPTIMISED_BUILD_ONLY();
  const Scenario s = concrete_scenario(parse(kLongSchedule), 32);
  ASSERT_GT(count_faults(s.timeline), 200u);
  const ShrinkResult r = shrink(s, "commit_current_term", {.max_runs = 500});
  ASSERT_TRUE(r.reproduced);
  EXPECT_LE(r.shrunk_faults * 10, r.original_faults);
  EXPECT_TRUE(still_fails(r.scenario, "commit_current_term"));
}

// ---------------------------------------------------------------------------------------------
// The command as a user meets it.

struct Output {
  int code = -1;
  std::string text;
};

Output raftsim(const std::string& args) {
  const std::string command = fmt::format("{} {} 2>&1", RAFTSIM_BINARY, args);
  std::FILE* pipe = popen(command.c_str(), "r");
  Output out;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe))
    out.text.append(buffer, n);
  const int status = pclose(pipe);
  out.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::filesystem::path temp_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   fmt::format("raftsim-explore-test-{}-{}", name, ::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// The correct core's scenario without its nemesis, written to DIR/plain.yaml: a cluster and a
// workload only.
std::filesystem::path write_plain(const std::filesystem::path& dir) {
  const auto file = dir / "plain.yaml";
  std::string plain = correct(kBuggy);
  plain.erase(plain.find("nemesis:"), plain.find("liveness:") - plain.find("nemesis:"));
  std::FILE* f = std::fopen(file.c_str(), "w");
  std::fputs(plain.c_str(), f);
  std::fclose(f);
  return file;
}

TEST(ExploreCommand, WritesAReproThatRaftsimRunFailsOn) {
  const auto dir = temp_dir("cli");
  const auto file = dir / "buggy.yaml";
  std::FILE* f = std::fopen(file.c_str(), "w");
  std::fputs(kBuggy, f);
  std::fclose(f);
  const Output explored =
      raftsim(fmt::format("explore {} --strategy random --runs 2 --jobs 2 --out {}", file.string(),
                          (dir / "out").string()));
  ASSERT_EQ(explored.code, 1) << explored.text;
  EXPECT_THAT(explored.text, HasSubstr("election_restriction"));  // the rule the bug breaks
  std::vector<std::filesystem::path> repros;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "out"))
    if (entry.path().extension() == ".yaml") repros.push_back(entry.path());  // beside: its page
  ASSERT_EQ(repros.size(), 1u) << explored.text;
  EXPECT_THAT(explored.text, HasSubstr("raftsim run " + repros[0].string()));

  const Output run = raftsim("run --quiet " + repros[0].string());
  EXPECT_EQ(run.code, 1) << run.text;
  const Output table = raftsim("run " + repros[0].string());
  EXPECT_THAT(table.text, testing::ContainsRegex("election_restriction +holds +NO +violated"));
  std::filesystem::remove_all(dir);
}

TEST(ExploreCommand, NothingFoundExitsZero) {
  const auto dir = temp_dir("clean");
  const auto file = dir / "clean.yaml";
  std::FILE* f = std::fopen(file.c_str(), "w");
  std::fputs(correct(kBuggy).c_str(), f);
  std::fclose(f);
  const Output out = raftsim(fmt::format("explore {} --strategy random --runs 2 --out {}",
                                         file.string(), (dir / "out").string()));
  EXPECT_EQ(out.code, 0) << out.text;
  EXPECT_THAT(out.text, HasSubstr("2 runs (seeds 1..2)"));
  EXPECT_THAT(out.text, HasSubstr("no failures"));
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
  std::filesystem::remove_all(dir);
}

TEST(ExploreCommand, GuidedIsTheDefaultAndDrawsFaultsWithoutANemesis) {
  const auto dir = temp_dir("guided");
  const auto file = write_plain(dir);
  const auto svg = dir / "coverage.svg";
  const Output out = raftsim(fmt::format("explore {} --runs 4 --jobs 2 --coverage {} --out {}",
                                         file.string(), svg.string(), (dir / "out").string()));
  EXPECT_EQ(out.code, 0) << out.text;
  EXPECT_THAT(out.text, HasSubstr("(guided): 4 runs"));
  EXPECT_THAT(out.text, Not(HasSubstr("warning")));
  std::ifstream in(svg);
  const std::string picture((std::istreambuf_iterator<char>(in)), {});
  EXPECT_THAT(picture, HasSubstr("<svg"));
  EXPECT_THAT(picture, HasSubstr("guided ("));
  std::filesystem::remove_all(dir);
}

// Hash sets iterate in an order seeded anew by every process: nothing the search learns may
// depend on it, or the same command would search differently each time it runs.
TEST(ExploreCommand, AGuidedSearchIsTheSameInEveryProcess) {
  RAFTSIM_OPTIMISED_BUILD_ONLY();
  const auto dir = temp_dir("processes");
  const auto file = write_plain(dir);
  const std::string args = fmt::format("explore {} --runs 200 --jobs 2 --no-shrink --out {}",
                                       file.string(), (dir / "out").string());
  const auto coverage = [](const std::string& text) {
    const std::regex counts(R"((\d+) abstract states and (\d+) transitions)");
    std::smatch m;
    return std::regex_search(text, m, counts) ? m.str(0) : "no coverage line in: " + text;
  };
  const Output first = raftsim(args);
  const Output second = raftsim(args);
  EXPECT_EQ(first.code, 0) << first.text;
  EXPECT_EQ(coverage(first.text), coverage(second.text));
  std::filesystem::remove_all(dir);
}

TEST(ExploreCommand, AnUnknownStrategyIsBadInput) {
  const Output out =
      raftsim(fmt::format("explore {}/scenarios/split_brain.yaml --runs 4 --strategy random,clever",
                          RAFTSIM_SOURCE_DIR));
  EXPECT_EQ(out.code, 2);
  EXPECT_THAT(out.text, HasSubstr("unknown strategy 'clever'"));
}

TEST(ExploreCommand, ABadShardIsBadInput) {
  const Output out = raftsim(fmt::format(
      "explore {}/scenarios/split_brain.yaml --runs 4 --shard 3/2", RAFTSIM_SOURCE_DIR));
  EXPECT_EQ(out.code, 2);
  EXPECT_THAT(out.text, HasSubstr("--shard 3/2: the shard index must be below the count"));
  EXPECT_EQ(raftsim("explore x.yaml --runs 4 --shard two").code, 2);
}

TEST(ExploreCommand, ABadFileNamesTheLineAndColumn) {
  const auto dir = temp_dir("bad");
  const auto file = dir / "bad.yaml";
  std::FILE* f = std::fopen(file.c_str(), "w");
  std::fputs("name: bad\ncluster:\n  nodes: [n1]\nnemesis:\n  faults: [partiton]\n", f);
  std::fclose(f);
  const Output out = raftsim("explore " + file.string() + " --runs 2");
  EXPECT_EQ(out.code, 2);
  EXPECT_THAT(out.text, HasSubstr(file.string() + ":5:"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace raftsim::scenario

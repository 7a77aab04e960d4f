// The raftsim binary, run as separate processes: what a user or a script sees.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <string>
#include <utility>

#include "scratch.h"

namespace {

struct Result {
  int exit_code;
  std::string out;  // stdout and stderr together
};

Result raftsim(const std::string& args) {
  const std::string command = fmt::format("{} {} 2>&1", RAFTSIM_BINARY, args);
  std::FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe))
    out.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string scenario(const std::string& name) {
  return std::string(RAFTSIM_SOURCE_DIR) + "/scenarios/" + name;
}

std::string digest_of(const std::string& out) {
  std::smatch m;
  if (!std::regex_search(out, m, std::regex("digest=([0-9a-f]{16})"))) return "";
  return m[1];
}

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = raftsim::test::scratch_path(name);
  std::ofstream(path) << text;
  return path;
}

TEST(Cli, SameSeedInTwoProcessesGivesTheSameDigest) {
  const Result a = raftsim("run --quiet --seed 7 " + scenario("split_brain.yaml"));
  const Result b = raftsim("run --quiet --seed 7 " + scenario("split_brain.yaml"));
  ASSERT_EQ(a.exit_code, 0) << a.out;
  ASSERT_FALSE(digest_of(a.out).empty()) << a.out;
  EXPECT_EQ(digest_of(a.out), digest_of(b.out));
}

TEST(Cli, AnotherSeedGivesAnotherDigest) {
  const Result a = raftsim("run --quiet --seed 7 " + scenario("split_brain.yaml"));
  const Result b = raftsim("run --quiet --seed 8 " + scenario("split_brain.yaml"));
  EXPECT_NE(digest_of(a.out), digest_of(b.out));
}

TEST(Cli, QuietPrintsOneSummaryLineWithSeedAndDigest) {
  const Result r = raftsim("run --quiet " + scenario("split_brain.yaml"));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(std::regex_match(
      r.out, std::regex("PASS split_brain seed=1 digest=[0-9a-f]{16} events=\\d+ .*\n")))
      << r.out;
}

TEST(Cli, NarrationTellsTheSplitBrainStory) {
  const Result r = raftsim("run " + scenario("split_brain.yaml"));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("FAULT  partition {n1 n2 n3} | {n4 n5}"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("becomes leader of term 2 (votes:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("n4 steps down"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("discards entries"), std::string::npos) << r.out;
}

// In a livelock no candidate wins, so each campaign after the first is a candidate starting
// over in a higher term; every one of them gets a line.
TEST(Cli, NarrationTellsEveryCampaignOfALivelock) {
  const Result r = raftsim("run " + scenario("livelock.yaml"));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  std::set<uint64_t> terms;
  const std::regex campaign("campaigns for term (\\d+)");
  for (auto it = std::sregex_iterator(r.out.begin(), r.out.end(), campaign);
       it != std::sregex_iterator(); ++it) {
    terms.insert(std::stoull((*it)[1]));
  }
  ASSERT_GT(terms.size(), 20u) << r.out;
  EXPECT_EQ(*terms.rbegin(), terms.size()) << "a term without a campaign line\n" << r.out;
}

TEST(Cli, TraceFileHasOneJsonObjectPerLine) {
  const std::string path = raftsim::test::scratch_path("split_brain_trace.jsonl");
  const Result r = raftsim("run --quiet --trace " + path + " " + scenario("split_brain.yaml"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::ifstream in(path);
  std::string line;
  size_t lines = 0;
  while (std::getline(in, line)) {
    ASSERT_TRUE(line.front() == '{' && line.back() == '}') << line;
    ++lines;
  }
  EXPECT_GT(lines, 1000u);
}

TEST(Cli, TraceDoesNotChangeTheDigest) {
  const std::string path = raftsim::test::scratch_path("digest_trace.jsonl");
  const Result with = raftsim("run --quiet --trace " + path + " " + scenario("split_brain.yaml"));
  const Result without = raftsim("run --quiet " + scenario("split_brain.yaml"));
  EXPECT_EQ(digest_of(with.out), digest_of(without.out));
}

TEST(Cli, RunWritesAReplayPageAndViewWritesTheSameFromTheTrace) {
  const std::string page = raftsim::test::scratch_path("split_brain.html");
  const std::string view_page = raftsim::test::scratch_path("split_brain_view.html");
  const std::string trace = raftsim::test::scratch_path("split_brain_page.jsonl");
  const std::string history = raftsim::test::scratch_path("split_brain_page.history.jsonl");
  const Result r = raftsim("run --quiet --html " + page + " --trace " + trace + " --history " +
                           history + " " + scenario("split_brain.yaml"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ASSERT_EQ(
      raftsim("view --quiet " + trace + " --history " + history + " -o " + view_page).exit_code, 0);
  auto read = [](const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string html = read(page);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_TRUE(html == read(view_page)) << "the same trace and history give the same page";
}

TEST(Cli, ViewNamesTheBadLineOfATrace) {
  const std::string trace = write_temp("bad_trace.jsonl", "{\"t_us\":1,\"kind\":\"role\"}\n{\n");
  const Result r = raftsim("view " + trace + " -o " + raftsim::test::scratch_path("bad.html"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find(trace + ":2: not JSON"), std::string::npos) << r.out;
  EXPECT_EQ(raftsim("run --trace-format perfetto " + scenario("split_brain.yaml")).exit_code, 2);
  EXPECT_EQ(raftsim("view " + trace + " -o x.html --from soon").exit_code, 2);
}

TEST(Cli, AnUnwritableTraceIsReportedBeforeTheRunStarts) {
  const Result r = raftsim("run --trace /nonexistent/dir/t.jsonl " + scenario("split_brain.yaml"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("/nonexistent/dir/t.jsonl: cannot open for writing"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("running split_brain"), std::string::npos) << r.out;
}

TEST(Cli, ExportedHistoryIsCheckedByCheckHistory) {
  const std::string path = raftsim::test::scratch_path("split_brain.history.jsonl");
  ASSERT_EQ(raftsim("run --quiet --history " + path + " " + scenario("split_brain.yaml")).exit_code,
            0);
  const Result check = raftsim("check-history --format raftsim " + path);
  EXPECT_EQ(check.exit_code, 0) << check.out;
}

bool run_was_linearizable(const std::string& out) {
  return std::regex_search(out, std::regex("\nlinearizability +\\S+ +\\S+ +holds \\("));
}

// Porcupine's kv model has get/put/append only. A run without cas exports to it, and the file,
// read back, gets the run's own verdict: linearizable with timeouts during an outage (their
// writes stay open, "unknown"), not linearizable when acknowledged writes were lost.
TEST(Cli, PorcupineExportOfACasFreeRunReadsBackWithTheSameVerdict) {
  const std::string outage = write_temp("porcupine_outage.yaml",
                                        "duration: 3s\n"
                                        "cluster: {nodes: [n1, n2, n3]}\n"
                                        "workload: {clients: 3, keys: 2, think: 10ms,\n"
                                        "  mix: {get: 2, put: 1, append: 1},\n"
                                        "  timeout: 100ms, give_up: 300ms}\n"
                                        "liveness: false\n"
                                        "timeline:\n"
                                        "  - {at: 1s, crash: [n1, n2]}\n"
                                        "  - {at: 2s, restart: [n1, n2]}\n");
  const std::string lossy = write_temp("porcupine_lossy.yaml",
                                       "seed: 1\n"
                                       "duration: 4s\n"
                                       "cluster:\n"
                                       "  nodes: [n1]\n"
                                       "  election_timeout: 150ms\n"
                                       "  heartbeat: 50ms\n"
                                       "  fsync: {min: 50ms, max: 100ms}\n"
                                       "  bugs: [ack_before_persist]\n"
                                       "network: {latency: {shape: uniform, min: 1ms, max: 5ms}}\n"
                                       "workload: {clients: 2, keys: 2, think: 10ms,\n"
                                       "  mix: {get: 1, put: 1, append: 1},\n"
                                       "  timeout: 300ms, give_up: 2s}\n"
                                       "timeline:\n"
                                       "  - {at: 1s, crash: n1}\n"
                                       "  - {at: 1100ms, restart: n1}\n"
                                       "liveness: {quiet: 500ms, within: 1s}\n");
  for (const auto& [file, linearizable] : {std::pair{outage, true}, std::pair{lossy, false}}) {
    const std::string path = file + ".history.txt";
    const Result run = raftsim("run --export porcupine --history " + path + " " + file);
    ASSERT_EQ(run.exit_code, linearizable ? 0 : 1) << run.out;
    ASSERT_EQ(run_was_linearizable(run.out), linearizable) << run.out;
    const Result check = raftsim("check-history --format porcupine-kv " + path);
    EXPECT_EQ(check.exit_code, linearizable ? 0 : 1) << check.out;
  }
  std::ifstream in(outage + ".history.txt");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto count = [&](const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
      ++n;
    return n;
  };
  EXPECT_GT(count(":type :invoke"), count(":type :ok")) << "no write was left open";
}

TEST(Cli, PorcupineExportOfACasWorkloadIsRefusedBeforeTheRun) {
  const std::string path = raftsim::test::scratch_path("refused.history.txt");
  std::remove(path.c_str());
  const Result r =
      raftsim("run --export porcupine --history " + path + " " + scenario("split_brain.yaml"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--export porcupine: Porcupine's kv model has no cas, and this workload's "
                       "mix has cas: 0.1; use --export edn, or a mix without cas"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("running"), std::string::npos) << r.out;
  EXPECT_FALSE(std::ifstream(path).good()) << "a refused export left a file behind";
}

// EDN keeps cas (a cas that returned false becomes :fail) and timed-out ops (:info).
TEST(Cli, EdnExportOfACasWorkloadReadsBackWithTheSameVerdict) {
  const std::string path = raftsim::test::scratch_path("split_brain.history.edn");
  const Result run =
      raftsim("run --quiet --export edn --history " + path + " " + scenario("split_brain.yaml"));
  ASSERT_EQ(run.exit_code, 0) << run.out;
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find(":f :cas"), std::string::npos);
  const Result check = raftsim("check-history --format knossos-edn " + path);
  EXPECT_EQ(check.exit_code, 0) << check.out;
}

// Found by exploring 100,000 seeds of the correct core: a write still in flight at the end of
// the run was missing from the history, so a read that had seen its value looked impossible.
TEST(Cli, AWriteInFlightAtTheEndIsNotAFalseLinearizabilityViolation) {
  const std::string path = write_temp("in_flight.yaml",
                                      "duration: 3s\n"
                                      "cluster: {nodes: [n1, n2, n3]}\n"
                                      "workload: {clients: 3, keys: 1, think: 5ms}\n"
                                      "liveness: false\n");
  const Result r = raftsim("run --quiet --seed 79 " + path);
  EXPECT_EQ(r.exit_code, 0) << r.out;
}

// Also found by exploring: a crash between adopting a term and syncing it is not a term going
// back; nothing was promised in the lost term.
TEST(Cli, ACrashBeforeATermIsSyncedIsNotAFalseTermRegression) {
  const std::string path = write_temp("unsynced_term.yaml",
                                      "duration: 300ms\n"
                                      "cluster: {nodes: [n1, n2, n3]}\n"
                                      "network: {latency: {shape: uniform, min: 1ms, max: 20ms}}\n"
                                      "workload: {clients: 3, keys: 3, think: 10ms}\n"
                                      "liveness: false\n"
                                      "timeline:\n"
                                      "  - {at: 201903us, crash: n1}\n"
                                      "  - {at: 203ms, restart: n1}\n");
  const Result r = raftsim("run --quiet --seed 196 " + path);
  EXPECT_EQ(r.exit_code, 0) << r.out;
}

TEST(Cli, MissingFileIsBadInput) {
  const Result r = raftsim("run /nonexistent/x.yaml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("/nonexistent/x.yaml"), std::string::npos) << r.out;
}

TEST(Cli, ADeviceIsBadInputNotACrash) {
  const Result r = raftsim("run /dev/zero");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("/dev/zero: not a regular file"), std::string::npos) << r.out;
}

TEST(Cli, MisspelledFaultNamesThePlaceAndSuggests) {
  const std::string path = write_temp("typo.yaml",
                                      "cluster:\n"
                                      "  nodes: [a, b, c]\n"
                                      "timeline:\n"
                                      "  - at: 1s\n"
                                      "    partiton: [[a], [b, c]]\n");
  const Result r = raftsim("run " + path);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find(path + ":5:5:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("did you mean 'partition'?"), std::string::npos) << r.out;
}

TEST(Cli, UnknownMessageTypeIsBadInputWithASuggestion) {
  const std::string path =
      write_temp("msgtype.yaml",
                 "cluster:\n"
                 "  nodes: [a, b, c]\n"
                 "timeline:\n"
                 "  - {at: 1s, drop_messages: {type: apend_response, count: 0}}\n");
  const Result r = raftsim("run " + path);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find(path + ":4:36: unknown message type 'apend_response' (did you mean "
                              "'append_response'?)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(path + ":4:59: expected a whole number"), std::string::npos) << r.out;
}

TEST(Cli, UnknownFlagIsUsageError) {
  EXPECT_EQ(raftsim("run --no-such-flag " + scenario("split_brain.yaml")).exit_code, 2);
  EXPECT_EQ(raftsim("no-such-command").exit_code, 2);
  EXPECT_EQ(raftsim("run --seed notanumber " + scenario("split_brain.yaml")).exit_code, 2);
}

// A seed is read as text: the flag library's integer conversion would wrap -1 and numbers past
// 2^64 - 1 around to 18446744073709551615 and run that seed instead.
TEST(Cli, RunRejectsASeedThatIsNotAWholeNumberThatFits) {
  const std::string path = write_temp("seeded.yaml", "duration: 100ms\ncluster: {nodes: [a]}\n");
  for (const std::string seed :
       {"-1", "99999999999999999999999", "18446744073709551616", "12abc", "+5", "' 7'", "''"}) {
    const Result r = raftsim("run --quiet --seed " + seed + " " + path);
    EXPECT_EQ(r.exit_code, 2) << seed << ": " << r.out;
    EXPECT_NE(r.out.find("--seed"), std::string::npos) << seed << ": " << r.out;
    EXPECT_EQ(r.out.find("PASS"), std::string::npos) << seed << ": " << r.out;
  }
  EXPECT_NE(raftsim("run --quiet --seed 99999999999999999999999 " + path).out.find("too large"),
            std::string::npos);
  const Result largest = raftsim("run --quiet --seed 18446744073709551615 " + path);
  EXPECT_EQ(largest.exit_code, 0) << largest.out;
  EXPECT_NE(largest.out.find("seed=18446744073709551615 "), std::string::npos) << largest.out;
}

TEST(Cli, ExploreRejectsASeedThatIsNotAWholeNumberThatFits) {
  const std::string path = write_temp("explored.yaml", "duration: 100ms\ncluster: {nodes: [a]}\n");
  const std::string out = raftsim::test::scratch_path("explore_seed_out");
  for (const std::string seed : {"-1", "99999999999999999999999", "3x", "''"}) {
    const Result r = raftsim("explore --runs 1 --out " + out + " --seed " + seed + " " + path);
    EXPECT_EQ(r.exit_code, 2) << seed << ": " << r.out;
    EXPECT_NE(r.out.find("--seed"), std::string::npos) << seed << ": " << r.out;
    EXPECT_EQ(r.out.find("explored"), std::string::npos) << seed << ": " << r.out;
  }
  const Result ok =
      raftsim("explore --strategy random --runs 1 --out " + out + " --seed 5 " + path);
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_NE(ok.out.find("seeds 5..5"), std::string::npos) << ok.out;
}

// Counts are read as seeds are: -1 once became 2^64 - 1 runs and a search that listed them all
// up front ran out of memory.
TEST(Cli, CountsThatAreNotWholeNumbersInRangeAreUsageErrors) {
  const std::string path = write_temp("counted.yaml", "duration: 100ms\ncluster: {nodes: [a]}\n");
  const std::string out = raftsim::test::scratch_path("explore_runs_out");
  for (const std::string runs : {"-1", "0", "18446744073709551616", "1e3", "''"}) {
    const Result r = raftsim("explore --runs " + runs + " --out " + out + " " + path);
    EXPECT_EQ(r.exit_code, 2) << runs << ": " << r.out;
    EXPECT_NE(r.out.find("--runs: "), std::string::npos) << runs << ": " << r.out;
    EXPECT_EQ(r.out.find("explored"), std::string::npos) << runs << ": " << r.out;
  }
  for (const std::string budget : {"-1", "x", "18446744073709551616"}) {
    const Result r = raftsim("run --quiet --event-budget " + budget + " " + path);
    EXPECT_EQ(r.exit_code, 2) << budget << ": " << r.out;
    EXPECT_NE(r.out.find("--event-budget: "), std::string::npos) << budget << ": " << r.out;
  }
  // A budget is a budget: one too small for the run stops it and fails that property.
  const Result tight = raftsim("run --quiet --event-budget 1 " + path);
  EXPECT_EQ(tight.exit_code, 1) << tight.out;
  EXPECT_NE(tight.out.find("event_budget"), std::string::npos) << tight.out;
  EXPECT_EQ(raftsim("run --quiet --event-budget 0 " + path).exit_code, 0);
}

TEST(Cli, UnmetExpectationExitsOne) {
  const std::string path = write_temp("unmet.yaml",
                                      "duration: 3s\n"
                                      "cluster:\n"
                                      "  nodes: [a, b, c]\n"
                                      "expect:\n"
                                      "  - no_leader: {from: 0s, to: 3s}\n");
  const Result r = raftsim("run " + path);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("FAIL"), std::string::npos) << r.out;
}

TEST(Cli, QuietStillNamesTheRowThatFailed) {
  const std::string path = write_temp("unmet_quiet.yaml",
                                      "duration: 3s\n"
                                      "cluster:\n"
                                      "  nodes: [a, b, c]\n"
                                      "expect:\n"
                                      "  - no_leader: {from: 0s, to: 3s}\n");
  const Result r = raftsim("run --quiet " + path);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("no_leader[^\n]* NO "))) << r.out;
  EXPECT_NE(r.out.find("FAIL"), std::string::npos) << r.out;
}

TEST(Cli, ExpectedViolationThatDoesNotHappenExitsOne) {
  const std::string path = write_temp("no_violation.yaml",
                                      "duration: 3s\n"
                                      "cluster:\n"
                                      "  nodes: [a, b, c]\n"
                                      "expect:\n"
                                      "  - safety: violated\n");
  EXPECT_EQ(raftsim("run --quiet " + path).exit_code, 1);
}

}  // namespace

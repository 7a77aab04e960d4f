// run_scenario as a library: what happens to the results when the history cannot be exported.
#include "scenario/runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "scenario/parse.h"

namespace raftsim::scenario {
namespace {

using testing::HasSubstr;

Scenario parsed(const std::string& yaml) {
  auto result = parse_scenario_text(yaml, "test.yaml");
  if (auto* error = std::get_if<ParseError>(&result)) ADD_FAILURE() << error->text();
  return std::get<Scenario>(result);
}

RunOptions quiet() {
  RunOptions options;
  options.narrate = false;
  return options;
}

TEST(RunnerTest, HistoryThatCannotBeWrittenKeepsTheVerdict) {
  RunOptions options = quiet();
  options.history_path = testing::TempDir() + "no-such-directory/history.jsonl";
  const RunReport report = run_scenario(
      parsed("duration: 2s\ncluster: {nodes: [n1, n2, n3]}\nliveness: false\n"), options);
  EXPECT_TRUE(report.error.empty()) << report.error;
  EXPECT_THAT(report.output_error, HasSubstr(options.history_path));
  EXPECT_TRUE(report.passed());
  EXPECT_EQ(report.exit_code(), 2);
  EXPECT_GT(report.events, 0u);
  EXPECT_THAT(format_report(report, true), HasSubstr("election_safety"));
}

TEST(RunnerTest, PorcupineExportOfACasWorkloadIsRefusedBeforeRunning) {
  const Scenario s = parsed("cluster: {nodes: [n1, n2, n3]}\n");  // the default mix has cas
  EXPECT_EQ(export_refusal(s, "porcupine"),
            "--export porcupine: Porcupine's kv model has no cas, and this workload's mix has "
            "cas: 0.1; use --export edn, or a mix without cas");
  EXPECT_EQ(export_refusal(s, "edn"), "");
  EXPECT_EQ(
      export_refusal(parsed("cluster: {nodes: [n1]}\nworkload: {mix: {put: 1}}\n"), "porcupine"),
      "");

  RunOptions options = quiet();
  options.history_format = "porcupine";
  options.history_path = testing::TempDir() + "refused.history.txt";
  std::filesystem::remove(options.history_path);
  const RunReport report = run_scenario(s, options);
  EXPECT_THAT(report.error, HasSubstr("Porcupine's kv model has no cas"));
  EXPECT_EQ(report.events, 0u);
  EXPECT_EQ(report.exit_code(), 2);
  EXPECT_FALSE(std::filesystem::exists(options.history_path));
}

}  // namespace
}  // namespace raftsim::scenario

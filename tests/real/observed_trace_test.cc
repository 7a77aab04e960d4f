// The trace of a wall-clock run, built from what its runner observed: only changes of state are
// recorded, crashes and restarts become down and up lines, operations come from the history,
// and the file is in time order with a last line that names the mode.
#include "real/observed_trace.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

#include "scenario/parse.h"
#include "scratch.h"

namespace raftsim::real {
namespace {

using nlohmann::json;

scenario::Scenario three_nodes() {
  auto parsed = scenario::parse_scenario_text(R"(
name: observed
duration: 2s
cluster: {nodes: [n1, n2, n3]}
timeline:
  - {at: 1s, crash: n2}
  - {at: 1500ms, restart: n2}
)",
                                              "observed.yaml");
  return std::get<scenario::Scenario>(parsed);
}

std::vector<json> lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<json> out;
  for (std::string line; std::getline(in, line);)
    out.push_back(json::parse(line));
  return out;
}

TEST(ObservedTrace, RecordsChangesFaultsAndOperationsInTimeOrder) {
  const scenario::Scenario s = three_nodes();
  ObservedTrace trace("real");
  trace.on_status(1, 100, "candidate", 1, 0, 0);
  trace.on_status(1, 200, "candidate", 1, 0, 0);  // nothing changed: nothing recorded
  trace.on_status(1, 300, "leader", 1, 4, 1);
  trace.on_fault(1'000'000, s.timeline[0], s, "");
  trace.on_fault(1'500'000, s.timeline[1], s, "");
  check::History history;
  history.ops.push_back(check::kv_put(1, "k", "v", 250, 400, check::Outcome::ok));
  scenario::RunReport report;
  report.scenario = s.name;
  report.node_names = s.world.node_names;
  const std::string path = test::scratch_path("observed.jsonl");
  ASSERT_EQ(write_observed_run(trace, history, s, report, path, ""), "");

  const std::vector<json> got = lines(path);
  ASSERT_EQ(got.size(), 11u);
  std::vector<std::string> kinds;
  for (size_t i = 0; i + 1 < got.size(); ++i) {
    kinds.push_back(got[i]["kind"]);
    if (i > 0) {
      EXPECT_LE(got[i - 1]["t_us"], got[i]["t_us"]);
    }
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"term", "role", "invoke", "role", "commit", "complete",
                                             "fault", "down", "fault", "up"}));
  EXPECT_EQ(got[1]["a"], 2);  // candidate
  EXPECT_EQ(got[3]["a"], 3);  // leader
  EXPECT_EQ(got[4]["a"], 4);  // commit index
  EXPECT_EQ(got[7]["node"], 2);
  EXPECT_EQ(got.back()["raftsim_run"]["mode"], "real");
  EXPECT_EQ(got.back()["raftsim_run"]["nodes"], json({"n1", "n2", "n3"}));
}

TEST(ObservedTrace, ALeaderCrashIsTheDownOfTheNodeItsUndoRestarts) {
  const scenario::Scenario s = three_nodes();
  ObservedTrace trace("real");
  scenario::Fault crash = s.timeline[0];
  crash.kind = scenario::FaultKind::kCrashLeader;
  crash.nodes.clear();
  scenario::Fault undo = s.timeline[1];  // restart n2
  trace.on_fault(1'000'000, crash, s, "crash n2 (the leader)", &undo);
  scenario::RunReport report;
  report.node_names = s.world.node_names;
  const std::string path = test::scratch_path("leader_crash.jsonl");
  ASSERT_EQ(write_observed_run(trace, {}, s, report, path, ""), "");
  const std::vector<json> got = lines(path);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1]["kind"], "down");
  EXPECT_EQ(got[1]["node"], 2);
}

TEST(ObservedTrace, AnUnwritablePathIsAnError) {
  const scenario::Scenario s = three_nodes();
  ObservedTrace trace("external");
  EXPECT_NE(write_observed_run(trace, {}, s, {}, "/nonexistent-dir/t.jsonl", ""), "");
}

}  // namespace
}  // namespace raftsim::real

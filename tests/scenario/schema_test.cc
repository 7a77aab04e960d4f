// scenarios/scenario.schema.json describes the language the parser reads: every key the schema
// offers is one the parser knows, and every key of the full example is one the schema offers.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <variant>

#include "full_example.h"
#include "scenario/parse.h"

namespace raftsim::scenario {
namespace {

using Json = nlohmann::json;

Json load_schema() {
  std::ifstream in(std::string(RAFTSIM_SOURCE_DIR) + "/scenarios/scenario.schema.json");
  return Json::parse(in);
}

std::set<std::string> keys(const Json& object_schema) {
  std::set<std::string> out;
  for (const auto& [key, value] : object_schema.at("properties").items())
    out.insert(key);
  return out;
}

std::set<std::string> keys(const YAML::Node& map) {
  std::set<std::string> out;
  for (const auto& pair : map)
    out.insert(pair.first.Scalar());
  return out;
}

// The messages for `yaml` (after a valid cluster) that say a key or name is unknown.
std::vector<std::string> unknown(const std::string& yaml) {
  const auto result = parse_scenario_text("cluster: {nodes: [a, b, c]}\n" + yaml, "s.yaml");
  std::vector<std::string> out;
  if (const auto* error = std::get_if<ParseError>(&result)) {
    for (const std::string& m : error->messages) {
      if (m.find("unknown") != std::string::npos) out.push_back(m);
    }
  }
  return out;
}

TEST(ScenarioSchema, IsDraft2020Of12) {
  const Json schema = load_schema();
  EXPECT_EQ(schema.at("$schema"), "https://json-schema.org/draft/2020-12/schema");
  EXPECT_EQ(schema.at("required"), Json::array({"cluster"}));
}

TEST(ScenarioSchema, EverySectionKeyIsOneTheParserKnows) {
  const Json schema = load_schema();
  const Json& top = schema.at("properties");
  for (const std::string& key : keys(schema)) {
    if (key == "cluster") continue;
    EXPECT_EQ(unknown(key + ": []\n"), std::vector<std::string>{}) << key;
  }
  for (const char* section : {"network", "workload", "nemesis", "swarm"}) {
    for (const std::string& key : keys(top.at(section))) {
      EXPECT_EQ(unknown(fmt::format("{}: {{{}: []}}\n", section, key)), std::vector<std::string>{})
          << section << "." << key;
    }
    EXPECT_EQ(unknown(fmt::format("{}: {{zzz: 1}}\n", section)).size(), 1u) << section;
  }
  for (const std::string& key : keys(top.at("cluster"))) {
    const auto result =
        parse_scenario_text(fmt::format("cluster: {{nodes: [a], {}: []}}\n", key), "s");
    if (const auto* error = std::get_if<ParseError>(&result)) {
      for (const std::string& m : error->messages)
        EXPECT_EQ(m.find("unknown key"), std::string::npos) << m;
    }
  }
}

TEST(ScenarioSchema, EveryFaultAndExpectationIsOneTheParserKnows) {
  const Json schema = load_schema();
  std::set<std::string> faults = keys(schema.at("$defs").at("timelineEntry"));
  faults.erase("at");
  faults.erase("links");
  for (const std::string& fault : faults) {
    EXPECT_EQ(unknown(fmt::format("timeline: [{{at: 1s, {}: []}}]\n", fault)),
              std::vector<std::string>{})
        << fault;
  }
  for (const std::string& claim : keys(schema.at("$defs").at("expectation"))) {
    EXPECT_EQ(unknown(fmt::format("expect: [{{{}: []}}]\n", claim)), std::vector<std::string>{})
        << claim;
  }
  EXPECT_EQ(unknown("timeline: [{at: 1s, zzz: []}]\n").size(), 1u);
  EXPECT_EQ(unknown("expect: [{zzz: []}]\n").size(), 1u);
}

// A timeline entry holds exactly one fault (the schema's oneOf): a fault key missing from that
// list makes every entry using it invalid in an editor, though the parser takes it.
TEST(ScenarioSchema, EveryTimelineFaultIsOneOfTheEntryKinds) {
  const Json entry = load_schema().at("$defs").at("timelineEntry");
  std::set<std::string> kinds;
  for (const Json& option : entry.at("oneOf"))
    for (const Json& key : option.at("required"))
      kinds.insert(key.get<std::string>());
  for (const std::string& key : keys(entry)) {
    if (key == "at" || key == "links" || key == "when" || key == "for") continue;
    EXPECT_TRUE(kinds.contains(key)) << key << " is not in timelineEntry's oneOf";
  }
}

TEST(ScenarioSchema, OffersEveryKeyOfTheFullExample) {
  const Json schema = load_schema();
  const Json& top = schema.at("properties");
  const YAML::Node example = YAML::Load(std::string(kFullExample));
  const auto offered = [](const std::set<std::string>& used, const std::set<std::string>& known) {
    return std::includes(known.begin(), known.end(), used.begin(), used.end());
  };
  EXPECT_EQ(keys(example), keys(schema));
  for (const char* section : {"cluster", "network", "workload", "nemesis", "swarm"}) {
    EXPECT_EQ(keys(example[section]), keys(top.at(section))) << section;
  }
  std::set<std::string> faults;
  for (const auto& entry : example["timeline"]) {
    for (const std::string& key : keys(entry))
      faults.insert(key);
  }
  EXPECT_EQ(faults, keys(schema.at("$defs").at("timelineEntry")));
  std::set<std::string> claims;
  for (const auto& item : example["expect"]) {
    for (const std::string& key : keys(item))
      claims.insert(key);
  }
  EXPECT_EQ(claims, keys(schema.at("$defs").at("expectation")));
  EXPECT_TRUE(offered(keys(example["network"]["latency"]), keys(schema.at("$defs").at("latency"))));
}

// An editor with the YAML language server finds the schema through each shipped file's first
// line; the parser leaves that line out of what the scenario teaches.
TEST(ScenarioSchema, EveryShippedScenarioNamesTheSchemaForEditors) {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(RAFTSIM_SOURCE_DIR) / "scenarios";
  size_t files = 0;
  for (const fs::path& dir : {root, root / "real"}) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() != ".yaml") continue;
      ++files;
      std::ifstream in(entry.path());
      std::string first;
      std::getline(in, first);
      const std::string prefix = "# yaml-language-server: $schema=";
      ASSERT_TRUE(first.starts_with(prefix)) << entry.path() << ": " << first;
      EXPECT_TRUE(fs::exists(dir / first.substr(prefix.size()))) << entry.path() << ": " << first;
      const auto parsed = parse_scenario_file(entry.path().string());
      ASSERT_TRUE(std::holds_alternative<Scenario>(parsed)) << std::get<ParseError>(parsed).text();
      const std::string& teaches = std::get<Scenario>(parsed).teaches;
      EXPECT_FALSE(teaches.empty()) << entry.path();
      EXPECT_EQ(teaches.find("yaml-language-server"), std::string::npos) << entry.path();
    }
  }
  EXPECT_GE(files, 15u);
}

}  // namespace
}  // namespace raftsim::scenario

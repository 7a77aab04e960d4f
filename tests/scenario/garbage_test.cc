// Bad input never crashes the parser and never passes silently: it is a scenario or a list of
// messages that name the file.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <variant>

#include "full_example.h"
#include "scenario/parse.h"

namespace raftsim::scenario {
namespace {

// Parses, and checks that an error result is well formed.
void parse_survives(std::string_view text) {
  const auto result = parse_scenario_text(text, "g.yaml");
  if (const auto* error = std::get_if<ParseError>(&result)) {
    RC_ASSERT(!error->messages.empty());
    RC_ASSERT(error->messages.size() <= 21u);
    for (const std::string& m : error->messages)
      RC_ASSERT(m.starts_with("g.yaml:"));
  }
}

bool is_error(std::string_view text) {
  return std::holds_alternative<ParseError>(parse_scenario_text(text, "g.yaml"));
}

RC_GTEST_PROP(ScenarioGarbage, RandomBytesNeverCrash, (const std::string& bytes)) {
  parse_survives(bytes);
}

RC_GTEST_PROP(ScenarioGarbage, RandomYamlLikeTextNeverCrashes, ()) {
  const auto alphabet = rc::gen::elementOf(std::string("[]{}:,-#'\"&*!|>%?@ \n\n\n\tabn19.s"));
  parse_survives(*rc::gen::container<std::string>(alphabet));
}

RC_GTEST_PROP(ScenarioGarbage, MutatedExampleNeverCrashes, ()) {
  std::string text(kFullExample);
  const int edits = *rc::gen::inRange(1, 6);
  for (int i = 0; i < edits; ++i) {
    const size_t at = *rc::gen::inRange<size_t>(0, text.size());
    const char c = *rc::gen::elementOf(std::string("[]{}:,-#'\"&*!|>% \n\tax19."));
    switch (*rc::gen::inRange(0, 3)) {
      case 0:
        text.insert(at, 1, c);
        break;
      case 1:
        text.erase(at, 1);
        break;
      default:
        text[at] = c;
        break;
    }
  }
  parse_survives(text);
}

TEST(ScenarioGarbage, DeepNestingIsAnError) {
  EXPECT_TRUE(is_error(std::string(100000, '[')));
  EXPECT_TRUE(is_error(std::string(100000, '{')));
  std::string nested = "cluster: {nodes: [a]}\nseed: ";
  for (int i = 0; i < 5000; ++i)
    nested += "[";
  for (int i = 0; i < 5000; ++i)
    nested += "]";
  EXPECT_TRUE(is_error(nested));
  std::string indented;
  for (int i = 0; i < 3000; ++i)
    indented += std::string(static_cast<size_t>(i), ' ') + "k:\n";
  EXPECT_TRUE(is_error(indented));
}

TEST(ScenarioGarbage, HugeNumbersAreErrors) {
  const std::string cluster = "cluster: {nodes: [a, b]}\n";
  for (const char* line :
       {"seed: 1e400", "seed: -1", "seed: 184467440737095516160", "duration: 99999999999999999s",
        "workload: {clients: 99999999999999999999}", "workload: {rate: 1e400}",
        "network: {loss: 1e-400000}", "timeline: [{at: 1s, corrupt: {node: a, record: -3}}]",
        "timeline: [{at: 1s, clock_skew: {node: a, factor: 1e308}}]",
        "expect: [{commits_at_least: 1e3}]"}) {
    EXPECT_TRUE(is_error(cluster + line + "\n")) << line;
  }
}

TEST(ScenarioGarbage, AliasesTagsAndOddKeysAreHandled) {
  EXPECT_FALSE(is_error("cluster: &c {nodes: [a, b]}\nseed: 3\n"));
  EXPECT_TRUE(is_error("cluster: {nodes: [a]}\n? [x]\n: 1\n"));  // a key that is a list
  EXPECT_TRUE(is_error("cluster: {nodes: [a]}\nseed: !!binary aGVsbG8=\nx: *nothing\n"));
  EXPECT_TRUE(is_error("cluster: {nodes: [a]}\n---\nseed: 2\n---\n"));
  EXPECT_TRUE(is_error(std::string("cluster: {nodes: [a]}\nname: x\0y\n", 30)));
}

}  // namespace
}  // namespace raftsim::scenario

// Internal to the parser: reads typed values out of a yaml-cpp tree and collects errors that name
// the place (`file:line:col: message`). Every reader returns nullopt after reporting an error, so
// a caller keeps its default and goes on to find the next error.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scenario/scenario.h"

namespace raftsim::scenario::detail {

using Names = std::span<const std::string_view>;

// The closest candidate within edit distance 2 of `word`, or "" when there is none.
std::string_view closest(std::string_view word, Names candidates);
// " (did you mean 'x'?)" or "".
std::string did_you_mean(std::string_view word, Names candidates);

// `text` with every byte that is not printable ASCII or part of well-formed UTF-8 written as
// `\xNN`, so a message about binary input does not put raw control bytes on a terminal.
std::string printable(std::string_view text);

class Reader {
 public:
  static constexpr size_t kMaxErrors = 20;

  explicit Reader(std::string file) : file_(std::move(file)) {}

  void error(const YAML::Mark& mark, const std::string& message);
  // At the node, or, for a value left empty (`key:` and nothing), at its key: YAML places such
  // a value at the next token, often a line further down.
  void error(const YAML::Node& node, const std::string& message);
  // Notes, for every map in `root` at any depth, where each key with an empty value was written.
  void note_empty_values(const YAML::Node& root);
  bool failed() const { return !errors_.empty(); }
  // The messages in file order.
  std::vector<std::string> take_errors();
  Where where(const YAML::Node& node) const;
  const std::string& file() const { return file_; }

  // Reports what is not a map; in a map, keys that are not in `known` (as "unknown <noun> 'x'",
  // with a suggestion), keys that are not plain names, and keys written twice.
  bool map(const YAML::Node& node, Names known, std::string_view what,
           std::string_view noun = "key");
  bool list(const YAML::Node& node, std::string_view what);

  // Scalars. An undefined node (a key that was not written) gives nullopt without an error.
  std::optional<std::string> text(const YAML::Node& node, std::string_view what);
  std::optional<bool> boolean(const YAML::Node& node);
  std::optional<uint64_t> whole(const YAML::Node& node, uint64_t min, uint64_t max);
  std::optional<double> number(const YAML::Node& node);  // finite
  std::optional<double> probability(const YAML::Node& node);
  std::optional<sim::Duration> duration(const YAML::Node& node);
  // A duration from the start of the run, no later than its end.
  std::optional<SimTime> time(const YAML::Node& node);
  // `[min, max]` durations (or one duration for both) with min <= max.
  std::optional<std::pair<sim::Duration, sim::Duration>> range(const YAML::Node& node);
  // One name from `names`; `what` is the kind of name ("bug", "lie", "property").
  std::optional<size_t> name_of(const YAML::Node& node, Names names, std::string_view what);

  // The cluster's node names, once known; node ids are positions from 1.
  void set_nodes(std::vector<std::string> names) { nodes_ = std::move(names); }
  const std::vector<std::string>& nodes() const { return nodes_; }
  void set_end(sim::Duration end) { end_ = end; }
  sim::Duration end() const { return end_; }

  std::optional<uint32_t> node(const YAML::Node& node);
  // A node name or a list of distinct names (a list only when `single_ok` is false).
  std::optional<std::vector<uint32_t>> node_list(const YAML::Node& node, bool single_ok);
  // `[from, to]` or a list of such pairs; from != to.
  std::optional<std::vector<std::pair<uint32_t, uint32_t>>> links(const YAML::Node& node);

 private:
  // Each empty value and the mark of its key (note_empty_values), and how many nodes that walk
  // visited, up to kMaxWalk.
  static constexpr size_t kMaxWalk = 100'000;
  std::vector<std::pair<YAML::Node, YAML::Mark>> empty_values_;
  size_t walked_ = 0;
  std::optional<std::string> scalar(const YAML::Node& node, std::string_view what);
  std::optional<std::pair<uint32_t, uint32_t>> link(const YAML::Node& node);

  struct Message {
    int line;
    int column;
    std::string text;
  };

  std::string file_;
  std::vector<Message> errors_;
  bool too_many_ = false;
  std::vector<std::string> nodes_;
  sim::Duration end_{0};
};

}  // namespace raftsim::scenario::detail

// The `expect` section: a list of one-key maps, each a claim about the run.
#include <fmt/format.h>

#include <array>

#include "scenario/duration.h"
#include "scenario/sections.h"

namespace raftsim::scenario::detail {
namespace {

using std::string_view_literals::operator""sv;
using Kind = Expectation::Kind;

constexpr std::array kExpectKeys = {"safety"sv,
                                    "holds"sv,
                                    "violated"sv,
                                    "linearizable"sv,
                                    "liveness"sv,
                                    "leader_within"sv,
                                    "no_leader"sv,
                                    "no_election"sv,
                                    "no_commit"sv,
                                    "commits_at_least"sv,
                                    "acked_writes_at_least"sv,
                                    "term_at_most"sv,
                                    "term_above"sv};
constexpr std::array kSafetyWords = {"holds"sv, "violated"sv};
constexpr std::array kLivenessWords = {"holds"sv, "fails"sv};
constexpr std::array kLeaderWithinKeys = {"after"sv, "within"sv, "group"sv};
constexpr std::array kWindowKeys = {"group"sv, "from"sv, "to"sv};
constexpr std::array kTermAtMostKeys = {"term"sv, "from"sv, "to"sv};
constexpr std::array kTermAboveKeys = {"term"sv, "by"sv};

bool required(Reader& r, const YAML::Node& map, std::string_view key) {
  if (map[std::string(key)].IsDefined()) return true;
  r.error(map, fmt::format("missing '{}'", key));
  return false;
}

// `from` and `to` (or `by`) of a window, each optional, from <= to.
bool window(Reader& r, const YAML::Node& map, std::string_view to_key, Expectation& e) {
  const YAML::Node from = map["from"];
  const YAML::Node to = map[std::string(to_key)];
  const auto start = r.time(from);
  const auto end = r.time(to);
  if ((from.IsDefined() && !start) || (to.IsDefined() && !end)) return false;
  if (start) e.from = *start;
  if (end) e.to = *end;
  if (e.from > e.to) {
    r.error(map, fmt::format("the window starts ({}) after it ends ({})",
                             format_duration(e.from.time_since_epoch()),
                             format_duration(e.to.time_since_epoch())));
    return false;
  }
  return true;
}

bool group_window(Reader& r, const YAML::Node& value, Expectation& e) {
  if (!r.map(value, kWindowKeys, "a map {group, from, to}")) return false;
  bool ok = window(r, value, "to", e);
  const YAML::Node group = value["group"];
  if (group.IsDefined()) {
    const auto ids = r.node_list(group, false);
    if (ids) e.group = *ids;
    ok = ok && ids.has_value();
  }
  return ok;
}

// One of two words; true for the first.
std::optional<bool> either(Reader& r, const YAML::Node& value,
                           const std::array<std::string_view, 2>& words, std::string_view what) {
  const auto i = r.name_of(value, words, what);
  if (!i) return std::nullopt;
  return *i == 0;
}

bool property(Reader& r, Kind kind, const YAML::Node& value, Expectation& e) {
  e.kind = kind;
  const auto i = r.name_of(value, kPropertyNames, "property");
  if (i) e.property = static_cast<Property>(*i);
  return i.has_value();
}

bool leader_within(Reader& r, const YAML::Node& value, Expectation& e) {
  e.kind = Kind::kLeaderWithin;
  if (!r.map(value, kLeaderWithinKeys, "a map {after, within, group}")) return false;
  if (!required(r, value, "after") || !required(r, value, "within")) return false;
  const auto after = r.time(value["after"]);
  const auto within = r.duration(value["within"]);
  if (!after || !within) return false;
  // A window that runs past the end would be judged on a part of the run that never happens.
  if (*within > SimTime{r.end()} - *after) {
    r.error(value["within"],
            fmt::format("leader_within window {} .. {} runs past the end of the run ({})",
                        format_duration(after->time_since_epoch()),
                        format_duration(after->time_since_epoch() + *within),
                        format_duration(r.end())));
    return false;
  }
  e.from = *after;
  e.within = *within;
  const YAML::Node group = value["group"];
  if (!group.IsDefined()) return true;
  const auto ids = r.node_list(group, false);
  if (ids) e.group = *ids;
  return ids.has_value();
}

bool term_bound(Reader& r, bool at_most, const YAML::Node& value, Expectation& e) {
  e.kind = at_most ? Kind::kTermAtMost : Kind::kTermAbove;
  const bool is_map = at_most ? r.map(value, kTermAtMostKeys, "a map {term, from, to}")
                              : r.map(value, kTermAboveKeys, "a map {term, by}");
  if (!is_map || !required(r, value, "term")) return false;
  const auto term = r.whole(value["term"], 0, UINT64_MAX);
  const bool ok = window(r, value, at_most ? "to" : "by", e);
  if (term) e.count = *term;
  return term && ok;
}

// Reads the claim `key: value`; `safety: holds` (what every run checks anyway) reads as nothing.
std::optional<Expectation> read(Reader& r, std::string_view key, const YAML::Node& value) {
  Expectation e;
  bool ok = false;
  if (key == "safety") {
    const auto holds = either(r, value, kSafetyWords, "safety outcome");
    if (!holds || *holds) return std::nullopt;
    e.kind = Kind::kSafetyViolated;
    ok = true;
  } else if (key == "holds" || key == "violated") {
    ok = property(r, key == "holds" ? Kind::kHolds : Kind::kViolated, value, e);
  } else if (key == "linearizable" || key == "liveness") {
    const auto holds = key == "linearizable" ? r.boolean(value)
                                             : either(r, value, kLivenessWords, "liveness outcome");
    ok = holds.has_value();
    e.kind = holds.value_or(true) ? Kind::kHolds : Kind::kViolated;
    e.property = key == "linearizable" ? Property::kLinearizability : Property::kLiveness;
  } else if (key == "leader_within") {
    ok = leader_within(r, value, e);
  } else if (key == "no_leader" || key == "no_election" || key == "no_commit") {
    e.kind = key == "no_leader"     ? Kind::kNoLeader
             : key == "no_election" ? Kind::kNoElection
                                    : Kind::kNoCommit;
    ok = group_window(r, value, e);
  } else if (key == "commits_at_least" || key == "acked_writes_at_least") {
    e.kind = key == "commits_at_least" ? Kind::kCommitsAtLeast : Kind::kAckedWritesAtLeast;
    const auto n = r.whole(value, 0, UINT64_MAX);
    if (n) e.count = *n;
    ok = n.has_value();
  } else if (key == "term_at_most" || key == "term_above") {
    ok = term_bound(r, key == "term_at_most", value, e);
  }
  if (!ok) return std::nullopt;
  e.text = describe(e, r.nodes());
  return e;
}

// A claim that a property holds and another that it is violated cannot both be met, and the
// verdict would judge only one of them.
bool contradicts(Reader& r, const YAML::Node& key, const Expectation& e,
                 const std::vector<Expectation>& earlier) {
  if (e.kind != Kind::kHolds && e.kind != Kind::kViolated) return false;
  for (const Expectation& other : earlier) {
    if ((other.kind != Kind::kHolds && other.kind != Kind::kViolated) ||
        other.property != e.property || other.kind == e.kind)
      continue;
    r.error(key, fmt::format("'{}' contradicts '{}' at line {}: one run cannot show both", e.text,
                             other.text, other.where.line));
    return true;
  }
  return false;
}

void parse_item(Reader& r, const YAML::Node& item, bool liveness_checked,
                std::vector<Expectation>& out) {
  if (!r.map(item, kExpectKeys, "an expectation, e.g. {holds: linearizability}", "expectation")) {
    return;
  }
  if (item.size() != 1) {
    r.error(item, "an expectation is a map with exactly one key; write one item per claim");
    return;
  }
  const YAML::Node key = item.begin()->first;
  if (!key.IsScalar()) return;
  const std::string& name = key.Scalar();
  if (std::find(kExpectKeys.begin(), kExpectKeys.end(), name) == kExpectKeys.end()) return;
  if (auto e = read(r, name, item.begin()->second)) {
    e->where = r.where(key);
    if (e->property == Property::kLiveness &&
        (e->kind == Kind::kHolds || e->kind == Kind::kViolated) && !liveness_checked) {
      r.error(key, fmt::format("'{}' cannot be judged: this file's `liveness: false` switches the "
                               "liveness check off",
                               e->text));
      return;
    }
    if (contradicts(r, key, *e, out)) return;
    out.push_back(std::move(*e));
  }
}

}  // namespace

void parse_expectations(Reader& r, const YAML::Node& node, bool liveness_checked,
                        std::vector<Expectation>& out) {
  if (!r.list(node, "a list of expectations")) return;
  for (const YAML::Node& item : node)
    parse_item(r, item, liveness_checked, out);
}

}  // namespace raftsim::scenario::detail

#include "scenario/reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <tuple>

#include "scenario/duration.h"

namespace raftsim::scenario::detail {
namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Messages quote what was written; a long or multi-line value is cut short.
std::string quoted(const std::string& s) {
  std::string shown = s.size() > 40 ? s.substr(0, 40) + "..." : s;
  std::replace(shown.begin(), shown.end(), '\n', ' ');
  return "'" + shown + "'";
}

constexpr std::string_view kDurationHint = "(write e.g. 150ms, 2.5s, 1m)";

// The length of the well-formed UTF-8 sequence of two to four bytes at the start of `s`, or 0.
size_t utf8_sequence(std::string_view s) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  const size_t length = lead >= 0xf0 && lead <= 0xf4   ? 4
                        : lead >= 0xe0                 ? 3
                        : lead >= 0xc2 && lead <= 0xdf ? 2
                                                       : 0;
  if (length == 0 || s.size() < length) return 0;
  for (size_t i = 1; i < length; ++i)
    if ((byte(i) & 0xc0) != 0x80) return 0;
  // Overlong three- and four-byte forms, surrogates and code points past U+10FFFF.
  if ((lead == 0xe0 && byte(1) < 0xa0) || (lead == 0xed && byte(1) > 0x9f) ||
      (lead == 0xf0 && byte(1) < 0x90) || (lead == 0xf4 && byte(1) > 0x8f)) {
    return 0;
  }
  return length;
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += text[i++];
    } else if (const size_t n = c >= 0x80 ? utf8_sequence(text.substr(i)) : 0; n > 0) {
      out.append(text, i, n);
      i += n;
    } else {
      out += fmt::format("\\x{:02x}", c);
      ++i;
    }
  }
  return out;
}

std::string_view closest(std::string_view word, Names candidates) {
  if (word.size() > 64) return {};
  std::string_view best;
  size_t best_distance = 3;
  for (std::string_view candidate : candidates) {
    const size_t d = edit_distance(word, candidate);
    if (d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, Names candidates) {
  const std::string_view best = closest(word, candidates);
  return best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best);
}

void Reader::error(const YAML::Node& node, const std::string& message) {
  if (node.IsDefined() && node.IsNull()) {
    for (const auto& [value, key] : empty_values_)
      if (value.is(node)) return error(key, message + " (the key has no value)");
  }
  error(node.Mark(), message);
}

void Reader::note_empty_values(const YAML::Node& root) {
  // Aliases make a document a graph that can expand exponentially ("billion laughs"): a walk of
  // more nodes than any scenario has stops, and what it did not reach is reported at its node.
  if (++walked_ > kMaxWalk) return;
  if (root.IsSequence()) {
    for (const YAML::Node& item : root)
      note_empty_values(item);
    return;
  }
  if (!root.IsMap()) return;
  for (const auto& pair : root) {
    if (pair.second.IsNull()) {
      empty_values_.emplace_back(pair.second, pair.first.Mark());
    } else {
      note_empty_values(pair.second);
    }
  }
}

void Reader::error(const YAML::Mark& mark, const std::string& message) {
  if (errors_.size() == kMaxErrors) {
    too_many_ = true;
    return;
  }
  // A document with nothing in it (empty, or only comments) has no place, nor has a failure to
  // read the text at all; the start of the file stands for both.
  const int line = mark.is_null() ? 1 : mark.line + 1;
  const int column = mark.is_null() ? 1 : mark.column + 1;
  errors_.push_back(
      {line, column, fmt::format("{}:{}:{}: {}", file_, line, column, printable(message))});
}

std::vector<std::string> Reader::take_errors() {
  std::stable_sort(errors_.begin(), errors_.end(), [](const Message& a, const Message& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
  std::vector<std::string> out;
  for (Message& m : errors_)
    out.push_back(std::move(m.text));
  if (too_many_)
    out.push_back(fmt::format("{}: too many errors; stopped after {}", file_, kMaxErrors));
  errors_.clear();
  return out;
}

Where Reader::where(const YAML::Node& node) const {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return Where{file_, 0, 0};
  return Where{file_, mark.line + 1, mark.column + 1};
}

bool Reader::map(const YAML::Node& node, Names known, std::string_view what,
                 std::string_view noun) {
  if (!node.IsMap()) {
    error(node, fmt::format("expected {}", what));
    return false;
  }
  std::set<std::string> seen;
  for (const auto& pair : node) {
    const YAML::Node& key = pair.first;
    if (!key.IsScalar()) {
      error(key, "expected a key name");
      continue;
    }
    const std::string& name = key.Scalar();
    if (!seen.insert(name).second) {
      error(key, fmt::format("duplicate key {}", quoted(name)));
    } else if (std::find(known.begin(), known.end(), name) == known.end()) {
      error(key, fmt::format("unknown {} {}{}", noun, quoted(name), did_you_mean(name, known)));
    }
  }
  return true;
}

bool Reader::list(const YAML::Node& node, std::string_view what) {
  if (node.IsSequence()) return true;
  error(node, fmt::format("expected {}", what));
  return false;
}

std::optional<std::string> Reader::scalar(const YAML::Node& node, std::string_view what) {
  if (!node.IsDefined()) return std::nullopt;
  if (!node.IsScalar()) {
    error(node, fmt::format("expected {}", what));
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<std::string> Reader::text(const YAML::Node& node, std::string_view what) {
  return scalar(node, what);
}

std::optional<bool> Reader::boolean(const YAML::Node& node) {
  const auto s = scalar(node, "true or false");
  if (!s) return std::nullopt;
  bool value = false;
  if (!YAML::convert<bool>::decode(node, value)) {
    error(node, fmt::format("expected true or false, not {}", quoted(*s)));
    return std::nullopt;
  }
  return value;
}

std::optional<uint64_t> Reader::whole(const YAML::Node& node, uint64_t min, uint64_t max) {
  const std::string range = fmt::format("a whole number from {} to {}", min, max);
  const auto s = scalar(node, range);
  if (!s) return std::nullopt;
  uint64_t value = 0;
  const char* end = s->data() + s->size();
  const auto [ptr, ec] = std::from_chars(s->data(), end, value);
  if (s->empty() || ec != std::errc{} || ptr != end || value < min || value > max) {
    error(node, fmt::format("expected {}, not {}", range, quoted(*s)));
    return std::nullopt;
  }
  return value;
}

std::optional<double> Reader::number(const YAML::Node& node) {
  const auto s = scalar(node, "a number");
  if (!s) return std::nullopt;
  double value = 0;
  const char* end = s->data() + s->size();
  const auto [ptr, ec] = std::from_chars(s->data(), end, value);
  if (s->empty() || ec != std::errc{} || ptr != end || !std::isfinite(value)) {
    error(node, fmt::format("expected a number, not {}", quoted(*s)));
    return std::nullopt;
  }
  return value;
}

std::optional<double> Reader::probability(const YAML::Node& node) {
  const auto value = number(node);
  if (!value) return std::nullopt;
  if (*value < 0 || *value > 1) {
    error(node, fmt::format("probability {} is outside [0, 1]", node.Scalar()));
    return std::nullopt;
  }
  return value;
}

std::optional<sim::Duration> Reader::duration(const YAML::Node& node) {
  const auto s = scalar(node, fmt::format("a duration {}", kDurationHint));
  if (!s) return std::nullopt;
  const auto d = parse_duration(*s);
  if (!d) error(node, fmt::format("bad duration {} {}", quoted(*s), kDurationHint));
  return d;
}

std::optional<SimTime> Reader::time(const YAML::Node& node) {
  const auto d = duration(node);
  if (!d) return std::nullopt;
  if (*d > end_) {
    error(node, fmt::format("{} is after the end of the run ({})", format_duration(*d),
                            format_duration(end_)));
    return std::nullopt;
  }
  return SimTime{*d};
}

std::optional<std::pair<sim::Duration, sim::Duration>> Reader::range(const YAML::Node& node) {
  if (!node.IsDefined()) return std::nullopt;
  if (node.IsScalar()) {
    const auto d = duration(node);
    if (!d) return std::nullopt;
    return std::pair{*d, *d};
  }
  if (!node.IsSequence() || node.size() != 2) {
    error(node, "expected [min, max] durations");
    return std::nullopt;
  }
  const auto lo = duration(node[0]);
  const auto hi = duration(node[1]);
  if (!lo || !hi) return std::nullopt;
  if (*lo > *hi) {
    error(node, fmt::format("min {} is above max {}", format_duration(*lo), format_duration(*hi)));
    return std::nullopt;
  }
  return std::pair{*lo, *hi};
}

std::optional<size_t> Reader::name_of(const YAML::Node& node, Names names, std::string_view what) {
  const auto s = scalar(node, fmt::format("a {} name", what));
  if (!s) return std::nullopt;
  const auto it = std::find(names.begin(), names.end(), *s);
  if (it == names.end()) {
    error(node, fmt::format("unknown {} {}{}", what, quoted(*s), did_you_mean(*s, names)));
    return std::nullopt;
  }
  return static_cast<size_t>(it - names.begin());
}

std::optional<uint32_t> Reader::node(const YAML::Node& node) {
  const auto s = scalar(node, "a node name");
  if (!s) return std::nullopt;
  // Without a valid cluster every name would be unknown; that error was already reported.
  if (nodes_.empty()) return std::nullopt;
  const auto it = std::find(nodes_.begin(), nodes_.end(), *s);
  if (it == nodes_.end()) {
    // `trigger` stands for the node of a `when` event (node_or_trigger): anywhere else it is
    // the missing `when`, not a misspelt node, that the user needs to hear of.
    if (*s == "trigger") {
      error(node, "'trigger' names the node of a `when` event; this entry has no `when`");
      return std::nullopt;
    }
    const std::vector<std::string_view> known(nodes_.begin(), nodes_.end());
    error(node, fmt::format("unknown node {}{}", quoted(*s), did_you_mean(*s, known)));
    return std::nullopt;
  }
  return static_cast<uint32_t>(it - nodes_.begin() + 1);
}

std::optional<std::vector<uint32_t>> Reader::node_list(const YAML::Node& node, bool single_ok) {
  if (!node.IsDefined()) return std::nullopt;
  if (single_ok && node.IsScalar()) {
    const auto id = this->node(node);
    if (!id) return std::nullopt;
    return std::vector<uint32_t>{*id};
  }
  if (!node.IsSequence()) {
    error(node, single_ok ? "expected a node name or a list of node names"
                          : "expected a list of node names");
    return std::nullopt;
  }
  std::vector<uint32_t> ids;
  bool ok = true;
  for (const YAML::Node& item : node) {
    const auto id = this->node(item);
    if (!id) {
      ok = false;
      continue;
    }
    if (std::find(ids.begin(), ids.end(), *id) != ids.end()) {
      error(item, fmt::format("node {} is listed twice", quoted(item.Scalar())));
      ok = false;
      continue;
    }
    ids.push_back(*id);
  }
  if (!ok) return std::nullopt;
  return ids;
}

std::optional<std::pair<uint32_t, uint32_t>> Reader::link(const YAML::Node& node) {
  if (!node.IsSequence() || node.size() != 2 || !node[0].IsScalar() || !node[1].IsScalar()) {
    error(node, "expected a link [from, to]");
    return std::nullopt;
  }
  const auto from = this->node(node[0]);
  const auto to = this->node(node[1]);
  if (!from || !to) return std::nullopt;
  if (*from == *to) {
    error(node, "a link joins two different nodes");
    return std::nullopt;
  }
  return std::pair{*from, *to};
}

std::optional<std::vector<std::pair<uint32_t, uint32_t>>> Reader::links(const YAML::Node& node) {
  if (!node.IsDefined()) return std::nullopt;
  if (!node.IsSequence()) {
    error(node, "expected a link [from, to] or a list of links");
    return std::nullopt;
  }
  std::vector<std::pair<uint32_t, uint32_t>> result;
  if (node.size() > 0 && node[0].IsScalar()) {
    const auto one = link(node);
    if (!one) return std::nullopt;
    result.push_back(*one);
    return result;
  }
  bool ok = true;
  for (const YAML::Node& item : node) {
    const auto one = link(item);
    if (one) {
      result.push_back(*one);
    } else {
      ok = false;
    }
  }
  if (!ok || nodes_.empty()) return std::nullopt;
  return result;
}

}  // namespace raftsim::scenario::detail

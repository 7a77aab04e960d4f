// A reader for the subset of EDN that Jepsen/Knossos histories use: vectors, lists, maps,
// keywords, symbols (nil/true/false), integers, strings, `;` comments, commas as whitespace.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace raftsim::check::edn {

enum class Type : std::uint8_t {
  nil,
  boolean,
  integer,
  string,
  keyword,
  symbol,
  vector,
  list,
  map
};

struct Value {
  Type type = Type::nil;
  std::int64_t integer = 0;  // integer; boolean as 0/1
  std::string text;          // string contents, keyword without ':', symbol name
  std::vector<Value> items;  // vector/list elements; map: key, value, key, value, ...
  int line = 0;              // 1-based line where the value starts

  bool is_keyword(std::string_view name) const { return type == Type::keyword && text == name; }
  bool is_integer_or_nil() const { return type == Type::integer || type == Type::nil; }
  std::optional<std::int64_t> integer_or_nil() const {
    return type == Type::integer ? std::optional<std::int64_t>(integer) : std::nullopt;
  }
  // Map lookup by keyword key; nullptr when absent (or when this is not a map).
  const Value* get(std::string_view keyword) const;
};

struct ParseResult {
  std::vector<Value> values;  // the top-level values, in order
  std::string error;          // empty on success; else "line N: what" (no path)
  int error_line = 0;
};

// Reads every top-level value of `text`; first_line is the line number of text's first line.
ParseResult parse(std::string_view text, int first_line = 1);

std::string describe(Type type);

}  // namespace raftsim::check::edn

#include "check/edn.h"

#include <fmt/format.h>

#include <charconv>

namespace raftsim::check::edn {
namespace {

class Reader {
 public:
  Reader(std::string_view text, int first_line) : text_(text), line_(first_line) {}

  ParseResult read_all() {
    ParseResult result;
    while (skip_blank(), pos_ < text_.size()) {
      Value value;
      if (!read(value, 0)) {
        result.error = error_;
        result.error_line = error_line_;
        return result;
      }
      result.values.push_back(std::move(value));
    }
    return result;
  }

 private:
  static constexpr int kMaxDepth = 64;

  bool fail(std::string message) {
    error_ = std::move(message);
    error_line_ = line_;
    return false;
  }

  void skip_blank() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '\n') {
        ++line_;
      } else if (c == ';') {
        while (pos_ < text_.size() && text_[pos_] != '\n')
          ++pos_;
        continue;
      } else if (c != ' ' && c != '\t' && c != '\r' && c != ',') {
        return;
      }
      ++pos_;
    }
  }

  static bool is_delimiter(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == ';' || c == '(' ||
           c == ')' || c == '[' || c == ']' || c == '{' || c == '}' || c == '"';
  }

  std::string_view token() {
    std::size_t start = pos_;
    while (pos_ < text_.size() && !is_delimiter(text_[pos_]))
      ++pos_;
    return text_.substr(start, pos_ - start);
  }

  bool read(Value& out, int depth) {
    if (depth > kMaxDepth) return fail("collections nested too deeply");
    skip_blank();
    if (pos_ >= text_.size()) return fail("unexpected end of input");
    out.line = line_;
    char c = text_[pos_];
    if (c == '[') return read_collection(out, Type::vector, ']', depth);
    if (c == '(') return read_collection(out, Type::list, ')', depth);
    if (c == '{') return read_collection(out, Type::map, '}', depth);
    if (c == ')' || c == ']' || c == '}') return fail(fmt::format("unexpected '{}'", c));
    if (c == '"') return read_string(out);
    if (c == '#') return fail("tagged or dispatch forms ('#') are not supported");
    return read_atom(out);
  }

  bool read_collection(Value& out, Type type, char close, int depth) {
    out.type = type;
    ++pos_;
    while (true) {
      skip_blank();
      if (pos_ >= text_.size()) {
        return fail(fmt::format("missing '{}' to close the {} opened on line {}", close,
                                describe(type), out.line));
      }
      if (text_[pos_] == close) break;
      Value item;
      if (!read(item, depth + 1)) return false;
      out.items.push_back(std::move(item));
    }
    ++pos_;
    if (type == Type::map && out.items.size() % 2 != 0) {
      error_line_ = out.line;
      error_ = "map has a key without a value";
      return false;
    }
    return true;
  }

  bool read_string(Value& out) {
    out.type = Type::string;
    const int start_line = line_;
    ++pos_;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_++];
      if (c == '\n') ++line_;
      if (c == '\\') {
        if (pos_ >= text_.size()) break;
        char escaped = text_[pos_++];
        c = escaped == 'n' ? '\n' : escaped == 't' ? '\t' : escaped;
      }
      out.text += c;
    }
    if (pos_ >= text_.size()) {
      line_ = start_line;
      return fail("unterminated string");
    }
    ++pos_;
    return true;
  }

  bool read_atom(Value& out) {
    std::string_view word = token();
    if (word.empty()) return fail(fmt::format("unexpected character '{}'", text_[pos_]));
    if (word[0] == ':') {
      if (word.size() == 1) return fail("empty keyword");
      out.type = Type::keyword;
      out.text = std::string(word.substr(1));
      return true;
    }
    if (word == "nil") return out.type = Type::nil, true;
    if (word == "true" || word == "false") {
      out.type = Type::boolean;
      out.integer = word == "true";
      return true;
    }
    char first = word[0];
    if ((first >= '0' && first <= '9') || ((first == '-' || first == '+') && word.size() > 1)) {
      std::string_view digits = first == '+' ? word.substr(1) : word;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out.integer);
      if (ec != std::errc() || end != digits.data() + digits.size()) {
        return fail(fmt::format("'{}' is not an integer", word));
      }
      out.type = Type::integer;
      return true;
    }
    out.type = Type::symbol;
    out.text = std::string(word);
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  int line_;
  std::string error_;
  int error_line_ = 0;
};

}  // namespace

const Value* Value::get(std::string_view keyword) const {
  if (type != Type::map) return nullptr;
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
    if (items[i].is_keyword(keyword)) return &items[i + 1];
  }
  return nullptr;
}

ParseResult parse(std::string_view text, int first_line) {
  return Reader(text, first_line).read_all();
}

std::string describe(Type type) {
  switch (type) {
    case Type::nil:
      return "nil";
    case Type::boolean:
      return "boolean";
    case Type::integer:
      return "integer";
    case Type::string:
      return "string";
    case Type::keyword:
      return "keyword";
    case Type::symbol:
      return "symbol";
    case Type::vector:
      return "vector";
    case Type::list:
      return "list";
    case Type::map:
      return "map";
  }
  return "?";
}

}  // namespace raftsim::check::edn

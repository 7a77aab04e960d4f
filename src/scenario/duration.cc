#include "scenario/duration.h"

#include <cstdint>

namespace raftsim::scenario {
namespace {

constexpr int64_t kMaxMicros = int64_t{100} * 24 * 3600 * 1000000;  // 100 days

std::optional<int64_t> unit_micros(std::string_view unit) {
  if (unit == "us") return 1;
  if (unit == "ms") return 1000;
  if (unit == "s") return 1000000;
  if (unit == "m") return 60000000;
  return std::nullopt;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

std::optional<sim::Duration> parse_duration(std::string_view text) {
  if (text == "0") return sim::Duration{0};
  size_t i = 0;
  int64_t whole = 0;
  while (i < text.size() && is_digit(text[i])) {
    if (whole > kMaxMicros) return std::nullopt;
    whole = whole * 10 + (text[i] - '0');
    ++i;
  }
  if (i == 0) return std::nullopt;
  std::string_view fraction;
  if (i < text.size() && text[i] == '.') {
    const size_t start = ++i;
    while (i < text.size() && is_digit(text[i]))
      ++i;
    fraction = text.substr(start, i - start);
    if (fraction.empty()) return std::nullopt;
  }
  const auto unit = unit_micros(text.substr(i));
  if (!unit || whole > kMaxMicros / *unit) return std::nullopt;
  int64_t micros = whole * *unit;
  // The fraction must name whole microseconds: digits past the unit's precision must be zero.
  int64_t scale = *unit;
  for (char c : fraction) {
    const int64_t digit = c - '0';
    if (scale % 10 != 0) {
      if (digit != 0) return std::nullopt;
      continue;
    }
    scale /= 10;
    micros += digit * scale;
  }
  if (micros > kMaxMicros) return std::nullopt;
  return sim::Duration{micros};
}

std::string format_duration(sim::Duration d) {
  const int64_t us = d.count();
  if (us == 0) return "0";
  if (us % 60000000 == 0) return std::to_string(us / 60000000) + "m";
  if (us % 1000000 == 0) return std::to_string(us / 1000000) + "s";
  if (us % 1000 == 0) return std::to_string(us / 1000) + "ms";
  return std::to_string(us) + "us";
}

}  // namespace raftsim::scenario

#include "seed_flag.h"

#include <fmt/format.h>

#include <charconv>
#include <limits>

namespace raftsim::tools {

std::variant<uint64_t, std::string> parse_seed(std::string_view text) {
  constexpr uint64_t kLargest = std::numeric_limits<uint64_t>::max();
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  // from_chars accepts no sign and no space for an unsigned type; on overflow it still consumes
  // every digit, so a number that is only too large is told apart from one with junk after it.
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (!text.empty() && ptr == end && ec == std::errc::result_out_of_range) {
    return fmt::format("'{}': too large (the largest seed is {})", text, kLargest);
  }
  if (text.empty() || ec != std::errc{} || ptr != end) {
    return fmt::format("'{}': expected a whole number from 0 to {}", text, kLargest);
  }
  return value;
}

CLI::Option* add_seed_option(CLI::App& command, std::function<void(uint64_t)> store,
                             const std::string& description) {
  const CLI::Validator is_seed(
      [](std::string& text) {
        auto parsed = parse_seed(text);
        const auto* error = std::get_if<std::string>(&parsed);
        return error ? *error : std::string();
      },
      "SEED");
  return command
      .add_option_function<std::string>(
          "--seed",
          [store = std::move(store)](const std::string& text) {
            store(std::get<uint64_t>(parse_seed(text)));
          },
          description)
      ->check(is_seed);
}

}  // namespace raftsim::tools

#include "number_flags.h"

#include <fmt/format.h>

#include <charconv>
#include <limits>

namespace raftsim::tools {

std::variant<uint64_t, std::string> parse_whole_number(std::string_view text, uint64_t least,
                                                       uint64_t most) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  // from_chars accepts no sign and no space for an unsigned type; on overflow it still consumes
  // every digit, so a number that is only too large is told apart from one with junk after it.
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  const bool digits_only = !text.empty() && ptr == end;
  if ((digits_only && ec == std::errc::result_out_of_range) ||
      (ec == std::errc{} && digits_only && value > most)) {
    return fmt::format("'{}': too large (the largest is {})", text, most);
  }
  if (text.empty() || ec != std::errc{} || ptr != end) {
    return fmt::format("'{}': expected a whole number from {} to {}", text, least, most);
  }
  if (value < least) return fmt::format("'{}': too small (the least is {})", text, least);
  return value;
}

namespace {

// `shown`: what --help says the option takes.
CLI::Option* add_number(CLI::App& command, const std::string& name,
                        std::function<void(uint64_t)> store, const std::string& description,
                        uint64_t least, uint64_t most, const std::string& shown) {
  const CLI::Validator is_number(
      [least, most](std::string& text) {
        auto parsed = parse_whole_number(text, least, most);
        const auto* error = std::get_if<std::string>(&parsed);
        return error ? *error : std::string();
      },
      "");
  return command
      .add_option_function<std::string>(
          name,
          [store = std::move(store), least, most](const std::string& text) {
            store(std::get<uint64_t>(parse_whole_number(text, least, most)));
          },
          description)
      ->check(is_number)
      ->type_name(shown);
}

}  // namespace

CLI::Option* add_whole_number_option(CLI::App& command, const std::string& name,
                                     std::function<void(uint64_t)> store,
                                     const std::string& description, uint64_t least,
                                     uint64_t most) {
  return add_number(command, name, std::move(store), description, least, most,
                    most == std::numeric_limits<uint64_t>::max()
                        ? fmt::format("UINT:at least {}", least)
                        : fmt::format("UINT:{} to {}", least, most));
}

CLI::Option* add_seed_option(CLI::App& command, std::function<void(uint64_t)> store,
                             const std::string& description) {
  return add_number(command, "--seed", std::move(store), description, 0,
                    std::numeric_limits<uint64_t>::max(), "TEXT:SEED");
}

}  // namespace raftsim::tools

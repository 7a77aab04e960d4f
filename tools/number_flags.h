// Whole numbers as typed on the command line: `--seed`, `--runs`, `--event-budget`. Read as
// text, not by the flag library's integer conversion, which wraps `-1` and numbers past
// 2^64 - 1 around to some other number silently (`--runs -1` became 2^64 - 1 runs).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <variant>

namespace raftsim::tools {

// A whole number from `least` to `most` in decimal digits only: no sign, no spaces, nothing
// after the digits. Returns the number, or a message saying what is wrong with `text`.
std::variant<uint64_t, std::string> parse_whole_number(std::string_view text, uint64_t least,
                                                       uint64_t most);

// Adds option `name` to `command`: a text parse_whole_number refuses is a usage error the flag
// library reports (exit 2, like any other bad flag); a number is handed to `store`.
CLI::Option* add_whole_number_option(CLI::App& command, const std::string& name,
                                     std::function<void(uint64_t)> store,
                                     const std::string& description, uint64_t least, uint64_t most);

// Adds `--seed`: any whole number from 0 to 2^64 - 1.
CLI::Option* add_seed_option(CLI::App& command, std::function<void(uint64_t)> store,
                             const std::string& description);

}  // namespace raftsim::tools

// `--seed` as typed on the command line. Read as text, not by the flag library's integer
// conversion, which wraps `-1` and numbers past 2^64 - 1 around to some other seed silently.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <variant>

namespace raftsim::tools {

// A seed is a whole number from 0 to 2^64 - 1 in decimal digits only: no sign, no spaces, nothing
// after the digits. Returns the seed, or a message saying what is wrong with `text`.
std::variant<uint64_t, std::string> parse_seed(std::string_view text);

// Adds `--seed` to `command`: a text parse_seed refuses is a usage error the flag library reports
// (exit 2, like any other bad flag); a seed is handed to `store`.
CLI::Option* add_seed_option(CLI::App& command, std::function<void(uint64_t)> store,
                             const std::string& description);

}  // namespace raftsim::tools

// `--seed` as typed on the command line. Read as text, not by the flag library's integer
// conversion, which wraps `-1` and numbers past 2^64 - 1 around to some other seed silently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace raftsim::tools {

// A seed is a whole number from 0 to 2^64 - 1 in decimal digits only: no sign, no spaces, nothing
// after the digits. Returns the seed, or a message naming the flag and what is wrong.
std::variant<uint64_t, std::string> parse_seed(std::string_view text);

}  // namespace raftsim::tools

// How scenario files write durations: a number and a unit (`150ms`, `2.5s`, `1m`), or a bare `0`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sim/time.h"

namespace raftsim::scenario {

// Units: us, ms, s, m. The number is decimal digits with an optional fraction; the result must be a
// whole number of microseconds and at most about 100 days. Anything else (`5 sec`, `5`, `-1s`,
// `1.5us`) is nullopt.
std::optional<sim::Duration> parse_duration(std::string_view text);

// The exact inverse: the largest unit that represents `d` in whole numbers (`90s` is written `90s`,
// `120s` as `2m`, `1500us` as `1500us`, zero as `0`). Negative durations are written with a sign,
// which parse_duration rejects.
std::string format_duration(sim::Duration d);

}  // namespace raftsim::scenario

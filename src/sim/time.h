// Virtual time. A SimTime is a point on the simulated clock, which only the event loop advances;
// SimClock deliberately has no now(), so no code can mistake it for the wall clock.
#pragma once

#include <chrono>
#include <cstdint>

namespace raftsim::sim {

struct SimClock {
  using rep = int64_t;
  using period = std::micro;
  using duration = std::chrono::microseconds;
  using time_point = std::chrono::time_point<SimClock>;
  static constexpr bool is_steady = true;
};

using Duration = std::chrono::microseconds;
using SimTime = SimClock::time_point;

constexpr SimTime kTimeZero{};

constexpr int64_t micros(SimTime t) {
  return t.time_since_epoch().count();
}
constexpr double seconds(SimTime t) {
  return static_cast<double>(micros(t)) / 1e6;
}
constexpr double seconds(Duration d) {
  return static_cast<double>(d.count()) / 1e6;
}

}  // namespace raftsim::sim

#include "sim/link.h"

#include <algorithm>
#include <cmath>

namespace raftsim::sim {

Duration Latency::sample(raft::Random& rng) const {
  switch (shape) {
    case Shape::kConstant:
      return min;
    case Shape::kUniform:
      return Duration{rng.between(min.count(), std::max(min, max).count())};
    case Shape::kExponential: {
      const double mean = static_cast<double>((max - min).count()) / 2.0;
      const double draw = -mean * std::log(1.0 - rng.unit());
      const double capped = std::min(draw, 10.0 * static_cast<double>(max.count()));
      return min + Duration{static_cast<int64_t>(capped)};
    }
    case Shape::kLongTail:
      if (rng.chance(tail_chance)) {
        return Duration{rng.between(max.count(), std::max(max, tail_max).count())};
      }
      return Duration{rng.between(min.count(), std::max(min, max).count())};
  }
  return min;
}

Routing route_on(const LinkModel& link, raft::Random& rng) {
  Routing r;
  // The three coin flips happen for every message, whatever the link's rates, so turning loss
  // on for a link changes which messages are lost, not the latencies drawn for unrelated ones.
  const bool lost = rng.chance(link.loss);
  const bool duplicated = rng.chance(link.duplicate);
  const bool reordered = rng.chance(link.reorder);
  r.delay = link.latency.sample(rng) + link.extra_delay;
  if (reordered) r.delay += Duration{rng.between(0, link.latency.max.count())};
  if (lost) {
    r.fate = Routing::Fate::kLost;
    return r;
  }
  if (duplicated) {
    r.duplicated = true;
    r.duplicate_delay = link.latency.sample(rng) + link.extra_delay;
  }
  return r;
}

}  // namespace raftsim::sim

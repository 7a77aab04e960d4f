#include "sim/network.h"

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

Network::Network(uint32_t nodes, LinkModel defaults, uint64_t seed)
    : nodes_(nodes),
      links_(size_t{nodes} * nodes, defaults),
      blocked_(size_t{nodes} * nodes, 0),
      clogged_(size_t{nodes} * nodes, 0),
      rng_(seed) {}

void Network::set_all_links(const LinkModel& model) {
  std::fill(links_.begin(), links_.end(), model);
}

Routing Network::route(uint32_t from, uint32_t to) {
  Routing r;
  if (blocked_[slot(from, to)]) {
    r.fate = Routing::Fate::kBlocked;
    return r;
  }
  if (clogged_[slot(from, to)]) {
    r.fate = Routing::Fate::kClogged;
    return r;
  }
  const LinkModel& link = links_[slot(from, to)];
  // The three coin flips happen for every message, whatever the link's rates, so turning loss
  // on for a link changes which messages are lost, not the latencies drawn for unrelated ones.
  const bool lost = rng_.chance(link.loss);
  const bool duplicated = rng_.chance(link.duplicate);
  const bool reordered = rng_.chance(link.reorder);
  r.delay = link.latency.sample(rng_) + link.extra_delay;
  if (reordered) r.delay += Duration{rng_.between(0, link.latency.max.count())};
  if (lost) {
    r.fate = Routing::Fate::kLost;
    return r;
  }
  if (duplicated) {
    r.duplicated = true;
    r.duplicate_delay = link.latency.sample(rng_) + link.extra_delay;
  }
  return r;
}

void Network::partition(const std::vector<std::vector<uint32_t>>& groups) {
  std::vector<int> group_of(nodes_ + 1, -1);
  for (size_t g = 0; g < groups.size(); ++g) {
    for (uint32_t node : groups[g])
      group_of[node] = static_cast<int>(g);
  }
  for (uint32_t a = 1; a <= nodes_; ++a) {
    for (uint32_t b = 1; b <= nodes_; ++b) {
      const bool same = group_of[a] >= 0 && group_of[a] == group_of[b];
      blocked_[slot(a, b)] = a != b && !same;
    }
  }
}

void Network::heal() {
  std::fill(blocked_.begin(), blocked_.end(), 0);
  std::fill(clogged_.begin(), clogged_.end(), 0);
}

}  // namespace raftsim::sim

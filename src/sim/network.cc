#include "sim/network.h"

#include <algorithm>

namespace raftsim::sim {

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
  return route_on(links_[slot(from, to)], rng_);
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

#include "real/link_cuts.h"

#include <map>

namespace raftsim::real {

void LinkCuts::partition(std::span<const std::vector<uint32_t>> groups) {
  std::map<uint32_t, size_t> group_of;
  for (size_t g = 0; g < groups.size(); ++g)
    for (uint32_t id : groups[g])
      group_of[id] = g;
  cut_.clear();
  for (uint32_t a : nodes_)
    for (uint32_t b : nodes_) {
      const auto ga = group_of.find(a), gb = group_of.find(b);
      const bool together =
          ga != group_of.end() && gb != group_of.end() && ga->second == gb->second;
      if (a != b && !together) cut_.insert({a, b});
    }
}

void LinkCuts::cut(std::span<const std::pair<uint32_t, uint32_t>> links) {
  for (const auto& link : links)
    cut_.insert(link);
}

BlockedPeers LinkCuts::blocked(uint32_t id) const {
  BlockedPeers out;
  for (uint32_t other : nodes_) {
    if (other == id) continue;
    if (cut_.contains({id, other})) out.to.push_back(other);
    if (cut_.contains({other, id})) out.from.push_back(other);
  }
  return out;
}

}  // namespace raftsim::real

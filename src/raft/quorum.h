// Majority arithmetic, as pure functions.
#pragma once

#include <algorithm>
#include <span>
#include <vector>

#include "raft/types.h"

namespace raftsim::raft {

// The number of voters that makes a majority of `voters`: more than half.
constexpr size_t majority(size_t voters) {
  return voters / 2 + 1;
}

// The largest index that at least a majority of voters have replicated, given each voter's match
// index (one element per voter, in any order). With no voters the answer is Index{0}.
//
// Sorting descending, the value at position majority-1 is held by that voter and by every voter
// before it: a majority. No larger value is held by a majority.
inline Index quorum_index(std::span<const Index> match) {
  if (match.empty()) return Index{};
  std::vector<Index> sorted(match.begin(), match.end());
  const size_t k = majority(sorted.size()) - 1;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<ptrdiff_t>(k), sorted.end(),
                   std::greater<>());
  return sorted[k];
}

}  // namespace raftsim::raft

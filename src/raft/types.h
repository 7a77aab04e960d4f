// The Raft vocabulary as distinct types: a Term is never mistaken for an Index, nor either for a
// node's id. All three are plain values, free to copy and compare.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <limits>

namespace raftsim::raft {

// A Raft term. 0 is the term before any election; every message sent by a live node carries >= 1.
struct Term {
  uint64_t value = 0;

  constexpr Term next() const { return Term{value + 1}; }
  constexpr auto operator<=>(const Term&) const = default;
};

// A position in the replicated log. Entries are numbered from 1; Index{0} is "before the first
// entry" (its term is Term{0}), which is what an empty log's last index is.
struct Index {
  uint64_t value = 0;

  constexpr Index next() const { return Index{value + 1}; }
  constexpr Index prev() const { return Index{value == 0 ? 0 : value - 1}; }
  constexpr auto operator<=>(const Index&) const = default;
};

constexpr Index operator+(Index i, uint64_t n) {
  return Index{i.value + n};
}
constexpr Index operator-(Index i, uint64_t n) {
  return Index{i.value - n};
}
// Number of entries in (from, to]; requires from <= to.
constexpr uint64_t distance(Index from, Index to) {
  return to.value - from.value;
}

// A voter's identity. NodeId{0} is reserved for "nobody" (no vote cast, no known leader).
struct NodeId {
  uint32_t value = 0;

  constexpr bool is_none() const { return value == 0; }
  constexpr auto operator<=>(const NodeId&) const = default;
};

constexpr NodeId kNoNode{};

}  // namespace raftsim::raft

template <>
struct std::hash<raftsim::raft::NodeId> {
  size_t operator()(raftsim::raft::NodeId id) const noexcept { return id.value; }
};

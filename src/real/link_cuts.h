// Which links between real nodes deliver nothing, and what that asks of each node.
//
// The rules are the simulated network's, so a scenario's partitions and cuts mean the same thing
// against real processes: a partition replaces every earlier partition and cut, a cut (one way)
// adds to them, a heal opens every link. A cut link is enforced at both of its ends — the sender
// sends nothing on it, the receiver drops what still arrives — so it holds while one end is
// restarting and has not been told yet.
#pragma once

#include <cstdint>
#include <set>
#include <span>
#include <utility>
#include <vector>

namespace raftsim::real {

// The peers whose messages one node drops, per direction, in id order.
struct BlockedPeers {
  std::vector<uint32_t> to, from;
  bool operator==(const BlockedPeers&) const = default;
};

class LinkCuts {
 public:
  // `nodes`: every node's id, in order.
  explicit LinkCuts(std::vector<uint32_t> nodes) : nodes_(std::move(nodes)) {}

  // Nodes in different groups cannot talk; a node in no group reaches no one.
  void partition(std::span<const std::vector<uint32_t>> groups);
  // Each (from, to) stops delivering.
  void cut(std::span<const std::pair<uint32_t, uint32_t>> links);
  void heal() { cut_.clear(); }

  // What node `id` must drop.
  BlockedPeers blocked(uint32_t id) const;

 private:
  std::vector<uint32_t> nodes_;                  // node ids
  std::set<std::pair<uint32_t, uint32_t>> cut_;  // (from, to)
};

}  // namespace raftsim::real

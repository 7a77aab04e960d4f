// The simulated network between nodes: one model per directed link.
//
// A link decides, for each message, whether it is lost, and when each copy arrives. Reachability
// is a matrix (blocked_[from][to]), so any partition shape is expressible: groups, one isolated
// node, a bridge node that sees both sides, a ring of majorities, or a single broken direction.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "raft/random.h"
#include "sim/link.h"
#include "sim/time.h"

namespace raftsim::sim {

class Network {
 public:
  // Nodes are numbered 1..nodes. `seed` is the network's own stream.
  Network(uint32_t nodes, LinkModel defaults, uint64_t seed);

  Routing route(uint32_t from, uint32_t to);

  LinkModel& link(uint32_t from, uint32_t to) { return links_[slot(from, to)]; }
  void set_all_links(const LinkModel& model);

  // Blocks every link between nodes of different groups; nodes in no group reach nobody.
  void partition(const std::vector<std::vector<uint32_t>>& groups);
  void block(uint32_t from, uint32_t to, bool blocked) { blocked_[slot(from, to)] = blocked; }
  bool blocked(uint32_t from, uint32_t to) const { return blocked_[slot(from, to)]; }
  // Clears every block and clog (link models, delays and loss rates stay).
  void heal();

  // A clogged link holds its messages until unclogged; then they leave together.
  void clog(uint32_t from, uint32_t to, bool clogged) { clogged_[slot(from, to)] = clogged; }
  bool clogged(uint32_t from, uint32_t to) const { return clogged_[slot(from, to)]; }

  uint32_t nodes() const { return nodes_; }
  raft::Random& rng() { return rng_; }

 private:
  size_t slot(uint32_t from, uint32_t to) const { return (from - 1) * nodes_ + (to - 1); }

  uint32_t nodes_;
  std::vector<LinkModel> links_;
  std::vector<uint8_t> blocked_;
  std::vector<uint8_t> clogged_;
  raft::Random rng_;
};

}  // namespace raftsim::sim

// One direction of a link between two nodes, as the simulated network models it: how long a
// message takes, and whether it is lost, duplicated or held back. Real nodes apply the same model
// to their outgoing messages (`raftsim run --real`), so a scenario's network means the same thing
// in both worlds.
#pragma once

#include <cstdint>

#include "raft/random.h"
#include "sim/time.h"

namespace raftsim::sim {

struct Latency {
  enum class Shape : uint8_t {
    kConstant,     // always `min`
    kUniform,      // uniform in [min, max]
    kExponential,  // min + exponential with mean (max - min) / 2, capped at 10 * max
    kLongTail,     // uniform in [min, max], but with probability `tail_chance` up to `tail_max`
  };
  Shape shape = Shape::kUniform;
  Duration min{1000};
  Duration max{10000};
  double tail_chance = 0.01;
  Duration tail_max{1000000};

  Duration sample(raft::Random& rng) const;
};

struct LinkModel {
  Latency latency;
  double loss = 0;          // probability a message is lost
  double duplicate = 0;     // probability a message arrives twice
  double reorder = 0;       // probability a message is held back by up to one extra max latency
  Duration extra_delay{0};  // added to every message (e.g. 10 s)
};

// What the network decided for one message.
struct Routing {
  enum class Fate : uint8_t { kDeliver, kLost, kBlocked, kClogged };
  Fate fate = Fate::kDeliver;
  Duration delay{0};
  bool duplicated = false;
  Duration duplicate_delay{0};
};

// The fate of one message on an open link. Draws from `rng` in the same order for every
// message, whatever the link's rates.
Routing route_on(const LinkModel& link, raft::Random& rng);

}  // namespace raftsim::sim

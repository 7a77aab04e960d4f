// Scenarios for the membership tests of exploration: five servers, some of them voters and the
// rest spares for a change to add.
#pragma once

#include <string>

#include "scenario_text.h"

namespace raftsim::test {

// n1..n5 with `voters` the voters and the rest spares, 5 ms links, one client; n2 is made
// leader at 10ms, then `timeline` (entries indented two spaces).
inline std::string with_spares(const std::string& voters, const std::string& timeline,
                               const std::string& duration = "5s") {
  return R"(name: toggles
duration: )" +
         duration +
         R"(
cluster:
  nodes: [n1, n2, n3, n4, n5]
  voters: [)" +
         voters + R"(]
  election_timeout: 150ms
  heartbeat: 50ms
network:
  latency: {shape: constant, min: 5ms, max: 5ms}
workload: {clients: 1, keys: 2, think: 10ms}
timeline:
  - {at: 10ms, elect: n2}
)" + timeline;
}

}  // namespace raftsim::test

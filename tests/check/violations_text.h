// Every violation a checker reported, one per line: what a failed expectation prints.
#pragma once

#include <string>

#include "check/raft_invariants.h"

namespace raftsim::check {

inline std::string all(const RaftInvariants& inv) {
  std::string out;
  for (const PropertyViolation& v : inv.violations())
    out += to_string(v) + "\n";
  return out;
}

}  // namespace raftsim::check

// A node's name in a checker's report.
#pragma once

#include <span>
#include <string>

#include "raft/types.h"

namespace raftsim::check {

// The scenario's name for node `id` when known, else "n<id>".
inline std::string node_name(std::span<const std::string> names, raft::NodeId id) {
  if (id.value >= 1 && id.value <= names.size()) return names[id.value - 1];
  return "n" + std::to_string(id.value);
}

}  // namespace raftsim::check

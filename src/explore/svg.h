// The coverage picture: distinct abstract states against runs, one line per strategy, as a
// self-contained SVG file (plain elements, readable in any browser or image viewer).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace raftsim::explore {

struct CoverageLine {
  std::string label;                   // e.g. "guided (312 runs/s)"
  std::vector<uint64_t> states_after;  // distinct states after each run
};

std::string coverage_svg(const std::string& title, const std::vector<CoverageLine>& lines);

}  // namespace raftsim::explore

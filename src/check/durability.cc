#include "check/durability.h"

#include <algorithm>
#include <utility>

namespace raftsim::check {

std::vector<PropertyViolation> check_durability(std::span<const AckedWrite> acked,
                                                std::span<const CommittedCommand> committed,
                                                SimTime end, uint64_t seed) {
  using RequestId = std::pair<uint64_t, uint64_t>;
  std::vector<RequestId> present;
  present.reserve(committed.size());
  for (const CommittedCommand& c : committed)
    present.emplace_back(c.client_id, c.seq);
  std::sort(present.begin(), present.end());

  std::vector<PropertyViolation> missing;
  for (const AckedWrite& w : acked) {
    if (std::binary_search(present.begin(), present.end(), RequestId{w.client_id, w.seq})) continue;
    PropertyViolation v;
    v.property = std::string(kDurability);
    if (!w.node.is_none()) v.nodes.push_back(w.node);
    v.time = end;
    v.seed = seed;
    v.detail = "client " + std::to_string(w.client_id) + " seq " + std::to_string(w.seq) + " (" +
               w.op + " " + w.key + "), acknowledged at " + std::to_string(w.acked_at) + "us" +
               (w.node.is_none() ? "" : " by n" + std::to_string(w.node.value)) +
               ", is not in the committed log";
    missing.push_back(std::move(v));
  }
  return missing;
}

}  // namespace raftsim::check

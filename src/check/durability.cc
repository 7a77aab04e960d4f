#include "check/durability.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace raftsim::check {

namespace {

std::string node_name(std::span<const std::string> names, raft::NodeId id) {
  if (id.value >= 1 && id.value <= names.size()) return names[id.value - 1];
  return fmt::format("n{}", id.value);
}

std::string describe(const AckedWrite& w, std::span<const std::string> names) {
  std::string out = fmt::format("client {} seq {} ({} {} {:?}), acknowledged", w.client_id, w.seq,
                                w.op, w.key, w.value);
  if (!w.node.is_none()) out += " by " + node_name(names, w.node);
  out += fmt::format(" at {}.{:06}s", w.acked_at / 1'000'000, w.acked_at % 1'000'000);
  if (w.index.value != 0) {
    out += fmt::format(" as (index {}, term {})", w.index.value, w.term.value);
  }
  return out + ", is not in the committed log";
}

}  // namespace

std::vector<size_t> lost_writes(std::span<const AckedWrite> acked,
                                std::span<const CommittedCommand> committed) {
  using RequestId = std::pair<uint64_t, uint64_t>;
  std::vector<RequestId> present;
  present.reserve(committed.size());
  for (const CommittedCommand& c : committed)
    present.emplace_back(c.client_id, c.seq);
  std::sort(present.begin(), present.end());

  std::vector<size_t> lost;
  for (size_t i = 0; i < acked.size(); ++i) {
    const RequestId id{acked[i].client_id, acked[i].seq};
    if (!std::binary_search(present.begin(), present.end(), id)) lost.push_back(i);
  }
  return lost;
}

PropertyViolation durability_violation(const AckedWrite& lost, SimTime end, uint64_t seed,
                                       std::span<const std::string> names) {
  PropertyViolation v;
  v.property = std::string(kDurability);
  if (!lost.node.is_none()) v.nodes.push_back(lost.node);
  v.term = lost.term;
  v.index = lost.index;
  v.time = end;
  v.seed = seed;
  v.detail = describe(lost, names);
  return v;
}

std::vector<PropertyViolation> check_durability(std::span<const AckedWrite> acked,
                                                std::span<const CommittedCommand> committed,
                                                SimTime end, uint64_t seed,
                                                std::span<const std::string> names) {
  std::vector<PropertyViolation> missing;
  for (size_t i : lost_writes(acked, committed))
    missing.push_back(durability_violation(acked[i], end, seed, names));
  return missing;
}

}  // namespace raftsim::check

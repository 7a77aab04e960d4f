// The `swarm:` section: the ranges swarm draws take each run's settings from.
#include <fmt/format.h>

#include <algorithm>

#include "scenario/duration.h"
#include "scenario/sections.h"

namespace raftsim::scenario::detail {

namespace {

constexpr std::array kSwarmKeys = {"nodes"sv,          "election_timeout"sv,
                                   "heartbeat"sv,      "max_entries_per_append"sv,
                                   "fsync"sv,          "latency"sv,
                                   "reorder"sv,        "clients"sv,
                                   "keys"sv,           "think"sv,
                                   "snapshot_every"sv, "pct_depth"sv,
                                   "faults"sv,         "max_appends_per_round"sv};

// `[min, max]` whole numbers within [lo, hi], or one number for both.
std::optional<Range<uint64_t>> whole_range(Reader& r, const YAML::Node& node, uint64_t lo,
                                           uint64_t hi) {
  if (!node.IsDefined()) return std::nullopt;
  if (node.IsScalar()) {
    const auto v = r.whole(node, lo, hi);
    if (!v) return std::nullopt;
    return Range<uint64_t>{*v, *v};
  }
  if (!node.IsSequence() || node.size() != 2) {
    r.error(node, fmt::format("expected [min, max] whole numbers from {} to {}", lo, hi));
    return std::nullopt;
  }
  const auto min = r.whole(node[0], lo, hi);
  const auto max = r.whole(node[1], lo, hi);
  if (!min || !max) return std::nullopt;
  if (*min > *max) {
    r.error(node, fmt::format("min {} is above max {}", *min, *max));
    return std::nullopt;
  }
  return Range<uint64_t>{*min, *max};
}

template <typename T>
std::optional<Range<T>> narrow(const std::optional<Range<uint64_t>>& range) {
  if (!range) return std::nullopt;
  return Range<T>{static_cast<T>(range->min), static_cast<T>(range->max)};
}

std::optional<Range<Duration>> duration_range(Reader& r, const YAML::Node& node, bool positive) {
  const auto range = r.range(node);
  if (!range) return std::nullopt;
  if (positive && range->first.count() == 0) {
    r.error(node, "the range must start above 0");
    return std::nullopt;
  }
  return Range<Duration>{range->first, range->second};
}

std::optional<Range<double>> probability_range(Reader& r, const YAML::Node& node) {
  if (!node.IsDefined()) return std::nullopt;
  if (node.IsScalar()) {
    const auto p = r.probability(node);
    if (!p) return std::nullopt;
    return Range<double>{*p, *p};
  }
  if (!node.IsSequence() || node.size() != 2) {
    r.error(node, "expected [min, max] probabilities from 0 to 1");
    return std::nullopt;
  }
  const auto min = r.probability(node[0]);
  const auto max = r.probability(node[1]);
  if (!min || !max) return std::nullopt;
  if (*min > *max) {
    r.error(node, fmt::format("min {} is above max {}", *min, *max));
    return std::nullopt;
  }
  return Range<double>{*min, *max};
}

void parse_faults(Reader& r, const YAML::Node& faults, std::vector<FaultKind>& out) {
  if (!faults.IsDefined() || !r.list(faults, "a list of fault names")) return;
  for (const YAML::Node& item : faults) {
    const auto i = r.name_of(item, kNemesisFaults, "swarm fault");
    if (!i) continue;
    if (std::find(out.begin(), out.end(), kNemesisKinds[*i]) != out.end()) {
      r.error(item, fmt::format("fault '{}' is listed twice", kNemesisFaults[*i]));
      continue;
    }
    out.push_back(kNemesisKinds[*i]);
  }
}

}  // namespace

void parse_swarm(Reader& r, const YAML::Node& node, SwarmRanges& swarm) {
  if (!node.IsDefined() || !r.map(node, kSwarmKeys, "a map of ranges for swarm draws")) return;
  swarm.nodes = narrow<uint32_t>(whole_range(r, node["nodes"], 1, kMaxNodes));
  swarm.election_timeout = duration_range(r, node["election_timeout"], true);
  swarm.heartbeat = duration_range(r, node["heartbeat"], true);
  if (swarm.election_timeout && swarm.heartbeat &&
      swarm.heartbeat->min >= swarm.election_timeout->max) {
    r.error(node["heartbeat"],
            fmt::format("a heartbeat of at least {} never fits below an election timeout of at "
                        "most {}",
                        format_duration(swarm.heartbeat->min),
                        format_duration(swarm.election_timeout->max)));
  }
  swarm.max_entries_per_append = whole_range(r, node["max_entries_per_append"], 1, 1 << 20);
  swarm.max_appends_per_round = whole_range(r, node["max_appends_per_round"], 1, 1 << 20);
  swarm.fsync = duration_range(r, node["fsync"], false);
  swarm.latency = duration_range(r, node["latency"], false);
  swarm.reorder = probability_range(r, node["reorder"]);
  swarm.clients = narrow<uint32_t>(whole_range(r, node["clients"], 0, 64));
  swarm.keys = narrow<uint32_t>(whole_range(r, node["keys"], 1, 1000));
  swarm.think = duration_range(r, node["think"], false);
  swarm.snapshot_every = whole_range(r, node["snapshot_every"], 0, UINT32_MAX);
  swarm.pct_depth = narrow<uint32_t>(whole_range(r, node["pct_depth"], 0, 1000));
  parse_faults(r, node["faults"], swarm.faults);
}

}  // namespace raftsim::scenario::detail

#include "check/durability.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <utility>

#include "check/node_name.h"

namespace raftsim::check {

namespace {

// Whether the node's disk holds the write: as a command of its log or inside its snapshot.
bool holds(const DurableLog& node, const AckedWrite& write) {
  auto same = [&](const CommittedCommand& c) {
    return c.client_id == write.client_id && c.seq == write.seq;
  };
  auto covers = [&](const CommittedCommand& s) {
    return s.client_id == write.client_id && s.seq >= write.seq;
  };
  return std::any_of(node.commands.begin(), node.commands.end(), same) ||
         std::any_of(node.sessions.begin(), node.sessions.end(), covers);
}

std::string ids(const std::vector<raft::NodeId>& nodes, std::span<const std::string> names) {
  std::vector<std::string> out;
  for (raft::NodeId id : nodes)
    out.push_back(node_name(names, id));
  return fmt::format("{{{}}}", fmt::join(out, " "));
}

// "voters {n1 n2 n3}", "voters {n1 n2 n4} and outgoing voters {n1 n2 n3}".
std::string describe_voters(const raft::Configuration& c, std::span<const std::string> names) {
  std::string out = "voters " + ids(c.voters, names);
  if (c.joint()) out += " and outgoing voters " + ids(c.outgoing, names);
  return out;
}

// The committed log reaches the entry's index, so a command missing from it was replaced there.
bool replaced(const AckedWrite& w, const DurableLogs& disks) {
  return w.index.value != 0 && w.index <= disks.committed_through;
}

std::string describe(const AckedWrite& w, std::span<const std::string> names,
                     const DurableLogs* disks) {
  std::string out = fmt::format("client {} seq {} ({} {} {:?}), acknowledged", w.client_id, w.seq,
                                w.op, w.key, w.value);
  if (!w.node.is_none()) out += " by " + node_name(names, w.node);
  out += fmt::format(" at {}.{:06}s", w.acked_at / 1'000'000, w.acked_at % 1'000'000);
  if (w.index.value != 0) {
    out += fmt::format(" as (index {}, term {})", w.index.value, w.term.value);
  }
  out += ", is not in the committed log";
  if (!disks) return out;
  if (replaced(w, *disks)) {
    return out + fmt::format(", which reaches index {} without it", disks->committed_through.value);
  }
  if (!disks->configuration) {
    return out + fmt::format(", and only {} of {} nodes hold it durably", nodes_holding(w, *disks),
                             disks->nodes.size());
  }
  std::vector<std::string> holding;
  for (raft::NodeId id : disks->configuration->members()) {
    if (disks->configuration->is_voter(id) && id.value <= disks->nodes.size() &&
        holds(disks->nodes[id.value - 1], w))
      holding.push_back(node_name(names, id));
  }
  return out + fmt::format(", and the voters holding it durably ({}) are no majority of {}",
                           holding.empty() ? "none" : fmt::format("{}", fmt::join(holding, " ")),
                           describe_voters(*disks->configuration, names));
}

}  // namespace

size_t nodes_holding(const AckedWrite& write, const DurableLogs& disks) {
  return std::count_if(disks.nodes.begin(), disks.nodes.end(),
                       [&](const DurableLog& node) { return holds(node, write); });
}

bool held_by_quorum(const AckedWrite& write, const DurableLogs& disks) {
  auto holding = [&](raft::NodeId id) {
    return id.value >= 1 && id.value <= disks.nodes.size() &&
           holds(disks.nodes[id.value - 1], write);
  };
  if (disks.configuration) return disks.configuration->has_quorum(holding);
  // More than half of every server: each future election needs one of them.
  return 2 * nodes_holding(write, disks) > disks.nodes.size();
}

std::vector<size_t> lost_writes(std::span<const AckedWrite> acked,
                                std::span<const CommittedCommand> committed,
                                const DurableLogs* disks) {
  using RequestId = std::pair<uint64_t, uint64_t>;
  std::vector<RequestId> present;
  present.reserve(committed.size());
  for (const CommittedCommand& c : committed)
    present.emplace_back(c.client_id, c.seq);
  std::sort(present.begin(), present.end());

  std::vector<size_t> lost;
  for (size_t i = 0; i < acked.size(); ++i) {
    const RequestId id{acked[i].client_id, acked[i].seq};
    if (std::binary_search(present.begin(), present.end(), id)) continue;
    if (disks && !replaced(acked[i], *disks) && held_by_quorum(acked[i], *disks)) {
      continue;  // not committed where we looked, but not lost either
    }
    lost.push_back(i);
  }
  return lost;
}

PropertyViolation durability_violation(const AckedWrite& lost, SimTime end, uint64_t seed,
                                       std::span<const std::string> names,
                                       const DurableLogs* disks) {
  PropertyViolation v;
  v.property = std::string(kDurability);
  if (!lost.node.is_none()) v.nodes.push_back(lost.node);
  v.term = lost.term;
  v.index = lost.index;
  v.time = end;
  v.seed = seed;
  v.detail = describe(lost, names, disks);
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

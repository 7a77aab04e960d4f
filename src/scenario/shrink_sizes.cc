#include "scenario/shrink_sizes.h"

#include <algorithm>

namespace raftsim::scenario {

namespace {

// `to 1` then `halved`, of a count that must stay at least 1.
void smaller_counts(const Fault& f, uint64_t Fault::*field, std::vector<Fault>& out) {
  const uint64_t now = f.*field;
  for (uint64_t to : {uint64_t{1}, now / 2}) {
    if (to < 1 || to >= now) continue;
    Fault c = f;
    c.*field = to;
    if (!(std::find(out.begin(), out.end(), c) != out.end())) out.push_back(c);
  }
}

void smaller_count_in_trigger(const Fault& f, uint64_t Trigger::*field, std::vector<Fault>& out) {
  const uint64_t now = (*f.when).*field;
  for (uint64_t to : {uint64_t{1}, now / 2}) {
    if (to < 1 || to >= now) continue;
    Fault c = f;
    (*c.when).*field = to;
    if (!(std::find(out.begin(), out.end(), c) != out.end())) out.push_back(c);
  }
}

// Halved, in whole milliseconds; nullopt-like 0 when that is no change.
Duration halved(Duration d) {
  return d / 2 / kMillisecond * kMillisecond;
}

}  // namespace

std::vector<Fault> smaller_versions(const Fault& f) {
  std::vector<Fault> out;
  if (is_message_fault(f.kind)) {
    smaller_counts(f, &Fault::count, out);
    if (f.delay.count() > 0 && halved(f.delay) > Duration{0} && halved(f.delay) < f.delay) {
      Fault c = f;
      c.delay = halved(f.delay);
      out.push_back(c);
    }
  }
  if (f.undo_after >= 2 * kMillisecond) {
    Fault c = f;
    c.undo_after = halved(f.undo_after);
    out.push_back(c);
  }
  if (f.when) {
    smaller_count_in_trigger(f, &Trigger::nth, out);
    if (f.when->event == sim::NodeEventKind::kUncommitted) {
      smaller_count_in_trigger(f, &Trigger::entries, out);
    }
  }
  return out;
}

void drop_faults_of_node(std::vector<Fault>& timeline, uint32_t n) {
  std::erase_if(timeline, [n](const Fault& f) {
    return (is_message_fault(f.kind) && (f.from == n || f.to == n)) ||
           (f.when && f.when->node == n);
  });
}

// Takes node `n` (the highest id) out of every fault; false when a node fault names it.
bool remove_node(Scenario& s, uint32_t n) {
  drop_faults_of_node(s.timeline, n);
  std::vector<Fault> kept;
  for (Fault f : s.timeline) {
    if (std::find(f.nodes.begin(), f.nodes.end(), n) != f.nodes.end()) return false;
    for (auto& group : f.groups)
      std::erase(group, n);
    std::erase_if(f.groups, [](const auto& g) { return g.empty(); });
    const bool had_links = !f.links.empty();
    std::erase_if(f.links, [n](const auto& l) { return l.first == n || l.second == n; });
    // An empty link list means "every link" for delay, loss and duplication: drop the fault
    // rather than widen it.
    if (had_links && f.links.empty()) continue;
    if (f.kind == FaultKind::kPartition && f.groups.empty()) continue;
    kept.push_back(std::move(f));
  }
  // The bootstrap configuration loses it too. Voters left empty would mean "every node", a
  // different cluster: keep the node instead.
  std::vector<uint32_t>& voters = s.world.voters;
  if (voters.size() == 1 && voters.front() == n) return false;
  std::erase(voters, n);
  std::erase(s.world.learners, n);
  s.timeline = std::move(kept);
  s.world.node_names.pop_back();
  return true;
}

bool same_role(const sim::WorldConfig& world, uint32_t a, uint32_t b) {
  const auto in = [](const std::vector<uint32_t>& ids, uint32_t id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
  };
  const auto role = [&](uint32_t id) {
    if (in(world.learners, id)) return 2;
    return world.voters.empty() || in(world.voters, id) ? 1 : 0;
  };
  return role(a) == role(b);
}

std::vector<Fault> swap_nodes(std::vector<Fault> timeline, uint32_t a, uint32_t b) {
  const auto swap = [a, b](uint32_t& id) {
    if (id == a) {
      id = b;
    } else if (id == b) {
      id = a;
    }
  };
  for (Fault& f : timeline) {
    for (uint32_t& id : f.nodes)
      swap(id);
    for (auto& group : f.groups)
      for (uint32_t& id : group)
        swap(id);
    for (auto& [from, to] : f.links) {
      swap(from);
      swap(to);
    }
    swap(f.from);
    swap(f.to);
    if (f.when) swap(f.when->node);
  }
  return timeline;
}

}  // namespace raftsim::scenario

#include "scenario/faults.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

namespace raftsim::scenario {

namespace {

std::string node_list(const std::vector<uint32_t>& nodes, const Scenario& s) {
  std::string out;
  for (uint32_t id : nodes)
    out += (out.empty() ? "" : " ") + s.node_name(id);
  return out;
}

std::string link_list(const std::vector<std::pair<uint32_t, uint32_t>>& links, const Scenario& s) {
  if (links.empty()) return "every link";
  std::string out;
  for (const auto& [from, to] : links) {
    out += fmt::format("{}{}->{}", out.empty() ? "" : " ", s.node_name(from), s.node_name(to));
  }
  return out;
}

std::string lie_list(const sim::Lies& lies) {
  std::string out;
  auto add = [&](bool on, const char* name) {
    if (on) out += (out.empty() ? "" : ", ") + std::string(name);
  };
  add(lies.inflate_log, "inflate_log");
  add(lies.vote_for_everyone, "vote_for_everyone");
  add(lies.forge_acks, "forge_acks");
  add(lies.term_inflation, "term_inflation");
  return out;
}

// Every link, or the given ones.
std::vector<std::pair<uint32_t, uint32_t>> targets(const Fault& f, uint32_t nodes) {
  if (!f.links.empty()) return f.links;
  std::vector<std::pair<uint32_t, uint32_t>> all;
  for (uint32_t a = 1; a <= nodes; ++a) {
    for (uint32_t b = 1; b <= nodes; ++b) {
      if (a != b) all.emplace_back(a, b);
    }
  }
  return all;
}

}  // namespace

std::string describe_fault(const Fault& f, const Scenario& s) {
  const std::string nodes = node_list(f.nodes, s);
  switch (f.kind) {
    case FaultKind::kPartition: {
      std::string out = "partition";
      for (size_t g = 0; g < f.groups.size(); ++g) {
        out += fmt::format("{} {{{}}}", g == 0 ? "" : " |", node_list(f.groups[g], s));
      }
      return out;
    }
    case FaultKind::kCut:
      return "cut " + link_list(f.links, s);
    case FaultKind::kHeal:
      return "heal: every partition, cut and clog removed";
    case FaultKind::kDelay:
      return fmt::format("delay {}ms on {}", f.delay.count() / 1000, link_list(f.links, s));
    case FaultKind::kLoss:
      return fmt::format("loss {} on {}", f.rate, link_list(f.links, s));
    case FaultKind::kDuplicate:
      return fmt::format("duplicate {} on {}", f.rate, link_list(f.links, s));
    case FaultKind::kClog:
      return "clog " + link_list(f.links, s);
    case FaultKind::kUnclog:
      return "unclog " + link_list(f.links, s);
    case FaultKind::kCrash:
      return "crash " + nodes;
    case FaultKind::kRestart:
      return "restart " + nodes;
    case FaultKind::kPause:
      return "pause " + nodes;
    case FaultKind::kResume:
      return "resume " + nodes;
    case FaultKind::kWipe:
      return "wipe the disk of " + nodes + " (it restarts empty)";
    case FaultKind::kFsyncLies:
      return fmt::format("fsync on {} {}", nodes, f.on ? "starts lying" : "tells the truth again");
    case FaultKind::kTornWrite:
      return "the next crash of " + nodes + " tears its last write";
    case FaultKind::kCorrupt:
      return fmt::format("corrupt log record {} of {}",
                         f.record == 0 ? std::string("(last)") : std::to_string(f.record), nodes);
    case FaultKind::kClockSkew:
      return fmt::format("clock of {} runs x{}", nodes, 1.0 / f.factor);
    case FaultKind::kLie:
      return f.lies.any() ? fmt::format("{} starts lying: {}", nodes, lie_list(f.lies))
                          : fmt::format("{} stops lying", nodes);
    case FaultKind::kElect:
      return nodes + " campaigns now";
    case FaultKind::kTransfer:
      return f.nodes.size() == 2 ? fmt::format("{} hands leadership to {}", s.node_name(f.nodes[0]),
                                               s.node_name(f.nodes[1]))
                                 : "transfer";
    case FaultKind::kCrashLeader:
    case FaultKind::kIsolateLeader:
      return fmt::format("{} for {}ms", to_string(f.kind), f.length.count() / 1000);
  }
  return std::string(to_string(f.kind));
}

namespace {

void do_fault(sim::World& world, const Fault& f) {
  const uint32_t n = world.node_count();
  switch (f.kind) {
    case FaultKind::kPartition:
      return world.partition(f.groups);
    case FaultKind::kCut:
      for (const auto& [from, to] : f.links)
        world.cut(from, to);
      return;
    case FaultKind::kHeal:
      return world.heal();
    case FaultKind::kDelay:
      for (const auto& [from, to] : targets(f, n))
        world.link(from, to).extra_delay = f.delay;
      return;
    case FaultKind::kLoss:
      for (const auto& [from, to] : targets(f, n))
        world.link(from, to).loss = f.rate;
      return;
    case FaultKind::kDuplicate:
      for (const auto& [from, to] : targets(f, n))
        world.link(from, to).duplicate = f.rate;
      return;
    case FaultKind::kClog:
      for (const auto& [from, to] : f.links)
        world.clog(from, to);
      return;
    case FaultKind::kUnclog:
      for (const auto& [from, to] : f.links)
        world.unclog(from, to);
      return;
    default:
      break;
  }
  for (uint32_t node : f.nodes) {
    switch (f.kind) {
      case FaultKind::kCrash:
        world.crash(node);
        break;
      case FaultKind::kRestart:
        world.restart(node);
        break;
      case FaultKind::kPause:
        world.pause(node);
        break;
      case FaultKind::kResume:
        world.resume(node);
        break;
      case FaultKind::kWipe:
        world.wipe(node);
        break;
      case FaultKind::kFsyncLies:
        world.set_fsync_lies(node, f.on);
        break;
      case FaultKind::kTornWrite:
        world.arm_torn_write(node);
        break;
      case FaultKind::kCorrupt:
        world.corrupt(node, f.record);
        break;
      case FaultKind::kClockSkew:
        world.set_clock_skew(node, f.factor);
        break;
      case FaultKind::kLie:
        world.set_lies(node, f.lies);
        break;
      case FaultKind::kElect:
        world.campaign(node);
        break;
      default:
        break;
    }
  }
  if (f.kind == FaultKind::kTransfer && f.nodes.size() == 2) {
    world.transfer_leader(f.nodes[0], f.nodes[1]);
  }
}

}  // namespace

void apply_fault(sim::World& world, const Fault& f, const Scenario& s) {
  world.note_fault(describe_fault(f, s));
  do_fault(world, f);
}

uint32_t current_leader(const sim::World& world) {
  uint32_t leader = 0;
  raft::Term best{};
  for (uint32_t id = 1; id <= world.node_count(); ++id) {
    const node::Node* n = world.node(id);
    if (!n || n->core().role() != raft::Role::kLeader) continue;
    if (leader == 0 || n->core().term() > best) {
      leader = id;
      best = n->core().term();
    }
  }
  return leader;
}

std::pair<Fault, Fault> pin_leader_fault(const Fault& f, uint32_t leader, uint32_t nodes) {
  Fault begin{.at = f.at, .kind = FaultKind::kCrash, .nodes = {leader}};
  Fault undo{.at = f.at + f.length, .kind = FaultKind::kRestart, .nodes = {leader}};
  if (f.kind == FaultKind::kIsolateLeader) {
    std::vector<uint32_t> rest;
    for (uint32_t id = 1; id <= nodes; ++id)
      if (id != leader) rest.push_back(id);
    begin = Fault{.at = f.at, .kind = FaultKind::kPartition, .groups = {{leader}}};
    if (!rest.empty()) begin.groups.push_back(std::move(rest));
    undo = Fault{.at = undo.at, .kind = FaultKind::kHeal};
  }
  return {begin, undo};
}

void schedule_faults(sim::World& world, const std::vector<Fault>& timeline, const Scenario& s,
                     std::vector<uint32_t>* targets) {
  if (targets) targets->assign(timeline.size(), 0);
  for (size_t i = 0; i < timeline.size(); ++i) {
    const Fault& f = timeline[i];
    if (!is_leader_fault(f.kind)) {
      world.at(f.at, [&world, &f, &s] { apply_fault(world, f, s); });
      continue;
    }
    // Filled in when the fault fires; the undo, already queued, reads it.
    auto undo = std::make_shared<std::optional<Fault>>();
    world.at(f.at, [&world, &f, &s, undo, targets, i] {
      const uint32_t leader = current_leader(world);
      if (leader == 0) {
        world.note_fault(fmt::format("{}: no node leads, nothing to do", to_string(f.kind)));
        return;
      }
      if (targets) (*targets)[i] = leader;
      auto [begin, end] = pin_leader_fault(f, leader, world.node_count());
      world.note_fault(fmt::format("{} (the leader) for {}ms", describe_fault(begin, s),
                                   f.length.count() / 1000));
      do_fault(world, begin);
      *undo = std::move(end);
    });
    world.at(f.at + f.length, [&world, &s, undo] {
      if (*undo) apply_fault(world, **undo, s);
    });
  }
}

SimTime last_fault_time(const std::vector<Fault>& timeline) {
  SimTime last = sim::kTimeZero;
  for (const Fault& f : timeline)
    last = std::max(last, is_leader_fault(f.kind) ? f.at + f.length : f.at);
  return last;
}

}  // namespace raftsim::scenario

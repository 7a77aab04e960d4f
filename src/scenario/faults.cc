#include "scenario/faults.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace raftsim::scenario {

namespace {

std::string node_list(const std::vector<uint32_t>& nodes, const Scenario& s) {
  std::string out;
  // An event-triggered fault's `trigger` is no node of the scenario's.
  for (uint32_t id : nodes)
    out += (out.empty() ? "" : " ") + (id == kTriggerNode ? "the trigger" : s.node_name(id));
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

bool change_link_models(const Fault& f, uint32_t nodes,
                        const std::function<sim::LinkModel&(uint32_t from, uint32_t to)>& link) {
  if (f.kind != FaultKind::kDelay && f.kind != FaultKind::kLoss && f.kind != FaultKind::kDuplicate)
    return false;
  for (const auto& [from, to] : targets(f, nodes)) {
    sim::LinkModel& model = link(from, to);
    if (f.kind == FaultKind::kDelay) model.extra_delay = f.delay;
    if (f.kind == FaultKind::kLoss) model.loss = f.rate;
    if (f.kind == FaultKind::kDuplicate) model.duplicate = f.rate;
  }
  return true;
}

namespace {

std::string who(uint32_t id, const Scenario& s) {
  return id == 0 ? "any node" : id == kTriggerNode ? "the trigger" : s.node_name(id);
}

std::string message_kinds(sim::MessageKinds kinds) {
  if (kinds == sim::kAnyMessage) return "any";
  std::string out;
  for (size_t k = 0; k < sim::kMessageKinds; ++k) {
    const auto kind = static_cast<sim::MessageKind>(k);
    if (kinds & sim::bit(kind)) out += (out.empty() ? "" : "/") + std::string(to_string(kind));
  }
  return out;
}

std::string message_fault_text(const Fault& f, const Scenario& s) {
  static constexpr const char* kVerbs[] = {"drop", "delay", "duplicate", "hold back"};
  const size_t verb = static_cast<size_t>(f.kind) - static_cast<size_t>(FaultKind::kDropMessages);
  std::string out =
      fmt::format("{} the next {} {} message{} from {} to {}", kVerbs[verb], f.count,
                  message_kinds(f.messages), f.count == 1 ? "" : "s", who(f.from, s), who(f.to, s));
  if (f.kind == FaultKind::kDelayMessages) out += fmt::format(" by {}ms", f.delay.count() / 1000);
  if (f.kind == FaultKind::kDuplicateMessages && f.delay.count() > 0) {
    out += fmt::format(" (the copy {}ms later)", f.delay.count() / 1000);
  }
  return out;
}

}  // namespace

std::string describe_trigger(const Trigger& t, const Scenario& s) {
  std::string out =
      fmt::format("when {} {}", t.node == 0 ? "a node" : s.node_name(t.node), to_string(t.event));
  if (t.event == sim::NodeEventKind::kUncommitted) out += fmt::format(" ({} entries)", t.entries);
  if (t.nth > 1) out += fmt::format(" (the {}th time)", t.nth);
  return out;
}

std::string describe_fault(const Fault& f, const Scenario& s) {
  std::string text = describe_plain(f, s);
  if (f.undo_after.count() > 0) text += fmt::format(" for {}ms", f.undo_after.count() / 1000);
  if (f.when) text = describe_trigger(*f.when, s) + ": " + text;
  return text;
}

std::string describe_plain(const Fault& f, const Scenario& s) {
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
      if (f.nodes == std::vector<uint32_t>{kTriggerNode}) return "crash the trigger";
      return "crash " + nodes;
    case FaultKind::kRestart:
      return "restart " + nodes;
    case FaultKind::kPause:
      if (f.nodes == std::vector<uint32_t>{kTriggerNode}) return "pause the trigger";
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
    case FaultKind::kDropMessages:
    case FaultKind::kDelayMessages:
    case FaultKind::kDuplicateMessages:
    case FaultKind::kHoldMessages:
      return message_fault_text(f, s);
    case FaultKind::kIsolate:
      return f.nodes.empty() ? "isolate" : "isolate " + who(f.nodes[0], s);
    case FaultKind::kAddLearner:
      return "the leader adds " + nodes + " as a learner";
    case FaultKind::kPromote:
      return "the leader promotes learner " + nodes + " to voter";
    case FaultKind::kAddVoter:
      return "the leader adds " + nodes + " as a voter";
    case FaultKind::kRemove:
      return "the leader removes " + nodes + " from the cluster";
    case FaultKind::kChangeVoters:
      return "the leader changes the voters to {" + nodes + "}";
    case FaultKind::kReconfigure:
      return "reconfigure " + nodes + ": removed if a voter, else added";
    case FaultKind::kReconfigureLearner:
      return "reconfigure_learner " + nodes +
             ": removed if a voter, promoted if a learner, else added as a learner";
    case FaultKind::kReconfigureJoint:
      return "reconfigure_joint " + nodes + ": each voter leaves, each other joins as a voter";
    default:
      break;
  }
  return std::string(to_string(f.kind));
}

sim::MessageFilter message_filter_of(const Fault& f, uint64_t id) {
  static constexpr sim::MessageFilter::Action kActions[] = {
      sim::MessageFilter::Action::kDrop, sim::MessageFilter::Action::kDelay,
      sim::MessageFilter::Action::kDuplicate, sim::MessageFilter::Action::kHold};
  return {.action =
              kActions[static_cast<size_t>(f.kind) - static_cast<size_t>(FaultKind::kDropMessages)],
          .kinds = f.messages,
          .from = f.from,
          .to = f.to,
          .count = f.count,
          .delay = f.delay,
          .id = id};
}

namespace {

// `id` names a message fault's filter, so that its `for` can remove it again, and a
// toggle's entry in `fired`.
void do_fault(sim::World& world, const Fault& f, uint64_t id = 0,
              std::vector<FiredChange>* fired = nullptr) {
  const uint32_t n = world.node_count();
  if (is_message_fault(f.kind)) return world.add_message_filter(message_filter_of(f, id));
  switch (f.kind) {
    case FaultKind::kIsolate: {
      std::vector<uint32_t> rest;
      for (uint32_t node = 1; node <= n; ++node)
        if (node != f.nodes[0]) rest.push_back(node);
      std::vector<std::vector<uint32_t>> groups{{f.nodes[0]}};
      if (!rest.empty()) groups.push_back(std::move(rest));
      return world.partition(groups);
    }
    case FaultKind::kPartition:
      return world.partition(f.groups);
    case FaultKind::kCut:
      for (const auto& [from, to] : f.links)
        world.cut(from, to);
      return;
    case FaultKind::kHeal:
      return world.heal();
    case FaultKind::kDelay:
    case FaultKind::kLoss:
    case FaultKind::kDuplicate:
      change_link_models(f, n, [&](uint32_t from, uint32_t to) -> sim::LinkModel& {
        return world.link(from, to);
      });
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
  if (is_membership_fault(f.kind) && !f.nodes.empty()) change_membership(world, f, id, fired);
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

namespace {

// What undoes a fault that has just taken effect: a restart, a resume, a heal, or the removal of a
// message fault's filter `id`. A toggle's undo (`reconfigure`, ...: the same toggle again) goes to
// `fired`.
void undo_later(sim::World& world, const Fault& f, uint64_t id, const Scenario& s,
                std::vector<FiredChange>* fired) {
  Fault undo{.at = world.now() + f.undo_after, .kind = FaultKind::kHeal, .nodes = f.nodes};
  if (f.kind == FaultKind::kCrash) undo.kind = FaultKind::kRestart;
  if (f.kind == FaultKind::kPause) undo.kind = FaultKind::kResume;
  if (is_reconfigure(f.kind)) undo.kind = f.kind;  // the same toggle again
  world.at(undo.at, [&world, undo, id, &s, fired, message = is_message_fault(f.kind)] {
    if (message) {
      world.remove_message_filter(id);
      return;
    }
    world.note_fault(describe_fault(undo, s));
    do_fault(world, undo, id, fired);
  });
}

}  // namespace

std::string what_happened(sim::NodeEventKind event, uint64_t value, const Scenario& s) {
  switch (event) {
    case sim::NodeEventKind::kBecomesLeader:
      return "becomes leader";
    case sim::NodeEventKind::kBecomesCandidate:
      return "becomes a candidate";
    case sim::NodeEventKind::kGrantsVote:
      return fmt::format("grants its vote to {}", s.node_name(static_cast<uint32_t>(value)));
    case sim::NodeEventKind::kPersisted:
      return "has persisted its write and not yet sent the messages that wait for it";
    case sim::NodeEventKind::kApplies:
      return fmt::format("applies entry {}", value);
    case sim::NodeEventKind::kInstallsSnapshot:
      return fmt::format("installs the leader's snapshot through entry {}", value);
    case sim::NodeEventKind::kUncommitted:
      return fmt::format("holds {} uncommitted entries", value);
  }
  return "?";
}

namespace {

// The event-triggered faults of a timeline: each is armed at its `at`, disarmed at its `by`, and
// fires once, on the `nth` matching event it hears of while armed.
class TriggerBook {
 public:
  TriggerBook(sim::World& world, const Scenario& s, std::vector<FiredChange>* fired)
      : world_(world), s_(s), fired_(fired), uncommitted_(world.node_count() + 1, 0) {}

  void add(const Fault& f, size_t index) {
    const size_t slot = armed_.size();
    armed_.push_back({&f, index});
    world_.at(f.at, [this, slot] { armed_[slot].armed = true; });
    if (f.when->by != SimTime::max()) world_.at(f.when->by, [this, slot] { disarm(slot); });
  }

  void on_event(const sim::NodeEvent& e) {
    uint64_t was = 0;
    if (e.kind == sim::NodeEventKind::kUncommitted)
      was = std::exchange(uncommitted_[e.node], e.value);
    for (Armed& a : armed_) {
      const Trigger& t = *a.fault->when;
      if (!a.armed || t.event != e.kind || (t.node != 0 && t.node != e.node)) continue;
      if (e.kind == sim::NodeEventKind::kUncommitted && !(was < t.entries && e.value >= t.entries))
        continue;
      if (++a.seen < t.nth) continue;
      a.armed = false;
      fire(*a.fault, a.index, e.node, e.value);
    }
  }

 private:
  struct Armed {
    const Fault* fault;
    size_t index;
    bool armed = false;
    uint64_t seen = 0;
  };

  void disarm(size_t slot) { armed_[slot].armed = false; }

  void fire(const Fault& f, size_t index, uint32_t node, uint64_t value) {
    Fault c = f;
    c.when.reset();
    c.at = world_.now();
    for (uint32_t* id : {&c.from, &c.to})
      if (*id == kTriggerNode) *id = node;
    for (uint32_t& id : c.nodes)
      if (id == kTriggerNode) id = node;
    world_.note_fault(fmt::format("{} {}, which triggers: {}", s_.node_name(node),
                                  what_happened(f.when->event, value, s_), describe_fault(c, s_)));
    const size_t slot = fired_ ? fired_->size() : 0;
    do_fault(world_, c, index + 1, fired_);
    // A toggle's change is pinned on the same trigger: asked inside the step that made the
    // event, as the toggle was, not after it. Its entry is the first recorded since: asking it
    // steps the leader, whose events may fire other toggles, recorded after it.
    if (fired_ && is_reconfigure(f.kind) && fired_->size() > slot) {
      Fault& pinned = (*fired_)[slot].change;
      pinned.at = f.at;
      pinned.when = f.when;
    }
    if (c.undo_after.count() > 0) undo_later(world_, c, index + 1, s_, fired_);
  }

  sim::World& world_;
  const Scenario& s_;
  std::vector<FiredChange>* fired_;
  std::vector<Armed> armed_;
  std::vector<uint64_t> uncommitted_;  // per node, as last told
};

}  // namespace

void schedule_faults(sim::World& world, const std::vector<Fault>& timeline, const Scenario& s,
                     std::vector<uint32_t>* targets, std::vector<FiredChange>* fired) {
  if (fired) fired->clear();
  if (targets) targets->assign(timeline.size(), 0);
  std::shared_ptr<TriggerBook> book;
  for (size_t i = 0; i < timeline.size(); ++i) {
    const Fault& f = timeline[i];
    if (f.when) {
      if (!book) {
        book = std::make_shared<TriggerBook>(world, s, fired);
        world.set_node_event_listener([book](const sim::NodeEvent& e) { book->on_event(e); });
      }
      book->add(f, i);
      continue;
    }
    if (!is_leader_fault(f.kind)) {
      world.at(f.at, [&world, &f, &s, i, fired] {
        world.note_fault(describe_fault(f, s));
        do_fault(world, f, i + 1, fired);
        if (f.undo_after.count() > 0) undo_later(world, f, i + 1, s, fired);
      });
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

std::vector<Fault> in_time_order(std::vector<std::pair<size_t, Fault>> entries) {
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return a.second.at != b.second.at ? a.second.at < b.second.at : a.first < b.first;
  });
  std::vector<Fault> out;
  out.reserve(entries.size());
  for (auto& [i, f] : entries)
    out.push_back(std::move(f));
  return out;
}

SimTime last_fault_time(const std::vector<Fault>& timeline, SimTime end) {
  SimTime last = sim::kTimeZero;
  for (const Fault& f : timeline) {
    // An event-triggered fault may fire as late as its `by`.
    const SimTime at = f.when ? std::min(f.when->by, end) : f.at;
    last = std::max(last, (is_leader_fault(f.kind) ? at + f.length : at) + f.undo_after);
  }
  return last;
}

}  // namespace raftsim::scenario

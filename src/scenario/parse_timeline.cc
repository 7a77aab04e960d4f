// The `timeline` section: a list of {at: <time>, <fault>: <arguments>} entries.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <functional>

#include "scenario/duration.h"
#include "scenario/sections.h"

namespace raftsim::scenario::detail {
namespace {

using std::string_view_literals::operator""sv;

constexpr std::array kFaultNames = {"partition"sv,
                                    "isolate"sv,
                                    "majorities_ring"sv,
                                    "bridge"sv,
                                    "cut"sv,
                                    "heal"sv,
                                    "delay"sv,
                                    "loss"sv,
                                    "duplicate"sv,
                                    "clog"sv,
                                    "unclog"sv,
                                    "crash"sv,
                                    "restart"sv,
                                    "pause"sv,
                                    "resume"sv,
                                    "wipe"sv,
                                    "torn_write"sv,
                                    "fsync_lies"sv,
                                    "corrupt"sv,
                                    "clock_skew"sv,
                                    "lie"sv,
                                    "elect"sv,
                                    "transfer"sv,
                                    "crash_leader"sv,
                                    "isolate_leader"sv,
                                    "drop_messages"sv,
                                    "delay_messages"sv,
                                    "duplicate_messages"sv,
                                    "hold_messages"sv,
                                    "add_learner"sv,
                                    "promote"sv,
                                    "add_voter"sv,
                                    "remove"sv,
                                    "change_voters"sv,
                                    "reconfigure"sv,
                                    "reconfigure_learner"sv,
                                    "reconfigure_joint"sv};
// Everything an entry may hold: its time, the links of a link-model fault, the faults, and the
// trigger and duration of a fault that fires on an event.
constexpr auto kEntryKeys = [] {
  constexpr std::array kBefore = {"at"sv, "links"sv};
  constexpr std::array kAfter = {"when"sv, "for"sv};
  std::array<std::string_view, kBefore.size() + kFaultNames.size() + kAfter.size()> keys{};
  auto out = std::copy(kBefore.begin(), kBefore.end(), keys.begin());
  out = std::copy(kFaultNames.begin(), kFaultNames.end(), out);
  std::copy(kAfter.begin(), kAfter.end(), out);
  return keys;
}();
constexpr std::array kLieNames = {"inflate_log"sv, "vote_for_everyone"sv, "forge_acks"sv,
                                  "term_inflation"sv};
constexpr std::array kFsyncLiesKeys = {"node"sv, "on"sv};
constexpr std::array kCorruptKeys = {"node"sv, "record"sv};
constexpr std::array kSkewKeys = {"node"sv, "factor"sv};
constexpr std::array kLieKeys = {"node"sv, "lies"sv};
constexpr std::array kTransferKeys = {"from"sv, "to"sv};

using Faults = std::vector<Fault>;

std::vector<uint32_t> all_nodes(const Reader& r) {
  std::vector<uint32_t> ids(r.nodes().size());
  for (size_t i = 0; i < ids.size(); ++i)
    ids[i] = static_cast<uint32_t>(i + 1);
  return ids;
}

bool require_true(Reader& r, const YAML::Node& value, std::string_view fault) {
  const auto on = r.boolean(value);
  if (on && !*on) r.error(value, fmt::format("{} takes only 'true'", fault));
  return on && *on;
}

bool partition(Reader& r, const YAML::Node& value, Fault& f) {
  if (!r.list(value, "a list of groups of node names, e.g. [[n1, n2], [n3]]")) return false;
  std::vector<uint32_t> seen;
  bool ok = true;
  for (const YAML::Node& group_node : value) {
    const auto group = r.node_list(group_node, false);
    if (!group) {
      ok = false;
      continue;
    }
    for (size_t i = 0; i < group->size(); ++i) {
      const uint32_t id = (*group)[i];
      if (std::find(seen.begin(), seen.end(), id) != seen.end()) {
        r.error(group_node[i], fmt::format("node '{}' is in two groups", r.nodes()[id - 1]));
        ok = false;
      }
      seen.push_back(id);
    }
    f.groups.push_back(*group);
  }
  f.kind = FaultKind::kPartition;
  return ok;
}

bool isolate(Reader& r, const YAML::Node& value, Fault& f) {
  const auto id = r.node(value);
  if (!id) return false;
  f.kind = FaultKind::kPartition;
  std::vector<uint32_t> rest = all_nodes(r);
  rest.erase(std::find(rest.begin(), rest.end(), *id));
  f.groups.push_back({*id});
  if (!rest.empty()) f.groups.push_back(rest);
  return true;
}

// Node i (by position) reaches node j when their distance around the ring is at most `reach`,
// the smallest symmetric window that holds a majority, so every node sees a majority and no two
// see the same one.
std::vector<std::pair<uint32_t, uint32_t>> ring_cuts(uint32_t n) {
  const uint32_t reach = (n / 2 + 1) / 2;
  std::vector<std::pair<uint32_t, uint32_t>> cuts;
  for (uint32_t a = 1; a <= n; ++a) {
    for (uint32_t b = 1; b <= n; ++b) {
      const uint32_t d = a > b ? a - b : b - a;
      if (a != b && std::min(d, n - d) > reach) cuts.emplace_back(a, b);
    }
  }
  return cuts;
}

// The other nodes in two halves (by position) that reach each other only through `bridge`.
std::vector<std::pair<uint32_t, uint32_t>> bridge_cuts(uint32_t n, uint32_t bridge) {
  std::vector<uint32_t> others;
  for (uint32_t id = 1; id <= n; ++id) {
    if (id != bridge) others.push_back(id);
  }
  const size_t half = (others.size() + 1) / 2;
  std::vector<std::pair<uint32_t, uint32_t>> cuts;
  for (size_t i = 0; i < half; ++i) {
    for (size_t j = half; j < others.size(); ++j) {
      cuts.emplace_back(others[i], others[j]);
      cuts.emplace_back(others[j], others[i]);
    }
  }
  std::sort(cuts.begin(), cuts.end());
  return cuts;
}

// A reachability shape replaces what was there: a heal, then the cuts (if any).
bool shape(Faults& out, const Fault& base, std::vector<std::pair<uint32_t, uint32_t>> cuts) {
  Fault heal = base;
  heal.kind = FaultKind::kHeal;
  out.push_back(heal);
  if (cuts.empty()) return true;
  Fault cut = base;
  cut.kind = FaultKind::kCut;
  cut.links = std::move(cuts);
  out.push_back(cut);
  return true;
}

bool single_node(Reader& r, const YAML::Node& value, Fault& f) {
  const auto id = r.node(value);
  if (id) f.nodes = {*id};
  return id.has_value();
}

// `fault: n2` or `fault: {node: n2, <key>: ...}`; `extra` reads <key>.
template <size_t N>
bool node_with(Reader& r, const YAML::Node& value, Fault& f,
               const std::array<std::string_view, N>& keys,
               const std::function<bool(const YAML::Node&)>& extra, bool scalar_ok) {
  if (scalar_ok && value.IsScalar()) return single_node(r, value, f);
  const std::string what = fmt::format("a map {{{}}}", fmt::join(keys, ", "));
  if (!r.map(value, keys, scalar_ok ? "a node name or " + what : what)) return false;
  if (!value["node"].IsDefined()) {
    r.error(value, "missing 'node'");
    return false;
  }
  const bool node_ok = single_node(r, value["node"], f);
  return extra(value) && node_ok;
}

bool fsync_lies(Reader& r, const YAML::Node& value, Fault& f) {
  f.kind = FaultKind::kFsyncLies;
  return node_with(
      r, value, f, kFsyncLiesKeys,
      [&](const YAML::Node& m) {
        const auto on = r.boolean(m["on"]);
        if (on) f.on = *on;
        return on.has_value() || !m["on"].IsDefined();
      },
      true);
}

bool corrupt(Reader& r, const YAML::Node& value, Fault& f) {
  f.kind = FaultKind::kCorrupt;
  return node_with(
      r, value, f, kCorruptKeys,
      [&](const YAML::Node& m) {
        const auto record = r.whole(m["record"], 0, UINT64_MAX);
        if (record) f.record = *record;
        return record.has_value() || !m["record"].IsDefined();
      },
      true);
}

bool clock_skew(Reader& r, const YAML::Node& value, Fault& f) {
  f.kind = FaultKind::kClockSkew;
  return node_with(
      r, value, f, kSkewKeys,
      [&](const YAML::Node& m) {
        const YAML::Node factor = m["factor"];
        if (!factor.IsDefined()) {
          r.error(m, "missing 'factor' (how many times as far apart its ticks come, e.g. 1.5)");
          return false;
        }
        const auto x = r.number(factor);
        if (!x) return false;
        if (*x <= 0 || *x > 1000) {
          r.error(factor,
                  fmt::format("factor {} must be above 0 (and at most 1000)", factor.Scalar()));
          return false;
        }
        f.factor = *x;
        return true;
      },
      false);
}

bool lie(Reader& r, const YAML::Node& value, Fault& f) {
  f.kind = FaultKind::kLie;
  return node_with(
      r, value, f, kLieKeys,
      [&](const YAML::Node& m) {
        const YAML::Node lies = m["lies"];
        if (!lies.IsDefined()) {
          r.error(m, "missing 'lies' (a list; empty to stop lying)");
          return false;
        }
        if (!r.list(lies, "a list of lie names")) return false;
        bool* flags[] = {&f.lies.inflate_log, &f.lies.vote_for_everyone, &f.lies.forge_acks,
                         &f.lies.term_inflation};
        bool ok = true;
        for (const YAML::Node& item : lies) {
          const auto i = r.name_of(item, kLieNames, "lie");
          if (i && *flags[*i]) {
            r.error(item, fmt::format("lie '{}' is listed twice", kLieNames[*i]));
            ok = false;
          } else if (i) {
            *flags[*i] = true;
          } else {
            ok = false;
          }
        }
        return ok;
      },
      false);
}

bool transfer(Reader& r, const YAML::Node& value, Fault& f) {
  f.kind = FaultKind::kTransfer;
  if (!r.map(value, kTransferKeys, "a map {from, to}")) return false;
  if (!value["from"].IsDefined() || !value["to"].IsDefined()) {
    r.error(value, "transfer needs both 'from' and 'to'");
    return false;
  }
  const auto from = r.node(value["from"]);
  const auto to = r.node(value["to"]);
  if (!from || !to) return false;
  if (*from == *to) {
    r.error(value, "transfer from a node to itself");
    return false;
  }
  f.nodes = {*from, *to};
  return true;
}

// `reconfigure_joint: [n2, n4]`: the two servers whose membership flips at once.
bool node_pair(Reader& r, const YAML::Node& value, Fault& f) {
  f.kind = FaultKind::kReconfigureJoint;
  const auto ids = r.node_list(value, false);
  if (!ids) return false;
  if (ids->size() != 2) {
    r.error(value, "reconfigure_joint needs two distinct node names, e.g. [n2, n4]");
    return false;
  }
  f.nodes = *ids;
  return true;
}

// `crash_leader: 300ms`: how long until the undo (restart, heal).
bool leader_fault(Reader& r, std::string_view name, const YAML::Node& value, Fault& f) {
  f.kind = name == "crash_leader" ? FaultKind::kCrashLeader : FaultKind::kIsolateLeader;
  const auto length = r.duration(value);
  if (!length) return false;
  if (length->count() <= 0) {
    r.error(value, fmt::format("{} needs a positive duration (how long until it is undone)", name));
    return false;
  }
  f.length = *length;
  return true;
}

bool link_model(Reader& r, std::string_view name, const YAML::Node& value, const YAML::Node& links,
                Fault& f) {
  bool ok = true;
  if (name == "delay") {
    f.kind = FaultKind::kDelay;
    const auto d = r.duration(value);
    ok = d.has_value();
    if (d) f.delay = *d;
  } else {
    f.kind = name == "loss" ? FaultKind::kLoss : FaultKind::kDuplicate;
    const auto p = r.probability(value);
    ok = p.has_value();
    if (p) f.rate = *p;
  }
  if (links.IsDefined()) {
    const auto l = r.links(links);
    if (l) f.links = *l;
    ok = ok && l.has_value();
  }
  return ok;
}

bool link_fault(Reader& r, FaultKind kind, const YAML::Node& value, Fault& f) {
  f.kind = kind;
  const auto l = r.links(value);
  if (l) f.links = *l;
  return l.has_value();
}

bool node_fault(Reader& r, FaultKind kind, const YAML::Node& value, Fault& f) {
  f.kind = kind;
  const auto ids = r.node_list(value, true);
  if (!ids) return false;
  if (ids->empty()) {
    r.error(value, "expected at least one node name");
    return false;
  }
  f.nodes = *ids;
  return true;
}

// An explicit membership change: add_learner, promote, add_voter or remove of one node, or
// change_voters to a new set of voters.
bool is_membership_change(std::string_view name) {
  return name == "add_learner" || name == "promote" || name == "add_voter" || name == "remove" ||
         name == "change_voters";
}

// Whether `value` (a node or a list of them) says `trigger`.
bool names_trigger(const YAML::Node& value) {
  const auto is_trigger = [](const YAML::Node& n) {
    return n.IsScalar() && n.Scalar() == "trigger";
  };
  if (value.IsSequence()) return std::any_of(value.begin(), value.end(), is_trigger);
  return is_trigger(value);
}

bool membership_change(Reader& r, std::string_view name, const YAML::Node& value, Fault& f) {
  if (name == "change_voters") return node_fault(r, FaultKind::kChangeVoters, value, f);
  f.kind = name == "add_learner" ? FaultKind::kAddLearner
           : name == "promote"   ? FaultKind::kPromote
           : name == "add_voter" ? FaultKind::kAddVoter
                                 : FaultKind::kRemove;
  return single_node(r, value, f);
}

// Reads one fault into `out` (most faults are one Fault; a shape is a heal and a cut).
bool read_fault(Reader& r, std::string_view name, const YAML::Node& key, const YAML::Node& value,
                const YAML::Node& links, const Fault& base, Faults& out) {
  const uint32_t n = static_cast<uint32_t>(r.nodes().size());
  Fault f = base;
  bool ok = false;
  if (name == "partition") {
    ok = partition(r, value, f);
  } else if (name == "isolate") {
    ok = isolate(r, value, f);
  } else if (name == "majorities_ring") {
    return require_true(r, value, name) && shape(out, base, ring_cuts(n));
  } else if (name == "bridge") {
    const auto id = r.node(value);
    if (id && n < 3) r.error(key, "bridge needs a cluster of at least 3 nodes");
    return id && n >= 3 && shape(out, base, bridge_cuts(n, *id));
  } else if (name == "heal") {
    f.kind = FaultKind::kHeal;
    ok = require_true(r, value, name);
  } else if (name == "cut" || name == "clog" || name == "unclog") {
    const FaultKind kind = name == "cut"    ? FaultKind::kCut
                           : name == "clog" ? FaultKind::kClog
                                            : FaultKind::kUnclog;
    ok = link_fault(r, kind, value, f);
  } else if (name == "delay" || name == "loss" || name == "duplicate") {
    ok = link_model(r, name, value, links, f);
  } else if (name == "fsync_lies") {
    ok = fsync_lies(r, value, f);
  } else if (name == "corrupt") {
    ok = corrupt(r, value, f);
  } else if (name == "clock_skew") {
    ok = clock_skew(r, value, f);
  } else if (name == "lie") {
    ok = lie(r, value, f);
  } else if (name == "elect") {
    f.kind = FaultKind::kElect;
    ok = single_node(r, value, f);
  } else if (name == "transfer") {
    ok = transfer(r, value, f);
  } else if (is_membership_change(name)) {
    ok = membership_change(r, name, value, f);
  } else if (name == "reconfigure" || name == "reconfigure_learner") {
    f.kind = name == "reconfigure" ? FaultKind::kReconfigure : FaultKind::kReconfigureLearner;
    ok = single_node(r, value, f);
  } else if (name == "reconfigure_joint") {
    ok = node_pair(r, value, f);
  } else if (name == "crash_leader" || name == "isolate_leader") {
    ok = leader_fault(r, name, value, f);
  } else if (name.ends_with("_messages")) {
    ok = message_fault(r, name, value, f, false);
  } else {
    static constexpr std::array kNodeFaults = {
        std::pair{"crash"sv, FaultKind::kCrash}, std::pair{"restart"sv, FaultKind::kRestart},
        std::pair{"pause"sv, FaultKind::kPause}, std::pair{"resume"sv, FaultKind::kResume},
        std::pair{"wipe"sv, FaultKind::kWipe},   std::pair{"torn_write"sv, FaultKind::kTornWrite}};
    for (const auto& [fault, kind] : kNodeFaults) {
      if (fault == name) ok = node_fault(r, kind, value, f);
    }
  }
  if (ok) out.push_back(std::move(f));
  return ok;
}

// The fault of an entry with `when`: crash, pause, isolate, a toggle or a message fault, of one
// node or of `trigger` (the node the event happens on); or an explicit membership change of named
// nodes.
bool triggered(Reader& r, std::string_view name, const YAML::Node& key, const YAML::Node& value,
               const YAML::Node& when, const Fault& base, Faults& out) {
  Fault f = base;
  Trigger t;
  const bool when_ok = parse_when(r, when, t);
  bool ok = false;
  if (name == "crash" || name == "pause" || name == "isolate" || name == "reconfigure" ||
      name == "reconfigure_learner") {
    ok = triggered_node_fault(r, name, value, f);
  } else if (name == "reconfigure_joint") {
    ok = node_pair(r, value, f);
  } else if (is_membership_change(name)) {
    // What a shrunk repro makes of a triggered toggle: the change it made, asked on the same
    // event (a change asked inside a node's step is not the same run as one asked after it).
    if (names_trigger(value)) {
      r.error(value, fmt::format("'{}' names its nodes; 'trigger' goes with crash, pause, "
                                 "isolate and the toggles (reconfigure, ...)",
                                 name));
      return false;
    }
    ok = membership_change(r, name, value, f);
  } else if (name.ends_with("_messages")) {
    ok = message_fault(r, name, value, f, true);
  } else {
    r.error(key, fmt::format("'when' goes with crash, pause, isolate, a membership change "
                             "(reconfigure, reconfigure_learner, reconfigure_joint, add_learner, "
                             "promote, add_voter, remove, change_voters) or a message fault "
                             "(drop_messages, ...), not with '{}'",
                             name));
    return false;
  }
  if (when_ok && t.by < base.at) {
    r.error(when["by"], "'by' is before the entry's 'at': the fault would never be armed");
    return false;
  }
  f.when = t;
  if (ok && when_ok) out.push_back(std::move(f));
  return ok && when_ok;
}

// `for`: how long a message fault, or an event-triggered crash, pause or isolation, lasts.
bool undo_after(Reader& r, const YAML::Node& value, std::string_view name, Fault& f) {
  if (!value.IsDefined()) return true;
  const bool node_fault = f.when && (f.kind == FaultKind::kCrash || f.kind == FaultKind::kPause ||
                                     f.kind == FaultKind::kIsolate || is_reconfigure(f.kind));
  if (!is_message_fault(f.kind) && !node_fault) {
    r.error(value, fmt::format("'for' goes with a message fault or an event-triggered crash, "
                               "pause, isolate or reconfigure (of any kind), not with '{}'",
                               name));
    return false;
  }
  const auto d = r.duration(value);
  if (!d) return false;
  if (d->count() <= 0) {
    r.error(value, "'for' needs a positive duration (how long until it is undone)");
    return false;
  }
  if (!f.when && *d > SimTime{r.end()} - f.at) {
    r.error(value, fmt::format("{} at {} for {} lasts until after the end of the run ({})", name,
                               format_duration(f.at.time_since_epoch()), format_duration(*d),
                               format_duration(r.end())));
    return false;
  }
  f.undo_after = *d;
  return true;
}

void parse_entry(Reader& r, const YAML::Node& entry, Faults& timeline) {
  if (!r.map(entry, kEntryKeys, "a timeline entry {at: <time>, <fault>: ...}", "fault")) return;
  std::vector<std::pair<YAML::Node, YAML::Node>> faults;
  bool unknown_key = false;  // already reported, most likely a misspelt fault
  for (const auto& pair : entry) {
    if (!pair.first.IsScalar()) continue;
    const std::string& key = pair.first.Scalar();
    if (std::find(kFaultNames.begin(), kFaultNames.end(), key) != kFaultNames.end()) {
      faults.emplace_back(pair.first, pair.second);
    } else if (std::find(kEntryKeys.begin(), kEntryKeys.end(), key) == kEntryKeys.end()) {
      unknown_key = true;
    }
  }
  const YAML::Node at = entry["at"];
  const YAML::Node when_node = entry["when"];
  if (!at.IsDefined() && !when_node.IsDefined()) {
    r.error(entry, "missing 'at' (when the fault happens, e.g. at: 5s)");
  }
  // An event-triggered fault is armed at `at`, from the start of the run when it has none.
  const auto when = at.IsDefined() ? r.time(at) : std::optional<SimTime>(SimTime{});
  if (faults.empty()) {
    if (unknown_key) return;
    r.error(entry, "a timeline entry needs one fault (partition, isolate, crash, heal, ...)");
    return;
  }
  if (faults.size() > 1) {
    r.error(faults[1].first, fmt::format("a timeline entry holds one fault, but has both '{}' and "
                                         "'{}'; write one entry per fault",
                                         faults[0].first.Scalar(), faults[1].first.Scalar()));
    return;
  }
  const auto& [key, value] = faults[0];
  const std::string& name = key.Scalar();
  const YAML::Node links = entry["links"];
  if (links.IsDefined() && name != "delay" && name != "loss" && name != "duplicate") {
    r.error(links, fmt::format("'links' goes with delay, loss or duplicate, not with '{}'", name));
  }
  Fault base;
  base.where = r.where(key);
  if (when) base.at = *when;
  Faults read;
  if (when_node.IsDefined()) {
    if (!triggered(r, name, key, value, when_node, base, read) || !when) return;
  } else if (!read_fault(r, name, key, value, links, base, read) || !when) {
    return;
  }
  if (!undo_after(r, entry["for"], name, read.front())) return;
  // A leader fault's undo is part of it, and must fall within the run like any other fault.
  const Fault& first = read.front();
  if (is_leader_fault(first.kind) && first.length > SimTime{r.end()} - *when) {
    r.error(value,
            fmt::format("{} {} at {} lasts until {}, after the end of the run ({})", name,
                        format_duration(first.length), format_duration(when->time_since_epoch()),
                        format_duration(when->time_since_epoch() + first.length),
                        format_duration(r.end())));
    return;
  }
  timeline.insert(timeline.end(), read.begin(), read.end());
}

}  // namespace

void parse_timeline(Reader& r, const YAML::Node& node, std::vector<Fault>& timeline) {
  if (!r.list(node, "a list of timeline entries")) return;
  for (const YAML::Node& entry : node)
    parse_entry(r, entry, timeline);
}

}  // namespace raftsim::scenario::detail

#include "scenario/write.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <sstream>

#include "scenario/duration.h"

namespace raftsim::scenario {
namespace {

using Kind = Expectation::Kind;

std::string dur(Duration d) {
  return format_duration(d);
}
std::string time(SimTime t) {
  return format_duration(t.time_since_epoch());
}
std::string num(double x) {
  return fmt::format("{}", x);
}
std::string flag(bool b) {
  return b ? "true" : "false";
}

// A YAML double-quoted string.
std::string quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// Plain when nothing in it could read as anything but this text; double-quoted otherwise.
std::string text(std::string_view s) {
  static constexpr std::string_view kSpecial[] = {"null", "true", "false", "yes", "no",
                                                  "on",   "off",  "y",     "n"};
  const auto plain_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  };
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const bool plain =
      !s.empty() && std::isalpha(static_cast<unsigned char>(s[0])) &&
      std::all_of(s.begin(), s.end(), plain_char) &&
      std::find(std::begin(kSpecial), std::end(kSpecial), lower) == std::end(kSpecial);
  return plain ? std::string(s) : quote(s);
}

class Writer {
 public:
  explicit Writer(const Scenario& s) : s_(s) {}

  std::string name(uint32_t id) const {
    return id == kTriggerNode ? "trigger" : text(s_.world.node_names.at(id - 1));
  }

  std::string names(const std::vector<uint32_t>& ids) const {
    std::string out = "[";
    for (size_t i = 0; i < ids.size(); ++i)
      out += (i ? ", " : "") + name(ids[i]);
    return out + "]";
  }

  std::string links(const std::vector<std::pair<uint32_t, uint32_t>>& links) const {
    std::string out = "[";
    for (size_t i = 0; i < links.size(); ++i) {
      out += fmt::format("{}[{}, {}]", i ? ", " : "", name(links[i].first), name(links[i].second));
    }
    return out + "]";
  }

  std::string node_or_list(const std::vector<uint32_t>& ids) const {
    return ids.size() == 1 ? name(ids[0]) : names(ids);
  }

  // The fault as `key: value` text (without `at`); one per node for faults that take one node.
  std::vector<std::string> fault(const Fault& f) const;
  std::string message_fault(const Fault& f) const;
  std::string when(const Trigger& t) const;
  std::string expectation(const Expectation& e) const;

 private:
  const Scenario& s_;
};

std::string latency(const sim::Latency& l) {
  return fmt::format("{{shape: {}, min: {}, max: {}, tail_chance: {}, tail_max: {}}}",
                     kLatencyShapes.at(static_cast<size_t>(l.shape)), dur(l.min), dur(l.max),
                     num(l.tail_chance), dur(l.tail_max));
}

std::string lies(const sim::Lies& l) {
  std::vector<std::string> names;
  if (l.inflate_log) names.emplace_back("inflate_log");
  if (l.vote_for_everyone) names.emplace_back("vote_for_everyone");
  if (l.forge_acks) names.emplace_back("forge_acks");
  if (l.term_inflation) names.emplace_back("term_inflation");
  return fmt::format("[{}]", fmt::join(names, ", "));
}

std::string message_types(sim::MessageKinds kinds) {
  if (kinds == sim::kAnyMessage) return "any";
  std::vector<std::string_view> names;
  for (size_t k = 0; k < sim::kMessageKinds; ++k) {
    const auto kind = static_cast<sim::MessageKind>(k);
    if (kinds & sim::bit(kind)) names.push_back(to_string(kind));
  }
  if (names.size() == 1) return std::string(names[0]);
  return fmt::format("[{}]", fmt::join(names, ", "));
}

std::string Writer::message_fault(const Fault& f) const {
  std::vector<std::string> parts{"type: " + message_types(f.messages)};
  if (f.from != 0) parts.push_back("from: " + name(f.from));
  if (f.to != 0) parts.push_back("to: " + name(f.to));
  parts.push_back(fmt::format("count: {}", f.count));
  if (f.kind == FaultKind::kDelayMessages) parts.push_back("by: " + dur(f.delay));
  if (f.kind == FaultKind::kDuplicateMessages && f.delay.count() > 0) {
    parts.push_back("after: " + dur(f.delay));
  }
  return fmt::format("{}: {{{}}}", to_string(f.kind), fmt::join(parts, ", "));
}

std::string Writer::when(const Trigger& t) const {
  std::vector<std::string> parts{fmt::format("event: {}", to_string(t.event))};
  if (t.node != 0) parts.push_back("node: " + name(t.node));
  if (t.nth != 1) parts.push_back(fmt::format("nth: {}", t.nth));
  if (t.event == sim::NodeEventKind::kUncommitted)
    parts.push_back(fmt::format("entries: {}", t.entries));
  if (t.by != SimTime::max()) parts.push_back("by: " + time(t.by));
  return fmt::format("when: {{{}}}", fmt::join(parts, ", "));
}

std::vector<std::string> Writer::fault(const Fault& f) const {
  const std::string key(to_string(f.kind));
  std::vector<std::string> out;
  const auto per_node = [&](auto body) {
    for (uint32_t id : f.nodes)
      out.push_back(fmt::format("{}: {{node: {}, {}}}", key, name(id), body));
  };
  switch (f.kind) {
    case FaultKind::kPartition: {
      std::string groups = "[";
      for (size_t i = 0; i < f.groups.size(); ++i)
        groups += (i ? ", " : "") + names(f.groups[i]);
      out.push_back("partition: " + groups + "]");
      break;
    }
    case FaultKind::kHeal:
      out.push_back("heal: true");
      break;
    case FaultKind::kCut:
    case FaultKind::kClog:
    case FaultKind::kUnclog:
      out.push_back(key + ": " + links(f.links));
      break;
    case FaultKind::kDelay:
    case FaultKind::kLoss:
    case FaultKind::kDuplicate: {
      std::string text = key + ": " + (f.kind == FaultKind::kDelay ? dur(f.delay) : num(f.rate));
      if (!f.links.empty()) text += ", links: " + links(f.links);
      out.push_back(text);
      break;
    }
    case FaultKind::kCrash:
    case FaultKind::kRestart:
    case FaultKind::kPause:
    case FaultKind::kResume:
    case FaultKind::kWipe:
    case FaultKind::kTornWrite:
      if (!f.nodes.empty()) out.push_back(key + ": " + node_or_list(f.nodes));
      break;
    case FaultKind::kFsyncLies:
      per_node(fmt::format("on: {}", flag(f.on)));
      break;
    case FaultKind::kCorrupt:
      per_node(fmt::format("record: {}", f.record));
      break;
    case FaultKind::kClockSkew:
      per_node(fmt::format("factor: {}", num(f.factor)));
      break;
    case FaultKind::kLie:
      per_node(fmt::format("lies: {}", lies(f.lies)));
      break;
    case FaultKind::kElect:
      if (!f.nodes.empty()) out.push_back("elect: " + name(f.nodes[0]));
      break;
    case FaultKind::kTransfer:
      if (f.nodes.size() == 2) {
        out.push_back(
            fmt::format("transfer: {{from: {}, to: {}}}", name(f.nodes[0]), name(f.nodes[1])));
      }
      break;
    case FaultKind::kCrashLeader:
    case FaultKind::kIsolateLeader:
      out.push_back(key + ": " + dur(f.length));
      break;
    case FaultKind::kDropMessages:
    case FaultKind::kDelayMessages:
    case FaultKind::kDuplicateMessages:
    case FaultKind::kHoldMessages:
      out.push_back(message_fault(f));
      break;
    case FaultKind::kIsolate:
      if (!f.nodes.empty()) out.push_back("isolate: " + name(f.nodes[0]));
      break;
    case FaultKind::kAddLearner:
    case FaultKind::kPromote:
    case FaultKind::kAddVoter:
    case FaultKind::kRemove:
      if (!f.nodes.empty()) out.push_back(key + ": " + name(f.nodes[0]));
      break;
    case FaultKind::kChangeVoters:
      if (!f.nodes.empty()) out.push_back(key + ": " + names(f.nodes));
      break;
    case FaultKind::kReconfigure:
    case FaultKind::kReconfigureLearner:
      // A nemesis draw: its effect depends on the configuration when it fires, unknowable here,
      // so it is written as itself (the shrinker pins it to the change it made in a run).
      if (!f.nodes.empty()) out.push_back(key + ": " + name(f.nodes[0]));
      break;
    case FaultKind::kReconfigureJoint:
      if (!f.nodes.empty()) out.push_back(key + ": " + names(f.nodes));
      break;
    default:
      break;  // the nemesis-only kinds never stand in a timeline
  }
  // An event-triggered fault keeps its trigger, and any fault its `for`: a repro replays them.
  for (std::string& text : out) {
    if (f.when) text = when(*f.when) + ", " + text;
    if (f.undo_after.count() > 0) text += ", for: " + dur(f.undo_after);
  }
  return out;
}

std::string Writer::expectation(const Expectation& e) const {
  const auto window = [&](std::string_view key, bool with_group) {
    std::vector<std::string> parts;
    if (with_group && !e.group.empty()) parts.push_back("group: " + names(e.group));
    parts.push_back("from: " + time(e.from));
    if (e.to != SimTime::max()) parts.push_back("to: " + time(e.to));
    return fmt::format("{}: {{{}}}", key, fmt::join(parts, ", "));
  };
  switch (e.kind) {
    case Kind::kHolds:
      return fmt::format("holds: {}", to_string(e.property));
    case Kind::kViolated:
      return fmt::format("violated: {}", to_string(e.property));
    case Kind::kSafetyViolated:
      return "safety: violated";
    case Kind::kLeaderWithin:
      return fmt::format("leader_within: {{after: {}, within: {}{}}}", time(e.from), dur(e.within),
                         e.group.empty() ? "" : ", group: " + names(e.group));
    case Kind::kNoLeader:
      return window("no_leader", true);
    case Kind::kNoElection:
      return window("no_election", true);
    case Kind::kNoCommit:
      return window("no_commit", true);
    case Kind::kCommitsAtLeast:
      return fmt::format("commits_at_least: {}", e.count);
    case Kind::kAckedWritesAtLeast:
      return fmt::format("acked_writes_at_least: {}", e.count);
    case Kind::kTermAtMost: {
      std::string text = fmt::format("term_at_most: {{term: {}, from: {}", e.count, time(e.from));
      if (e.to != SimTime::max()) text += ", to: " + time(e.to);
      return text + "}";
    }
    case Kind::kTermAbove:
      if (e.to == SimTime::max()) return fmt::format("term_above: {{term: {}}}", e.count);
      return fmt::format("term_above: {{term: {}, by: {}}}", e.count, time(e.to));
  }
  return "";
}

void header(std::ostream& out, const Scenario& s) {
  if (s.teaches.empty()) return;
  std::istringstream lines(s.teaches);
  std::string line;
  while (std::getline(lines, line))
    out << (line.empty() ? "#" : "# " + line) << "\n";
  out << "\n";
}

void cluster(std::ostream& out, const Scenario& s, const Writer& w) {
  const sim::WorldConfig& c = s.world;
  std::vector<uint32_t> ids(c.node_names.size());
  for (size_t i = 0; i < ids.size(); ++i)
    ids[i] = static_cast<uint32_t>(i + 1);
  std::vector<std::string> bugs;
  if (c.bugs.commit_previous_term) bugs.emplace_back("commit_previous_term");
  if (c.bugs.vote_without_log_check) bugs.emplace_back("vote_without_log_check");
  if (c.bugs.forget_vote_on_restart) bugs.emplace_back("forget_vote_on_restart");
  if (c.bugs.ack_before_persist) bugs.emplace_back("ack_before_persist");
  if (c.bugs.stale_leader_reads) bugs.emplace_back("stale_leader_reads");
  if (c.bugs.change_before_term_commit) bugs.emplace_back("change_before_term_commit");
  if (c.bugs.removed_leader_keeps_leading) bugs.emplace_back("removed_leader_keeps_leading");
  out << "# Nodes (ids are positions from 1), Raft timers, options and planted bugs.\n"
      << "cluster:\n"
      << "  nodes: " << w.names(ids) << "\n";
  // The bootstrap configuration, when not every node is a voter (membership changes).
  if (!c.voters.empty()) out << "  voters: " << w.names(c.voters) << "\n";
  if (!c.learners.empty()) out << "  learners: " << w.names(c.learners) << "\n";
  out << "  tick: " << dur(c.tick) << "\n"
      << "  election_timeout: " << dur(c.tick * c.election_timeout_ticks) << "\n"
      << "  heartbeat: " << dur(c.tick * c.heartbeat_ticks) << "\n"
      << "  pre_vote: " << flag(c.options.pre_vote) << "\n"
      << "  check_quorum: " << flag(c.options.check_quorum) << "\n"
      << "  vote_lease: " << flag(c.options.vote_lease) << "\n"
      << "  leadership_transfer: " << flag(c.options.leadership_transfer) << "\n"
      << "  bugs: [" << fmt::format("{}", fmt::join(bugs, ", ")) << "]\n"
      << "  fsync: {min: " << dur(c.disk.fsync.min) << ", max: " << dur(c.disk.fsync.max) << "}\n"
      << "  snapshot_every: " << c.snapshot_every << "\n"
      << "  max_entries_per_append: " << c.max_entries_per_append << "\n"
      << "  max_appends_per_round: " << c.max_appends_per_round << "\n";
  if (!s.implementation.empty()) {
    std::vector<std::string> words;
    for (const std::string& word : s.implementation)
      words.push_back(quote(word));
    out << "  implementation: {command: [" << fmt::format("{}", fmt::join(words, ", "))
        << "], protocol: maelstrom}\n";
  }
  out << "\n";
}

void network(std::ostream& out, const sim::LinkModel& n, const sim::PctConfig& pct) {
  out << "# Every link between two nodes, until a timeline fault changes it.\n"
      << "network:\n"
      << "  latency: " << latency(n.latency) << "\n"
      << "  loss: " << num(n.loss) << "\n"
      << "  duplicate: " << num(n.duplicate) << "\n"
      << "  reorder: " << num(n.reorder) << "\n"
      << "  delay: " << dur(n.extra_delay) << "\n";
  if (pct.depth != 0) {
    out << fmt::format("  pct: {{depth: {}, messages: {}, hold: {}}}\n", pct.depth, pct.messages,
                       dur(pct.hold));
  }
  out << "\n";
}

void workload(std::ostream& out, const Scenario& s) {
  const sim::WorkloadModel& w = s.world.workload;
  // The runner stops the workload at the end of the run at the latest, and a file may not say
  // later: a stop past the end (a run shortened after its workload was set) is written as the end.
  const SimTime stop = std::min(w.stop_at, SimTime{s.duration});
  out << "# Simulated clients: each runs one key-value operation at a time.\n"
      << "workload:\n"
      << "  clients: " << w.clients << "\n"
      << "  keys: " << w.keys << "\n"
      << fmt::format("  mix: {{get: {}, put: {}, append: {}, cas: {}}}\n", num(w.mix.get),
                     num(w.mix.put), num(w.mix.append), num(w.mix.cas))
      << "  rate: " << num(w.rate) << "\n"
      << "  think: " << dur(w.think) << "\n"
      << "  timeout: " << dur(w.attempt_timeout) << "\n"
      << "  give_up: " << dur(w.give_up) << "\n"
      << "  latency: " << latency(w.latency) << "\n"
      << "  stop: " << time(stop) << "\n\n";
}

void timeline(std::ostream& out, const Scenario& s, const Writer& w) {
  out << "# Faults, in time order (`at` is from the start of the run).\n";
  std::vector<std::string> entries;
  for (const Fault& f : s.timeline) {
    for (const std::string& text : w.fault(f)) {
      entries.push_back(fmt::format("  - {{at: {}, {}}}\n", time(f.at), text));
    }
  }
  if (entries.empty()) {
    out << "timeline: []\n\n";
    return;
  }
  out << "timeline:\n";
  for (const std::string& entry : entries)
    out << entry;
  out << "\n";
}

void nemesis(std::ostream& out, const Nemesis& n) {
  if (!n.enabled()) return;
  std::vector<std::string> faults;
  for (FaultKind kind : n.faults)
    faults.emplace_back(to_string(kind));
  out << "# Random faults from the run's seed, each healed after it lasts.\n"
      << "nemesis:\n"
      << "  faults: [" << fmt::format("{}", fmt::join(faults, ", ")) << "]\n"
      << "  every: [" << dur(n.every_min) << ", " << dur(n.every_max) << "]\n"
      << "  duration: [" << dur(n.duration_min) << ", " << dur(n.duration_max) << "]\n"
      << "  quiet: " << dur(n.quiet) << "\n"
      << "  delay: " << dur(n.delay) << "\n"
      << "  loss: " << num(n.loss) << "\n"
      << "  overlap: " << flag(n.overlap) << "\n\n";
}

// Only what was written: a range left out keeps swarm's own default.
void swarm(std::ostream& out, const SwarmRanges& sw) {
  if (sw.empty()) return;
  out << "# Ranges `raftsim explore --strategy swarm|guided` draws each run's settings from.\n"
      << "swarm:\n";
  auto whole = [&out](std::string_view key, const auto& r) {
    if (r) out << "  " << key << ": [" << r->min << ", " << r->max << "]\n";
  };
  auto span = [&out](std::string_view key, const std::optional<Range<Duration>>& r) {
    if (r) out << "  " << key << ": [" << dur(r->min) << ", " << dur(r->max) << "]\n";
  };
  whole("nodes", sw.nodes);
  span("election_timeout", sw.election_timeout);
  span("heartbeat", sw.heartbeat);
  whole("max_entries_per_append", sw.max_entries_per_append);
  whole("max_appends_per_round", sw.max_appends_per_round);
  span("fsync", sw.fsync);
  span("latency", sw.latency);
  if (sw.reorder)
    out << "  reorder: [" << num(sw.reorder->min) << ", " << num(sw.reorder->max) << "]\n";
  whole("clients", sw.clients);
  whole("keys", sw.keys);
  span("think", sw.think);
  whole("snapshot_every", sw.snapshot_every);
  whole("pct_depth", sw.pct_depth);
  if (!sw.faults.empty()) {
    std::vector<std::string> faults;
    for (FaultKind kind : sw.faults)
      faults.emplace_back(to_string(kind));
    out << "  faults: [" << fmt::format("{}", fmt::join(faults, ", ")) << "]\n";
  }
  out << "\n";
}

void expectations(std::ostream& out, const Scenario& s, const Writer& w) {
  out << "# After the faults heal and a quiet window: a leader, and a commit within `within`.\n";
  if (s.liveness.enabled) {
    out << "liveness: {quiet: " << dur(s.liveness.quiet) << ", within: " << dur(s.liveness.within)
        << "}\n\n";
  } else {
    out << "liveness: false\n\n";
  }
  out << "# What the run must show (every safety property holds unless said otherwise).\n";
  if (s.expectations.empty()) {
    out << "expect: []\n";
    return;
  }
  out << "expect:\n";
  for (const Expectation& e : s.expectations)
    out << "  - " << w.expectation(e) << "\n";
}

}  // namespace

std::string write_scenario_yaml(const Scenario& s) {
  const Writer w(s);
  std::ostringstream out;
  header(out, s);
  out << "name: " << text(s.name) << "\n"
      << "seed: " << s.seed << "\n"
      << "duration: " << dur(s.duration) << "\n\n";
  cluster(out, s, w);
  network(out, s.world.network, s.world.pct);
  workload(out, s);
  timeline(out, s, w);
  nemesis(out, s.nemesis);
  swarm(out, s.swarm);
  expectations(out, s, w);
  return out.str();
}

}  // namespace raftsim::scenario

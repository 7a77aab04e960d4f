#include "scenario/parse.h"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "scenario/duration.h"
#include "scenario/reader.h"
#include "scenario/sections.h"

namespace raftsim::scenario {
namespace {

using detail::kMaxNodes;
using detail::kNemesisFaults;
using detail::Reader;
using std::string_view_literals::operator""sv;

constexpr std::array kTopKeys = {"name"sv,    "seed"sv,     "duration"sv, "cluster"sv,
                                 "network"sv, "workload"sv, "timeline"sv, "nemesis"sv,
                                 "swarm"sv,   "liveness"sv, "expect"sv};
constexpr std::array kClusterKeys = {"nodes"sv,
                                     "tick"sv,
                                     "election_timeout"sv,
                                     "heartbeat"sv,
                                     "pre_vote"sv,
                                     "check_quorum"sv,
                                     "vote_lease"sv,
                                     "leadership_transfer"sv,
                                     "bugs"sv,
                                     "fsync"sv,
                                     "snapshot_every"sv,
                                     "max_entries_per_append"sv,
                                     "max_appends_per_round"sv,
                                     "implementation"sv,
                                     "voters"sv,
                                     "learners"sv};
constexpr std::array kImplementationKeys = {"command"sv, "protocol"sv};
constexpr std::array kBugNames = {"commit_previous_term"sv,        "vote_without_log_check"sv,
                                  "forget_vote_on_restart"sv,      "ack_before_persist"sv,
                                  "stale_leader_reads"sv,          "change_before_term_commit"sv,
                                  "removed_leader_keeps_leading"sv};
constexpr std::array kRangeKeys = {"min"sv, "max"sv};
constexpr std::array kNetworkKeys = {"latency"sv, "loss"sv,  "duplicate"sv,
                                     "reorder"sv, "delay"sv, "pct"sv};
constexpr std::array kPctKeys = {"depth"sv, "messages"sv, "hold"sv};
constexpr std::array kLatencyKeys = {"shape"sv, "min"sv, "max"sv, "tail_chance"sv, "tail_max"sv};
constexpr std::array kWorkloadKeys = {"clients"sv, "keys"sv,    "mix"sv,     "rate"sv, "think"sv,
                                      "timeout"sv, "give_up"sv, "latency"sv, "stop"sv};
constexpr std::array kMixKeys = {"get"sv, "put"sv, "append"sv, "cas"sv};
constexpr std::array kNemesisKeys = {"faults"sv, "every"sv, "duration"sv, "quiet"sv,
                                     "delay"sv,  "loss"sv,  "overlap"sv};
constexpr std::array kLivenessKeys = {"quiet"sv, "within"sv};

template <typename T>
void assign(std::optional<T> value, T& out) {
  if (value) out = *value;
}

template <typename T, typename U>
void assign(std::optional<T> value, U& out) {
  if (value) out = static_cast<U>(*value);
}

bool valid_node_name(const std::string& name) {
  if (name.empty() || name.size() > 32) return false;
  const auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(name[0])) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) {
    return alpha(c) || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// The `#` lines before the first key, without `# `. A blank line between comment lines is kept
// as an empty line; the editor's schema line is not part of what a scenario teaches.
std::string header_comment(std::string_view text) {
  std::vector<std::string> lines;
  bool blank_pending = false;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) {
      blank_pending = !lines.empty();
      continue;
    }
    if (line[0] != '#') break;
    if (line.starts_with("# yaml-language-server:")) continue;
    if (blank_pending) lines.emplace_back();
    blank_pending = false;
    line.erase(0, line.starts_with("# ") ? 2 : 1);
    lines.push_back(line);
  }
  // A bare `#` closing the header says nothing; kept, the writer (which writes the teaching line
  // by line) could not give it back.
  while (!lines.empty() && lines.back().empty())
    lines.pop_back();
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i)
    out += (i ? "\n" : "") + lines[i];
  return out;
}

// Where a second YAML document starts, if there is one. (YAML::LoadAll is not used: yaml-cpp
// 0.7 can loop forever in it on some malformed input, e.g. "\n,\"]\t.]".)
std::optional<YAML::Mark> second_document(const std::string& text) {
  class Starts final : public YAML::EventHandler {
   public:
    YAML::Mark last;
    void OnDocumentStart(const YAML::Mark& mark) override { last = mark; }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
  };
  std::istringstream in(text);
  YAML::Parser parser(in);
  Starts starts;
  if (!parser.HandleNextDocument(starts) || !parser.HandleNextDocument(starts)) {
    return std::nullopt;
  }
  return starts.last;
}

std::optional<sim::Latency> parse_latency(Reader& r, const YAML::Node& node, sim::Latency base) {
  if (!node.IsDefined()) return std::nullopt;
  if (!r.map(node, kLatencyKeys, "a latency map (shape, min, max, tail_chance, tail_max)")) {
    return std::nullopt;
  }
  sim::Latency latency = base;
  if (const auto shape = r.name_of(node["shape"], kLatencyShapes, "latency shape")) {
    latency.shape = static_cast<sim::Latency::Shape>(*shape);
  }
  assign(r.duration(node["min"]), latency.min);
  assign(r.duration(node["max"]), latency.max);
  assign(r.probability(node["tail_chance"]), latency.tail_chance);
  assign(r.duration(node["tail_max"]), latency.tail_max);
  if (latency.min > latency.max) {
    r.error(node, fmt::format("latency min {} is above max {}", format_duration(latency.min),
                              format_duration(latency.max)));
  }
  return latency;
}

void parse_nodes(Reader& r, const YAML::Node& node, const YAML::Node& cluster,
                 sim::WorldConfig& world) {
  if (!node.IsDefined()) {
    r.error(cluster, "missing required key 'nodes' (a list of 1 to 9 node names)");
    return;
  }
  if (!node.IsSequence() || node.size() == 0 || node.size() > kMaxNodes) {
    r.error(node, "expected a list of node names (1 to 9)");
    return;
  }
  std::vector<std::string> names;
  bool ok = true;
  for (const YAML::Node& item : node) {
    const auto name = r.text(item, "a node name");
    if (!name) {
      ok = false;
    } else if (!valid_node_name(*name)) {
      r.error(item, fmt::format("bad node name '{}' (a letter, then letters, digits, _ or -)",
                                name->substr(0, 40)));
      ok = false;
    } else if (std::find(names.begin(), names.end(), *name) != names.end()) {
      r.error(item, fmt::format("duplicate node name '{}'", *name));
      ok = false;
    } else {
      names.push_back(*name);
    }
  }
  if (!ok) return;
  world.node_names = names;
  r.set_nodes(std::move(names));
}

// cluster.voters and cluster.learners: the bootstrap configuration. Nodes in neither exist but
// are not members until a membership change adds them.
void parse_members(Reader& r, const YAML::Node& cluster, sim::WorldConfig& world) {
  const YAML::Node voters = cluster["voters"];
  const YAML::Node learners = cluster["learners"];
  if (voters.IsDefined()) {
    if (auto ids = r.node_list(voters, false)) {
      std::sort(ids->begin(), ids->end());
      if (ids->empty()) r.error(voters, "expected at least one voter");
      if (std::adjacent_find(ids->begin(), ids->end()) != ids->end()) {
        r.error(voters, "a node is listed twice");
      }
      world.voters = *ids;
    }
  }
  if (learners.IsDefined()) {
    if (auto ids = r.node_list(learners, false)) {
      std::sort(ids->begin(), ids->end());
      for (uint32_t id : *ids) {
        const bool voter = world.voters.empty() ||
                           std::binary_search(world.voters.begin(), world.voters.end(), id);
        if (voter) {
          r.error(learners, fmt::format("'{}' is a voter; a learner cannot also be one (list "
                                        "the voters in cluster.voters)",
                                        world.node_names[id - 1]));
        }
      }
      if (std::adjacent_find(ids->begin(), ids->end()) != ids->end()) {
        r.error(learners, "a node is listed twice");
      }
      world.learners = *ids;
    }
  }
}

void parse_timers(Reader& r, const YAML::Node& cluster, sim::WorldConfig& world) {
  sim::Duration tick = world.tick;
  sim::Duration election = tick * world.election_timeout_ticks;
  sim::Duration heartbeat = tick * world.heartbeat_ticks;
  const YAML::Node tick_node = cluster["tick"];
  const YAML::Node election_node = cluster["election_timeout"];
  const YAML::Node heartbeat_node = cluster["heartbeat"];
  assign(r.duration(tick_node), tick);
  assign(r.duration(election_node), election);
  assign(r.duration(heartbeat_node), heartbeat);
  if (tick.count() <= 0) {
    r.error(tick_node, "tick must be positive");
    return;
  }
  const auto place = [&](const YAML::Node& n) { return n.IsDefined() ? n : cluster; };
  bool ok = true;
  if (election.count() <= 0 || election % tick != sim::Duration{0}) {
    r.error(place(election_node),
            fmt::format("election_timeout {} is not a positive multiple of tick {}",
                        format_duration(election), format_duration(tick)));
    ok = false;
  }
  if (heartbeat.count() <= 0 || heartbeat % tick != sim::Duration{0}) {
    r.error(place(heartbeat_node), fmt::format("heartbeat {} is not a positive multiple of tick {}",
                                               format_duration(heartbeat), format_duration(tick)));
    ok = false;
  }
  if (ok && heartbeat >= election) {
    r.error(place(heartbeat_node.IsDefined() ? heartbeat_node : election_node),
            fmt::format("heartbeat {} must be shorter than election_timeout {}",
                        format_duration(heartbeat), format_duration(election)));
    ok = false;
  }
  if (!ok) return;
  world.tick = tick;
  world.election_timeout_ticks = static_cast<int>(election / tick);
  world.heartbeat_ticks = static_cast<int>(heartbeat / tick);
}

void parse_bugs(Reader& r, const YAML::Node& node, raft::PlantedBugs& bugs) {
  if (!node.IsDefined() || !r.list(node, "a list of bug names")) return;
  bool* flags[] = {&bugs.commit_previous_term,        &bugs.vote_without_log_check,
                   &bugs.forget_vote_on_restart,      &bugs.ack_before_persist,
                   &bugs.stale_leader_reads,          &bugs.change_before_term_commit,
                   &bugs.removed_leader_keeps_leading};
  for (const YAML::Node& item : node) {
    const auto bug = r.name_of(item, kBugNames, "bug");
    if (!bug) continue;
    if (*flags[*bug]) r.error(item, fmt::format("bug '{}' is listed twice", kBugNames[*bug]));
    *flags[*bug] = true;
  }
}

void parse_cluster(Reader& r, const YAML::Node& root, sim::WorldConfig& world) {
  const YAML::Node cluster = root["cluster"];
  if (!cluster.IsDefined()) {
    r.error(root, "missing required key 'cluster' (with at least 'nodes')");
    return;
  }
  if (!r.map(cluster, kClusterKeys, "a map of cluster settings (nodes, tick, ...)")) return;
  parse_nodes(r, cluster["nodes"], cluster, world);
  parse_members(r, cluster, world);
  parse_timers(r, cluster, world);
  assign(r.boolean(cluster["pre_vote"]), world.options.pre_vote);
  assign(r.boolean(cluster["check_quorum"]), world.options.check_quorum);
  assign(r.boolean(cluster["vote_lease"]), world.options.vote_lease);
  assign(r.boolean(cluster["leadership_transfer"]), world.options.leadership_transfer);
  parse_bugs(r, cluster["bugs"], world.bugs);
  assign(r.whole(cluster["snapshot_every"], 0, UINT32_MAX), world.snapshot_every);
  assign(r.whole(cluster["max_entries_per_append"], 1, 1u << 20), world.max_entries_per_append);
  assign(r.whole(cluster["max_appends_per_round"], 1, 1u << 20), world.max_appends_per_round);
  const YAML::Node fsync = cluster["fsync"];
  if (fsync.IsDefined() && r.map(fsync, kRangeKeys, "a map {min, max} of durations")) {
    sim::Latency& latency = world.disk.fsync;
    latency.shape = sim::Latency::Shape::kUniform;
    assign(r.duration(fsync["min"]), latency.min);
    assign(r.duration(fsync["max"]), latency.max);
    if (latency.min > latency.max) {
      r.error(fsync, fmt::format("fsync min {} is above max {}", format_duration(latency.min),
                                 format_duration(latency.max)));
    }
  }
}

// cluster.implementation: {command: [argv...], protocol: maelstrom}.
void parse_implementation(Reader& r, const YAML::Node& node, std::vector<std::string>& argv) {
  if (!node.IsDefined() ||
      !r.map(node, kImplementationKeys, "a map {command: [program, args...], protocol: maelstrom}"))
    return;
  const YAML::Node command = node["command"];
  if (!command.IsDefined()) {
    r.error(node, "implementation needs 'command': [program, args...]");
    return;
  }
  if (!r.list(command, "a list [program, args...]")) return;
  for (const YAML::Node& word : command) {
    auto text = r.text(word, "a word of the command");
    if (!text) continue;
    // A process's arguments end at their first NUL byte: the program would get another word.
    if (text->find('\0') != std::string::npos) {
      r.error(word, "a word of the command cannot hold a NUL byte");
      continue;
    }
    argv.push_back(*text);
  }
  if (command.size() == 0) r.error(command, "the command is empty");
  if (const auto protocol = r.text(node["protocol"], "the protocol");
      protocol && *protocol != "maelstrom")
    r.error(node["protocol"], fmt::format("unknown protocol '{}' (known: maelstrom)", *protocol));
}

// `pct: {depth: 3, messages: 1000, hold: 200ms}`: the PCT delivery scheduler.
void parse_pct(Reader& r, const YAML::Node& node, sim::PctConfig& pct) {
  if (!node.IsDefined() || !r.map(node, kPctKeys, "a map {depth, messages, hold}")) return;
  if (!node["depth"].IsDefined()) {
    r.error(node, "missing 'depth' (how many priority change points plus one, e.g. depth: 3)");
    return;
  }
  assign(r.whole(node["depth"], 1, 1000), pct.depth);
  assign(r.whole(node["messages"], 1, 100000000), pct.messages);
  if (const auto hold = r.duration(node["hold"])) {
    if (hold->count() == 0) {
      r.error(node["hold"], "hold must be positive");
    } else {
      pct.hold = *hold;
    }
  }
}

void parse_network(Reader& r, const YAML::Node& node, sim::LinkModel& link, sim::PctConfig& pct) {
  if (!node.IsDefined() || !r.map(node, kNetworkKeys, "a map of network settings")) return;
  parse_pct(r, node["pct"], pct);
  assign(parse_latency(r, node["latency"], link.latency), link.latency);
  assign(r.probability(node["loss"]), link.loss);
  assign(r.probability(node["duplicate"]), link.duplicate);
  assign(r.probability(node["reorder"]), link.reorder);
  assign(r.duration(node["delay"]), link.extra_delay);
}

void parse_mix(Reader& r, const YAML::Node& node, sim::OpMix& mix) {
  if (!node.IsDefined() || !r.map(node, kMixKeys, "a map of weights {get, put, append, cas}")) {
    return;
  }
  // Weights left out of a written mix are zero: `mix: {put: 1}` is only puts.
  sim::OpMix written{0, 0, 0, 0};
  bool ok = true;
  double* weights[] = {&written.get, &written.put, &written.append, &written.cas};
  for (size_t i = 0; i < kMixKeys.size(); ++i) {
    const YAML::Node weight = node[std::string(kMixKeys[i])];
    const auto value = r.number(weight);
    if (!value && weight.IsDefined()) ok = false;
    if (!value) continue;
    if (*value < 0) {
      r.error(weight, fmt::format("weight {} is negative", weight.Scalar()));
      ok = false;
      continue;
    }
    *weights[i] = *value;
  }
  if (!ok) return;
  if (written.get + written.put + written.append + written.cas <= 0) {
    r.error(node, "the mix needs at least one positive weight");
    return;
  }
  mix = written;
}

void parse_workload(Reader& r, const YAML::Node& node, sim::WorldConfig& world,
                    sim::Duration duration) {
  sim::WorkloadModel& w = world.workload;
  w.latency = world.network.latency;
  w.stop_at = SimTime{duration};
  if (!node.IsDefined() || !r.map(node, kWorkloadKeys, "a map of workload settings")) return;
  assign(r.whole(node["clients"], 0, 64), w.clients);
  assign(r.whole(node["keys"], 1, 1000), w.keys);
  parse_mix(r, node["mix"], w.mix);
  if (const auto rate = r.number(node["rate"])) {
    if (*rate < 0) {
      r.error(node["rate"], "rate must be 0 (closed loop) or positive (operations per second)");
    } else {
      w.rate = *rate;
    }
  }
  assign(r.duration(node["think"]), w.think);
  for (auto [key, field] : {std::pair{"timeout", &w.attempt_timeout}, {"give_up", &w.give_up}}) {
    const YAML::Node value = node[key];
    const auto d = r.duration(value);
    if (d && d->count() == 0) {
      r.error(value, fmt::format("{} must be positive", key));
    } else if (d) {
      *field = *d;
    }
  }
  assign(parse_latency(r, node["latency"], w.latency), w.latency);
  if (const auto stop = r.duration(node["stop"])) {
    if (*stop > duration) {
      r.error(node["stop"], fmt::format("workload stop {} is after the end of the run ({})",
                                        format_duration(*stop), format_duration(duration)));
    } else {
      w.stop_at = SimTime{*stop};
    }
  }
}

void parse_nemesis(Reader& r, const YAML::Node& node, Nemesis& nemesis) {
  if (!node.IsDefined() || !r.map(node, kNemesisKeys, "a map of nemesis settings")) return;
  const YAML::Node faults = node["faults"];
  if (faults.IsDefined() && r.list(faults, "a list of fault names")) {
    for (const YAML::Node& item : faults) {
      const auto i = r.name_of(item, kNemesisFaults, "nemesis fault");
      if (!i) continue;
      if (std::find(nemesis.faults.begin(), nemesis.faults.end(), kNemesisKinds[*i]) !=
          nemesis.faults.end()) {
        r.error(item, fmt::format("fault '{}' is listed twice", kNemesisFaults[*i]));
        continue;
      }
      nemesis.faults.push_back(kNemesisKinds[*i]);
      const bool pair = kNemesisKinds[*i] == FaultKind::kReconfigureJoint ||
                        kNemesisKinds[*i] == FaultKind::kTriggeredReconfigureJoint;
      if (pair && r.nodes().size() < 2)
        r.error(item, fmt::format("'{}' flips two servers: the cluster needs at least two",
                                  kNemesisFaults[*i]));
    }
  }
  if (const auto every = r.range(node["every"])) {
    if (every->first.count() <= 0) {
      r.error(node["every"], "the time between faults must be positive");
    } else {
      std::tie(nemesis.every_min, nemesis.every_max) = *every;
    }
  }
  if (const auto lasts = r.range(node["duration"])) {
    std::tie(nemesis.duration_min, nemesis.duration_max) = *lasts;
  }
  if (const auto quiet = r.duration(node["quiet"])) {
    // No fault may start within `quiet` of the end: longer than the run, none ever would.
    if (*quiet > r.end()) {
      r.error(node["quiet"], fmt::format("nemesis quiet {} is longer than the run ({}): no fault "
                                         "would ever start",
                                         format_duration(*quiet), format_duration(r.end())));
    } else {
      nemesis.quiet = *quiet;
    }
  } else if (!node["quiet"].IsDefined() && !nemesis.faults.empty() && nemesis.quiet > r.end()) {
    // The default quiet would silently turn a short run's nemesis off.
    r.error(node, fmt::format("the nemesis's default quiet ({}) is longer than the run ({}): no "
                              "fault would ever start; set a shorter `quiet`",
                              format_duration(nemesis.quiet), format_duration(r.end())));
  }
  assign(r.duration(node["delay"]), nemesis.delay);
  assign(r.probability(node["loss"]), nemesis.loss);
  assign(r.boolean(node["overlap"]), nemesis.overlap);
}

void parse_liveness(Reader& r, const YAML::Node& node, Liveness& liveness) {
  if (!node.IsDefined()) return;
  if (node.IsScalar()) {
    assign(r.boolean(node), liveness.enabled);
    return;
  }
  if (!r.map(node, kLivenessKeys, "false or a map {quiet, within}")) return;
  liveness.enabled = true;
  assign(r.duration(node["quiet"]), liveness.quiet);
  if (const auto within = r.duration(node["within"])) {
    if (within->count() == 0) {
      r.error(node["within"], "within must be positive");
    } else {
      liveness.within = *within;
    }
  }
}

void parse_top(Reader& r, const YAML::Node& root, Scenario& s) {
  if (!root.IsMap()) {
    r.error(root, "expected a map of scenario settings (name, seed, duration, cluster, ...)");
    return;
  }
  r.map(root, kTopKeys, "a map");
  assign(r.text(root["name"], "a name"), s.name);
  assign(r.whole(root["seed"], 0, UINT64_MAX), s.seed);
  s.world.seed = s.seed;
  if (const auto d = r.duration(root["duration"])) {
    if (d->count() == 0) {
      r.error(root["duration"], "duration must be positive");
    } else {
      s.duration = *d;
    }
  }
  r.set_end(s.duration);
  parse_cluster(r, root, s.world);
  if (const YAML::Node cluster = root["cluster"]; cluster.IsDefined() && cluster.IsMap())
    parse_implementation(r, cluster["implementation"], s.implementation);
  parse_network(r, root["network"], s.world.network, s.world.pct);
  parse_workload(r, root["workload"], s.world, s.duration);
  const YAML::Node timeline = root["timeline"];
  if (timeline.IsDefined()) detail::parse_timeline(r, timeline, s.timeline);
  std::stable_sort(s.timeline.begin(), s.timeline.end(),
                   [](const Fault& a, const Fault& b) { return a.at < b.at; });
  parse_nemesis(r, root["nemesis"], s.nemesis);
  detail::parse_swarm(r, root["swarm"], s.swarm);
  parse_liveness(r, root["liveness"], s.liveness);
  const YAML::Node expect = root["expect"];
  if (expect.IsDefined()) detail::parse_expectations(r, expect, s.liveness.enabled, s.expectations);
}

}  // namespace

std::string ParseError::text() const {
  std::string out;
  for (const std::string& m : messages)
    out += m + "\n";
  return out;
}

std::variant<Scenario, ParseError> parse_scenario_text(std::string_view yaml,
                                                       const std::string& file_name) {
  Reader r(file_name);
  Scenario s;
  s.file = file_name;
  s.name = std::filesystem::path(file_name).stem().string();
  try {
    const std::string text(yaml);
    const YAML::Node root = YAML::Load(text);
    if (const auto second = second_document(text)) {
      r.error(*second, "a scenario file holds one YAML document; remove this '---'");
    }
    s.teaches = header_comment(yaml);
    r.note_empty_values(root);
    parse_top(r, root, s);
  } catch (const YAML::Exception& e) {
    r.error(e.mark,
            "YAML syntax error: " + (e.msg.empty() ? std::string("not valid YAML") : e.msg));
  } catch (const std::exception& e) {
    r.error(YAML::Mark::null_mark(), fmt::format("cannot read scenario: {}", e.what()));
  }
  if (r.failed()) return ParseError{r.take_errors()};
  return s;
}

std::variant<Scenario, ParseError> parse_scenario_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (fs::exists(status) && !fs::is_regular_file(status)) {
    return ParseError{{fmt::format("{}: not a regular file (a scenario is a YAML file)", path)}};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in || ec) return ParseError{{fmt::format("{}: cannot read file", path)}};
  // Bounded by what was read, not by the size on disk, which a growing file outruns.
  std::string text;
  std::array<char, 1 << 16> buffer;
  while (in && text.size() <= kMaxScenarioBytes) {
    in.read(buffer.data(), buffer.size());
    text.append(buffer.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) return ParseError{{fmt::format("{}: cannot read file", path)}};
  if (text.size() > kMaxScenarioBytes) {
    return ParseError{{fmt::format("{}: too large for a scenario file (the limit is {} MiB)", path,
                                   kMaxScenarioBytes >> 20)}};
  }
  return parse_scenario_text(text, path);
}

}  // namespace raftsim::scenario

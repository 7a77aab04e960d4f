#include "real/cluster_file.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <set>

namespace raftsim::real {

namespace {

std::string at(const std::string& path, const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0) return path;
  return fmt::format("{}:{}:{}", path, mark.line + 1, mark.column + 1);
}

bool valid_address(const std::string& address) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  int port = 0;
  const char* end = address.data() + address.size();
  auto [p, ec] = std::from_chars(address.data() + colon + 1, end, port);
  return ec == std::errc() && p == end && port > 0 && port < 65536;
}

}  // namespace

const ClusterMember* ClusterFile::find(std::string_view id_or_name) const {
  for (const ClusterMember& m : nodes)
    if (m.name == id_or_name || std::to_string(m.id.value) == id_or_name) return &m;
  return nullptr;
}

const ClusterMember* ClusterFile::find(raft::NodeId id) const {
  for (const ClusterMember& m : nodes)
    if (m.id == id) return &m;
  return nullptr;
}

bool is_loopback(const std::string& address) {
  return address.starts_with("127.") || address.starts_with("localhost:") ||
         address.starts_with("[::1]:");
}

std::variant<ClusterFile, std::string> read_cluster_file(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return fmt::format("{}: cannot read the cluster file", path);
  } catch (const YAML::Exception& e) {
    return fmt::format("{}:{}:{}: {}", path, e.mark.line + 1, e.mark.column + 1, e.msg);
  }
  try {
    if (!root.IsMap()) return fmt::format("{}: expected a mapping with cluster_id and nodes", path);
    ClusterFile cluster;
    for (const auto& pair : root) {
      const std::string key = pair.first.as<std::string>();
      if (key != "cluster_id" && key != "tick_ms" && key != "election_timeout_ticks" &&
          key != "heartbeat_ticks" && key != "pre_vote" && key != "check_quorum" &&
          key != "vote_lease" && key != "max_entries_per_append" &&
          key != "max_appends_per_round" && key != "start_at_ms" && key != "snapshot_every" &&
          key != "tls" && key != "nodes") {
        return fmt::format("{}: unknown key '{}'", at(path, pair.first), key);
      }
    }
    if (!root["cluster_id"] || root["cluster_id"].as<std::string>().empty()) {
      return fmt::format("{}: cluster_id is required", path);
    }
    cluster.cluster_id = root["cluster_id"].as<std::string>();
    if (root["tick_ms"]) cluster.tick_ms = root["tick_ms"].as<int>();
    if (root["election_timeout_ticks"]) {
      cluster.election_timeout_ticks = root["election_timeout_ticks"].as<int>();
    }
    if (root["heartbeat_ticks"]) cluster.heartbeat_ticks = root["heartbeat_ticks"].as<int>();
    if (root["pre_vote"]) cluster.pre_vote = root["pre_vote"].as<bool>();
    if (root["check_quorum"]) cluster.check_quorum = root["check_quorum"].as<bool>();
    if (root["vote_lease"]) cluster.vote_lease = root["vote_lease"].as<bool>();
    for (auto [key, limit] : {std::pair{"max_entries_per_append", &cluster.max_entries_per_append},
                              std::pair{"max_appends_per_round", &cluster.max_appends_per_round}}) {
      const YAML::Node n = root[key];
      if (!n) continue;
      const int64_t value = n.as<int64_t>();
      if (value < 1 || value > (1 << 20))
        return fmt::format("{}: {} must be in 1..1048576", at(path, n), key);
      *limit = static_cast<uint64_t>(value);
    }
    if (root["start_at_ms"]) cluster.start_at_ms = root["start_at_ms"].as<int64_t>();
    if (root["snapshot_every"]) {
      const int64_t every = root["snapshot_every"].as<int64_t>();
      if (every < 0 || every > 1'000'000'000) {
        return fmt::format("{}: snapshot_every must be in 0..1000000000 (0: never)",
                           at(path, root["snapshot_every"]));
      }
      cluster.snapshot_every = static_cast<uint64_t>(every);
    }
    if (cluster.heartbeat_ticks < 1 || cluster.heartbeat_ticks >= cluster.election_timeout_ticks) {
      return fmt::format("{}: heartbeat_ticks must be at least 1 and below election_timeout_ticks",
                         at(path, root["heartbeat_ticks"]));
    }
    if (cluster.tick_ms < 1 || cluster.tick_ms > 10000) {
      return fmt::format("{}: tick_ms must be in 1..10000", at(path, root["tick_ms"]));
    }
    if (cluster.election_timeout_ticks < 2 || cluster.election_timeout_ticks > 1000) {
      return fmt::format("{}: election_timeout_ticks must be in 2..1000",
                         at(path, root["election_timeout_ticks"]));
    }
    if (const YAML::Node tls = root["tls"]) {
      if (!tls.IsMap() || tls.size() != 3 || !tls["cert"] || !tls["key"] || !tls["ca"]) {
        return fmt::format("{}: tls needs exactly cert, key and ca (paths to PEM files)",
                           at(path, tls));
      }
      // Relative to the cluster file, so a directory of both moves as one.
      const std::filesystem::path base = std::filesystem::path(path).parent_path();
      auto resolve = [&](const YAML::Node& n) { return (base / n.as<std::string>()).string(); };
      cluster.tls = {resolve(tls["cert"]), resolve(tls["key"]), resolve(tls["ca"])};
    }
    const YAML::Node nodes = root["nodes"];
    if (!nodes || !nodes.IsSequence() || nodes.size() == 0) {
      return fmt::format("{}: nodes must be a non-empty list", path);
    }
    std::set<uint32_t> ids;
    std::set<std::string> names;
    for (const YAML::Node& n : nodes) {
      if (!n.IsMap() || !n["id"] || !n["address"]) {
        return fmt::format("{}: each node needs an id and an address", at(path, n));
      }
      ClusterMember m;
      const int64_t id = n["id"].as<int64_t>();
      if (id < 1 || id > 1'000'000) return fmt::format("{}: id must be in 1..1000000", at(path, n));
      m.id = raft::NodeId{static_cast<uint32_t>(id)};
      m.name = n["name"] ? n["name"].as<std::string>() : fmt::format("n{}", id);
      m.address = n["address"].as<std::string>();
      if (n["control"]) m.control = n["control"].as<std::string>();
      if (!valid_address(m.address)) {
        return fmt::format("{}: address '{}' is not host:port", at(path, n["address"]), m.address);
      }
      if (!m.control.empty() && !valid_address(m.control)) {
        return fmt::format("{}: control '{}' is not host:port", at(path, n["control"]), m.control);
      }
      if (!is_loopback(ClusterFile::control_address(m))) {
        return fmt::format(
            "{}: the control service of node {} would listen on '{}'; it must be loopback "
            "(give a 127.0.0.1 `control` address)",
            at(path, n), m.name, ClusterFile::control_address(m));
      }
      if (cluster.tls.enabled() && m.control.empty()) {
        return fmt::format(
            "{}: with tls every node needs its own `control` address (plaintext, loopback)",
            at(path, n));
      }
      if (const YAML::Node b = n["bootstrap"]) {
        const std::string as = b.as<std::string>();
        if (as != "voter" && as != "learner" && as != "spare") {
          return fmt::format("{}: bootstrap must be voter, learner or spare, not '{}'", at(path, b),
                             as);
        }
        m.bootstrap = as == "voter"     ? Bootstrap::kVoter
                      : as == "learner" ? Bootstrap::kLearner
                                        : Bootstrap::kSpare;
      }
      if (!ids.insert(m.id.value).second)
        return fmt::format("{}: duplicate id {}", at(path, n), id);
      if (!names.insert(m.name).second) {
        return fmt::format("{}: duplicate name '{}'", at(path, n), m.name);
      }
      cluster.nodes.push_back(std::move(m));
    }
    std::sort(cluster.nodes.begin(), cluster.nodes.end(),
              [](const ClusterMember& a, const ClusterMember& b) { return a.id < b.id; });
    if (cluster.bootstrap(Bootstrap::kVoter).empty()) {
      return fmt::format("{}: no node is a voter (bootstrap: voter, the default)", at(path, nodes));
    }
    return cluster;
  } catch (const YAML::Exception& e) {
    return fmt::format("{}:{}:{}: {}", path, e.mark.line + 1, e.mark.column + 1, e.msg);
  }
}

std::string format_cluster_file(const ClusterFile& cluster) {
  std::string out =
      fmt::format("cluster_id: {}\ntick_ms: {}\nelection_timeout_ticks: {}\n", cluster.cluster_id,
                  cluster.tick_ms, cluster.election_timeout_ticks);
  // Written only when not the default, so the default file stays as it was.
  if (cluster.heartbeat_ticks != 1)
    out += fmt::format("heartbeat_ticks: {}\n", cluster.heartbeat_ticks);
  if (!cluster.pre_vote) out += "pre_vote: false\n";
  if (!cluster.check_quorum) out += "check_quorum: false\n";
  if (cluster.vote_lease) out += "vote_lease: true\n";
  const ClusterFile defaults;
  if (cluster.max_entries_per_append != defaults.max_entries_per_append)
    out += fmt::format("max_entries_per_append: {}\n", cluster.max_entries_per_append);
  if (cluster.max_appends_per_round != defaults.max_appends_per_round)
    out += fmt::format("max_appends_per_round: {}\n", cluster.max_appends_per_round);
  if (cluster.start_at_ms != 0) out += fmt::format("start_at_ms: {}\n", cluster.start_at_ms);
  if (cluster.snapshot_every != kDefaultSnapshotEvery) {
    out += fmt::format("snapshot_every: {}\n", cluster.snapshot_every);
  }
  if (cluster.tls.enabled()) {
    out += fmt::format("tls:\n  cert: {}\n  key: {}\n  ca: {}\n", cluster.tls.cert, cluster.tls.key,
                       cluster.tls.ca);
  }
  out += "nodes:\n";
  for (const ClusterMember& m : cluster.nodes) {
    out +=
        fmt::format("  - id: {}\n    name: {}\n    address: {}\n", m.id.value, m.name, m.address);
    if (!m.control.empty()) out += fmt::format("    control: {}\n", m.control);
    if (m.bootstrap != Bootstrap::kVoter) {
      out += fmt::format("    bootstrap: {}\n",
                         m.bootstrap == Bootstrap::kLearner ? "learner" : "spare");
    }
  }
  return out;
}

}  // namespace raftsim::real

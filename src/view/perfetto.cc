#include "view/perfetto.h"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "raft/message.h"
#include "view/message_flights.h"

namespace raftsim::view {

namespace {

using nlohmann::json;
using sim::TraceKind;

constexpr int kClusterPid = 1;
constexpr int kClientsPid = 2;

const char* role_name(uint64_t role) {
  static const char* const names[] = {"follower", "pre-candidate", "candidate", "leader"};
  return role < 4 ? names[role] : "role?";
}

json metadata(const char* what, int pid, uint32_t tid, const std::string& name) {
  json j = {{"ph", "M"}, {"name", what}, {"pid", pid}, {"args", {{"name", name}}}};
  if (tid != 0) j["tid"] = tid;
  return j;
}

// The spans open on one node's track, innermost last: "term T", then the role inside it (or
// "down" alone while the node is crashed).
class NodeTrack {
 public:
  explicit NodeTrack(uint32_t node) : node_(node) {}

  void role(int64_t t, uint64_t role, uint64_t term, json& out) {
    if (down_) return;
    if (term != term_ || open_.empty()) {
      close_all(t, out);
      term_ = term;
      open(t, fmt::format("term {}", term), out);
    } else if (open_.size() == 2) {
      close(t, out);
    }
    open(t, role_name(role), out);
  }
  void term(int64_t t, uint64_t term, json& out) {
    // A new term without a role change yet: the node is a follower of it (or campaigns in it;
    // the role event that follows says which).
    if (down_ || term == term_) return;
    role(t, 0, term, out);
  }
  void down(int64_t t, json& out) {
    close_all(t, out);
    open(t, "down", out);
    down_ = true;
  }
  void up(int64_t t, json& out) {
    if (!down_) return;
    close_all(t, out);
    down_ = false;
    term_ = UINT64_MAX;  // the next role event opens its term again
  }
  void close_all(int64_t t, json& out) {
    while (!open_.empty())
      close(t, out);
  }

 private:
  void open(int64_t t, std::string name, json& out) {
    out.push_back({{"ph", "B"},
                   {"name", name},
                   {"cat", "raft"},
                   {"ts", t},
                   {"pid", kClusterPid},
                   {"tid", node_}});
    open_.push_back(std::move(name));
  }
  void close(int64_t t, json& out) {
    out.push_back({{"ph", "E"},
                   {"name", open_.back()},
                   {"cat", "raft"},
                   {"ts", t},
                   {"pid", kClusterPid},
                   {"tid", node_}});
    open_.pop_back();
  }

  uint32_t node_;
  uint64_t term_ = UINT64_MAX;
  bool down_ = false;
  std::vector<std::string> open_;
};

std::string message_name(const sim::TraceEvent& e, const RecordedRun& run) {
  const auto type = raft::to_string(static_cast<raft::MessageType>(e.a));
  const std::string& to = e.peer >= 1 && e.peer <= run.nodes.size() ? run.nodes[e.peer - 1] : "?";
  return fmt::format("{} -> {}", type, to);
}

json message_event(const sim::TraceEvent& e, const RecordedRun& run, uint32_t track) {
  json j = {{"ph", "X"},
            {"name", message_name(e, run)},
            {"cat", "message"},
            {"ts", sim::micros(e.time)},
            {"dur", 0},
            {"pid", kClusterPid},
            {"tid", track},
            {"args",
             {{"kind", sim::to_string(e.kind)},
              {"term", e.b},
              {"index", e.c},
              {"entries", e.d},
              {"reject", e.flag}}}};
  if (!e.text.empty()) j["args"]["why"] = e.text;
  return j;
}

}  // namespace

std::string perfetto_json(const RecordedRun& run) {
  json out = json::array();
  out.push_back(metadata("process_name", kClusterPid, 0, "cluster " + run.scenario));
  std::vector<NodeTrack> tracks;
  for (uint32_t id = 1; id <= run.nodes.size(); ++id) {
    out.push_back(metadata("thread_name", kClusterPid, id, run.nodes[id - 1]));
    tracks.emplace_back(id);
  }
  out.push_back(metadata("process_name", kClientsPid, 0, "clients"));

  // bind_id per event index: the start and end of each completed flight share one.
  std::map<size_t, std::pair<uint64_t, bool>> binds;  // event -> (id, is the start)
  uint64_t next_bind = 1;
  for (const Flight& f : message_flights(run.events)) {
    binds[f.start] = {next_bind, true};
    binds[f.end] = {next_bind, false};
    ++next_bind;
  }
  std::map<std::pair<uint32_t, uint64_t>, size_t> invokes;  // (client, seq) -> invoke event
  std::set<uint32_t> clients;
  auto track = [&](uint32_t node) -> NodeTrack* {
    return node >= 1 && node <= tracks.size() ? &tracks[node - 1] : nullptr;
  };
  int64_t last = 0;
  for (size_t i = 0; i < run.events.size(); ++i) {
    const sim::TraceEvent& e = run.events[i];
    const int64_t t = sim::micros(e.time);
    last = std::max(last, t);
    switch (e.kind) {
      case TraceKind::kRole:
        if (NodeTrack* n = track(e.node)) n->role(t, e.a, e.b, out);
        break;
      case TraceKind::kTerm:
        if (NodeTrack* n = track(e.node)) n->term(t, e.b, out);
        break;
      case TraceKind::kNodeDown:
        if (NodeTrack* n = track(e.node)) n->down(t, out);
        break;
      case TraceKind::kNodeUp:
        if (NodeTrack* n = track(e.node)) n->up(t, out);
        break;
      case TraceKind::kSend:
      case TraceKind::kDuplicate:
      case TraceKind::kDeliver:
      case TraceKind::kDrop: {
        const bool at_sender = e.kind == TraceKind::kSend || e.kind == TraceKind::kDuplicate ||
                               (e.kind == TraceKind::kDrop && e.text == "partitioned");
        const uint32_t where = at_sender ? e.node : e.peer;
        if (!track(where)) break;
        json j = message_event(e, run, where);
        if (const auto it = binds.find(i); it != binds.end()) {
          j["bind_id"] = it->second.first;
          j[it->second.second ? "flow_out" : "flow_in"] = true;
        }
        out.push_back(std::move(j));
        break;
      }
      case TraceKind::kFault:
        out.push_back({{"ph", "i"},
                       {"s", "g"},
                       {"name", e.text},
                       {"cat", "fault"},
                       {"ts", t},
                       {"pid", kClusterPid},
                       {"tid", 0}});
        break;
      case TraceKind::kCommit:
        if (track(e.node)) {
          out.push_back({{"ph", "C"},
                         {"name", fmt::format("{} commit", run.nodes[e.node - 1])},
                         {"ts", t},
                         {"pid", kClusterPid},
                         {"args", {{"index", e.a}}}});
        }
        break;
      case TraceKind::kClientInvoke:
        invokes[{e.node, e.a}] = i;
        if (clients.insert(e.node).second) {
          out.push_back(
              metadata("thread_name", kClientsPid, e.node, fmt::format("client {}", e.node)));
        }
        break;
      case TraceKind::kClientComplete: {
        const auto it = invokes.find({e.node, e.a});
        if (it == invokes.end()) break;
        const sim::TraceEvent& invoke = run.events[it->second];
        const int64_t begin = sim::micros(invoke.time);
        out.push_back({{"ph", "X"},
                       {"name", e.text},
                       {"cat", "client"},
                       {"ts", begin},
                       {"dur", t - begin},
                       {"pid", kClientsPid},
                       {"tid", e.node},
                       {"args", {{"known", e.flag}}}});
        invokes.erase(it);
        break;
      }
      default:
        break;
    }
  }
  for (NodeTrack& n : tracks)
    n.close_all(last, out);
  json doc = {{"traceEvents", std::move(out)}, {"displayTimeUnit", "ms"}};
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace raftsim::view

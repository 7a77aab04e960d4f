#include "view/recorded_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "check/history_io.h"

namespace raftsim::view {

namespace {

using nlohmann::ordered_json;

std::optional<sim::TraceKind> kind_named(std::string_view name) {
  for (int k = 0; k <= static_cast<int>(sim::kLastTraceKind); ++k) {
    const auto kind = static_cast<sim::TraceKind>(k);
    if (sim::to_string(kind) == name) return kind;
  }
  return std::nullopt;
}

// An unsigned field of an event, 0 when absent. Throws a message on a wrong type.
uint64_t unsigned_field(const ordered_json& j, const char* name) {
  const auto it = j.find(name);
  if (it == j.end()) return 0;
  if (!it->is_number_unsigned()) throw std::string(fmt::format("'{}' is not a count", name));
  return it->get<uint64_t>();
}

sim::TraceEvent event_from(const ordered_json& j) {
  if (!j.contains("t_us") || !j["t_us"].is_number_integer()) throw std::string("no 't_us'");
  if (!j.contains("kind") || !j["kind"].is_string()) throw std::string("no 'kind'");
  const auto kind = kind_named(j["kind"].get<std::string>());
  if (!kind) throw fmt::format("unknown kind '{}'", j["kind"].get<std::string>());
  sim::TraceEvent e;
  e.time = sim::kTimeZero + sim::Duration(j["t_us"].get<int64_t>());
  e.kind = *kind;
  e.node = static_cast<uint32_t>(unsigned_field(j, "node"));
  e.peer = static_cast<uint32_t>(unsigned_field(j, "peer"));
  e.a = unsigned_field(j, "a");
  e.b = unsigned_field(j, "b");
  e.c = unsigned_field(j, "c");
  e.d = unsigned_field(j, "d");
  if (j.contains("flag")) {
    if (!j["flag"].is_boolean()) throw std::string("'flag' is not true or false");
    e.flag = j["flag"].get<bool>();
  }
  if (j.contains("text")) {
    if (!j["text"].is_string()) throw std::string("'text' is not a string");
    e.text = j["text"].get<std::string>();
  }
  return e;
}

// The verdict numbers a violation's event among the recorded (hashed) events; timer lines
// (TraceKind::kTimer, annotations) are not among them. Turns that number into an index into
// run.events, which holds the timer lines too.
void number_violations_by_line(RecordedRun& run, const std::vector<size_t>& recorded) {
  if (!run.verdict) return;
  for (auto& v : (*run.verdict)["violations"]) {
    const auto it = v.find("event");
    if (it == v.end() || !it->is_number_unsigned()) continue;
    const uint64_t ordinal = it->get<uint64_t>();
    if (ordinal < recorded.size()) *it = recorded[ordinal];
  }
}

void read_summary(const ordered_json& j, RecordedRun& run) {
  if (!j.is_object()) throw std::string("'raftsim_run' is not an object");
  run.scenario = j.value("scenario", run.scenario);
  run.seed = j.value("seed", uint64_t{0});
  run.nodes = j.value("nodes", std::vector<std::string>{});
  run.teaches = j.value("teaches", std::string{});
  run.mode = j.value("mode", std::string("simulated"));
  if (j.contains("verdict")) {
    const ordered_json& v = j["verdict"];
    if (!v.is_object() || !v.contains("rows") || !v.contains("violations") ||
        !v["rows"].is_array() || !v["violations"].is_array()) {
      throw std::string("'verdict' lacks its rows or violations");
    }
    run.verdict = v;
  }
}

}  // namespace

ReadRunResult parse_trace(std::string_view text, const std::string& path) {
  RecordedRun run;
  run.scenario = std::filesystem::path(path).stem().string();
  uint32_t highest_node = 0;
  size_t line_number = 0;
  size_t begin = 0;
  std::vector<size_t> recorded;  // run.events' index of each recorded (not annotated) event
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(begin, end - begin);
    begin = end + 1;
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    try {
      const ordered_json j = ordered_json::parse(line);
      if (!j.is_object()) throw std::string("not a JSON object");
      if (j.contains("raftsim_run")) {
        read_summary(j["raftsim_run"], run);
      } else {
        run.events.push_back(event_from(j));
        const sim::TraceEvent& e = run.events.back();
        if (e.kind != sim::TraceKind::kTimer) recorded.push_back(run.events.size() - 1);
        if (e.kind != sim::TraceKind::kClientInvoke && e.kind != sim::TraceKind::kClientComplete) {
          highest_node = std::max({highest_node, e.node, e.peer});
        }
      }
    } catch (const nlohmann::json::exception& e) {
      return {std::nullopt, fmt::format("{}:{}: not JSON: {}", path, line_number, e.what())};
    } catch (const std::string& why) {
      return {std::nullopt, fmt::format("{}:{}: {}", path, line_number, why)};
    }
  }
  number_violations_by_line(run, recorded);
  if (run.nodes.empty()) {
    for (uint32_t id = 1; id <= highest_node; ++id)
      run.nodes.push_back(fmt::format("n{}", id));
  }
  if (run.nodes.size() < highest_node) {
    return {std::nullopt, fmt::format("{}: events name node {} but the header lists {} nodes", path,
                                      highest_node, run.nodes.size())};
  }
  if (run.nodes.empty()) return {std::nullopt, fmt::format("{}: no trace events", path)};
  return {std::move(run), ""};
}

ReadRunResult read_recorded_run(const std::string& trace_path, const std::string& history_path) {
  std::ifstream in(trace_path, std::ios::binary);
  if (!in) return {std::nullopt, fmt::format("{}: cannot open for reading", trace_path)};
  std::ostringstream text;
  text << in.rdbuf();
  ReadRunResult result = parse_trace(text.str(), trace_path);
  if (!result.run || history_path.empty()) return result;
  check::ReadResult history = check::read_history_file(history_path, check::HistoryFormat::raftsim);
  if (!history.history) return {std::nullopt, history.error};
  result.run->history = std::move(history.history);
  return result;
}

}  // namespace raftsim::view

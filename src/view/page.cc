#include "view/page.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "check/history_io.h"
#include "markup/html.h"
#include "raft/message.h"
#include "scenario/narrator.h"
#include "view/web_assets.h"

namespace raftsim::view {

namespace {

using nlohmann::json;
using sim::TraceKind;

// Kinds that change a node's or the network's state: kept before a window's start, so the page
// starts the window from the right roles, terms, commits and faults.
bool is_state_change(TraceKind kind) {
  switch (kind) {
    case TraceKind::kRole:
    case TraceKind::kTerm:
    case TraceKind::kVote:
    case TraceKind::kCommit:
    case TraceKind::kFault:
    case TraceKind::kNodeDown:
    case TraceKind::kNodeUp:
    case TraceKind::kTruncate:
    case TraceKind::kSnapshot:
      return true;
    default:
      return false;
  }
}

struct Selection {
  std::vector<const sim::TraceEvent*> events;
  std::string notice;
};

Selection select_events(const RecordedRun& run, const PageOptions& options) {
  Selection s;
  const int64_t from = options.from_us.value_or(INT64_MIN);
  const int64_t to = options.to_us.value_or(INT64_MAX);
  for (const sim::TraceEvent& e : run.events) {
    const int64_t t = sim::micros(e.time);
    if (t > to) break;
    if (t < from && !is_state_change(e.kind)) continue;
    if (s.events.size() == options.max_events) {
      s.notice = fmt::format(
          "This trace has {} events; the page shows the first {} (up to {:.3f}s). Pick a window "
          "with raftsim view --from/--to.",
          run.events.size(), options.max_events, sim::seconds(s.events.back()->time));
      break;
    }
    s.events.push_back(&e);
  }
  if (s.notice.empty() && (options.from_us || options.to_us)) {
    s.notice = fmt::format(
        "Window {:.3f}s to {}: messages and client operations outside it are "
        "left out.",
        options.from_us.value_or(0) / 1e6,
        options.to_us ? fmt::format("{:.3f}s", *options.to_us / 1e6) : "the end");
  }
  return s;
}

// [dt, kind, node, peer, a, b, c, d, flag, text] per event, compact: the time as the difference
// from the previous event's, and trailing zero fields left out (the page restores both). A third
// less to parse than absolute times and every field, which is most of a page's load.
json events_json(const Selection& s) {
  json out = json::array();
  int64_t previous = 0;
  for (const sim::TraceEvent* e : s.events) {
    const int64_t t = sim::micros(e->time);
    json row = {t - previous,   static_cast<int>(e->kind), e->node, e->peer, e->a, e->b, e->c, e->d,
                e->flag ? 1 : 0};
    previous = t;
    if (!e->text.empty()) {
      row.push_back(e->text);
    } else {
      while (row.size() > 2 && row.back() == 0)
        row.erase(row.size() - 1);
    }
    out.push_back(std::move(row));
  }
  return out;
}

// The classroom narration, told again from the events: [event index, time, text] per line. A
// line is tied to the last event at or before its stamp (a campaign is told one event late).
json narration_json(const RecordedRun& run, const Selection& s) {
  json out = json::array();
  size_t current = 0;
  scenario::Narrator narrator(run.nodes, false, [&](const std::string& line) {
    const size_t split = line.find("s  ");
    const int64_t stamp_us =
        std::llround(std::strtod(line.c_str(), nullptr) * 1e6);  // "    1.234s  text"
    size_t index = current;
    while (index > 0 && sim::micros(s.events[index]->time) > stamp_us + 500)
      --index;
    out.push_back({index, sim::micros(s.events[index]->time),
                   split == std::string::npos ? line : line.substr(split + 3)});
  });
  for (current = 0; current < s.events.size(); ++current) {
    if (s.events[current]->kind != TraceKind::kTimer) narrator.on_event(*s.events[current]);
  }
  return out;
}

json history_json(const check::History& history) {
  json out = json::array();
  const check::WriteResult written = check::write_history(history, check::HistoryFormat::raftsim);
  const std::string& text = written.text;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(begin, end - begin);
    begin = end + 1;
    if (line.empty()) continue;
    json op = json::parse(line);
    if (!op.contains("raftsim_history")) out.push_back(std::move(op));
  }
  return out;
}

// The page's index of each violation's event (-1 when it is not on the page or not an event).
json violation_events(const RecordedRun& run, const Selection& s) {
  json out = json::array();
  if (!run.verdict || !run.verdict->contains("violations")) return out;
  for (const auto& v : (*run.verdict)["violations"]) {
    int64_t index = -1;
    const uint64_t ordinal = v.value("event", UINT64_MAX);
    if (ordinal < run.events.size()) {
      const sim::TraceEvent* target = &run.events[ordinal];
      const auto it = std::lower_bound(s.events.begin(), s.events.end(), target);
      if (it != s.events.end() && *it == target) index = it - s.events.begin();
    }
    out.push_back(index);
  }
  return out;
}

json page_data(const RecordedRun& run, const Selection& s) {
  json kinds = json::array();
  for (int k = 0; k <= static_cast<int>(sim::kLastTraceKind); ++k)
    kinds.push_back(sim::to_string(static_cast<TraceKind>(k)));
  json types = json::array();
  for (int t = 0; t <= static_cast<int>(raft::MessageType::kInstallSnapshot); ++t)
    types.push_back(raft::to_string(static_cast<raft::MessageType>(t)));
  json data;
  data["scenario"] = run.scenario;
  data["seed"] = run.seed;
  data["teaches"] = run.teaches;
  data["mode"] = run.mode;
  data["nodes"] = run.nodes;
  data["kinds"] = kinds;
  data["messageTypes"] = types;
  data["events"] = events_json(s);
  data["narration"] = narration_json(run, s);
  data["verdict"] = run.verdict ? json(*run.verdict) : json(nullptr);
  data["violationEvents"] = violation_events(run, s);
  data["history"] = run.history ? history_json(*run.history) : json::array();
  data["notice"] = s.notice;
  return data;
}

// JSON inside <script> must not close the element: "</" never appears in it.
std::string script_safe(std::string text) {
  for (size_t at = text.find("</"); at != std::string::npos; at = text.find("</", at + 3))
    text.replace(at, 2, "<\\/");
  return text;
}

void replace_once(std::string& text, std::string_view placeholder, const std::string& with) {
  const size_t at = text.find(placeholder);
  if (at != std::string::npos) text.replace(at, placeholder.size(), with);
}

}  // namespace

Page render_page(const RecordedRun& run, const PageOptions& options) {
  Page page;
  const Selection s = select_events(run, options);
  if (s.events.empty()) {
    page.error = "no trace events in the chosen window";
    return page;
  }
  page.events = s.events.size();
  page.notice = s.notice;
  const std::string data =
      script_safe(page_data(run, s).dump(-1, ' ', false, json::error_handler_t::replace));
  page.html = std::string(kWebTemplate);
  replace_once(page.html, "/*RAFTSIM_STYLE*/", std::string(kWebStyle));
  replace_once(page.html, "RAFTSIM_TITLE",
               markup::html_escaped(fmt::format("raftsim: {} (seed {})", run.scenario, run.seed)));
  // The script goes in before the data, and the data's placeholder comes first in the template:
  // the run's text (which could hold anything) is never searched for placeholders.
  replace_once(page.html, "/*RAFTSIM_SCRIPT*/", script_safe(std::string(kWebScript)));
  replace_once(page.html, "\"RAFTSIM_DATA\"", data);
  return page;
}

}  // namespace raftsim::view

// The replay page and the Perfetto export, built from recorded runs of shipped scenarios.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "markup/html.h"
#include "scenario/parse.h"
#include "scenario/runner.h"
#include "scratch.h"
#include "view/page.h"
#include "view/perfetto.h"
#include "view/recorded_run.h"

namespace raftsim::view {
namespace {

using nlohmann::json;

// Runs a shipped scenario with its trace and history written, and reads them back. `judged`:
// with every check (the verdict and the violations' events); the Perfetto export needs none.
RecordedRun recorded(const std::string& name, bool judged = true) {
  auto parsed = scenario::parse_scenario_file(std::string(RAFTSIM_SOURCE_DIR) + "/scenarios/" +
                                              name + ".yaml");
  const auto& s = std::get<scenario::Scenario>(parsed);
  scenario::RunOptions options;
  options.narrate = false;
  options.check_linearizability = judged;
  options.check_invariants = judged;
  options.trace_path = test::scratch_path(name + ".trace.jsonl");
  options.history_path = test::scratch_path(name + ".history.jsonl");
  scenario::run_scenario(s, options);
  ReadRunResult read = read_recorded_run(options.trace_path, options.history_path);
  if (!read.run) {
    ADD_FAILURE() << read.error;
    return {};
  }
  return std::move(*read.run);
}

// Every way a Chrome trace-event document can be malformed for Perfetto, as text ("" if none):
// spans that do not nest on their track, flows that do not pair up, instants without scope.
std::string perfetto_problems(const json& doc) {
  if (!doc.contains("traceEvents") || !doc["traceEvents"].is_array()) return "no traceEvents";
  std::map<std::pair<int, int>, std::vector<std::string>> open;  // (pid, tid) -> span names
  std::map<uint64_t, int> flow_out, flow_in;
  std::map<uint64_t, int64_t> out_ts;
  std::ostringstream problems;
  int64_t last_ts = 0;
  for (const json& e : doc["traceEvents"]) {
    const std::string ph = e.value("ph", "");
    if (ph == "M") continue;
    if (!e.contains("ts") || !e.contains("pid")) problems << "event without ts or pid; ";
    const int64_t ts = e.value("ts", int64_t{0});
    const auto track = std::make_pair(e.value("pid", 0), e.value("tid", 0));
    if (ph == "B") {
      if (ts < last_ts) problems << "B before an earlier event; ";
      open[track].push_back(e.value("name", ""));
    } else if (ph == "E") {
      auto& stack = open[track];
      if (stack.empty() || stack.back() != e.value("name", "")) {
        problems << "E " << e.value("name", "") << " closes nothing open at " << ts << "; ";
      } else {
        stack.pop_back();
      }
    } else if (ph == "i") {
      if (e.value("s", "") != "g") problems << "instant without global scope; ";
    } else if (ph != "X" && ph != "C") {
      problems << "unknown phase " << ph << "; ";
    }
    if (ph == "B" || ph == "E" || ph == "X") last_ts = std::max(last_ts, ts);
    if (e.contains("bind_id")) {
      const uint64_t id = e["bind_id"].get<uint64_t>();
      if (e.value("flow_out", false)) {
        ++flow_out[id];
        out_ts[id] = ts;
      }
      if (e.value("flow_in", false)) {
        ++flow_in[id];
        if (!out_ts.count(id) || out_ts[id] > ts) problems << "flow " << id << " ends first; ";
      }
    }
  }
  for (const auto& [track, stack] : open) {
    if (!stack.empty()) problems << "span " << stack.back() << " never ends; ";
  }
  for (const auto& [id, n] : flow_out) {
    if (n != 1 || flow_in[id] != 1) problems << "flow " << id << " does not pair up; ";
  }
  for (const auto& [id, n] : flow_in) {
    if (!flow_out.count(id)) problems << "flow " << id << " has no start; ";
  }
  return problems.str();
}

TEST(Perfetto, SplitBrainIsWellFormed) {
  const RecordedRun run = recorded("split_brain", false);
  const json doc = json::parse(perfetto_json(run));
  EXPECT_EQ(perfetto_problems(doc), "");
  size_t threads = 0, flows = 0, faults = 0, leader_spans = 0;
  for (const json& e : doc["traceEvents"]) {
    const std::string ph = e["ph"];
    threads += ph == "M" && e["name"] == "thread_name" && e["pid"] == 1;
    flows += e.value("flow_out", false);
    faults += ph == "i";
    leader_spans += ph == "B" && e["name"] == "leader";
  }
  EXPECT_EQ(threads, 5u);  // one track per node
  EXPECT_GT(flows, 1000u);
  EXPECT_EQ(faults, 3u);  // elect, partition, heal
  EXPECT_GE(leader_spans, 2u);
}

TEST(Perfetto, CrashesAndPausesStillNest) {
  for (const char* name : {"disk_loss", "figure8_bug", "random_faults"}) {
    const json doc = json::parse(perfetto_json(recorded(name, false)));
    EXPECT_EQ(perfetto_problems(doc), "") << name;
  }
}

TEST(Perfetto, TheWellFormednessCheckCatchesBrokenDocuments) {
  const json unclosed =
      json::parse(R"({"traceEvents":[{"ph":"B","name":"term 1","ts":1,"pid":1,"tid":1}]})");
  EXPECT_NE(perfetto_problems(unclosed), "");
  const json crossed = json::parse(R"({"traceEvents":[
      {"ph":"B","name":"term 1","ts":1,"pid":1,"tid":1},
      {"ph":"B","name":"leader","ts":2,"pid":1,"tid":1},
      {"ph":"E","name":"term 1","ts":3,"pid":1,"tid":1},
      {"ph":"E","name":"leader","ts":3,"pid":1,"tid":1}]})");
  EXPECT_NE(perfetto_problems(crossed), "");
  const json lonely_flow = json::parse(
      R"({"traceEvents":[{"ph":"X","name":"m","ts":1,"dur":0,"pid":1,"tid":1,"bind_id":7,"flow_out":true}]})");
  EXPECT_NE(perfetto_problems(lonely_flow), "");
}

// The JSON the page carries, cut out of the HTML.
// The page's data, with its events restored as the page restores them: absolute times, every
// field.
json page_data(const std::string& html) {
  const std::string open = R"(<script id="run-data" type="application/json">)";
  const size_t begin = html.find(open);
  const size_t end = html.find("</script>", begin);
  if (begin == std::string::npos || end == std::string::npos) return nullptr;
  json data = json::parse(html.substr(begin + open.size(), end - begin - open.size()));
  int64_t t = 0;
  for (json& e : data["events"]) {
    t += e[0].get<int64_t>();
    e[0] = t;
    while (e.size() < 9)
      e.push_back(0);
  }
  return data;
}

TEST(Page, CarriesEveryEventTheNarrationAndTheVerdict) {
  const RecordedRun run = recorded("split_brain");
  const Page page = render_page(run, {});
  ASSERT_EQ(page.error, "");
  EXPECT_EQ(page.html.find("RAFTSIM_"), std::string::npos) << "a placeholder left in the page";
  EXPECT_EQ(page.html.find("http://"), std::string::npos) << "the page must need no network";
  EXPECT_EQ(page.html.find("https://"), std::string::npos) << "the page must need no network";
  const json data = page_data(page.html);
  ASSERT_TRUE(data.is_object());
  EXPECT_EQ(data["events"].size(), run.events.size());
  EXPECT_EQ(data["nodes"], json({"n1", "n2", "n3", "n4", "n5"}));
  EXPECT_TRUE(data["verdict"]["passed"].get<bool>());
  EXPECT_EQ(data["history"].size(), run.history->ops.size());
  bool partition_told = false;
  for (const json& line : data["narration"])
    partition_told |= line[2].get<std::string>().find("FAULT  partition") == 0;
  EXPECT_TRUE(partition_told);
}

TEST(Page, PointsAtTheEventThatBrokeAProperty) {
  const RecordedRun run = recorded("figure8_bug");
  const json data = page_data(render_page(run, {}).html);
  ASSERT_FALSE(data["verdict"]["violations"].empty());
  const json& v = data["verdict"]["violations"][0];
  const int64_t index = data["violationEvents"][0];
  ASSERT_GE(index, 0);
  const json& event = data["events"][index];
  EXPECT_EQ(event[0], v["t_us"]);  // the event the checker ran after
  const std::set<uint32_t> involved = v["nodes"];
  EXPECT_TRUE(involved.count(event[2].get<uint32_t>()) || involved.count(event[3].get<uint32_t>()))
      << event.dump() << " " << v.dump();
}

TEST(Page, FollowersElectionTimersAreOnTheTrace) {
  const RecordedRun run = recorded("split_brain", false);
  // split_brain's timeouts: 150ms, drawn from [150, 300) ms at every reset.
  size_t timers = 0;
  for (const sim::TraceEvent& e : run.events) {
    if (e.kind != sim::TraceKind::kTimer || e.a == 0) continue;
    ++timers;
    EXPECT_GT(static_cast<int64_t>(e.a), sim::micros(e.time));
    EXPECT_GE(e.b, 150'000u);
    EXPECT_LT(e.b, 300'000u);
    EXPECT_LE(static_cast<int64_t>(e.a) - sim::micros(e.time), static_cast<int64_t>(e.b));
  }
  EXPECT_GT(timers, 100u);
}

TEST(TraceFile, AViolationsEventSkipsTheTimerLines) {
  // The verdict numbers recorded events only: event 1 is the role line, the file's third.
  const std::string text =
      R"({"t_us":1,"kind":"term","node":1,"b":1})"
      "\n"
      R"({"t_us":1,"kind":"timer","node":1,"a":200,"b":199})"
      "\n"
      R"({"t_us":2,"kind":"role","node":1,"a":3,"b":1})"
      "\n"
      R"({"raftsim_run":{"scenario":"x","seed":1,"nodes":["a"],"verdict":{"rows":[],)"
      R"("violations":[{"property":"p","event":1}]}}})"
      "\n";
  const ReadRunResult r = parse_trace(text, "t.jsonl");
  ASSERT_TRUE(r.run) << r.error;
  EXPECT_EQ(r.run->events.size(), 3u);
  EXPECT_EQ((*r.run->verdict)["violations"][0]["event"], 2);
}

TEST(Page, AWindowKeepsEarlierStateChangesOnly) {
  const RecordedRun run = recorded("split_brain", false);
  PageOptions options;
  options.from_us = 3'000'000;
  options.to_us = 4'000'000;
  const Page page = render_page(run, options);
  const json data = page_data(page.html);
  EXPECT_NE(page.notice, "");
  EXPECT_LT(data["events"].size(), run.events.size() / 3);
  for (const json& e : data["events"]) {
    const std::string kind = data["kinds"][e[1].get<int>()];
    if (e[0].get<int64_t>() < 3'000'000) {
      EXPECT_NE(kind, "send");
    }
    EXPECT_LE(e[0].get<int64_t>(), 4'000'000);
  }
}

TEST(Page, TooManyEventsAreCutWithANotice) {
  const RecordedRun run = recorded("split_brain", false);
  PageOptions options;
  options.max_events = 1000;
  const Page page = render_page(run, options);
  EXPECT_EQ(page.events, 1000u);
  EXPECT_NE(page.notice.find("--from/--to"), std::string::npos) << page.notice;
}

TEST(Markup, TextCannotOpenOrCloseAnElement) {
  EXPECT_EQ(markup::html_escaped("a<b>&c</script>"), "a&lt;b&gt;&amp;c&lt;/script&gt;");
  EXPECT_EQ(markup::html_escaped("plain \"text\""), "plain \"text\"");
}

TEST(TraceFile, ABadLineIsNamedWithItsNumber) {
  const std::string text = R"({"t_us":1,"kind":"role","node":1,"a":3,"b":1})"
                           "\n"
                           R"({"raftsim_run":{"scenario":"x","seed":1,"nodes":["a","b"]}})"
                           "\n"
                           R"({"t_us":2,"kind":"rolee","node":1})"
                           "\n";
  const ReadRunResult r = parse_trace(text, "t.jsonl");
  EXPECT_FALSE(r.run);
  EXPECT_EQ(r.error, "t.jsonl:3: unknown kind 'rolee'");
  EXPECT_EQ(parse_trace("{\"t_us\":1,\"kind\":\"role\",\"node\":3}\n[", "u").error.substr(0, 4),
            "u:2:");
  EXPECT_NE(parse_trace("", "e").error, "");
  const ReadRunResult ok = parse_trace(text.substr(0, text.rfind("{\"t_us\":2")), "t.jsonl");
  ASSERT_TRUE(ok.run) << ok.error;
  EXPECT_EQ(ok.run->nodes, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ok.run->events.size(), 1u);
}

}  // namespace
}  // namespace raftsim::view

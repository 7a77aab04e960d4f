#include "generated_schedule.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "scenario/parse.h"

namespace raftsim::test {

using scenario::Fault;
using scenario::FaultKind;

std::ostream& operator<<(std::ostream& out, const Schedule& s) {
  out << s.nodes << " nodes, " << s.run_ms << "ms:";
  constexpr const char* kNames[] = {"crash", "partition", "pause"};
  for (const Episode& e : s.episodes) {
    out << " [" << kNames[e.kind] << " n" << e.node;
    if (e.kind == Episode::kPartition) out << "+n" << e.other;
    out << " at " << e.start_ms << "ms for " << e.length_ms << "ms]";
  }
  return out;
}

rc::Gen<Schedule> schedules(const ScheduleShape& shape) {
  return rc::gen::mapcat(
      rc::gen::pair(rc::gen::inRange<uint32_t>(3, 6), rc::gen::inRange(5000, 10001)),
      [shape](const std::pair<uint32_t, int>& size) {
        const auto [nodes, run_ms] = size;
        const int max_episodes = shape.max_episodes;
        const auto episode = rc::gen::build<Episode>(
            rc::gen::set(&Episode::kind, rc::gen::elementOf(shape.kinds)),
            rc::gen::set(&Episode::start_ms, rc::gen::inRange(0, run_ms)),
            rc::gen::set(&Episode::length_ms, rc::gen::inRange(1, shape.max_length_ms + 1)),
            rc::gen::set(&Episode::node, rc::gen::inRange<uint32_t>(1, nodes + 1)),
            rc::gen::set(&Episode::other, rc::gen::inRange<uint32_t>(1, nodes + 1)));
        return rc::gen::map(rc::gen::mapcat(rc::gen::inRange(0, max_episodes + 1),
                                            [episode](int count) {
                                              return rc::gen::container<std::vector<Episode>>(
                                                  static_cast<size_t>(count), episode);
                                            }),
                            [nodes, run_ms](std::vector<Episode> episodes) {
                              return Schedule{nodes, run_ms, std::move(episodes)};
                            });
      });
}

std::vector<Fault> timeline(const Schedule& s) {
  std::vector<Fault> out;
  const auto at = [](int ms) { return sim::kTimeZero + sim::Duration{int64_t{ms} * 1000}; };
  for (const Episode& e : s.episodes) {
    Fault begin{.at = at(e.start_ms)};
    Fault undo{.at = at(e.start_ms + e.length_ms)};
    switch (e.kind) {
      case Episode::kCrash:
      case Episode::kPause:
        begin.kind = e.kind == Episode::kCrash ? FaultKind::kCrash : FaultKind::kPause;
        undo.kind = e.kind == Episode::kCrash ? FaultKind::kRestart : FaultKind::kResume;
        begin.nodes = undo.nodes = {e.node};
        break;
      default: {
        begin.kind = FaultKind::kPartition;
        undo.kind = FaultKind::kHeal;
        std::vector<uint32_t> minority = {e.node};
        if (s.nodes == 5 && e.other != e.node) minority.push_back(e.other);
        std::sort(minority.begin(), minority.end());
        std::vector<uint32_t> rest;
        for (uint32_t n = 1; n <= s.nodes; ++n)
          if (std::find(minority.begin(), minority.end(), n) == minority.end()) rest.push_back(n);
        begin.groups = {minority, rest};
        break;
      }
    }
    out.push_back(begin);
    out.push_back(undo);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Fault& a, const Fault& b) { return a.at < b.at; });
  return out;
}

scenario::Scenario scenario_for(const Schedule& s, const raft::PlantedBugs& bugs,
                                const std::string& fsync) {
  std::string nodes;
  for (uint32_t n = 1; n <= s.nodes; ++n)
    nodes += fmt::format("{}n{}", n == 1 ? "" : ", ", n);
  const std::string yaml = fmt::format(
      "name: schedule\n"
      "duration: {}ms\n"
      "cluster:\n"
      "  nodes: [{}]\n"
      "  election_timeout: 150ms\n"
      "  heartbeat: 50ms\n"
      "  fsync: {}\n"
      "network:\n"
      "  latency: {{shape: uniform, min: 1ms, max: 20ms}}\n"
      "workload:\n"
      "  clients: 3\n"
      "  keys: 3\n"
      "  think: 10ms\n"
      "liveness: false\n",
      s.run_ms, nodes, fsync);
  auto parsed = scenario::parse_scenario_text(yaml, "schedule.yaml");
  if (auto* error = std::get_if<scenario::ParseError>(&parsed))
    throw std::logic_error(error->text());
  scenario::Scenario out = std::get<scenario::Scenario>(std::move(parsed));
  out.world.bugs = bugs;
  out.timeline = timeline(s);
  return out;
}

}  // namespace raftsim::test

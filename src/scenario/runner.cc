#include "scenario/runner.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <span>
#include <utility>

#include "check/durability.h"
#include "check/history_io.h"
#include "node/kv.h"
#include "scenario/faults.h"
#include "scenario/monitor.h"
#include "scenario/narrator.h"
#include "scenario/nemesis.h"
#include "scenario/trace_meta.h"
#include "scenario/verdict.h"

namespace raftsim::scenario {

namespace {

std::vector<std::string> context_lines(sim::Trace& trace, const std::vector<std::string>& names) {
  // The last 20 events tell the story of a violation; more buries it.
  constexpr size_t kContext = 20;
  std::vector<sim::TraceEvent> recent = trace.recent();
  if (recent.size() > kContext) recent.erase(recent.begin(), recent.end() - kContext);
  std::vector<std::string> lines;
  for (const sim::TraceEvent& e : recent) {
    lines.push_back(fmt::format("{:9.3f}s  {}", sim::seconds(e.time), describe(e, names)));
  }
  return lines;
}

check::History to_history(std::vector<sim::ClientOp> ops) {
  check::History h;
  h.model = check::ModelKind::kv;
  h.ops.reserve(ops.size());
  for (sim::ClientOp& op : ops) {
    const auto client = static_cast<check::ClientId>(op.client);
    const check::Time invoke = sim::micros(op.invoke);
    const check::Time complete = op.known ? sim::micros(op.complete) : check::kNeverCompleted;
    const check::Outcome outcome = op.known ? check::Outcome::ok : check::Outcome::unknown;
    switch (op.op) {
      case node::KvOp::kGet:
        // A read nobody saw the answer to constrains nothing.
        if (op.known)
          h.ops.push_back(check::kv_get(client, std::move(op.key), std::move(op.result.value),
                                        invoke, complete));
        break;
      case node::KvOp::kPut:
        h.ops.push_back(check::kv_put(client, std::move(op.key), std::move(op.value), invoke,
                                      complete, outcome));
        break;
      case node::KvOp::kAppend:
        h.ops.push_back(check::kv_append(client, std::move(op.key), std::move(op.value), invoke,
                                         complete, outcome));
        break;
      case node::KvOp::kCas:
        h.ops.push_back(check::kv_cas(client, std::move(op.key), std::move(op.expected),
                                      std::move(op.value), op.result.ok, invoke, complete,
                                      outcome));
        break;
    }
  }
  return h;
}

// The running node that has committed the most (null when every node is down).
const node::Node* furthest_committed(const sim::World& world) {
  const node::Node* best = nullptr;
  for (uint32_t id = 1; id <= world.node_count(); ++id) {
    const node::Node* n = world.node(id);
    if (n && (!best || n->core().commit_index() > best->core().commit_index())) best = n;
  }
  return best;
}

// The committed log of the node that has committed the most, as (client, seq) pairs. The prefix it
// compacted into a snapshot is read from what was first applied there.
std::vector<check::CommittedCommand> committed_commands(const sim::World& world,
                                                        const Monitor& monitor) {
  const node::Node* best = furthest_committed(world);
  std::vector<check::CommittedCommand> out;
  if (!best) return out;
  const raft::Log& log = best->core().log();
  const std::vector<check::CommittedCommand>& applied = monitor.first_applied();
  for (raft::Index i{1}; i <= log.snapshot_index() && i.value <= applied.size(); i = i.next()) {
    if (applied[i.value - 1].client_id != 0) out.push_back(applied[i.value - 1]);
  }
  for (raft::Index i = log.first_index(); i <= best->core().commit_index(); i = i.next()) {
    if (auto c = node::decode(log.at(i).command)) out.push_back({c->client_id, c->seq});
  }
  return out;
}

// What every node's disk holds at the end of the run, for the writes the committed log lacks.
check::DurableLogs durable_logs(const sim::World& world, const Monitor& monitor) {
  check::DurableLogs disks;
  if (const node::Node* best = furthest_committed(world)) {
    disks.committed_through = best->core().commit_index();
  }
  // Only the voters of the configuration in force elect the next leaders: the latest one any node
  // committed. Not a running node's own: the node that committed the latest may be down, and
  // those running may still act on one it has left (a joint one whose new half it alone formed).
  const raft::Configuration& in_force = monitor.invariants().committed_configuration();
  if (!in_force.empty()) disks.configuration = in_force;
  for (uint32_t id = 1; id <= world.node_count(); ++id) {
    const raft::Restored stored = world.disk(id).durable_state();
    check::DurableLog& log = disks.nodes.emplace_back();
    for (const raft::Entry& e : stored.entries) {
      if (auto c = node::decode(e.command)) log.commands.push_back({c->client_id, c->seq});
    }
    if (stored.snapshot.index.value == 0) continue;
    if (auto store = node::KvStore::restore(stored.snapshot.data)) {
      for (const auto& [client, seq] : store->last_seqs())
        log.sessions.push_back({client, seq});
    }
  }
  return disks;
}

std::vector<check::AckedWrite> acked_writes(const std::vector<sim::ClientOp>& ops) {
  std::vector<check::AckedWrite> out;
  for (const sim::ClientOp& op : ops) {
    if (!op.known || op.op == node::KvOp::kGet) continue;
    out.push_back({op.client, op.seq, std::string(node::to_string(op.op)), op.key, op.acked_by,
                   sim::micros(op.complete), op.value, op.index, op.term});
  }
  return out;
}

struct LivenessProbe {
  bool checked = false;
  SimTime probe_at;
  uint32_t probe_client = 0;
};

// Puts the clients, the liveness probe and the faults on the world's event queue, in this order:
// the run and its replay (context_before_acks) both start this way, so their events are the same.
// Returns the probe's client id (0 without a probe).
uint32_t start_world(sim::World& world, const Scenario& scenario,
                     const std::vector<Fault>& timeline, const LivenessProbe& liveness,
                     std::vector<uint32_t>* leader_fault_targets = nullptr,
                     std::vector<FiredChange>* fired_changes = nullptr) {
  world.start_clients();
  uint32_t probe_client = 0;
  if (liveness.checked) {
    probe_client = world.add_probe_client(scenario.liveness.within);
    world.at(liveness.probe_at, [&world, probe_client] { world.probe(probe_client); });
  }
  schedule_faults(world, timeline, scenario, leader_fault_targets, fired_changes);
  return probe_client;
}

using RequestId = std::pair<uint64_t, uint64_t>;  // (client, seq)

// The last trace events before each of `acks` reached its client. Durability is judged at the end
// of the run, long after the ring of recent events has moved on, so the run is replayed — a
// simulated run is a pure function of its configuration — without checkers or narration, and the
// ring is read as each ack lands. An ack the replay does not meet at its recorded time gets no
// context rather than someone else's.
std::map<RequestId, std::vector<std::string>> context_before_acks(
    const sim::WorldConfig& config, const Scenario& scenario, const std::vector<Fault>& timeline,
    const LivenessProbe& liveness, SimTime end, std::span<const check::AckedWrite> acks) {
  std::map<RequestId, check::SimTime> acked_at;
  for (const check::AckedWrite& w : acks)
    acked_at[{w.client_id, w.seq}] = w.acked_at;
  std::map<RequestId, std::vector<std::string>> contexts;
  sim::World world(config);
  world.trace().add_listener([&](const sim::TraceEvent& e) {
    if (e.kind != sim::TraceKind::kClientComplete || !e.flag) return;
    auto it = acked_at.find({e.node, e.a});
    if (it == acked_at.end()) return;
    if (it->second == sim::micros(e.time)) {
      contexts[it->first] = context_lines(world.trace(), config.node_names);
    }
    acked_at.erase(it);
    if (acked_at.empty()) world.stop();
  });
  start_world(world, scenario, timeline, liveness);
  world.run_until(end);
  return contexts;
}

// Writes `text` to `path` whole or not at all: into a temporary file beside it, renamed over
// `path` once complete, so a failure never leaves an empty or truncated file at `path`.
std::string write_file_atomically(const std::string& path, const std::string& text) {
  const std::string temporary = fmt::format("{}.tmp-{}", path, ::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) return fmt::format("{}: cannot write history: cannot create {}", path, temporary);
    out << text;
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      return fmt::format("{}: cannot write history: writing {} failed", path, temporary);
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    return fmt::format("{}: cannot write history: {}", path, error.message());
  }
  return "";
}

std::optional<check::HistoryFormat> export_format(const std::string& name) {
  return check::parse_history_format(name == "edn"         ? "knossos-edn"
                                     : name == "porcupine" ? "porcupine-kv"
                                                           : name);
}

}  // namespace

std::string export_refusal(const Scenario& scenario, const std::string& format) {
  if (!export_format(format)) {
    return fmt::format("unknown history format '{}' (expected raftsim, edn or porcupine)", format);
  }
  const double cas = scenario.world.workload.mix.cas;
  if (format == "porcupine" && cas > 0) {
    return fmt::format(
        "--export porcupine: Porcupine's kv model has no cas, and this workload's mix has cas: "
        "{:g}; use --export edn, or a mix without cas",
        cas);
  }
  return "";
}

void RunReport::stopped_at_budget(std::string limit, std::string where) {
  violated_properties.emplace_back(kEventBudget);
  rows.push_back({.name = std::string(kEventBudget),
                  .expected = std::move(limit),
                  .observed = std::move(where),
                  .ok = false});
}

bool RunReport::passed() const {
  return error.empty() &&
         std::all_of(rows.begin(), rows.end(), [](const Verdict& v) { return v.ok; });
}

bool RunReport::inconclusive() const {
  return error.empty() && !passed() &&
         std::all_of(rows.begin(), rows.end(),
                     [this](const Verdict& v) { return v.ok || unjudged(v); });
}

std::chrono::microseconds stall_tolerated(const Scenario& s) {
  const int ticks = std::max(1, s.world.election_timeout_ticks - s.world.heartbeat_ticks);
  return std::chrono::microseconds(s.world.tick.count() * ticks);
}

namespace {

// The run itself. `violation_events`: per safety violation, how many trace events had been
// recorded when it was found.
RunReport run_in_world(const Scenario& scenario, const RunOptions& options,
                       std::vector<uint64_t>& violation_events) {
  const auto wall_start = std::chrono::steady_clock::now();
  RunReport report;
  report.scenario = scenario.name;
  report.node_names = scenario.world.node_names;
  report.seed = options.seed.value_or(scenario.seed);
  auto print = options.print ? options.print : [](const std::string& s) { std::puts(s.c_str()); };
  if (!options.history_path.empty()) {
    // Decided before the run: a run is not spent on a history that cannot be written.
    report.error = export_refusal(scenario, options.history_format);
    if (!report.error.empty()) return report;
  }

  sim::WorldConfig config = scenario.world;
  config.seed = report.seed;
  const std::vector<Fault> timeline = concrete_timeline(scenario, report.seed);
  SimTime end = sim::kTimeZero + scenario.duration;
  if (config.workload.stop_at > end) config.workload.stop_at = end;

  // Liveness: after the last fault and a quiet window, a new proposal must commit in time.
  LivenessProbe liveness;
  if (scenario.liveness.enabled) {
    const SimTime last_fault = last_fault_time(timeline, end);
    liveness.checked = true;
    liveness.probe_at = last_fault + scenario.liveness.quiet;
    end = std::max(end, liveness.probe_at + scenario.liveness.within);
  }

  sim::World world(config);
  const std::vector<std::string>& names = config.node_names;
  std::optional<Narrator> narrator;
  if (options.narrate) {
    narrator.emplace(names, options.verbose, print);
    world.trace().add_listener([&](const sim::TraceEvent& e) { narrator->on_event(e); });
  }
  if (!options.trace_path.empty()) {
    report.error = world.trace().write_jsonl(options.trace_path);
    if (!report.error.empty()) return report;
  }
  // Events the world recorded while it was built precede the file: not counted in its numbering.
  const uint64_t events_before_file = world.trace().events();

  Monitor monitor(scenario, report.seed, [&](size_t i) {
    check::RaftInvariants& inv = monitor.invariants();
    inv.set_context(i, context_lines(world.trace(), names));
    const check::PropertyViolation& v = inv.violations()[i];
    violation_events.push_back(world.trace().events() - events_before_file);
    if (narrator) narrator->line(world.now(), "VIOLATION  " + v.property + ": " + v.detail);
    if (options.stop_on_violation &&
        (options.stop_on_property.empty() || v.property == options.stop_on_property)) {
      world.stop();
    }
  });
  monitor.set_checking(options.check_invariants);
  world.set_observer(&monitor);
  const uint64_t budget = event_budget(options.max_events_per_second, end - sim::kTimeZero);
  world.set_event_budget(budget, options.max_in_flight);
  if (options.observe) options.observe(world);
  liveness.probe_client = start_world(world, scenario, timeline, liveness,
                                      &report.leader_fault_targets, &report.fired_changes);
  // A core that breaks its own preconditions (a log truncated inside its snapshot, say) can
  // throw from inside a node's step. The run ends there and says so: a search keeps going, and
  // the shrinker can chase the crash like any violated property. Nothing after the throw is
  // judged, since the node it left half-stepped no longer means anything.
  std::string crash;
  try {
    world.run_until(end);
  } catch (const std::exception& e) {
    crash = fmt::format("threw at {:.3f}s: {}", sim::seconds(world.now()), e.what());
  }

  report.digest = world.trace().digest();
  report.events = world.events_processed();
  report.end = world.now();
  report.violations = monitor.invariants().violations();
  // Where `p` first broke among the reports, in detection order (none: their count).
  auto first_broken = [&](Property p) {
    const std::string_view name = to_string(p);
    return static_cast<size_t>(std::find_if(report.violations.begin(), report.violations.end(),
                                            [&](const auto& v) { return v.property == name; }) -
                               report.violations.begin());
  };
  auto violated = [&](Property p) { return first_broken(p) < report.violations.size(); };
  // The safety properties that broke, the first to break first: a later one is often what the
  // first led to (a follower that takes an append against the rules, then commits an entry no
  // leader holds), so a search and its shrinker chase the rule that broke.
  auto broken_in_order = [&] {
    std::vector<Property> broken;
    for (Property p : kSafetyProperties)
      if (violated(p)) broken.push_back(p);
    std::stable_sort(broken.begin(), broken.end(),
                     [&](Property a, Property b) { return first_broken(a) < first_broken(b); });
    return broken;
  };
  // Written after the verdict is complete, so that a file that cannot be written costs the file,
  // never the run's results.
  auto write_history_file = [&](const check::History& history) {
    if (options.history_path.empty()) return;
    const check::WriteResult written =
        check::write_history(history, *export_format(options.history_format));
    report.output_error =
        !written.error.empty()
            ? fmt::format("{}: cannot write history: {}", options.history_path, written.error)
            : write_file_atomically(options.history_path, written.text);
  };
  if (!crash.empty()) {
    if (narrator) narrator->line(world.now(), "CRASH  " + crash);
    for (Property p : broken_in_order())  // what broke before the throw
      report.violated_properties.emplace_back(to_string(p));
    report.violated_properties.emplace_back(kCrash);
    report.rows.push_back({std::string(kCrash), "holds", crash, false});
    // What the clients saw up to the throw, so the run's replay shows how it got there.
    write_history_file(to_history(world.take_history()));
    report.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    return report;
  }

  // The liveness probe's answer, read before the history is moved out of the clients.
  std::optional<sim::ClientOp> probe;
  if (liveness.checked && !world.clients()[liveness.probe_client - 1]->history().empty()) {
    probe = world.clients()[liveness.probe_client - 1]->history().front();
  }

  // Durability and linearizability of what the clients saw.
  std::vector<sim::ClientOp> ops = world.take_history();
  const auto acked = acked_writes(ops);
  const auto committed = committed_commands(world, monitor);
  // Writes the committed log lacks are judged against the disks: the cluster may only be stuck.
  std::vector<size_t> lost = check::lost_writes(acked, committed);
  size_t uncommitted_on_majority = 0;
  std::optional<check::DurableLogs> disks;
  if (!lost.empty()) {
    disks = durable_logs(world, monitor);
    const size_t missing = lost.size();
    lost = check::lost_writes(acked, committed, &*disks);
    uncommitted_on_majority = missing - lost.size();
  }
  std::map<RequestId, std::vector<std::string>> contexts;
  if (!lost.empty() && options.durability_context) {
    std::vector<check::AckedWrite> lost_acks;
    for (size_t i : lost)
      lost_acks.push_back(acked[i]);
    contexts = context_before_acks(config, scenario, timeline, liveness, end, lost_acks);
  }
  for (size_t i : lost) {
    check::PropertyViolation v = check::durability_violation(acked[i], sim::micros(world.now()),
                                                             report.seed, names, &*disks);
    v.context = std::move(contexts[{acked[i].client_id, acked[i].seq}]);
    if (narrator) narrator->line(world.now(), "VIOLATION  durability: " + v.detail);
    report.violations.push_back(std::move(v));
  }
  const check::History history = to_history(std::move(ops));
  if (options.check_linearizability && !world.stopped()) {
    report.linearizability = check::check_linearizability(history);
  }

  // A run stopped by its budget is judged on what it did up to there, and first of all on that.
  if (world.over_budget()) {
    report.stopped_at_budget(
        fmt::format("within {} events, {} in flight", budget, options.max_in_flight),
        fmt::format("stopped at {:.3f}s", sim::seconds(world.now())));
  }
  for (Property p : broken_in_order())
    report.violated_properties.emplace_back(to_string(p));
  // The verdict table: every property, then every expectation.
  for (Property p : kSafetyProperties) {
    const bool is_violated = violated(p);
    const bool expect_violation = expected_violated(scenario, p).value_or(false);
    std::string observed = is_violated ? "violated" : "holds";
    if (p == Property::kDurability && !is_violated && uncommitted_on_majority > 0) {
      observed += fmt::format(
          " ({} acknowledged write{} not in the committed log of a running node, but on a "
          "majority of disks)",
          uncommitted_on_majority, uncommitted_on_majority == 1 ? "" : "s");
    }
    report.rows.push_back({std::string(to_string(p)), expect_violation ? "violated" : "holds",
                           std::move(observed), is_violated == expect_violation});
  }
  report.rows.push_back(linearizability_verdict(
      scenario, report.linearizability, history.ops.size(),
      world.stopped() ? "not checked (run stopped)" : "not checked", report.violated_properties));
  if (liveness.checked && !world.over_budget()) {
    std::optional<Duration> committed_after;
    if (probe && probe->known && probe->complete <= liveness.probe_at + scenario.liveness.within) {
      committed_after = probe->complete - liveness.probe_at;
    }
    report.rows.push_back(
        liveness_verdict(scenario, liveness.probe_at, committed_after, report.violated_properties));
  }
  for (size_t i = 0; i < scenario.expectations.size(); ++i) {
    const Expectation& e = scenario.expectations[i];
    const Monitor::Observation& o = monitor.observations()[i];
    Verdict row{e.text, "met", "", false};
    switch (e.kind) {
      case Expectation::Kind::kHolds:
      case Expectation::Kind::kViolated:
        continue;  // shown in the property rows
      case Expectation::Kind::kSafetyViolated: {
        const bool any = std::any_of(std::begin(kSafetyProperties), std::end(kSafetyProperties),
                                     [&](Property p) { return violated(p); });
        row.observed = any ? "a safety property was violated" : "every safety property held";
        row.ok = any;
        break;
      }
      case Expectation::Kind::kNoLeader:
      case Expectation::Kind::kNoElection:
      case Expectation::Kind::kNoCommit:
      case Expectation::Kind::kTermAtMost:
        row.observed = o.happened ? o.note : "as expected";
        row.ok = !o.happened;
        break;
      case Expectation::Kind::kLeaderWithin:
      case Expectation::Kind::kTermAbove:
        row.observed = o.happened ? o.note : "never";
        row.ok = o.happened;
        break;
      case Expectation::Kind::kCommitsAtLeast:
        row.observed = fmt::format("highest commit index {}", monitor.highest_commit());
        row.ok = monitor.highest_commit() >= e.count;
        break;
      case Expectation::Kind::kAckedWritesAtLeast: {
        // The workload's writes: the liveness probe's is raftsim's own, not the clients'.
        const auto workload = static_cast<uint64_t>(
            std::count_if(acked.begin(), acked.end(), [&](const check::AckedWrite& w) {
              return !liveness.checked || w.client_id != liveness.probe_client;
            }));
        row.observed = fmt::format("{} writes acknowledged", workload);
        row.ok = workload >= e.count;
        break;
      }
    }
    report.rows.push_back(row);
  }
  write_history_file(history);
  report.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return report;
}

}  // namespace

namespace {
std::atomic<ImplementationRunner> implementation_runner{nullptr};
}  // namespace

void set_implementation_runner(ImplementationRunner runner) {
  implementation_runner.store(runner);
}

uint64_t event_budget(uint64_t per_second, sim::Duration length) {
  const auto seconds =
      static_cast<uint64_t>(std::max<int64_t>(1, length / std::chrono::seconds(1)));
  if (per_second > std::numeric_limits<uint64_t>::max() / seconds) return 0;
  return per_second * seconds;
}

RunReport run_scenario(const Scenario& scenario, const RunOptions& options) {
  if (!scenario.implementation.empty()) {
    if (ImplementationRunner runner = implementation_runner.load())
      return runner(scenario, options);
    RunReport report;
    report.scenario = scenario.name;
    report.error = fmt::format(
        "{}: cluster.implementation names external nodes, which this program cannot host",
        scenario.file);
    return report;
  }
  std::vector<uint64_t> violation_events;
  RunReport report = run_in_world(scenario, options, violation_events);
  // The trace file is complete (the world that wrote it is gone): the line that describes the
  // run goes last.
  if (!options.trace_path.empty() && report.error.empty()) {
    std::ofstream trace(options.trace_path, std::ios::app);
    trace << trace_summary_json(scenario, report, violation_events) << '\n';
    if (!trace && report.output_error.empty()) {
      report.output_error = fmt::format("{}: cannot write", options.trace_path);
    }
  }
  return report;
}

std::string format_report(const RunReport& report, bool with_details) {
  std::string out;
  if (!report.error.empty()) return "error: " + report.error + "\n";
  size_t width = 10;
  for (const Verdict& v : report.rows)
    width = std::max(width, v.name.size());
  out += fmt::format("\n{:<{}}  {:<9} {:<4}  {}\n", "check", width, "expected", "ok", "observed");
  for (const Verdict& v : report.rows) {
    out += fmt::format("{:<{}}  {:<9} {:<4}  {}\n", v.name, width, v.expected,
                       v.ok                 ? "yes"
                       : report.unjudged(v) ? "?"
                                            : "NO",
                       v.observed);
  }
  if (!report.disturbances.empty()) {
    out += "\nthe machine did not keep this run's time:\n";
    for (const std::string& d : report.disturbances)
      out += "  " + d + "\n";
    out +=
        "a failed row that depends on time (ok '?') is not judged; a safety property that must\n"
        "hold is judged all the same: Raft's safety does not depend on time\n";
  }
  if (with_details) {
    for (const check::PropertyViolation& v : report.violations) {
      out += "\n" + check::to_string(v, report.node_names) + "\n";
    }
    if (report.linearizability &&
        report.linearizability->verdict == check::Verdict::not_linearizable) {
      out += "\n" + check::format_result(*report.linearizability) + "\n";
    }
  }
  out += fmt::format("\n{} {} seed={} digest={:016x} events={} simulated={:.1f}s wall={:.2f}s\n",
                     report.outcome(), report.scenario, report.seed, report.digest, report.events,
                     sim::seconds(report.end), report.wall_seconds);
  return out;
}

}  // namespace raftsim::scenario

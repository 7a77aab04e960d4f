#include "real/real_runner.h"

#include <fmt/format.h>
#include <grpcpp/grpcpp.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <thread>

#include "check/durability.h"
#include "check/history.h"
#include "check/linearizability.h"
#include "node/kv.h"
#include "raftsim.grpc.pb.h"
#include "real/cluster_control.h"
#include "real/file_storage.h"
#include "real/kv_client.h"
#include "real/launcher.h"
#include "real/observed_trace.h"
#include "real/stall_watch.h"
#include "real/status_observer.h"
#include "scenario/faults.h"
#include "scenario/narrator.h"
#include "scenario/nemesis.h"
#include "scenario/verdict.h"
#include "sim/client.h"

namespace raftsim::real {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using scenario::Expectation;
using scenario::Fault;
using scenario::FaultKind;
using scenario::Property;

constexpr auto kPollEvery = std::chrono::milliseconds(20);

// A stop the timeline asked for is no disturbance of the machine's.
void note_pauses(const Fault& f, StallWatch& stalls, Clock::time_point now) {
  for (uint32_t id : f.nodes) {
    if (f.kind == FaultKind::kPause) {
      stalls.paused(id, now);
    } else if (f.kind == FaultKind::kResume || f.kind == FaultKind::kRestart ||
               f.kind == FaultKind::kCrash || f.kind == FaultKind::kWipe) {
      stalls.running(id, now);
    }
  }
}
constexpr auto kPollDeadline = std::chrono::milliseconds(1000);

std::string at(const scenario::Where& w) {
  return fmt::format("{}:{}:{}", w.file, w.line, w.column);
}

int64_t micros(sim::Duration d) {
  return d.count();
}

// One operation as a real client saw it.
struct RealOp {
  uint64_t client = 0;
  uint64_t seq = 0;
  node::KvOp op = node::KvOp::kGet;
  std::string key, value, expected;
  int64_t invoke = 0, complete = 0;  // microseconds since the run's start
  bool known = false;
  node::KvResult result;
};

check::History to_history(const std::vector<RealOp>& ops) {
  check::History h;
  h.model = check::ModelKind::kv;
  for (const RealOp& op : ops) {
    const auto client = static_cast<check::ClientId>(op.client);
    const check::Time complete = op.known ? op.complete : check::kNeverCompleted;
    const check::Outcome outcome = op.known ? check::Outcome::ok : check::Outcome::unknown;
    switch (op.op) {
      case node::KvOp::kGet:
        if (op.known)
          h.ops.push_back(check::kv_get(client, op.key, op.result.value, op.invoke, complete));
        break;
      case node::KvOp::kPut:
        h.ops.push_back(check::kv_put(client, op.key, op.value, op.invoke, complete, outcome));
        break;
      case node::KvOp::kAppend:
        h.ops.push_back(check::kv_append(client, op.key, op.value, op.invoke, complete, outcome));
        break;
      case node::KvOp::kCas:
        h.ops.push_back(check::kv_cas(client, op.key, op.expected, op.value, op.result.ok,
                                      op.invoke, complete, outcome));
        break;
    }
  }
  return h;
}

}  // namespace

std::vector<std::string> real_mode_refusals(const scenario::Scenario& s) {
  std::vector<std::string> out;
  if (s.world.bugs.any()) {
    out.push_back(
        fmt::format("{}: planted bugs (cluster.bugs) exist only in the simulated world", s.file));
  }
  for (FaultKind kind : s.nemesis.faults) {
    if (!can_apply(kind)) {
      out.push_back(fmt::format("{}: the nemesis's '{}' cannot be done to real processes", s.file,
                                scenario::to_string(kind)));
    }
  }
  if (s.world.pct.enabled()) {
    out.push_back(
        fmt::format("{}: the PCT scheduler (network.pct) exists only in the simulated "
                    "world",
                    s.file));
  }
  for (const Fault& f : s.timeline) {
    if (f.when) {
      out.push_back(
          fmt::format("{}: event-triggered faults ('when') exist only in the simulated "
                      "world",
                      at(f.where)));
    } else if (!can_apply(f.kind)) {
      out.push_back(fmt::format("{}: '{}' cannot be done to real processes", at(f.where),
                                scenario::to_string(f.kind)));
    }
  }
  return out;
}

std::optional<std::vector<check::CommittedCommand>> committed_on_disk(
    const node::Loaded& loaded, raft::Index commit, std::span<const check::AckedWrite> acked) {
  std::vector<check::CommittedCommand> committed;
  for (const raft::Entry& e : loaded.state.entries) {
    if (e.index > commit) break;
    if (auto cmd = node::decode(e.command)) committed.push_back({cmd->client_id, cmd->seq});
  }
  if (loaded.state.snapshot.index.value == 0) return committed;
  const std::optional<node::KvStore> store = node::KvStore::restore(loaded.state.snapshot.data);
  if (!store) return std::nullopt;
  for (const check::AckedWrite& w : acked) {
    if (w.seq <= store->last_seq(w.client_id)) committed.push_back({w.client_id, w.seq});
  }
  return committed;
}

ClusterFile real_cluster_shape(const scenario::Scenario& s) {
  ClusterFile shape;
  const int64_t tick_us = s.world.tick.count();
  shape.tick_ms = static_cast<int>(std::max<int64_t>(1, tick_us / 1000));
  shape.election_timeout_ticks = s.world.election_timeout_ticks;
  shape.heartbeat_ticks = s.world.heartbeat_ticks;
  shape.pre_vote = s.world.options.pre_vote;
  shape.check_quorum = s.world.options.check_quorum;
  shape.vote_lease = s.world.options.vote_lease;
  shape.max_entries_per_append = s.world.max_entries_per_append;
  shape.max_appends_per_round = s.world.max_appends_per_round;
  shape.snapshot_every = s.world.snapshot_every;  // as in the simulated world: 0 never compacts
  auto named = [](const std::vector<uint32_t>& ids, uint32_t id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
  };
  for (size_t i = 0; i < s.world.node_names.size(); ++i) {
    const auto id = static_cast<uint32_t>(i + 1);
    // The scenario's bootstrap configuration (cluster.voters, cluster.learners).
    Bootstrap as = Bootstrap::kVoter;
    if (named(s.world.learners, id)) {
      as = Bootstrap::kLearner;
    } else if (!s.world.voters.empty() && !named(s.world.voters, id)) {
      as = Bootstrap::kSpare;
    }
    shape.nodes.push_back({raft::NodeId{id}, s.world.node_names[i], "", "", as});
  }
  return shape;
}

scenario::RunReport run_real_scenario(const scenario::Scenario& s, const RealRunOptions& options) {
  const auto wall_start = Clock::now();
  scenario::RunReport report;
  report.scenario = s.name;
  report.node_names = s.world.node_names;
  report.seed = options.seed.value_or(s.seed);
  auto print = options.print ? options.print : [](const std::string& t) { std::puts(t.c_str()); };

  // Where the cluster lives: a fresh directory, removed after a passing run.
  std::string dir_template = (fs::temp_directory_path() / "raftsim-real-XXXXXX").string();
  if (!::mkdtemp(dir_template.data())) {
    report.error = "cannot create a temporary directory";
    return report;
  }
  const std::string dir = dir_template;
  Launcher launcher(dir, options.binary);
  launcher.set_tie_to_parent(true);

  ClusterFile shape = real_cluster_shape(s);
  // Every node's timers begin at one moment, after all of them are up: time 0 of the scenario.
  const auto system_now = std::chrono::system_clock::now();
  const auto margin = std::chrono::milliseconds(1500 + 300 * static_cast<int>(shape.nodes.size()));
  const int64_t start_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               (system_now + margin).time_since_epoch())
                               .count();
  shape.start_at_ms = start_ms;
  const Clock::time_point t0 = Clock::now() + margin;
  if (options.narrate)
    print(fmt::format("starting {} node processes in {}", shape.nodes.size(), dir));
  const LaunchResult up = launcher.up(shape, /*wait_for_leader=*/false);
  auto finish = [&](bool keep) {
    launcher.down();
    std::error_code ec;
    if (!keep) fs::remove_all(dir, ec);
  };
  if (!up.ok()) {
    report.error = "cluster did not start: " + up.error;
    finish(true);
    return report;
  }
  if (Clock::now() >= t0) {
    report.error =
        fmt::format("the nodes took longer than {}ms to start; see {}/logs", margin.count(), dir);
    finish(true);
    return report;
  }
  auto file_or = read_cluster_file(launcher.cluster_path());
  if (auto* error = std::get_if<std::string>(&file_or)) {
    report.error = *error;
    finish(true);
    return report;
  }
  const ClusterFile file = std::get<ClusterFile>(file_or);
  ClusterControl cluster(s, launcher, file);
  if (!cluster.start()) {
    report.error =
        fmt::format("the nodes' control services did not take their links; see {}/logs", dir);
    finish(true);
    return report;
  }
  auto since = [&](Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t - t0).count();
  };

  // The scenario's timeline with its nemesis's faults for this seed, as a simulated run has it.
  const std::vector<Fault> timeline = scenario::concrete_timeline(s, report.seed);
  const sim::SimTime end_of_workload = sim::kTimeZero + s.duration;
  sim::SimTime end = end_of_workload;
  const bool liveness = s.liveness.enabled;
  sim::SimTime probe_at;
  if (liveness) {
    probe_at = scenario::last_fault_time(timeline, sim::kTimeZero + s.duration) + s.liveness.quiet;
    end = std::max(end, probe_at + s.liveness.within);
  }
  const Clock::time_point stop_clients = t0 + std::chrono::microseconds(micros(end_of_workload));
  const Clock::time_point stop_polls = t0 + std::chrono::microseconds(micros(end));

  StatusObserver obs(s);
  StallWatch stalls(s.world.node_names, t0, scenario::stall_tolerated(s));
  ObservedTrace trace("real");
  std::atomic<bool> stop{false};
  // Elections, step-downs and commit progress as the status polls show them; verbose, every
  // client operation once it is done. Fed from the pollers' and the clients' threads.
  std::mutex narration_mutex;
  std::optional<scenario::Narrator> narrator;
  if (options.narrate) {
    narrator.emplace(s.world.node_names, options.verbose, print, /*from_outside=*/true);
    trace.on_state = [&](const sim::TraceEvent& e) {
      std::lock_guard lock(narration_mutex);
      narrator->on_event(e);
    };
  }

  // Status polls, one thread per node.
  std::vector<std::thread> threads;
  for (const ClusterMember& m : file.nodes) {
    threads.emplace_back([&, id = m.id.value] {
      std::this_thread::sleep_until(t0);
      Clock::time_point next = Clock::now();
      while (!stop && Clock::now() < stop_polls) {
        // A slow answer still tells the truth about the interval it spans (the observer judges
        // each reply by when it was sent and received), so a loaded machine's late replies are
        // kept rather than dropped: with a short deadline a window could see none.
        grpc::ClientContext c;
        c.set_deadline(std::chrono::system_clock::now() + kPollDeadline);
        v1::StatusRequest q;
        v1::StatusReply r;
        const Clock::time_point sent = Clock::now();
        if (cluster.stub(id).Status(&c, q, &r).ok()) {
          const int64_t received = since(Clock::now());
          obs.observe(id, since(sent), received, r);
          stalls.on_status(id, r);
          trace.on_status(id, received, r.role(), r.term(), r.commit(), r.leader());
        }
        next += kPollEvery;
        if (next < Clock::now()) next = Clock::now();
        std::this_thread::sleep_until(next);
      }
    });
  }

  // Clients.
  std::mutex ops_mutex;
  std::vector<RealOp> ops;
  const sim::WorkloadModel& w = s.world.workload;
  KvClientOptions kv_options;
  kv_options.attempt_timeout =
      std::chrono::milliseconds(std::max<int64_t>(1, w.attempt_timeout.count() / 1000));
  kv_options.total_timeout =
      std::chrono::milliseconds(std::max<int64_t>(1, w.give_up.count() / 1000));
  for (uint32_t c = 1; c <= w.clients; ++c) {
    threads.emplace_back([&, c] {
      KvClient client(file, c, kv_options);
      std::mt19937_64 rng(report.seed * 1000003 + c);
      std::uniform_real_distribution<double> unit(0, 1);
      std::map<std::string, std::string> last_seen;
      uint64_t seq = 0;
      std::this_thread::sleep_until(t0);
      Clock::time_point next = Clock::now();
      while (!stop && Clock::now() < stop_clients) {
        RealOp op;
        op.client = c;
        op.seq = ++seq;
        op.key =
            fmt::format("k{}", static_cast<uint64_t>(unit(rng) * std::max<uint32_t>(w.keys, 1)));
        const sim::OpMix& m = w.mix;
        const double total = m.get + m.put + m.append + m.cas;
        const double draw = unit(rng) * (total > 0 ? total : 1);
        if (draw < m.get) {
          op.op = node::KvOp::kGet;
        } else if (draw < m.get + m.put) {
          op.op = node::KvOp::kPut;
          op.value = node::value_token(c, op.seq);
        } else if (draw < m.get + m.put + m.append) {
          op.op = node::KvOp::kAppend;
          op.value = node::value_token(c, op.seq) + ";";
        } else {
          op.op = node::KvOp::kCas;
          op.expected = last_seen[op.key];
          op.value = node::value_token(c, op.seq);
        }
        op.invoke = since(Clock::now());
        const KvOutcome outcome = client.run(op.op, op.key, op.value, op.expected);
        op.complete = since(Clock::now());
        op.known = outcome.kind == KvOutcome::Kind::kOk;
        op.result = outcome.result;
        if (narrator && options.verbose) {
          std::lock_guard lock(narration_mutex);
          narrator->on_event(sim::operation_event(sim::kTimeZero + sim::Duration{op.complete}, op,
                                                  /*node=*/0, /*completed=*/true));
        }
        if (op.known && op.op == node::KvOp::kGet) last_seen[op.key] = op.result.value;
        if (op.known && op.op == node::KvOp::kCas)
          last_seen[op.key] = op.result.ok ? op.value : op.result.value;
        // An operation that certainly did not happen constrains nothing.
        if (outcome.kind != KvOutcome::Kind::kNotDone) {
          std::lock_guard lock(ops_mutex);
          ops.push_back(std::move(op));
        }
        if (w.rate > 0) {
          next += std::chrono::microseconds(static_cast<int64_t>(1e6 / w.rate));
          if (next < Clock::now()) next = Clock::now();
        } else {
          next = Clock::now() + std::chrono::microseconds(static_cast<int64_t>(
                                    unit(rng) * 2 * static_cast<double>(w.think.count())));
        }
        std::this_thread::sleep_until(std::min(next, stop_clients));
      }
    });
  }

  // The liveness probe: one write, sent after the quiet window.
  std::optional<RealOp> probe;
  std::mutex probe_mutex;
  if (liveness) {
    threads.emplace_back([&] {
      KvClientOptions probe_options = kv_options;
      probe_options.total_timeout =
          std::chrono::milliseconds(std::max<int64_t>(1, s.liveness.within.count() / 1000));
      KvClient client(file, w.clients + 1, probe_options);
      std::this_thread::sleep_until(t0 + std::chrono::microseconds(micros(probe_at)));
      RealOp op;
      op.client = w.clients + 1;
      op.seq = 1;
      op.op = node::KvOp::kPut;
      op.key = "probe";
      op.value = "live";
      op.invoke = since(Clock::now());
      const KvOutcome outcome = client.run(op.op, op.key, op.value);
      op.complete = since(Clock::now());
      op.known = outcome.kind == KvOutcome::Kind::kOk;
      std::lock_guard lock(probe_mutex);
      probe = op;
    });
  }

  // The timeline, on this thread: the node processes it starts die with it (tie_to_parent). A
  // leader fault's undo joins the agenda when the fault has picked its node.
  struct Due {
    sim::SimTime at;
    size_t order;  // same-instant faults in timeline order, undos after them
    Fault fault;
    bool operator>(const Due& other) const {
      return std::tie(at, order) > std::tie(other.at, other.order);
    }
  };
  std::priority_queue<Due, std::vector<Due>, std::greater<>> agenda;
  for (size_t i = 0; i < timeline.size(); ++i)
    agenda.push({timeline[i].at, i, timeline[i]});
  size_t next_order = timeline.size();
  while (!agenda.empty()) {
    const Due due = agenda.top();
    agenda.pop();
    const Clock::time_point due_at = t0 + std::chrono::microseconds(micros(due.at));
    // Only a sleep that overran counts: a step that waited for the one before it (a restart takes
    // a process start) is late by the runner's own work, not by the machine.
    const bool slept = Clock::now() < due_at;
    std::this_thread::sleep_until(due_at);
    const Clock::time_point woke = Clock::now();
    std::optional<Fault> undo;
    const std::string done = cluster.apply(due.fault, undo);
    // A link fault is in effect once every node has its links: giving them out late is the
    // machine's delay too, whether or not the runner itself woke on time.
    const std::string step = scenario::describe_fault(due.fault, s);
    Clock::time_point in_effect = woke;
    if (std::optional<ClusterControl::LinkDelivery> d = cluster.take_link_delivery()) {
      in_effect = d->in_place;
      for (uint32_t id : d->missed)
        stalls.missed(step, id, d->in_place);
    }
    stalls.woke(step, slept ? due_at : woke, in_effect);
    note_pauses(due.fault, stalls, Clock::now());
    trace.on_fault(since(Clock::now()), due.fault, s, done, undo ? &*undo : nullptr);
    if (undo) {
      undo->where = due.fault.where;
      agenda.push({undo->at, next_order++, *undo});
    }
    if (options.narrate) {
      const Fault& f = due.fault;
      print(fmt::format("{:9.3f}s  {} ({}){}", static_cast<double>(since(Clock::now())) / 1e6,
                        scenario::describe_fault(f, s), f.where.line > 0 ? at(f.where) : "nemesis",
                        done.empty() ? "" : ": " + done));
    }
  }
  std::this_thread::sleep_until(stop_polls);
  stop = true;
  for (std::thread& t : threads)
    t.join();
  report.disturbances = stalls.disturbances(stop_polls);
  report.end = sim::kTimeZero + sim::Duration{since(Clock::now())};
  report.events = ops.size();

  // The committed log: the node that reports the highest commit index, read from its disk once
  // every process is stopped.
  uint32_t best = 0;
  uint64_t best_commit = 0;
  for (const ClusterMember& m : file.nodes) {
    grpc::ClientContext c;
    c.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
    v1::StatusRequest q;
    v1::StatusReply r;
    if (cluster.stub(m.id.value).Status(&c, q, &r).ok() &&
        (best == 0 || r.commit() > best_commit)) {
      best = m.id.value;
      best_commit = r.commit();
    }
  }
  launcher.down();
  std::vector<check::AckedWrite> acked;
  for (const RealOp& op : ops) {
    if (!op.known || op.op == node::KvOp::kGet) continue;
    acked.push_back({op.client, op.seq, std::string(node::to_string(op.op)), op.key, raft::NodeId{},
                     op.complete});
  }
  std::vector<check::CommittedCommand> committed;
  bool committed_known = false;
  uint64_t snapshot_index = 0;
  if (best != 0) {
    FileStorage storage(fmt::format("{}/data/{}", dir, s.node_name(best)));
    auto loaded = storage.load();
    if (auto* l = std::get_if<node::Loaded>(&loaded)) {
      snapshot_index = l->state.snapshot.index.value;
      if (auto found = committed_on_disk(*l, raft::Index{best_commit}, acked)) {
        committed = std::move(*found);
        committed_known = true;
      }
    }
  }
  if (committed_known) {
    for (auto& v : check::check_durability(acked, committed, since(Clock::now()), s.seed))
      report.violations.push_back(std::move(v));
  }
  const check::History history = to_history(ops);
  report.linearizability = check::check_linearizability(history);

  // The verdict table.
  for (Property p : scenario::kSafetyProperties) {
    if (!scenario::is_per_event(p)) continue;  // durability is judged below
    const bool expect_violation = scenario::expected_violated(s, p).value_or(false);
    report.rows.push_back(
        {std::string(scenario::to_string(p)), expect_violation ? "violated" : "holds",
         "not checked in real mode (needs every event inside the nodes)", !expect_violation});
  }
  {
    const bool expect_violation =
        scenario::expected_violated(s, Property::kDurability).value_or(false);
    const bool bad = !report.violations.empty();
    if (bad) report.violated_properties.emplace_back("durability");
    scenario::Verdict row{"durability", expect_violation ? "violated" : "holds", "", false};
    row.timed = expect_violation;  // a loss needs the story to play out as scripted
    if (!committed_known) {
      row.observed = "not checked: no node's log could be read";
      row.ok = false;
    } else {
      row.observed = fmt::format(
          "{} ({} acked writes, {} committed commands on {}{})", bad ? "violated" : "holds",
          acked.size(), committed.size(), s.node_name(best),
          snapshot_index == 0 ? ""
                              : fmt::format("; through entry {} by its snapshot's client "
                                            "sessions",
                                            snapshot_index));
      row.ok = bad == expect_violation;
    }
    report.rows.push_back(row);
  }
  report.rows.push_back(scenario::linearizability_verdict(
      s, report.linearizability, history.ops.size(), "not checked", report.violated_properties));
  if (liveness) {
    const int64_t deadline = micros(probe_at) + micros(s.liveness.within);
    std::optional<sim::Duration> committed_after;
    if (probe && probe->known && probe->complete <= deadline) {
      committed_after = sim::Duration{probe->complete - micros(probe_at)};
    }
    report.rows.push_back(
        scenario::liveness_verdict(s, probe_at, committed_after, report.violated_properties));
  }
  for (scenario::Verdict& row : obs.verdicts(acked.size()))
    report.rows.push_back(std::move(row));
  report.wall_seconds = std::chrono::duration<double>(Clock::now() - wall_start).count();
  report.output_error =
      write_observed_run(trace, history, s, report, options.trace_path, options.history_path);
  if (options.narrate && !report.passed()) print(fmt::format("node logs kept in {}/logs", dir));
  finish(/*keep=*/!report.passed());
  return report;
}

}  // namespace raftsim::real

#include "external/runner.h"

#include <fmt/format.h>
#include <stdlib.h>
#include <wordexp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <set>

#include "check/linearizability.h"
#include "external/aimed_faults.h"
#include "external/cluster.h"
#include "external/det_cluster.h"
#include "external/narration.h"
#include "external/report_checks.h"
#include "raftsim.pb.h"
#include "real/cluster_control.h"
#include "real/observed_trace.h"
#include "real/status_observer.h"
#include "scenario/faults.h"
#include "scenario/nemesis.h"
#include "scenario/verdict.h"

namespace raftsim::external {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using scenario::Expectation;
using scenario::Fault;
using scenario::FaultKind;
using scenario::Property;

std::string at(const scenario::Where& w) {
  return fmt::format("{}:{}:{}", w.file, w.line, w.column);
}

// Expectations judged from what nodes report about themselves.
bool needs_reports(Expectation::Kind kind) {
  switch (kind) {
    case Expectation::Kind::kLeaderWithin:
    case Expectation::Kind::kNoLeader:
    case Expectation::Kind::kNoElection:
    case Expectation::Kind::kNoCommit:
    case Expectation::Kind::kCommitsAtLeast:
    case Expectation::Kind::kTermAtMost:
    case Expectation::Kind::kTermAbove:
      return true;
    default:
      return false;
  }
}

// What the nodes' init_ok says they cannot do that the scenario needs. Checked after every
// node answered init, before time 0.
std::vector<std::string> feature_refusals(const scenario::Scenario& s,
                                          const std::vector<Fault>& timeline, const Host& cluster) {
  bool reports = true, campaign = true, append = true, transfer = true;
  for (uint32_t id = 1; id <= s.world.node_names.size(); ++id) {
    reports = reports && cluster.features(id).state_reports;
    campaign = campaign && cluster.features(id).campaign;
    transfer = transfer && cluster.features(id).transfer;
    append = append && cluster.features(id).append;
  }
  std::vector<std::string> out;
  // Writes in place of appends hide a lost write behind the next write to its key, so a
  // violation the scenario expects to show may not: refused rather than judged on luck.
  if (!append && s.world.workload.mix.append > 0)
    for (const Expectation& e : s.expectations)
      if (e.kind == Expectation::Kind::kViolated &&
          (e.property == Property::kDurability || e.property == Property::kLinearizability))
        out.push_back(
            fmt::format("{}: '{}' needs the workload's appends to show a lost write (a later "
                        "write hides it): nodes that take append (init_ok's raftsim.append); "
                        "these do not",
                        at(e.where), e.text));
  for (const Fault& f : timeline) {
    const std::string where = f.where.line > 0 ? at(f.where) : s.file + ": the nemesis";
    if (f.kind == FaultKind::kElect && !campaign)
      out.push_back(
          fmt::format("{}: 'elect' needs nodes that take raftsim_campaign (init_ok's "
                      "raftsim.campaign); these do not",
                      where));
    if (f.kind == FaultKind::kTransfer && !transfer)
      out.push_back(
          fmt::format("{}: 'transfer' needs nodes that take raftsim_transfer (init_ok's "
                      "raftsim.transfer); these do not",
                      where));
    if (std::string why = message_kind_refusal(s, f, cluster); !why.empty())
      out.push_back(fmt::format("{}: {}", where, why));
    if (f.when && shown_by_reports(f.when->event))
      for (uint32_t id = 1; id <= s.world.node_names.size(); ++id)
        if ((f.when->node == 0 || f.when->node == id) && !cluster.features(id).state_reports) {
          out.push_back(fmt::format(
              "{}: '{}' waits for {} of {}, which only its state reports show (init_ok's "
              "raftsim.state_reports); {} sends none",
              where, scenario::describe_fault(f, s), scenario::to_string(f.when->event),
              s.node_name(id), s.node_name(id)));
          break;
        }
    if (scenario::is_leader_fault(f.kind) && !reports)
      out.push_back(
          fmt::format("{}: '{}' needs to know the leader: nodes that send state "
                      "reports (init_ok's raftsim.state_reports); these do not",
                      where, scenario::to_string(f.kind)));
  }
  for (const Expectation& e : s.expectations)
    if ((needs_reports(e.kind) ||
         (e.kind == Expectation::Kind::kViolated && ReportChecks::judges(e.property))) &&
        !reports)
      out.push_back(
          fmt::format("{}: '{}' needs the nodes' internal state: nodes that send state "
                      "reports (init_ok's raftsim.state_reports); these do not",
                      at(e.where), e.text));
  return out;
}

}  // namespace

sim::WorkloadModel lin_kv_workload(const sim::WorkloadModel& w) {
  // Each write's value is unique, so a lost or reordered write shows in the history (until a
  // later write hides it): the share of appends goes to writes.
  sim::WorkloadModel out = w;
  out.mix.put += out.mix.append;
  out.mix.append = 0;
  return out;
}

namespace {

// Faults the deterministic host can do beyond the wall-clock router: the disk service's faults
// and virtual clocks.
bool deterministic_only(FaultKind kind) {
  return kind == FaultKind::kFsyncLies || kind == FaultKind::kTornWrite ||
         kind == FaultKind::kCorrupt || kind == FaultKind::kClockSkew;
}

// Message faults act in the router both hosts share; event-triggered faults fire on what
// state reports show (aimed_faults.h) and do a crash, pause, isolation or message fault; a
// transfer is asked of the node.
bool message_or_triggered(FaultKind kind) {
  return scenario::is_message_fault(kind) || scenario::is_triggered_fault(kind) ||
         kind == FaultKind::kIsolate ||
         kind == FaultKind::kTransfer;  // asked of the node (raftsim_transfer)
}

bool can_apply(FaultKind kind, bool deterministic) {
  // A membership change is asked of raftsim's own core; Maelstrom's protocol has no message
  // that asks a node to change its cluster's members.
  if (scenario::is_membership_fault(kind) || scenario::is_triggered_reconfigure(kind)) return false;
  return real::can_apply(kind) || message_or_triggered(kind) ||
         (deterministic && deterministic_only(kind));
}

}  // namespace

std::vector<std::string> external_mode_refusals(const scenario::Scenario& s, bool deterministic) {
  std::vector<std::string> out;
  if (s.world.bugs.any())
    out.push_back(
        fmt::format("{}: planted bugs (cluster.bugs) are raftsim's own core's; an "
                    "external node plants its own",
                    s.file));
  const size_t nodes = s.world.node_names.size();
  if ((!s.world.voters.empty() && s.world.voters.size() < nodes) || !s.world.learners.empty())
    out.push_back(
        fmt::format("{}: cluster.voters and cluster.learners make a configuration of raftsim's "
                    "own core; an external node is told every node in init (node_ids) and "
                    "takes them all as voters",
                    s.file));
  if (s.world.pct.enabled())
    out.push_back(
        fmt::format("{}: network.pct orders the simulator's deliveries; external nodes' messages "
                    "go through the link model alone",
                    s.file));
  const char* why = deterministic ? "cannot be done to an external node"
                                  : "can be done to an external node only in deterministic mode";
  for (FaultKind kind : s.nemesis.faults)
    if (!can_apply(kind, deterministic))
      out.push_back(
          fmt::format("{}: the nemesis's '{}' {}", s.file, scenario::to_string(kind),
                      can_apply(kind, true) ? why : "cannot be done to an external node"));
  for (const Fault& f : s.timeline) {
    if (!can_apply(f.kind, deterministic))
      out.push_back(
          fmt::format("{}: '{}' {}", at(f.where), scenario::to_string(f.kind),
                      can_apply(f.kind, true) ? why : "cannot be done to an external node"));
    if (f.when && !shown_by_reports(f.when->event))
      out.push_back(fmt::format(
          "{}: 'when: {{event: {}}}' cannot be seen from outside an external node: its state "
          "reports show role, term, vote, commit index and log, not the moment between a "
          "write's sync and the messages that wait for it, nor a snapshot's installation",
          at(f.where), scenario::to_string(f.when->event)));
  }
  for (const Expectation& e : s.expectations) {
    // What only raftsim's own core shows (its steps, syncs, timers, send budget, read rounds,
    // the configuration it acts on) another implementation need not keep or show: held or
    // violated, it cannot be judged.
    const bool about_core_internals =
        (e.kind == Expectation::Kind::kViolated || e.kind == Expectation::Kind::kHolds) &&
        scenario::evidence(e.property) == scenario::Evidence::kCoreInternals;
    if (e.kind == Expectation::Kind::kSafetyViolated || about_core_internals)
      out.push_back(
          fmt::format("{}: '{}' needs Raft's per-event invariants, which are not "
                      "checked for external nodes",
                      at(e.where), e.text));
  }
  return out;
}

std::vector<std::string> split_command(const std::string& text, std::string& error) {
  wordexp_t words;
  const int r = ::wordexp(text.c_str(), &words, WRDE_NOCMD | WRDE_UNDEF);
  if (r != 0) {
    error = r == WRDE_CMDSUB    ? "command substitution is not allowed"
            : r == WRDE_BADCHAR ? "an unquoted | & ; < > ( ) { } or newline"
            : r == WRDE_BADVAL  ? "an undefined shell variable"
                                : "unbalanced quotes";
    if (r == WRDE_NOSPACE) ::wordfree(&words);
    return {};
  }
  std::vector<std::string> argv(words.we_wordv, words.we_wordv + words.we_wordc);
  ::wordfree(&words);
  if (argv.empty()) error = "an empty command";
  return argv;
}

std::vector<std::string> lost_acknowledged_writes(const std::vector<ClientOp>& workload,
                                                  const std::vector<ClientOp>& final_reads) {
  std::vector<std::string> lost;
  auto sec = [](Host::Micros t) { return static_cast<double>(t) / 1e6; };
  for (const ClientOp& read : final_reads) {
    if (!read.known) continue;
    const ClientOp* shown = nullptr;  // the write whose value the final read shows
    for (const ClientOp& w : workload)
      if (w.key == read.key && w.op != node::KvOp::kGet && w.value == read.result.value) shown = &w;
    // An acknowledged append is lost when the final value lacks it and no write to the key
    // (acknowledged or not) can have replaced it: each finished before the append began. (A
    // write's value carries no ';', so an append after it joins its token: found as a substring.)
    for (const ClientOp& w : workload) {
      if (w.op != node::KvOp::kAppend || !w.known || w.key != read.key) continue;
      if (read.result.value.find(w.value) != std::string::npos) continue;
      const bool replaceable =
          std::any_of(workload.begin(), workload.end(), [&](const ClientOp& o) {
            return o.key == w.key && (o.op == node::KvOp::kPut || o.op == node::KvOp::kCas) &&
                   !(o.known && o.complete < w.invoke);
          });
      if (!replaceable)
        lost.push_back(
            fmt::format("{} append {} by c{} acknowledged at {:.3f}s, but the final read shows {}",
                        w.key, w.value, w.client, sec(w.complete),
                        read.result.value.empty() ? "no value" : escape_bytes(read.result.value)));
    }
    for (const ClientOp& w : workload) {
      const bool acked =
          w.known && w.op != node::KvOp::kGet && w.op != node::KvOp::kAppend && w.result.ok;
      if (!acked || w.key != read.key || &w == shown) continue;
      // Lost: the key reads as missing, or as a write that certainly came before this one.
      const bool missing = read.result.value.empty();
      const bool overtaken = shown && shown->known && shown->complete < w.invoke;
      if (missing || overtaken)
        lost.push_back(
            fmt::format("{}={} by c{} acknowledged at {:.3f}s, but the final read shows {}", w.key,
                        w.value, w.client, sec(w.complete),
                        missing ? "no value"
                                : fmt::format("{} (acknowledged to c{} at {:.3f}s)", shown->value,
                                              shown->client, sec(shown->complete))));
    }
  }
  return lost;
}

scenario::RunReport run_external_scenario(const scenario::Scenario& s,
                                          const ExternalRunOptions& options) {
  const auto wall_start = Clock::now();
  scenario::RunReport report;
  report.scenario = s.name;
  report.node_names = s.world.node_names;
  report.seed = options.seed.value_or(s.seed);
  auto print = options.print ? options.print : [](const std::string& t) { std::puts(t.c_str()); };

  std::string dir_template = (fs::temp_directory_path() / "raftsim-external-XXXXXX").string();
  if (!::mkdtemp(dir_template.data())) {
    report.error = "cannot create a temporary directory";
    return report;
  }
  const std::string dir = dir_template;
  auto fail = [&](const std::string& why) {
    report.error = fmt::format("{}\nnode logs kept in {}/logs", why, dir);
    return report;
  };
  if (options.narrate)
    print(fmt::format("starting {} node processes in {}", s.world.node_names.size(), dir));
  const std::vector<Fault> timeline = scenario::concrete_timeline(s, report.seed);
  const Host::Micros end_of_workload = sim::micros(sim::kTimeZero + s.duration);
  Host::Micros end = end_of_workload;
  Host::Micros probe_at = 0;
  if (s.liveness.enabled) {
    probe_at = sim::micros(scenario::last_fault_time(timeline, sim::kTimeZero + s.duration) +
                           s.liveness.quiet);
    end = std::max(end, probe_at + s.liveness.within.count());
  }

  std::unique_ptr<Host> host;
  if (options.clock != NodeClock::kRealTime) {
    DetCluster::Settings settings;
    settings.command = options.command;
    settings.dir = dir;
    settings.limits = options.limits;
    settings.step_timeout = options.step_timeout;
    settings.init_timeout = options.init_timeout;
    settings.seed = report.seed;
    settings.max_steps = scenario::event_budget(options.max_events_per_second, sim::Duration{end});
    auto det = std::make_unique<DetCluster>(s, std::move(settings));
    if (std::string e = det->start(); e.empty()) {
      host = std::move(det);
    } else if (!det->not_deterministic() || options.clock == NodeClock::kDeterministic) {
      return fail(e);
    } else {
      det.reset();
      if (!external_mode_refusals(s, false).empty()) {
        std::string text = e;
        for (const std::string& r : external_mode_refusals(s, false))
          text += "\n" + r;
        return fail(text);
      }
      if (options.narrate)
        print(fmt::format("{}\nrunning the nodes in wall-clock time instead", e));
    }
  }
  const bool deterministic = host != nullptr;
  if (!host) {
    auto cluster = std::make_unique<Cluster>(
        s, Cluster::Settings{options.command, dir, options.limits, options.init_timeout,
                             report.seed, scenario::stall_tolerated(s)});
    if (options.narrate) cluster->on_notice = print;
    if (std::string e = cluster->start(); !e.empty()) return fail(e);
    host = std::move(cluster);
  }
  Host& cluster = *host;
  report.wall_clock = !deterministic;

  bool append = true;
  for (uint32_t id = 1; id <= s.world.node_names.size(); ++id)
    append = append && cluster.features(id).append;
  if (options.narrate && !append && s.world.workload.mix.append > 0)
    print(
        "workload.mix: lin-kv has no append and the nodes take none; the share of appends "
        "goes to writes");
  if (auto refusals = feature_refusals(s, timeline, cluster); !refusals.empty()) {
    std::string text;
    for (const std::string& r : refusals)
      text += (text.empty() ? "" : "\n") + r;
    return fail(text);
  }

  real::StatusObserver observer(s);
  real::ObservedTrace trace("external");
  ReportChecks invariants(s.world.node_names, report.seed);
  ExternalTriggers* armed = nullptr;  // set below, once the faults are scheduled
  cluster.on_spawn = [&](uint32_t id, bool disk_lost) {
    invariants.on_start(id, disk_lost);
    if (armed) armed->on_start(id);
  };
  cluster.on_state = [&](uint32_t id, const StateReport& r) {
    v1::StatusReply reply;
    reply.set_role(r.role);
    reply.set_term(r.term);
    reply.set_commit(r.commit_index);
    const int64_t now = cluster.now();
    observer.observe(id, now, now, reply);
    trace.on_status(id, now, r.role, r.term, r.commit_index, 0);  // reports name no leader
    invariants.on_report(id, r, now);
    if (armed) armed->on_report(id, r);
  };
  const sim::WorkloadModel workload = append ? s.world.workload : lin_kv_workload(s.world.workload);
  Clients clients(cluster, workload, static_cast<uint32_t>(s.world.node_names.size()), report.seed,
                  append ? Clients::Encoding::kStrings : Clients::Encoding::kIntegers);
  cluster.on_client_message = [&](const Envelope& m) { clients.on_message(m); };
  std::unique_ptr<scenario::Narrator> narrator;
  if (options.narrate)
    narrator = narrate_from_outside(s, options.verbose, print, trace, clients, cluster);
  clients.start(end_of_workload);

  auto narrate = [&](const std::string& text) {
    if (options.narrate)
      print(fmt::format("{:9.3f}s  {}", static_cast<double>(cluster.now()) / 1e6, text));
  };
  cluster.on_message_fault = narrate;
  // A message fault or an event-triggered fault that has just taken effect, and what undoes it
  // `for` later: the end of the message fault, a restart, a resume, a heal.
  auto apply_now = [&](const Fault& f, uint64_t id, const std::string& why) {
    std::optional<Fault> none;
    const std::string done = cluster.apply(f, none, id);
    trace.on_fault(cluster.now(), f, s, done);
    narrate(fmt::format("{}{}{}", why.empty() ? "" : why + ", which triggers: ",
                        scenario::describe_fault(f, s), done.empty() ? "" : ": " + done));
    if (f.undo_after.count() == 0) return;
    cluster.at(cluster.now() + f.undo_after.count(), [&, f, id] {
      if (scenario::is_message_fault(f.kind)) return cluster.remove_message_fault(id);
      Fault undo{.at = sim::kTimeZero + sim::Duration{cluster.now()},
                 .kind = f.kind == FaultKind::kCrash   ? FaultKind::kRestart
                         : f.kind == FaultKind::kPause ? FaultKind::kResume
                                                       : FaultKind::kHeal,
                 .nodes = f.nodes};
      std::optional<Fault> unused;
      const std::string undone = cluster.apply(undo, unused, 0);
      trace.on_fault(cluster.now(), undo, s, undone);
      narrate(fmt::format("{} (undo){}", scenario::describe_fault(undo, s),
                          undone.empty() ? "" : ": " + undone));
    });
  };
  ExternalTriggers triggers(cluster, s, [&](const Fault& f, size_t index, const std::string& why) {
    apply_now(f, index + 1, why);
  });
  for (size_t i = 0; i < timeline.size(); ++i) {
    const Fault& f = timeline[i];
    if (f.when) {
      // Only a drawn one gets here (the file's are refused): it never fires.
      if (!shown_by_reports(f.when->event))
        narrate(fmt::format(
            "not armed (external nodes' reports cannot show the event): {} at "
            "{:.3f}s",
            scenario::describe_fault(f, s), static_cast<double>(sim::micros(f.at)) / 1e6));
      else
        triggers.add(f, i);
      continue;
    }
    if (scenario::is_message_fault(f.kind)) {
      cluster.at(sim::micros(f.at), [&, f, i] { apply_now(f, i + 1, ""); });
      continue;
    }
    cluster.at(sim::micros(f.at), [&, f] {
      std::optional<Fault> undo;
      const std::string done = cluster.apply(f, undo, 0);
      trace.on_fault(cluster.now(), f, s, done, undo ? &*undo : nullptr);
      if (undo) {
        cluster.at(sim::micros(undo->at), [&, u = *undo] {
          std::optional<Fault> none;
          cluster.apply(u, none, 0);
          trace.on_fault(cluster.now(), u, s, "");
          if (options.narrate)
            print(fmt::format("{:9.3f}s  {} (undo)", static_cast<double>(cluster.now()) / 1e6,
                              scenario::describe_fault(u, s)));
        });
      }
      if (options.narrate)
        print(fmt::format("{:9.3f}s  {} ({}){}", static_cast<double>(cluster.now()) / 1e6,
                          scenario::describe_fault(f, s),
                          f.where.line > 0 ? at(f.where) : "nemesis",
                          done.empty() ? "" : ": " + done));
    });
  }
  armed = &triggers;
  std::optional<Host::Micros> probe_acked;
  const uint32_t probe_client = s.world.workload.clients + 1;
  if (s.liveness.enabled) {
    cluster.at(probe_at, [&] {
      clients.probe(probe_client, "probe", probe_at + s.liveness.within.count(), &probe_acked);
    });
  }
  cluster.run_until(end);
  if (!cluster.failure().empty()) return fail(cluster.failure());
  // Stopped by its budget before the liveness window closed: liveness is not judged.
  const bool stopped_early = cluster.over_budget();

  // Durability: every key written, read once more by a fresh client after the run.
  std::vector<ClientOp> workload_ops = clients.ops();
  std::set<std::string> written;
  for (const ClientOp& op : workload_ops)
    if (op.op != node::KvOp::kGet) written.insert(op.key);
  if (!stopped_early) {
    const Host::Micros read_deadline = cluster.now() + s.world.workload.give_up.count();
    uint32_t reader = probe_client + 1;
    for (const std::string& key : written)
      clients.final_read(reader++, key, read_deadline);
    cluster.run_until(read_deadline);
    if (!cluster.failure().empty()) return fail(cluster.failure());
  }
  // A run stopped by its budget (before the final reads or during them) is judged on what it did
  // up to there, and first of all on that; durability is not (the final reads did not all run).
  const bool over_budget = cluster.over_budget();
  if (over_budget) {
    report.stopped_at_budget(
        fmt::format("within {} events per simulated second", options.max_events_per_second),
        fmt::format("stopped at {:.3f}s after {} events", static_cast<double>(cluster.now()) / 1e6,
                    cluster.routed()));
  }
  // Operations still in flight at the end of the run may have completed since.
  clients.abandon_in_flight();
  workload_ops = clients.ops();
  const std::vector<ClientOp>& final_reads = clients.final_reads();
  report.end = sim::kTimeZero + sim::Duration{cluster.now()};
  report.events = cluster.routed();
  report.digest = cluster.digest().value_or(0);

  size_t acked = 0;
  for (const ClientOp& op : workload_ops)
    if (op.known && op.op != node::KvOp::kGet) ++acked;
  std::vector<ClientOp> all_ops = workload_ops;
  all_ops.insert(all_ops.end(), final_reads.begin(), final_reads.end());
  const check::History history = to_history(all_ops);
  if (options.check_linearizability) report.linearizability = check::check_linearizability(history);

  bool reports = true;
  for (uint32_t id = 1; id <= s.world.node_names.size(); ++id)
    reports = reports && cluster.features(id).state_reports;
  invariants.judge(s, reports, report);
  {
    const bool expect_violation =
        scenario::expected_violated(s, Property::kDurability).value_or(false);
    scenario::Verdict row{"durability", expect_violation ? "violated" : "holds", "", false};
    row.timed = expect_violation;
    if (over_budget) {
      row.observed = "not checked: the run stopped at its event budget";
      row.ok = !expect_violation;
    } else if (final_reads.size() < written.size()) {
      row.observed = fmt::format("not checked: {} of {} written keys could be read at the end",
                                 final_reads.size(), written.size());
    } else {
      const std::vector<std::string> lost = lost_acknowledged_writes(workload_ops, final_reads);
      if (!lost.empty()) report.violated_properties.emplace_back("durability");
      row.observed =
          lost.empty()
              ? fmt::format("holds ({} acked writes, {} keys read at the end)", acked,
                            final_reads.size())
              : fmt::format("violated: {}{}", lost.front(),
                            lost.size() > 1 ? fmt::format(" (and {} more)", lost.size() - 1) : "");
      row.ok = lost.empty() != expect_violation;
    }
    report.rows.push_back(row);
  }
  report.rows.push_back(
      scenario::linearizability_verdict(s, report.linearizability, history.ops.size(),
                                        "not checked (switched off)", report.violated_properties));
  if (s.liveness.enabled && !stopped_early) {
    std::optional<sim::Duration> committed_after;
    if (probe_acked) committed_after = sim::Duration{*probe_acked - probe_at};
    report.rows.push_back(scenario::liveness_verdict(s, sim::kTimeZero + sim::Duration{probe_at},
                                                     committed_after, report.violated_properties));
  }
  for (scenario::Verdict& row : observer.verdicts(acked))
    report.rows.push_back(std::move(row));
  // Empty where time is virtual: a deterministic run is never late.
  report.disturbances = cluster.disturbances();
  report.wall_seconds = std::chrono::duration<double>(Clock::now() - wall_start).count();
  report.output_error =
      real::write_observed_run(trace, history, s, report, options.trace_path, options.history_path);
  if ((report.passed() || !options.keep_failed_logs) && !options.keep_logs) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (options.narrate)
      print(fmt::format("{}: {} removed (--keep-logs keeps it)",
                        report.passed() ? "run passed" : "run failed", dir));
  } else if (options.narrate) {
    print(fmt::format("node logs kept in {}/logs", dir));
  }
  return report;
}

scenario::RunReport run_implementation_deterministically(const scenario::Scenario& s,
                                                         const scenario::RunOptions& options) {
  scenario::RunReport report;
  report.scenario = s.name;
  if (auto refusals = external_mode_refusals(s, true); !refusals.empty()) {
    report.error = refusals.front();
    return report;
  }
  ExternalRunOptions o;
  o.command = s.implementation;
  o.clock = NodeClock::kDeterministic;
  o.narrate = options.narrate;
  o.print = options.print;
  o.seed = options.seed;
  o.stop_on_violation = options.stop_on_violation;
  o.check_linearizability = options.check_linearizability;
  o.max_events_per_second = options.max_events_per_second;
  // A search fails many runs, and its shrinker hundreds more; the repro it writes, run again,
  // keeps its nodes' logs.
  o.keep_failed_logs = false;
  return run_external_scenario(s, o);
}

}  // namespace raftsim::external

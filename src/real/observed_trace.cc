#include "real/observed_trace.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "check/history_io.h"
#include "raft/types.h"
#include "scenario/faults.h"
#include "scenario/trace_meta.h"

namespace raftsim::real {

namespace {

using sim::TraceKind;

sim::SimTime at(int64_t us) {
  return sim::kTimeZero + sim::Duration{us};
}

// The role names of a status reply (raft's to_string), as the trace numbers them.
uint64_t role_number(std::string_view role) {
  if (role == "pre-candidate") return static_cast<uint64_t>(raft::Role::kPreCandidate);
  if (role == "candidate") return static_cast<uint64_t>(raft::Role::kCandidate);
  if (role == "leader") return static_cast<uint64_t>(raft::Role::kLeader);
  return static_cast<uint64_t>(raft::Role::kFollower);
}

}  // namespace

void ObservedTrace::add(sim::TraceEvent event) {
  const TraceKind kind = event.kind;
  if (on_state &&
      (kind == TraceKind::kTerm || kind == TraceKind::kRole || kind == TraceKind::kCommit))
    on_state(event);
  events_.push_back(std::move(event));
}

void ObservedTrace::on_status(uint32_t id, int64_t at_us, std::string_view role, uint64_t term,
                              uint64_t commit, uint32_t leader) {
  std::lock_guard lock(mutex_);
  Seen& seen = seen_[id];
  const uint64_t r = role_number(role);
  // As the simulator orders them: the term, then the role it was taken in, then the commit.
  if (!seen.any || term != seen.term)
    add({.time = at(at_us), .kind = TraceKind::kTerm, .node = id, .b = term});
  if (!seen.any || term != seen.term || r != seen.role || leader != seen.leader) {
    add({.time = at(at_us),
         .kind = TraceKind::kRole,
         .node = id,
         .peer = leader,
         .a = r,
         .b = term});
  }
  if (commit != seen.commit) {
    // The term of the committed entry is not in a status reply: 0, unknown.
    add({.time = at(at_us), .kind = TraceKind::kCommit, .node = id, .a = commit});
  }
  seen = {true, r, term, commit, leader};
}

void ObservedTrace::on_fault(int64_t at_us, const scenario::Fault& fault,
                             const scenario::Scenario& scenario, const std::string& done,
                             const scenario::Fault* undo) {
  std::lock_guard lock(mutex_);
  std::string text = scenario::describe_plain(fault, scenario);
  if (!done.empty()) text += ": " + done;
  add({.time = at(at_us), .kind = TraceKind::kFault, .text = std::move(text)});
  using scenario::FaultKind;
  const bool leader_crash =
      fault.kind == FaultKind::kCrashLeader && undo && undo->kind == FaultKind::kRestart;
  if (fault.kind != FaultKind::kCrash && fault.kind != FaultKind::kRestart && !leader_crash) return;
  for (uint32_t id : leader_crash ? undo->nodes : fault.nodes) {
    if (id == 0 || id > scenario.world.node_names.size()) continue;  // the trigger, or none
    if (fault.kind != FaultKind::kRestart) {
      add({.time = at(at_us), .kind = TraceKind::kNodeDown, .node = id, .text = "crashed"});
      seen_[id] = {};  // its first report after a restart is recorded whole
    } else {
      add({.time = at(at_us), .kind = TraceKind::kNodeUp, .node = id});
    }
  }
}

void ObservedTrace::add_history(const check::History& history) {
  std::lock_guard lock(mutex_);
  std::map<check::ClientId, uint64_t> seq;
  for (const check::Operation& op : history.ops) {
    const auto client = static_cast<uint32_t>(op.client);
    const uint64_t n = ++seq[op.client];
    const std::string text = check::describe(op);
    add({.time = at(op.invoke),
         .kind = TraceKind::kClientInvoke,
         .node = client,
         .a = n,
         .text = text});
    if (op.outcome == check::Outcome::unknown) continue;
    add({.time = at(op.complete),
         .kind = TraceKind::kClientComplete,
         .flag = true,
         .node = client,
         .a = n,
         .text = text});
  }
}

std::string ObservedTrace::write(const std::string& path, const std::string& summary) const {
  std::lock_guard lock(mutex_);
  std::vector<const sim::TraceEvent*> ordered;
  for (const sim::TraceEvent& e : events_)
    ordered.push_back(&e);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto* x, const auto* y) { return x->time < y->time; });
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (!file) return fmt::format("{}: cannot open for writing", path);
  for (const sim::TraceEvent* e : ordered)
    fmt::print(file, "{}\n", sim::to_json(*e));
  nlohmann::ordered_json last = nlohmann::ordered_json::parse(summary);
  last["raftsim_run"]["mode"] = mode_;
  fmt::print(file, "{}\n", last.dump());
  const bool ok = std::fclose(file) == 0;
  return ok ? "" : fmt::format("{}: cannot write", path);
}

std::string write_observed_run(ObservedTrace& trace, const check::History& history,
                               const scenario::Scenario& scenario,
                               const scenario::RunReport& report, const std::string& trace_path,
                               const std::string& history_path) {
  if (!history_path.empty()) {
    const check::WriteResult written = check::write_history(history, check::HistoryFormat::raftsim);
    if (!written.error.empty()) return fmt::format("{}: {}", history_path, written.error);
    std::FILE* file = std::fopen(history_path.c_str(), "w");
    if (!file) return fmt::format("{}: cannot open for writing", history_path);
    const bool wrote =
        std::fwrite(written.text.data(), 1, written.text.size(), file) == written.text.size();
    if (std::fclose(file) != 0 || !wrote) return fmt::format("{}: cannot write", history_path);
  }
  if (trace_path.empty()) return "";
  trace.add_history(history);
  return trace.write(trace_path, scenario::trace_summary_json(scenario, report, {}));
}

}  // namespace raftsim::real

#include "check/linearizability.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <thread>

#include "check/models.h"
#include "check/wgl_search.h"

namespace raftsim::check {
namespace {

constexpr std::uint64_t kFirstRoundSteps = 4096;
constexpr std::size_t kTailShown = 8;
constexpr std::size_t kMinPartitionMemory = std::size_t{4} << 20;
constexpr std::size_t kPendingShown = 16;

struct Partition {
  std::string key;
  std::vector<const Operation*> ops;
  std::unique_ptr<PartitionSearch> search;
  SearchStatus status = SearchStatus::running;
  std::uint64_t steps = 0;
  std::optional<Violation> violation;
};

// An op constrains the search only if it may have happened and, when its result is unknown, it
// may have changed state: failed ops and reads with an unknown result are dropped.
bool constrains(const Operation& op) {
  if (op.outcome == Outcome::fail) return false;
  if (op.outcome == Outcome::ok) return true;
  switch (op.kind) {
    case OpKind::kv_get:
    case OpKind::register_read:
      return false;
    case OpKind::txn:
      return std::any_of(op.txn.begin(), op.txn.end(), [](const TxnStep& s) { return s.is_write; });
    default:
      return true;
  }
}

std::vector<Partition> split(const History& history, ModelKind model) {
  std::map<std::string, std::vector<const Operation*>> by_key;
  for (const Operation& op : history.ops) {
    if (!constrains(op)) continue;
    by_key[model == ModelKind::kv ? op.key : std::string()].push_back(&op);
  }
  std::vector<Partition> partitions;
  for (auto& [key, ops] : by_key)
    partitions.push_back(Partition{key, std::move(ops), {}, {}, {}, {}});
  std::stable_sort(
      partitions.begin(), partitions.end(),
      [](const Partition& a, const Partition& b) { return a.ops.size() < b.ops.size(); });
  return partitions;
}

Violation explain(const Partition& partition, const DeepestPoint& deepest) {
  const auto& ops = partition.search->ops();
  Violation v;
  v.partition = partition.key;
  v.linearized_count = deepest.linearized.size();
  std::size_t first =
      deepest.linearized.size() > kTailShown ? deepest.linearized.size() - kTailShown : 0;
  for (std::size_t i = first; i < deepest.linearized.size(); ++i) {
    v.linearized_tail.push_back(*ops[deepest.linearized[i]]);
  }
  v.state = deepest.state;
  for (std::size_t i : deepest.pending)
    v.pending.push_back(*ops[i]);
  v.stuck = *ops[deepest.stuck];
  return v;
}

void advance(Partition& partition, ModelKind model, RegisterValue initial, std::size_t memory,
             std::uint64_t allowance) {
  if (!partition.search) {
    partition.search =
        std::make_unique<PartitionSearch>(partition.ops, make_state_space(model, initial));
  }
  partition.status = partition.search->advance(allowance, memory);
  partition.steps = partition.search->steps();
  if (partition.status == SearchStatus::running) return;
  if (partition.status == SearchStatus::not_linearizable) {
    partition.violation = explain(partition, partition.search->deepest());
  }
  partition.search.reset();  // finished: free its memo cache now
}

template <class Work>
void run_pool(const std::vector<std::size_t>& jobs, unsigned threads, const Work& work) {
  if (threads <= 1 || jobs.size() <= 1) {
    for (std::size_t job : jobs)
      work(job);
    return;
  }
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < jobs.size(); i = next++)
      work(jobs[i]);
  };
  std::vector<std::jthread> pool;
  for (unsigned t = 0; t < std::min<std::size_t>(threads, jobs.size()); ++t)
    pool.emplace_back(worker);
}

CheckResult summarize(const std::vector<Partition>& partitions) {
  CheckResult result;
  result.partitions = partitions.size();
  for (const Partition& p : partitions)
    result.steps += p.steps;
  for (const Partition& p : partitions) {
    if (p.status == SearchStatus::not_linearizable) {
      result.verdict = Verdict::not_linearizable;
      result.violation = p.violation;
      return result;
    }
  }
  for (const Partition& p : partitions) {
    if (p.status == SearchStatus::linearizable) continue;
    result.verdict = Verdict::unknown;
    std::string where = p.key.empty() ? "the history" : fmt::format("key \"{}\"", p.key);
    result.reason =
        p.status == SearchStatus::out_of_memory
            ? fmt::format("memory budget exhausted on {} after {} steps", where, p.steps)
            : fmt::format("step budget exhausted on {} ({} steps)", where, p.steps);
    return result;
  }
  return result;
}

}  // namespace

const char* to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::linearizable:
      return "linearizable";
    case Verdict::not_linearizable:
      return "not linearizable";
    case Verdict::unknown:
      return "unknown";
  }
  return "?";
}

CheckResult check_linearizability(const History& history, const CheckOptions& options) {
  ModelOrError model = resolve_model(history);
  if (!model.model) {
    CheckResult result;
    result.verdict = Verdict::unknown;
    result.reason = "invalid history: " + model.error;
    return result;
  }
  std::vector<Partition> partitions = split(history, *model.model);
  const unsigned threads =
      options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  const std::uint64_t max_steps = options.budget.max_steps_per_partition;

  for (std::uint64_t allowance = std::min(kFirstRoundSteps, max_steps);; allowance *= 2) {
    allowance = std::min(allowance, max_steps);
    std::vector<std::size_t> running;
    for (std::size_t i = 0; i < partitions.size(); ++i) {
      if (partitions[i].status == SearchStatus::running) running.push_back(i);
    }
    if (running.empty()) break;
    // Finished partitions have freed their memory; the running ones share the budget evenly,
    // each with at least a floor so that thousands of small keys are not starved.
    const std::size_t budget = options.budget.max_memory_bytes;
    const std::size_t memory_each =
        std::min(budget, std::max(budget / running.size(), kMinPartitionMemory));
    run_pool(running, threads, [&](std::size_t i) {
      advance(partitions[i], *model.model, history.initial_register, memory_each, allowance);
    });
    bool failed = std::any_of(partitions.begin(), partitions.end(), [](const Partition& p) {
      return p.status == SearchStatus::not_linearizable;
    });
    if (failed || allowance >= max_steps) break;
  }
  return summarize(partitions);
}

std::string format_result(const CheckResult& result) {
  std::string out = fmt::format("{}\n", to_string(result.verdict));
  if (result.verdict == Verdict::unknown) out += fmt::format("reason: {}\n", result.reason);
  if (!result.violation) return out;
  const Violation& v = *result.violation;
  if (!v.partition.empty()) out += fmt::format("partition: key \"{}\"\n", v.partition);
  out += fmt::format("longest linearizable prefix found: {} operations", v.linearized_count);
  out += v.linearized_count > v.linearized_tail.size()
             ? fmt::format(", the last {}:\n", v.linearized_tail.size())
             : std::string(":\n");
  for (const Operation& op : v.linearized_tail)
    out += fmt::format("  {}\n", describe(op));
  out += fmt::format("state after it: {}\n", v.state);
  out += fmt::format("pending then ({}):\n", v.pending.size());
  for (std::size_t i = 0; i < v.pending.size() && i < kPendingShown; ++i) {
    out += fmt::format("  {}\n", describe(v.pending[i]));
  }
  if (v.pending.size() > kPendingShown) {
    out += fmt::format("  ... {} more\n", v.pending.size() - kPendingShown);
  }
  out += fmt::format("cannot be linearized: {}\n", describe(v.stuck));
  out += "  (no order of the pending operations lets it take effect before it returned)\n";
  return out;
}

}  // namespace raftsim::check

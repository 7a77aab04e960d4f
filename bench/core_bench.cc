// Committed proposals per second through an in-memory Raft group: cores hand each other their
// messages directly (no network, no storage: a Ready is taken and advanced at once). Reports CPU
// time per committed proposal, one at a time and in batches.
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "raft/raft.h"

namespace {

using raftsim::raft::Config;
using raftsim::raft::Index;
using raftsim::raft::Message;
using raftsim::raft::NodeId;
using raftsim::raft::Raft;
using raftsim::raft::Ready;

class Group {
 public:
  explicit Group(uint32_t n) {
    std::vector<NodeId> voters;
    for (uint32_t i = 1; i <= n; ++i)
      voters.push_back(NodeId{i});
    for (NodeId id : voters) {
      Config c;
      c.id = id;
      c.voters = voters;
      c.seed = id.value;
      cores_.push_back(std::make_unique<Raft>(c));
    }
    cores_[0]->campaign();
    pump();
  }

  Raft& leader() { return *cores_[0]; }

  // Moves Readys and messages until every core is quiet.
  void pump() {
    bool busy = true;
    while (busy) {
      busy = false;
      for (auto& core : cores_) {
        while (core->has_ready()) {
          busy = true;
          Ready rd = core->ready();
          for (Message& m : rd.messages)
            outbox_.push_back(std::move(m));
          for (Message& m : rd.after_persist)
            outbox_.push_back(std::move(m));
          core->advance(rd);
        }
      }
      for (size_t i = 0; i < outbox_.size(); ++i) {
        busy = true;
        cores_[outbox_[i].to.value - 1]->step(outbox_[i]);
      }
      outbox_.clear();
    }
  }

 private:
  std::vector<std::unique_ptr<Raft>> cores_;
  std::vector<Message> outbox_;
};

// The log is never compacted, so a fresh group is built (off the clock) every so often.
constexpr int64_t kProposalsPerGroup = 50000;

void BM_CommitProposals(benchmark::State& state) {
  const auto voters = static_cast<uint32_t>(state.range(0));
  const int64_t batch = state.range(1);
  auto group = std::make_unique<Group>(voters);
  int64_t in_group = 0;
  for (auto _ : state) {
    if (in_group >= kProposalsPerGroup) {
      state.PauseTiming();
      group = std::make_unique<Group>(voters);
      in_group = 0;
      state.ResumeTiming();
    }
    Index last;
    for (int64_t i = 0; i < batch; ++i)
      last = group->leader().propose("x").index;
    group->pump();
    if (group->leader().commit_index() < last) state.SkipWithError("proposal did not commit");
    in_group += batch;
  }
  state.SetItemsProcessed(state.iterations() * batch);
  state.counters["ns_per_commit"] =
      benchmark::Counter(static_cast<double>(state.iterations() * batch),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

BENCHMARK(BM_CommitProposals)
    ->ArgNames({"voters", "batch"})
    ->Args({3, 1})
    ->Args({5, 1})
    ->Args({3, 64})
    ->Args({5, 64})
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();

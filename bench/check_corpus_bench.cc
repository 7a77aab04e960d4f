// Time to check the Porcupine corpus (../shared/corpora/porcupine), per file and as a whole.
// Results and the commands that produced them: bench/RESULTS-check.md.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "check/history_io.h"
#include "check/linearizability.h"

namespace raftsim::check {
namespace {

const std::string kPorcupine = std::string(RAFTSIM_SHARED_DIR) + "/corpora/porcupine/";

struct CorpusFile {
  std::string name;
  HistoryFormat format;
};

std::vector<CorpusFile> corpus_files() {
  std::vector<CorpusFile> files;
  for (int i = 0; i <= 102; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "jepsen/etcd_%03d.log", i);
    files.push_back({name, HistoryFormat::porcupine_etcd});
  }
  for (const char* kv : {"c01-ok", "c01-bad", "c10-ok", "c10-bad", "c50-ok", "c50-bad"}) {
    files.push_back({std::string("kv/") + kv + ".txt", HistoryFormat::porcupine_kv});
  }
  return files;
}

History load(const CorpusFile& file) {
  ReadResult read = read_history_file(kPorcupine + file.name, file.format);
  if (!read.history) {
    std::fprintf(stderr, "%s\n", read.error.c_str());
    std::exit(2);
  }
  return *read.history;
}

// Every file of the corpus, read and checked (109 files: 103 etcd logs + 6 kv files).
void BM_WholeCorpusReadAndCheck(benchmark::State& state) {
  const std::vector<CorpusFile> files = corpus_files();
  for (auto _ : state) {
    for (const CorpusFile& file : files) {
      benchmark::DoNotOptimize(check_linearizability(load(file)).verdict);
    }
  }
}
BENCHMARK(BM_WholeCorpusReadAndCheck)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same, parsing excluded (as Porcupine's own per-file benchmarks).
void BM_WholeCorpusCheckOnly(benchmark::State& state) {
  std::vector<History> histories;
  for (const CorpusFile& file : corpus_files())
    histories.push_back(load(file));
  for (auto _ : state) {
    for (const History& history : histories) {
      benchmark::DoNotOptimize(check_linearizability(history).verdict);
    }
  }
}
BENCHMARK(BM_WholeCorpusCheckOnly)->Unit(benchmark::kMillisecond)->UseRealTime();

void check_one(benchmark::State& state, const CorpusFile& file, Verdict expected) {
  const History history = load(file);
  for (auto _ : state) {
    CheckResult result = check_linearizability(history);
    if (result.verdict != expected) state.SkipWithError("unexpected verdict");
    state.counters["steps"] = static_cast<double>(result.steps);
  }
}

BENCHMARK_CAPTURE(check_one, etcd_002,
                  CorpusFile{"jepsen/etcd_002.log", HistoryFormat::porcupine_etcd},
                  Verdict::linearizable)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(check_one, etcd_007,
                  CorpusFile{"jepsen/etcd_007.log", HistoryFormat::porcupine_etcd},
                  Verdict::linearizable)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(check_one, c50_ok, CorpusFile{"kv/c50-ok.txt", HistoryFormat::porcupine_kv},
                  Verdict::linearizable)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(check_one, c50_bad, CorpusFile{"kv/c50-bad.txt", HistoryFormat::porcupine_kv},
                  Verdict::not_linearizable)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace raftsim::check

BENCHMARK_MAIN();

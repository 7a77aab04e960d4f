// The budget turns an intractable search into a clear `unknown`, and the verdict and its
// explanation do not depend on how many threads check the partitions.
#include <gtest/gtest.h>

#include <string>

#include "check/history_io.h"
#include "check/linearizability.h"

namespace raftsim::check {
namespace {

// `writers` concurrent appends of distinct values, then a read no order can produce: to prove
// that, a search must try every subset of the appends (2^writers configurations).
History intractable(int writers) {
  History history;
  for (int i = 0; i < writers; ++i) {
    history.ops.push_back(kv_append(i, "k", "v" + std::to_string(i) + ";", 0, 100));
  }
  history.ops.push_back(kv_get(writers, "k", "impossible", 200, 300));
  return history;
}

TEST(Budget, StepBudgetTurnsAnIntractableHistoryIntoUnknown) {
  CheckOptions options;
  options.budget.max_steps_per_partition = 50'000;
  CheckResult result = check_linearizability(intractable(40), options);
  EXPECT_EQ(result.verdict, Verdict::unknown);
  EXPECT_FALSE(result.violation);
  EXPECT_LE(result.steps, 50'000u);
  EXPECT_NE(result.reason.find("step budget exhausted on key \"k\""), std::string::npos)
      << result.reason;
}

TEST(Budget, MemoryBudgetTurnsAnIntractableHistoryIntoUnknown) {
  CheckOptions options;
  options.budget.max_memory_bytes = 1 << 20;
  CheckResult result = check_linearizability(intractable(40), options);
  EXPECT_EQ(result.verdict, Verdict::unknown);
  EXPECT_NE(result.reason.find("memory budget exhausted"), std::string::npos) << result.reason;
  EXPECT_NE(format_result(result).find("unknown\nreason: memory budget"), std::string::npos);
}

TEST(Budget, ASmallHistoryOfTheSameShapeIsDecidedWithinTheBudget) {
  CheckOptions options;
  options.budget.max_steps_per_partition = 50'000;
  EXPECT_EQ(check_linearizability(intractable(6), options).verdict, Verdict::not_linearizable);
}

TEST(Budget, AViolationElsewhereIsStillReportedWhenAnotherKeyIsIntractable) {
  History history = intractable(40);
  history.ops.push_back(kv_put(100, "other", "1", 0, 10));
  history.ops.push_back(kv_get(101, "other", "2", 20, 30));
  CheckOptions options;
  options.budget.max_steps_per_partition = 1'000'000;
  CheckResult result = check_linearizability(history, options);
  ASSERT_EQ(result.verdict, Verdict::not_linearizable);
  EXPECT_EQ(result.violation->partition, "other");
  EXPECT_LT(result.steps, 100'000u);  // stopped after the round that found it
}

std::string explanation_with_threads(const std::string& file, unsigned threads) {
  ReadResult read = read_history_file(
      std::string(RAFTSIM_SHARED_DIR) + "/corpora/porcupine/" + file, HistoryFormat::porcupine_kv);
  EXPECT_TRUE(read.history) << read.error;
  CheckOptions options;
  options.threads = threads;
  return format_result(check_linearizability(*read.history, options));
}

TEST(Determinism, SameExplanationWhateverTheThreadCount) {
  for (const char* file : {"kv/c10-bad.txt", "kv/c50-bad.txt"}) {
    std::string one = explanation_with_threads(file, 1);
    EXPECT_NE(one.find("not linearizable"), std::string::npos) << one;
    for (unsigned threads : {2u, 4u, 8u}) {
      EXPECT_EQ(explanation_with_threads(file, threads), one) << file << " threads " << threads;
    }
  }
}

}  // namespace
}  // namespace raftsim::check

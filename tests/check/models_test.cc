// Small hand-written histories: for each model one violation that must be caught and one clean
// history that must pass; indeterminate and failed operations; the explanation of a violation.
#include <gtest/gtest.h>

#include <string>

#include "check/history.h"
#include "check/history_io.h"
#include "check/linearizability.h"

namespace raftsim::check {
namespace {

constexpr Time kNever = kNeverCompleted;

History of(std::vector<Operation> ops, RegisterValue initial = std::nullopt) {
  History history;
  history.ops = std::move(ops);
  history.initial_register = initial;
  return history;
}

Verdict verdict(const History& history) {
  return check_linearizability(history).verdict;
}

Operation txn(ClientId client, std::vector<TxnStep> steps, Time invoke, Time complete) {
  Operation op;
  op.client = client;
  op.kind = OpKind::txn;
  op.txn = std::move(steps);
  op.invoke = invoke;
  op.complete = complete;
  return op;
}

Operation mutex(ClientId client, OpKind kind, Time invoke, Time complete) {
  Operation op;
  op.client = client;
  op.kind = kind;
  op.invoke = invoke;
  op.complete = complete;
  return op;
}

// ----- KV ------------------------------------------------------------------------------------

TEST(KvModel, ReadOfAMissingKeyIsEmpty) {
  EXPECT_EQ(verdict(of({kv_get(1, "k", "", 0, 1)})), Verdict::linearizable);
  EXPECT_EQ(verdict(of({kv_get(1, "k", "v", 0, 1)})), Verdict::not_linearizable);
}

TEST(KvModel, StaleReadAfterACompletedPutIsCaught) {
  History stale = of({kv_put(1, "k", "a", 0, 10), kv_get(2, "k", "", 20, 30)});
  EXPECT_EQ(verdict(stale), Verdict::not_linearizable);
  History fresh = of({kv_put(1, "k", "a", 0, 10), kv_get(2, "k", "a", 20, 30)});
  EXPECT_EQ(verdict(fresh), Verdict::linearizable);
}

TEST(KvModel, ConcurrentReadMaySeeEitherValue) {
  for (const char* seen : {"", "a"}) {
    EXPECT_EQ(verdict(of({kv_put(1, "k", "a", 0, 10), kv_get(2, "k", seen, 5, 15)})),
              Verdict::linearizable)
        << seen;
  }
}

TEST(KvModel, ConcurrentAppendsInEitherOrderButEachOnce) {
  auto with_read = [](const char* seen) {
    return of({kv_append(1, "k", "x", 0, 10), kv_append(2, "k", "y", 0, 10),
               kv_get(3, "k", seen, 20, 30)});
  };
  EXPECT_EQ(verdict(with_read("xy")), Verdict::linearizable);
  EXPECT_EQ(verdict(with_read("yx")), Verdict::linearizable);
  EXPECT_EQ(verdict(with_read("xyx")), Verdict::not_linearizable);
  EXPECT_EQ(verdict(with_read("x")), Verdict::not_linearizable);
}

TEST(KvModel, CasSwapsOnlyOnAMatchAndAFalseResultObservesADifferentValue) {
  EXPECT_EQ(verdict(of({kv_put(1, "k", "a", 0, 1), kv_cas(1, "k", "a", "b", true, 2, 3),
                        kv_get(1, "k", "b", 4, 5)})),
            Verdict::linearizable);
  EXPECT_EQ(verdict(of({kv_put(1, "k", "a", 0, 1), kv_cas(1, "k", "z", "b", true, 2, 3)})),
            Verdict::not_linearizable);
  EXPECT_EQ(verdict(of({kv_put(1, "k", "a", 0, 1), kv_cas(1, "k", "a", "b", false, 2, 3)})),
            Verdict::not_linearizable);
  EXPECT_EQ(verdict(of({kv_put(1, "k", "a", 0, 1), kv_cas(1, "k", "z", "b", false, 2, 3),
                        kv_get(1, "k", "a", 4, 5)})),
            Verdict::linearizable);
}

TEST(KvModel, KeysAreIndependentAndTheViolationNamesTheKey) {
  History history = of({kv_put(1, "a", "1", 0, 10), kv_put(2, "b", "2", 0, 10),
                        kv_get(3, "a", "1", 20, 30), kv_get(4, "b", "1", 20, 30)});
  CheckResult result = check_linearizability(history);
  ASSERT_EQ(result.verdict, Verdict::not_linearizable);
  EXPECT_EQ(result.partitions, 2u);
  ASSERT_TRUE(result.violation);
  EXPECT_EQ(result.violation->partition, "b");
  EXPECT_EQ(result.violation->stuck.client, 4);
  EXPECT_EQ(result.violation->state, "\"2\"");
  std::string text = format_result(result);
  EXPECT_NE(text.find("partition: key \"b\""), std::string::npos) << text;
  EXPECT_NE(text.find("cannot be linearized: client 4 get b -> \"1\" [20, 30] ok"),
            std::string::npos)
      << text;
}

// ----- single register (Porcupine etcd / Knossos cas-register) ----------------------------

TEST(RegisterModel, NoValueIsDistinctFromEveryInteger) {
  EXPECT_EQ(verdict(of({register_read(1, std::nullopt, 0, 1)})), Verdict::linearizable);
  EXPECT_EQ(verdict(of({register_read(1, 0, 0, 1)})), Verdict::not_linearizable);
  EXPECT_EQ(verdict(of({register_write(1, 3, 0, 1), register_read(2, std::nullopt, 2, 3)})),
            Verdict::not_linearizable);
}

TEST(RegisterModel, KnossosExamplesFromRegisterZero) {
  // From Knossos' tests (../shared/corpora/knossos/MANIFEST.md, last row of the assertions).
  EXPECT_EQ(verdict(of({register_write(0, 1, 0, kNever, Outcome::unknown)}, 0)),
            Verdict::linearizable);
  EXPECT_EQ(verdict(of({register_read(0, 0, 0, 1)}, 0)), Verdict::linearizable);
  EXPECT_EQ(verdict(of({register_read(0, 1, 0, 1)}, 0)), Verdict::not_linearizable);
}

TEST(RegisterModel, CasNeedsTheExpectedValue) {
  History ok = of({register_write(1, 1, 0, 1), register_cas(2, 1, 2, true, 2, 3),
                   register_cas(3, 1, 4, false, 4, 5), register_read(4, 2, 6, 7)});
  EXPECT_EQ(verdict(ok), Verdict::linearizable);
  History bad = of({register_write(1, 1, 0, 1), register_cas(2, 0, 2, true, 2, 3)});
  EXPECT_EQ(verdict(bad), Verdict::not_linearizable);
}

// ----- indeterminate and failed operations ------------------------------------------------

TEST(Indeterminate, TimedOutWriteObservedLaterTookEffect) {
  History history =
      of({register_write(1, 7, 0, kNever, Outcome::unknown), register_read(2, std::nullopt, 5, 6),
          register_read(2, 7, 10, 20), register_read(3, 7, 30, 40)});
  EXPECT_EQ(verdict(history), Verdict::linearizable);
}

TEST(Indeterminate, TimedOutWriteNeverObservedMayNeverHaveHappened) {
  History history =
      of({register_write(1, 7, 0, kNever, Outcome::unknown), register_read(2, std::nullopt, 10, 20),
          register_read(3, std::nullopt, 30, 40)});
  EXPECT_EQ(verdict(history), Verdict::linearizable);
}

TEST(Indeterminate, TimedOutWriteCannotTakeEffectBeforeItsInvoke) {
  History history =
      of({register_read(2, 7, 0, 5), register_write(1, 7, 10, kNever, Outcome::unknown)});
  EXPECT_EQ(verdict(history), Verdict::not_linearizable);
}

TEST(Indeterminate, TimedOutWriteTakesEffectAtMostOnce) {
  // Once the value 7 was overwritten by 8, the lone timed-out write of 7 cannot reappear after.
  History history =
      of({register_write(1, 7, 0, kNever, Outcome::unknown), register_read(2, 7, 10, 20),
          register_write(2, 8, 30, 40), register_read(2, 8, 50, 60), register_read(3, 7, 70, 80)});
  EXPECT_EQ(verdict(history), Verdict::not_linearizable);
  History appended_once = of({kv_append(1, "k", "x", 0, kNever, Outcome::unknown),
                              kv_get(2, "k", "x", 10, 20), kv_get(2, "k", "xx", 30, 40)});
  EXPECT_EQ(verdict(appended_once), Verdict::not_linearizable);
}

TEST(Indeterminate, TimedOutCasAppliesOnlyIfItMatched) {
  History history =
      of({register_write(1, 1, 0, 1), register_cas(2, 1, 5, false, 2, kNever, Outcome::unknown),
          register_read(3, 5, 10, 11)});
  EXPECT_EQ(verdict(history), Verdict::linearizable);
  History mismatch =
      of({register_write(1, 1, 0, 1), register_cas(2, 9, 5, false, 2, kNever, Outcome::unknown),
          register_read(3, 5, 10, 11)});
  EXPECT_EQ(verdict(mismatch), Verdict::not_linearizable);
}

TEST(FailedOps, AreExcludedFromTheCheck) {
  History seen = of({register_write(1, 7, 0, 5, Outcome::fail), register_read(2, 7, 10, 20)});
  EXPECT_EQ(verdict(seen), Verdict::not_linearizable);
  History unseen =
      of({register_write(1, 7, 0, 5, Outcome::fail), register_read(2, std::nullopt, 10, 20)});
  EXPECT_EQ(verdict(unseen), Verdict::linearizable);
}

// ----- multi-register and mutex ------------------------------------------------------------

TEST(MultiRegisterModel, TransactionsAreAtomic) {
  TxnStep write_x{true, "x", 1};
  TxnStep write_y{true, "y", 1};
  auto read = [](const char* name, std::int64_t v) { return TxnStep{false, name, v}; };
  History torn =
      of({txn(1, {write_x, write_y}, 0, 10), txn(2, {read("x", 1), read("y", 0)}, 20, 30)}, 0);
  EXPECT_EQ(verdict(torn), Verdict::not_linearizable);
  History whole =
      of({txn(1, {write_x, write_y}, 0, 10), txn(2, {read("x", 0), read("y", 0)}, 5, 30),
          txn(3, {read("x", 1), TxnStep{false, "y", std::nullopt}}, 20, 30)},
         0);
  EXPECT_EQ(verdict(whole), Verdict::linearizable);
}

TEST(MutexModel, AcquireNeedsAFreeLock) {
  History twice =
      of({mutex(1, OpKind::mutex_acquire, 0, 1), mutex(2, OpKind::mutex_acquire, 2, 3)});
  EXPECT_EQ(verdict(twice), Verdict::not_linearizable);
  History handed_over =
      of({mutex(1, OpKind::mutex_acquire, 0, 1), mutex(1, OpKind::mutex_release, 2, 3),
          mutex(2, OpKind::mutex_acquire, 4, 5)});
  EXPECT_EQ(verdict(handed_over), Verdict::linearizable);
  // A crashed acquire may never have happened: the lock can still be taken by someone else.
  History crashed =
      of({mutex(1, OpKind::mutex_acquire, 0, kNever), mutex(2, OpKind::mutex_acquire, 4, 5)});
  crashed.ops[0].outcome = Outcome::unknown;
  EXPECT_EQ(verdict(crashed), Verdict::linearizable);
}

TEST(Checker, MixedModelsAreRejected) {
  CheckResult result =
      check_linearizability(of({kv_get(1, "k", "", 0, 1), register_read(1, 0, 2, 3)}));
  EXPECT_EQ(result.verdict, Verdict::unknown);
  EXPECT_NE(result.reason.find("invalid history"), std::string::npos);
}

// ----- Knossos' extra assertions: the op that cannot be linearized --------------------------

Time stuck_position(const std::string& file) {
  ReadResult read = read_history_file(
      std::string(RAFTSIM_SHARED_DIR) + "/corpora/knossos/cas-register/bad/" + file,
      HistoryFormat::knossos_edn);
  EXPECT_TRUE(read.history) << read.error;
  if (!read.history) return -1;
  CheckResult result = check_linearizability(*read.history);
  EXPECT_EQ(result.verdict, Verdict::not_linearizable);
  return result.violation ? result.violation->stuck.complete : -1;
}

TEST(KnossosAssertions, TheOpThatCannotBeLinearizedIsTheOneKnossosNames) {
  EXPECT_EQ(stuck_position("immediate-failure.edn"), 3);
  EXPECT_EQ(stuck_position("rethink-fail-minimal.edn"), 4);
  EXPECT_EQ(stuck_position("bad-analysis.edn"), 14);
  EXPECT_EQ(stuck_position("cas-failure.edn"), 491);
  EXPECT_EQ(stuck_position("rethink-fail-smaller.edn"), 217);
}

TEST(KnossosAssertions, CasFailureStopsWithTheRegisterAtTwo) {
  ReadResult read = read_history_file(
      std::string(RAFTSIM_SHARED_DIR) + "/corpora/knossos/cas-register/bad/cas-failure.edn",
      HistoryFormat::knossos_edn);
  ASSERT_TRUE(read.history) << read.error;
  CheckResult result = check_linearizability(*read.history);
  ASSERT_TRUE(result.violation);
  EXPECT_EQ(result.violation->state, "2");
  ASSERT_FALSE(result.violation->linearized_tail.empty());
  const Operation& last = result.violation->linearized_tail.back();
  EXPECT_EQ(last.kind, OpKind::register_write);  // #472, process 76 :ok :write 2
  EXPECT_EQ(last.client, 76);
  EXPECT_EQ(last.complete, 472);
}

}  // namespace
}  // namespace raftsim::check

// Readers: what each format means, and a `path:line: what` error for malformed input.
// Writers: what they write reads back as the same history (as far as the format can say).
#include "check/history_io.h"

#include <gtest/gtest.h>

#include <string>

#include "check/linearizability.h"

namespace raftsim::check {
namespace {

std::string error_of(std::string_view text, HistoryFormat format) {
  ReadResult read = parse_history(text, "h.txt", format);
  EXPECT_FALSE(read.history) << "accepted: " << text;
  return read.error;
}

History parsed(std::string_view text, HistoryFormat format) {
  ReadResult read = parse_history(text, "h.txt", format);
  EXPECT_TRUE(read.history) << read.error;
  return read.history.value_or(History{});
}

// ----- raftsim JSON Lines ------------------------------------------------------------------

TEST(RaftsimFormat, ReadsTheDocumentedExample) {
  History h = parsed(
      R"({"client":3,"op":"put","key":"k1","value":"v7","invoke":1200,"complete":1850,"outcome":"ok"}
{"client":4,"op":"get","key":"k1","result":"v7","invoke":1900,"complete":2000,"outcome":"ok"}
{"client":5,"op":"append","key":"k1","value":"x","invoke":2100,"outcome":"unknown"}
)",
      HistoryFormat::raftsim);
  ASSERT_EQ(h.ops.size(), 3u);
  EXPECT_EQ(h.ops[0].kind, OpKind::kv_put);
  EXPECT_EQ(h.ops[1].value, "v7");
  EXPECT_EQ(h.ops[2].outcome, Outcome::unknown);
  EXPECT_EQ(h.ops[2].complete, kNeverCompleted);
  EXPECT_EQ(h.model, ModelKind::kv);
}

TEST(RaftsimFormat, MalformedLinesNameTheLine) {
  const std::string ok =
      R"({"client":1,"op":"get","key":"k","result":"","invoke":1,"complete":2,"outcome":"ok"})";
  struct Case {
    std::string second_line;
    std::string message;
  };
  for (
      const Case& c : std::vector<Case>{
          {"{not json", "h.txt:2: not a JSON object"},
          {R"({"client":1,"op":"get","key":"k","invoke":1,"complete":2,"outcome":"ok"})",
           "h.txt:2: missing \"result\""},
          {R"({"client":1,"op":"gte","key":"k","result":"","invoke":1,"complete":2,"outcome":"ok"})",
           "h.txt:2: unknown op \"gte\""},
          {R"({"client":1,"op":"get","key":"k","result":"","invoke":1,"complete":2,"outcome":"done"})",
           "h.txt:2: \"outcome\" must be"},
          {R"({"client":"a","op":"get","key":"k","result":"","invoke":1,"complete":2,"outcome":"ok"})",
           "h.txt:2: \"client\" must be an integer"},
          {R"({"client":1,"op":"get","key":"k","result":"","invoke":5,"complete":2,"outcome":"ok"})",
           "h.txt:2: \"complete\" is before \"invoke\""},
          {R"({"client":1,"op":"get","key":"k","reslt":"","invoke":1,"complete":2,"outcome":"ok"})",
           "h.txt:2: unknown field \"reslt\""},
          {R"({"client":1,"op":"read","result":1,"invoke":1,"complete":2,"outcome":"ok"})",
           "h.txt:2: a 'read' operation does not belong to the kv model"},
      }) {
    std::string error = error_of(ok + "\n" + c.second_line + "\n", HistoryFormat::raftsim);
    EXPECT_EQ(error.rfind(c.message, 0), 0u) << error;
  }
}

TEST(RaftsimFormat, WriteThenReadGivesTheSameHistory) {
  History h;
  h.initial_register = 0;
  h.ops = {register_write(1, 3, 0, 10), register_read(2, std::nullopt, 1, 2),
           register_cas(3, 3, 4, false, 11, 12), register_write(4, 9, 13, 0, Outcome::unknown),
           register_read(5, 4, 20, 30, Outcome::fail)};
  std::string text = write_history(h, HistoryFormat::raftsim).text;
  History back = parsed(text, HistoryFormat::raftsim);
  EXPECT_EQ(write_history(back, HistoryFormat::raftsim).text, text);
  EXPECT_EQ(back.initial_register, RegisterValue(0));
  ASSERT_EQ(back.ops.size(), 5u);
  EXPECT_FALSE(back.ops[1].register_value);
  EXPECT_FALSE(back.ops[2].succeeded);
  EXPECT_EQ(back.ops[3].outcome, Outcome::unknown);
}

// ----- Porcupine etcd logs -----------------------------------------------------------------

TEST(PorcupineEtcdFormat, FailedCasHappenedAndInfoIsIndeterminate) {
  History h = parsed(
      "INFO  jepsen.util - 0\t:invoke\t:cas\t[1 2]\n"
      "INFO  jepsen.util - 1   :invoke   :write   3\n"
      "INFO  jepsen.util - 0\t:fail\t:cas\t[1 2]\n"
      "INFO  jepsen.util - 1\t:info\t:write\t:timed-out\n",
      HistoryFormat::porcupine_etcd);
  ASSERT_EQ(h.ops.size(), 2u);
  EXPECT_EQ(h.ops[0].outcome, Outcome::ok);
  EXPECT_EQ(h.ops[0].complete, 3);  // times are line numbers
  EXPECT_FALSE(h.ops[0].succeeded);
  EXPECT_EQ(h.ops[1].outcome, Outcome::unknown);
  EXPECT_FALSE(h.initial_register);
}

TEST(PorcupineEtcdFormat, TimedOutReadsConstrainNothing) {
  History h = parsed(
      "INFO  jepsen.util - 0\t:invoke\t:read\tnil\n"
      "INFO  jepsen.util - 1\t:invoke\t:read\tnil\n"
      "INFO  jepsen.util - 0\t:fail\t:read\t:timed-out\n"
      "INFO  jepsen.util - 1\t:info\t:read\t:timed-out\n",
      HistoryFormat::porcupine_etcd);
  ASSERT_EQ(h.ops.size(), 2u);
  EXPECT_EQ(h.ops[0].outcome, Outcome::unknown);
  EXPECT_EQ(h.ops[1].outcome, Outcome::unknown);
}

TEST(PorcupineEtcdFormat, MalformedLinesNameTheLine) {
  const std::string first = "INFO  jepsen.util - 0\t:invoke\t:read\tnil\n";
  EXPECT_EQ(error_of(first + "garbage\n", HistoryFormat::porcupine_etcd),
            "h.txt:2: expected 'INFO jepsen.util - PROCESS :TYPE :F ARG'");
  EXPECT_EQ(
      error_of(first + "INFO  jepsen.util - 0\t:ok\t:read\t[1\n", HistoryFormat::porcupine_etcd),
      "h.txt:2: cannot read the argument");
  EXPECT_EQ(
      error_of(first + "INFO  jepsen.util - 3\t:ok\t:read\t1\n", HistoryFormat::porcupine_etcd),
      "h.txt:2: process 3 completes an op it never invoked");
  EXPECT_EQ(error_of(first + first, HistoryFormat::porcupine_etcd),
            "h.txt:2: process 0 invokes again while its op from line 1 is still open");
  EXPECT_EQ(
      error_of(first + "INFO  jepsen.util - 0\t:ok\t:write\t1\n", HistoryFormat::porcupine_etcd),
      "h.txt:2: completion of :write but process 0 invoked :read");
}

// ----- EDN: Knossos and Porcupine kv -------------------------------------------------------

TEST(KnossosFormat, CommentsCommasListsAndNemesisEvents) {
  History h = parsed(
      "; a comment\n"
      "({:process 0, :type :invoke, :f :write, :value 1}\n"
      " {:process :nemesis :type :info :f :start}\n"
      " {:type :ok :process 0 :f :write :value 1}  ; trailing\n"
      " {:process 1, :type :invoke, :f :read, :value nil}\n"
      " {:process 1, :type :ok, :f :read, :value 1})\n",
      HistoryFormat::knossos_edn);
  ASSERT_EQ(h.ops.size(), 2u);
  EXPECT_EQ(h.ops[0].invoke, 0);  // positions count every element, nemesis included
  EXPECT_EQ(h.ops[0].complete, 2);
  EXPECT_EQ(h.ops[1].complete, 4);
  EXPECT_EQ(h.initial_register, RegisterValue(0));
  EXPECT_EQ(h.model, ModelKind::register_);
}

TEST(KnossosFormat, MalformedInputNamesTheLine) {
  EXPECT_EQ(
      error_of("[{:process 0, :type :invoke, :f :write, :value 1}\n", HistoryFormat::knossos_edn),
      "h.txt:2: missing ']' to close the vector opened on line 1");
  EXPECT_EQ(
      error_of("[{:process 0, :type :invoke,\n :f :write, :value}]", HistoryFormat::knossos_edn),
      "h.txt:1: map has a key without a value");
  EXPECT_EQ(error_of("[{:process 0, :type :invoke, :f :write, :value 1}\n"
                     " {:process 0, :type :ok, :f :write, :value \"oops}]\n",
                     HistoryFormat::knossos_edn),
            "h.txt:2: unterminated string");
  EXPECT_EQ(
      error_of("[{:process 0, :type :invoke, :f :frob, :value 1}]", HistoryFormat::knossos_edn),
      "h.txt:1: unknown :f :frob");
  EXPECT_EQ(error_of("[{:process 0, :type :invoke, :f :write, :value 1}]\n[]",
                     HistoryFormat::knossos_edn),
            "h.txt:2: expected exactly one vector or list of op maps");
  EXPECT_EQ(error_of("[{:process 0, :type :invoke, :f :write, :value 1}\n"
                     " {:process 1, :type :invoke, :f :acquire}]",
                     HistoryFormat::knossos_edn),
            "h.txt:2: a 'acquire' operation does not belong to the register model");
  ReadResult wrong_model = parse_history("[{:process 0, :type :invoke, :f :acquire}]", "h.txt",
                                         HistoryFormat::knossos_edn, ModelKind::register_);
  EXPECT_EQ(wrong_model.error,
            "h.txt:1: a 'acquire' operation does not belong to the register model");
}

TEST(PorcupineKvFormat, OneMapPerLine) {
  History h = parsed(
      "{:process 0, :type :invoke, :f :append, :key \"1\", :value \"x 0 0 y\"}\n"
      "{:process 1, :type :invoke, :f :get, :key \"1\", :value nil}\n"
      "{:process 0, :type :ok, :f :append, :key \"1\", :value \"x 0 0 y\"}\n"
      "{:process 1, :type :ok, :f :get, :key \"1\", :value \"x 0 0 y\"}\n",
      HistoryFormat::porcupine_kv);
  ASSERT_EQ(h.ops.size(), 2u);
  EXPECT_EQ(h.ops[1].kind, OpKind::kv_get);
  EXPECT_EQ(h.ops[1].value, "x 0 0 y");
  EXPECT_EQ(check_linearizability(h).verdict, Verdict::linearizable);
  EXPECT_EQ(error_of("{:process 0, :type :invoke, :f :get, :key \"1\", :value nil}\n"
                     "{:process 0, :type :ok, :f :get, :key 1, :value \"\"}\n",
                     HistoryFormat::porcupine_kv),
            "h.txt:2: :key must be a string");
  EXPECT_EQ(error_of("{:process 0, :type :invoke, :f :get, :key \"1\", :value nil} {}\n",
                     HistoryFormat::porcupine_kv),
            "h.txt:1: expected one op map per line");
}

// ----- export to other tools --------------------------------------------------------------

History kv_sample() {
  History h;
  h.ops = {kv_put(1, "a", "x\"q", 0, 10), kv_append(2, "a", "y", 5, 20),
           kv_get(3, "a", "x\"qy", 25, 30), kv_append(1, "b", "z", 11, 0, Outcome::unknown),
           kv_get(1, "b", "", 40, 50)};
  return h;
}

TEST(Export, KnossosEdnReadsBackWithTheSameVerdict) {
  for (bool corrupt : {false, true}) {
    History h = kv_sample();
    if (corrupt) h.ops[2].value = "yx\"q";
    WriteResult written = write_history(h, HistoryFormat::knossos_edn);
    ASSERT_TRUE(written.error.empty()) << written.error;
    History back = parsed(written.text, HistoryFormat::knossos_edn);
    ASSERT_EQ(back.ops.size(), h.ops.size()) << written.text;
    EXPECT_EQ(check_linearizability(back).verdict, check_linearizability(h).verdict)
        << written.text;
    // Client 1 crashed (unknown append): its later get runs under a fresh Jepsen process.
    EXPECT_NE(back.ops.back().client, 1) << written.text;
  }
}

TEST(Export, PorcupineFormatsReadBackWithTheSameVerdict) {
  History kv = kv_sample();
  WriteResult kv_text = write_history(kv, HistoryFormat::porcupine_kv);
  ASSERT_TRUE(kv_text.error.empty()) << kv_text.error;
  EXPECT_EQ(check_linearizability(parsed(kv_text.text, HistoryFormat::porcupine_kv)).verdict,
            Verdict::linearizable);

  History reg;
  reg.ops = {register_write(1, 3, 0, 10), register_cas(2, 3, 4, true, 11, 12),
             register_read(3, std::nullopt, 13, 14)};
  WriteResult etcd = write_history(reg, HistoryFormat::porcupine_etcd);
  ASSERT_TRUE(etcd.error.empty()) << etcd.error;
  History back = parsed(etcd.text, HistoryFormat::porcupine_etcd);
  EXPECT_EQ(back.ops.size(), 3u);
  EXPECT_EQ(check_linearizability(back).verdict, Verdict::not_linearizable) << etcd.text;
  reg.ops.pop_back();
  EXPECT_EQ(check_linearizability(parsed(write_history(reg, HistoryFormat::porcupine_etcd).text,
                                         HistoryFormat::porcupine_etcd))
                .verdict,
            Verdict::linearizable);

  EXPECT_FALSE(write_history(kv, HistoryFormat::porcupine_etcd).error.empty());
}

// Porcupine's kv parser gives every call left open at the end of the file an empty output: for a
// put or an append that is "may or may not have happened", for a get a read of "" nobody saw.
TEST(Export, PorcupineKvLeavesUnknownWritesOpenAndUnknownGetsOut) {
  History h;
  h.ops = {kv_put(1, "a", "x", 0, 10), kv_append(2, "a", "y", 5, 0, Outcome::unknown),
           kv_get(3, "a", "", 6, 0, Outcome::unknown), kv_get(4, "a", "xy", 20, 30)};
  WriteResult written = write_history(h, HistoryFormat::porcupine_kv);
  ASSERT_TRUE(written.error.empty()) << written.error;
  // The history fuzzer's finding: every operation either reads back or is counted as left out.
  EXPECT_EQ(written.left_out, 1u);
  EXPECT_EQ(parsed(written.text, HistoryFormat::porcupine_kv).ops.size() + written.left_out,
            h.ops.size());
  EXPECT_EQ(written.text,
            "{:process 1, :type :invoke, :f :put, :key \"a\", :value \"x\"}\n"
            "{:process 2, :type :invoke, :f :append, :key \"a\", :value \"y\"}\n"
            "{:process 1, :type :ok, :f :put, :key \"a\", :value \"x\"}\n"
            "{:process 4, :type :invoke, :f :get, :key \"a\", :value nil}\n"
            "{:process 4, :type :ok, :f :get, :key \"a\", :value \"xy\"}\n");
  History back = parsed(written.text, HistoryFormat::porcupine_kv);
  ASSERT_EQ(back.ops.size(), 3u);
  EXPECT_EQ(back.ops[1].outcome, Outcome::unknown);
  EXPECT_EQ(check_linearizability(back).verdict, Verdict::linearizable);
}

TEST(Export, PorcupineKvRefusesCas) {
  History h;
  h.ops = {kv_cas(1, "a", "", "x", true, 0, 10)};
  EXPECT_NE(write_history(h, HistoryFormat::porcupine_kv).error.find("not 'client 1 cas"),
            std::string::npos);
}

}  // namespace
}  // namespace raftsim::check

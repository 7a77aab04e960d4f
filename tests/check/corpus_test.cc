// Agreement with every expected verdict of the Porcupine and Knossos corpora
// (../shared/corpora/*/expected.tsv; see each MANIFEST.md for where the verdicts come from).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "check/check_history.h"
#include "check/history_io.h"
#include "check/linearizability.h"

namespace raftsim::check {
namespace {

const std::string kCorpora = std::string(RAFTSIM_SHARED_DIR) + "/corpora/";

struct Expectation {
  std::string file;  // relative to the corpus directory
  std::string model;
  std::string verdict;  // "linearizable" | "not-linearizable"
};

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  for (std::string field; std::getline(in, field, '\t');)
    fields.push_back(field);
  return fields;
}

// The verdict column is the 3rd (porcupine) or 4th (knossos, after initial_state).
std::vector<Expectation> read_expectations(const std::string& corpus) {
  std::ifstream in(kCorpora + corpus + "/expected.tsv");
  std::vector<Expectation> out;
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header = split_tabs(line);
  std::size_t verdict_column = 0;
  while (verdict_column < header.size() && header[verdict_column] != "expected")
    ++verdict_column;
  while (std::getline(in, line)) {
    std::vector<std::string> fields = split_tabs(line);
    if (fields.size() <= verdict_column) continue;
    out.push_back({fields[0], fields[1], fields[verdict_column]});
  }
  return out;
}

HistoryFormat format_of(const std::string& file) {
  if (file.starts_with("jepsen/")) return HistoryFormat::porcupine_etcd;
  if (file.starts_with("kv/")) return HistoryFormat::porcupine_kv;
  return HistoryFormat::knossos_edn;
}

Verdict expected_verdict(const std::string& text) {
  return text == "linearizable" ? Verdict::linearizable : Verdict::not_linearizable;
}

void check_corpus(const std::string& corpus, std::size_t expected_count) {
  std::vector<Expectation> expectations = read_expectations(corpus);
  ASSERT_GE(expectations.size(), expected_count);
  std::size_t checked = 0;
  for (const Expectation& e : expectations) {
    SCOPED_TRACE(e.file);
    if (e.verdict == "none") continue;  // etcd_095: empty, no upstream test (see below)
    ++checked;
    ASSERT_TRUE(e.verdict == "linearizable" || e.verdict == "not-linearizable") << e.verdict;
    ReadResult read = read_history_file(kCorpora + corpus + "/" + e.file, format_of(e.file));
    ASSERT_TRUE(read.history) << read.error;
    CheckResult result = check_linearizability(*read.history);
    EXPECT_STREQ(to_string(result.verdict), to_string(expected_verdict(e.verdict)))
        << format_result(result);
  }
  EXPECT_EQ(checked, expected_count);
}

TEST(Corpus, AgreesWithEveryPorcupineVerdict) {
  // 102 etcd logs (etcd_095 is empty and has no test) + 6 kv files.
  check_corpus("porcupine", 108);
}

TEST(Corpus, AgreesWithEveryKnossosVerdict) {
  check_corpus("knossos", 122);
}

TEST(Corpus, EmptyEtcdLogIsLinearizable) {
  ReadResult read =
      read_history_file(kCorpora + "porcupine/jepsen/etcd_095.log", HistoryFormat::porcupine_etcd);
  ASSERT_TRUE(read.history) << read.error;
  EXPECT_TRUE(read.history->ops.empty());
  EXPECT_EQ(check_linearizability(*read.history).verdict, Verdict::linearizable);
}

TEST(Corpus, CheckHistoryExitCodes) {
  CheckHistoryRequest request;
  request.format = "knossos-edn";
  request.path = kCorpora + "knossos/cas-register/bad/immediate-failure.edn";
  EXPECT_EQ(run_check_history(request).exit_code, kExitNotLinearizable);
  request.path = kCorpora + "knossos/cas-register/good/cas-register-bug.edn";
  EXPECT_EQ(run_check_history(request).exit_code, kExitLinearizable);
  request.path = kCorpora + "knossos/no-such-file.edn";
  CheckHistoryOutcome missing = run_check_history(request);
  EXPECT_EQ(missing.exit_code, kExitBadInput);
  EXPECT_NE(missing.error.find("no-such-file.edn"), std::string::npos);
  request.format = "porcupine-etcd";  // an EDN file is not an etcd log
  request.path = kCorpora + "knossos/cas-register/good/cas-register-bug.edn";
  CheckHistoryOutcome wrong_format = run_check_history(request);
  EXPECT_EQ(wrong_format.exit_code, kExitBadInput);
  EXPECT_NE(wrong_format.error.find("cas-register-bug.edn:1: "), std::string::npos)
      << wrong_format.error;
}

}  // namespace
}  // namespace raftsim::check

// StageLog: what a node writes when RAFTSIM_STAGE_LOG is set, and that it never outgrows its
// buffer.
#include "real/stage_log.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace raftsim::real {
namespace {

namespace fs = std::filesystem;

class StageLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "raftsim-stages-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Every line, without its timestamp (the first field).
  std::vector<std::string> lines_without_time(const std::string& path) {
    std::vector<std::string> out;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line))
      out.push_back(line.substr(line.find('\t') + 1));
    return out;
  }

  std::string dir_;
};

TEST_F(StageLogTest, WritesOneLinePerStampWithStageNamePeerIndexAndSeq) {
  StageLog log(dir_ + "/stages-1.tsv", 16);
  log.stamp(Stage::kRequestReceived, raft::NodeId{}, 0, 7);
  log.stamp(Stage::kAppendSent, raft::NodeId{2}, 41);
  log.stamp(Stage::kReplySent, raft::NodeId{}, 0, 7);
  ASSERT_TRUE(log.write());
  EXPECT_EQ(lines_without_time(dir_ + "/stages-1.tsv"),
            (std::vector<std::string>{"request_received\t0\t0\t7", "append_sent\t2\t41\t0",
                                      "reply_sent\t0\t0\t7"}));
}

TEST_F(StageLogTest, KeepsTheFirstStampsOnceFull) {
  StageLog log(dir_ + "/stages-1.tsv", 2);
  for (uint64_t i = 1; i <= 5; ++i)
    log.stamp(Stage::kApplied, raft::NodeId{}, i);
  ASSERT_TRUE(log.write());
  EXPECT_EQ(lines_without_time(dir_ + "/stages-1.tsv"),
            (std::vector<std::string>{"applied\t0\t1\t0", "applied\t0\t2\t0"}));
}

TEST(StageLogEnvironment, IsOffWithoutTheVariable) {
  ::unsetenv("RAFTSIM_STAGE_LOG");
  EXPECT_EQ(StageLog::from_environment(raft::NodeId{1}), nullptr);
}

}  // namespace
}  // namespace raftsim::real

// `raftsim check-history` as registered on a CLI11 app: flags reach the check, exit codes follow
// the verdict (0 linearizable, 1 not, 2 bad input, 3 unknown).
#include "check_history_command.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace raftsim::tools {
namespace {

const std::string kCorpora = std::string(RAFTSIM_SHARED_DIR) + "/corpora/";

int run(std::vector<std::string> args) {
  CLI::App app{"raftsim"};
  int exit_code = -1;
  add_check_history_command(app, exit_code);
  args.insert(args.begin(), "check-history");
  std::reverse(args.begin(), args.end());  // CLI11 parses a reversed vector of arguments
  app.parse(args);
  return exit_code;
}

TEST(CheckHistoryCommand, ExitCodeFollowsTheVerdict) {
  EXPECT_EQ(run({kCorpora + "porcupine/jepsen/etcd_002.log", "--format", "porcupine-etcd"}), 0);
  EXPECT_EQ(run({kCorpora + "porcupine/jepsen/etcd_000.log", "--format", "porcupine-etcd"}), 1);
  EXPECT_EQ(run({kCorpora + "porcupine/jepsen/etcd_000.log", "--format", "raftsim"}), 2);
  EXPECT_EQ(run({kCorpora + "knossos/mutex/bad/etcd.edn", "--format", "knossos-edn", "--model",
                 "register"}),
            2);
  EXPECT_EQ(run({kCorpora + "porcupine/kv/c50-ok.txt", "--format", "porcupine-kv", "--max-steps",
                 "1000"}),
            3);
  EXPECT_EQ(run({kCorpora + "porcupine/kv/c50-ok.txt", "--format", "porcupine-kv",
                 "--max-memory-mb", "0"}),
            3);
}

// Budgets and threads are whole numbers in range, read as text: -1 once became a budget of
// 2^64 - 1 steps, or of memory that overflowed into a small one.
TEST(CheckHistoryCommand, BudgetsThatAreNotWholeNumbersInRangeAreUsageErrors) {
  const std::string file = kCorpora + "porcupine/kv/c50-ok.txt";
  for (const std::vector<std::string>& flag : {std::vector<std::string>{"--max-steps", "-1"},
                                               {"--max-memory-mb", "-1"},
                                               {"--max-memory-mb", "17592186044416"},
                                               {"--threads", "-1"},
                                               {"--threads", "1025"},
                                               {"--max-steps", "1e6"}}) {
    std::vector<std::string> args{file, "--format", "porcupine-kv"};
    args.insert(args.end(), flag.begin(), flag.end());
    EXPECT_THROW(run(args), CLI::ValidationError) << flag[0] << " " << flag[1];
  }
  EXPECT_EQ(run({file, "--format", "porcupine-kv", "--threads", "2"}), 0);
}

}  // namespace
}  // namespace raftsim::tools

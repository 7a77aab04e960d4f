// Membership changes of a real cluster through the command line: `raftsim cluster add / promote
// / remove` against `raftsim node` processes, each step checked in the nodes' own Status, and a
// restarted node acting on the configuration it had learned. Every wait is on a condition.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "cli_process.h"
#include "real/kv_client.h"
#include "real/launcher.h"

namespace raftsim::real {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::vector<uint32_t> ids(const google::protobuf::RepeatedField<uint32_t>& field) {
  return {field.begin(), field.end()};
}

class MembershipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);  // node processes orphaned by `raftsim cluster` come here
    std::string pattern = (fs::temp_directory_path() / "raftsim-membership-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    Launcher launcher(dir_, RAFTSIM_BINARY);
    std::vector<int> pids = launcher.pids();
    raftsim({"cluster", "down", "--dir", dir_});
    for (int pid : pids)
      ::kill(pid, SIGKILL);
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    if (!HasFailure()) fs::remove_all(dir_);
  }

  CliResult raftsim(std::vector<std::string> args) {
    return run_raftsim(args, dir_, dir_ + "/cli-output.txt", 90s);
  }
  CliResult cluster(const std::string& command, const std::string& node,
                    std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"cluster", command, node, "--dir", dir_};
    args.insert(args.end(), more.begin(), more.end());
    return raftsim(args);
  }

  // Waits (bounded) until a node answers with a Status that satisfies `ok`; that Status.
  std::optional<v1::StatusReply> wait_until(
      const std::function<bool(const NodeStatus&, const v1::StatusReply&)>& ok) {
    Launcher launcher(dir_, RAFTSIM_BINARY);
    const Clock::time_point deadline = Clock::now() + 30s;
    while (Clock::now() < deadline) {
      for (const NodeStatus& s : launcher.status())
        if (s.reply && ok(s, *s.reply)) return s.reply;
      std::this_thread::sleep_for(50ms);  // a poll interval, not a wait on a timer
    }
    return std::nullopt;
  }

  // Waits (bounded) until node `name` answers with a Status that satisfies `ok`.
  std::optional<v1::StatusReply> wait_for(const std::string& name,
                                          const std::function<bool(const v1::StatusReply&)>& ok) {
    return wait_until([&](const NodeStatus& s, const v1::StatusReply& r) {
      return s.member.name == name && ok(r);
    });
  }

  // The leader's Status, waiting (bounded) for one.
  v1::StatusReply leader() {
    const auto found = wait_until(
        [](const NodeStatus&, const v1::StatusReply& r) { return r.role() == "leader"; });
    if (!found) ADD_FAILURE() << "no leader";
    return found.value_or(v1::StatusReply{});
  }

  void write(const std::string& value) {
    auto file = read_cluster_file(dir_ + "/cluster.yaml");
    ASSERT_TRUE(std::holds_alternative<ClusterFile>(file));
    KvClient client(std::get<ClusterFile>(file), random_client_id());
    const KvOutcome put = client.run(node::KvOp::kPut, "k", value);
    EXPECT_EQ(put.kind, KvOutcome::Kind::kOk) << put.detail;
  }

  std::string dir_;
};

TEST_F(MembershipTest, SparesJoinAsLearnersArePromotedAndAVoterLeaves) {
  CliResult up = raftsim({"cluster", "up", "-n", "5", "--voters", "3", "--dir", dir_});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  EXPECT_EQ(ids(leader().voters()), (std::vector<uint32_t>{1, 2, 3}));
  write("before");

  CliResult r = cluster("add", "n4", {"--learner"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("add-learner n4: committed"), std::string::npos) << r.output;
  EXPECT_EQ(ids(leader().learners()), (std::vector<uint32_t>{4}));
  r = cluster("promote", "n4");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(ids(leader().voters()), (std::vector<uint32_t>{1, 2, 3, 4}));

  r = cluster("add", "n5");  // learner, then voter once caught up
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("promote n5: committed"), std::string::npos) << r.output;
  r = cluster("remove", "n2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("n2: killed"), std::string::npos) << r.output;
  write("after");

  const std::vector<uint32_t> now = {1, 3, 4, 5};
  EXPECT_EQ(ids(leader().voters()), now);
  const CliResult status = raftsim({"cluster", "status", "--dir", dir_});
  EXPECT_NE(status.output.find("MEMBER"), std::string::npos) << status.output;

  // A restarted node acts on the configuration in its log, not on the file's bootstrap one.
  ASSERT_EQ(cluster("restart", "n5").exit_code, 0);
  EXPECT_TRUE(wait_for("n5", [&](const v1::StatusReply& s) { return ids(s.voters()) == now; }));
  write("after restart");
}

TEST_F(MembershipTest, UnknownServersAndImpossibleChangesAreRefused) {
  CliResult up = raftsim({"cluster", "up", "-n", "3", "--dir", dir_});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  CliResult r = cluster("add", "n9");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("no server 'n9'"), std::string::npos) << r.output;
  r = cluster("promote", "n2");  // already a voter
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("changes nothing"), std::string::npos) << r.output;
  r = raftsim({"cluster", "remove", "n1", "--dir", dir_ + "/nowhere"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  r = raftsim({"cluster", "up", "-n", "3", "--voters", "4", "--dir", dir_ + "/other"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

}  // namespace
}  // namespace raftsim::real

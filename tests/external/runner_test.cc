// The external run's own checks: the durability of acknowledged writes judged by final reads,
// and how `--node` is split into argv.
#include "external/runner.h"

#include <gtest/gtest.h>

namespace raftsim::external {
namespace {

ClientOp put(uint32_t client, std::string value, int64_t invoke, int64_t complete,
             bool known = true) {
  ClientOp op;
  op.client = client;
  op.op = node::KvOp::kPut;
  op.key = "k";
  op.value = std::move(value);
  op.invoke = invoke;
  op.complete = complete;
  op.known = known;
  return op;
}

ClientOp final_read(std::string value) {
  ClientOp op;
  op.op = node::KvOp::kGet;
  op.key = "k";
  op.known = true;
  op.result.value = std::move(value);
  return op;
}

TEST(LostAcknowledgedWrites, TheLastWriteReadBackIsNotLost) {
  const std::vector<ClientOp> ops{put(1, "a", 0, 10), put(2, "b", 20, 30)};
  EXPECT_TRUE(lost_acknowledged_writes(ops, {final_read("b")}).empty());
}

TEST(LostAcknowledgedWrites, AnOlderValueReadBackLosesTheLaterWrite) {
  const std::vector<ClientOp> ops{put(1, "a", 0, 10), put(2, "b", 20, 30)};
  const auto lost = lost_acknowledged_writes(ops, {final_read("a")});
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0],
            "k=b by c2 acknowledged at 0.000s, but the final read shows a "
            "(acknowledged to c1 at 0.000s)");
}

TEST(LostAcknowledgedWrites, NoValueReadBackLosesEveryAcknowledgedWrite) {
  const std::vector<ClientOp> ops{put(1, "a", 0, 10), put(2, "b", 20, 30, /*known=*/false)};
  EXPECT_EQ(lost_acknowledged_writes(ops, {final_read("")}).size(), 1u);
}

TEST(LostAcknowledgedWrites, ConcurrentWritesMayEndInEitherOrder) {
  const std::vector<ClientOp> ops{put(1, "a", 0, 30), put(2, "b", 10, 20)};
  EXPECT_TRUE(lost_acknowledged_writes(ops, {final_read("a")}).empty());
  EXPECT_TRUE(lost_acknowledged_writes(ops, {final_read("b")}).empty());
}

TEST(SplitCommand, SplitsLikeAShellWithoutRunningAnything) {
  std::string error;
  EXPECT_EQ(split_command("python3 'my node.py' --bug x", error),
            (std::vector<std::string>{"python3", "my node.py", "--bug", "x"}));
  EXPECT_EQ(error, "");
  EXPECT_TRUE(split_command("node $(rm -rf /)", error).empty());
  EXPECT_EQ(error, "command substitution is not allowed");
  EXPECT_TRUE(split_command("node 'open", error).empty());
  EXPECT_TRUE(split_command("   ", error).empty());
  EXPECT_EQ(error, "an empty command");
}

}  // namespace
}  // namespace raftsim::external

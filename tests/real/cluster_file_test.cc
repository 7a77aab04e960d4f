// The cluster file: what a valid one means, and that every mistake is named with its place.
#include "real/cluster_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace raftsim::real {
namespace {

namespace fs = std::filesystem;

class ClusterFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "raftsim-clusterfile-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::variant<ClusterFile, std::string> read(const std::string& text) {
    const std::string path = dir_ + "/cluster.yaml";
    std::ofstream(path) << text;
    return read_cluster_file(path);
  }
  std::string error(const std::string& text) {
    auto got = read(text);
    return std::holds_alternative<std::string>(got) ? std::get<std::string>(got) : "(accepted)";
  }

  std::string dir_;
};

TEST_F(ClusterFileTest, ReadsNodesSortedByIdWithDefaults) {
  auto got = read(
      "cluster_id: c1\n"
      "nodes:\n"
      "  - {id: 2, address: 127.0.0.1:7002}\n"
      "  - {id: 1, name: alpha, address: 127.0.0.1:7001, control: 127.0.0.1:7101}\n");
  ASSERT_TRUE(std::holds_alternative<ClusterFile>(got)) << std::get<std::string>(got);
  const ClusterFile& c = std::get<ClusterFile>(got);
  EXPECT_EQ(c.cluster_id, "c1");
  EXPECT_EQ(c.tick_ms, 25);
  ASSERT_EQ(c.nodes.size(), 2u);
  EXPECT_EQ(c.nodes[0].name, "alpha");
  EXPECT_EQ(c.nodes[1].name, "n2");
  EXPECT_EQ(ClusterFile::control_address(c.nodes[0]), "127.0.0.1:7101");
  EXPECT_EQ(ClusterFile::control_address(c.nodes[1]), "127.0.0.1:7002");
  EXPECT_EQ(c.find("alpha"), &c.nodes[0]);
  EXPECT_EQ(c.find("2"), &c.nodes[1]);
}

TEST_F(ClusterFileTest, FormatReadsBackTheSame) {
  ClusterFile c;
  c.cluster_id = "raftsim-1";
  c.tick_ms = 40;
  c.snapshot_every = 500;
  c.vote_lease = true;
  c.max_entries_per_append = 8;
  c.max_appends_per_round = 3;
  c.nodes = {{raft::NodeId{1}, "n1", "127.0.0.1:1", ""},
             {raft::NodeId{2}, "n2", "127.0.0.1:2", "127.0.0.1:3"}};
  auto got = read(format_cluster_file(c));
  ASSERT_TRUE(std::holds_alternative<ClusterFile>(got));
  EXPECT_EQ(std::get<ClusterFile>(got).tick_ms, 40);
  EXPECT_EQ(std::get<ClusterFile>(got).nodes[1].control, "127.0.0.1:3");
  EXPECT_EQ(std::get<ClusterFile>(got).snapshot_every, 500u);
  EXPECT_TRUE(std::get<ClusterFile>(got).vote_lease);
  EXPECT_EQ(std::get<ClusterFile>(got).max_entries_per_append, 8u);
  EXPECT_EQ(std::get<ClusterFile>(got).max_appends_per_round, 3u);
}

// A file that does not name the flow-control limits gets the core's own.
TEST_F(ClusterFileTest, FlowControlDefaultsToTheCoresOwn) {
  auto fresh = read("cluster_id: c\nnodes:\n  - {id: 1, address: 127.0.0.1:1}\n");
  ASSERT_TRUE(std::holds_alternative<ClusterFile>(fresh));
  EXPECT_EQ(std::get<ClusterFile>(fresh).max_entries_per_append,
            raft::Config{}.max_entries_per_append);
  EXPECT_EQ(std::get<ClusterFile>(fresh).max_appends_per_round,
            raft::Config{}.max_appends_per_round);
  EXPECT_FALSE(std::get<ClusterFile>(fresh).vote_lease);
  EXPECT_EQ(format_cluster_file(std::get<ClusterFile>(fresh)).find("max_"), std::string::npos);
}

TEST_F(ClusterFileTest, SnapshotsAreOnByDefaultAndCanBeSwitchedOff) {
  auto fresh = read("cluster_id: c\nnodes:\n  - {id: 1, address: 127.0.0.1:1}\n");
  ASSERT_TRUE(std::holds_alternative<ClusterFile>(fresh));
  EXPECT_EQ(std::get<ClusterFile>(fresh).snapshot_every, kDefaultSnapshotEvery);
  auto never =
      read("cluster_id: c\nsnapshot_every: 0\nnodes:\n  - {id: 1, address: 127.0.0.1:1}\n");
  ASSERT_TRUE(std::holds_alternative<ClusterFile>(never));
  EXPECT_EQ(std::get<ClusterFile>(never).snapshot_every, 0u);
}

TEST_F(ClusterFileTest, MistakesAreNamedWithTheirPlace) {
  const std::string path = dir_ + "/cluster.yaml";
  EXPECT_EQ(error("cluster_id: c\nnodes: []\nnodez: 1\n"), path + ":3:1: unknown key 'nodez'");
  EXPECT_EQ(error("nodes:\n  - {id: 1, address: 127.0.0.1:1}\n"),
            path + ": cluster_id is required");
  EXPECT_EQ(error("cluster_id: c\nnodes:\n  - {id: 1, address: 127.0.0.1}\n"),
            path + ":3:22: address '127.0.0.1' is not host:port");
  EXPECT_EQ(error("cluster_id: c\nnodes:\n  - {id: 1, address: 127.0.0.1:1}\n"
                  "  - {id: 1, address: 127.0.0.1:2}\n"),
            path + ":4:5: duplicate id 1");
  EXPECT_NE(
      error("cluster_id: c\nnodes:\n  - {id: 1, address: 10.0.0.1:1}\n").find("must be loopback"),
      std::string::npos);
  EXPECT_NE(error("cluster_id: [unclosed\n").find(path + ":"), std::string::npos);
  EXPECT_EQ(error("cluster_id: c\nsnapshot_every: -1\nnodes:\n  - {id: 1, address: 127.0.0.1:1}\n"),
            path + ":2:17: snapshot_every must be in 0..1000000000 (0: never)");
  EXPECT_EQ(error("cluster_id: c\nmax_appends_per_round: 0\nnodes:\n"
                  "  - {id: 1, address: 127.0.0.1:1}\n"),
            path + ":2:24: max_appends_per_round must be in 1..1048576");
  EXPECT_EQ(error("cluster_id: c\nmax_entries_per_append: 2000000\nnodes:\n"
                  "  - {id: 1, address: 127.0.0.1:1}\n"),
            path + ":2:25: max_entries_per_append must be in 1..1048576");
  auto missing = read_cluster_file(dir_ + "/missing.yaml");
  ASSERT_TRUE(std::holds_alternative<std::string>(missing));
  EXPECT_EQ(std::get<std::string>(missing), dir_ + "/missing.yaml: cannot read the cluster file");
}

TEST_F(ClusterFileTest, BootstrapSaysWhoStartsAsAMember) {
  auto got = read(
      "cluster_id: c\nnodes:\n  - {id: 1, address: 127.0.0.1:1}\n"
      "  - {id: 2, address: 127.0.0.1:2, bootstrap: learner}\n"
      "  - {id: 3, address: 127.0.0.1:3, bootstrap: spare}\n");
  ASSERT_TRUE(std::holds_alternative<ClusterFile>(got)) << std::get<std::string>(got);
  const ClusterFile& c = std::get<ClusterFile>(got);
  EXPECT_EQ(c.bootstrap(Bootstrap::kVoter), std::vector<raft::NodeId>{raft::NodeId{1}});
  EXPECT_EQ(c.bootstrap(Bootstrap::kLearner), std::vector<raft::NodeId>{raft::NodeId{2}});
  EXPECT_EQ(c.bootstrap(Bootstrap::kSpare), std::vector<raft::NodeId>{raft::NodeId{3}});
  auto again = read(format_cluster_file(c));
  ASSERT_TRUE(std::holds_alternative<ClusterFile>(again));
  EXPECT_EQ(std::get<ClusterFile>(again).nodes[2].bootstrap, Bootstrap::kSpare);

  const std::string path = dir_ + "/cluster.yaml";
  EXPECT_EQ(error("cluster_id: c\nnodes:\n  - {id: 1, address: 127.0.0.1:1, bootstrap: boss}\n"),
            path + ":3:46: bootstrap must be voter, learner or spare, not 'boss'");
  EXPECT_EQ(error("cluster_id: c\nnodes:\n  - {id: 1, address: 127.0.0.1:1, bootstrap: spare}\n"),
            path + ":3:3: no node is a voter (bootstrap: voter, the default)");
}

// TLS files are named relative to the cluster file and come as a set of three; with TLS every
// node's control service needs its own (plaintext) port.
TEST_F(ClusterFileTest, TlsNamesThreeFilesRelativeToItAndNeedsControlPorts) {
  const std::string path = dir_ + "/cluster.yaml";
  auto got = read(
      "cluster_id: c\ntls: {cert: certs/n.pem, key: certs/n.key, ca: /etc/ca.pem}\nnodes:\n"
      "  - {id: 1, address: 127.0.0.1:1, control: 127.0.0.1:2}\n");
  ASSERT_TRUE(std::holds_alternative<ClusterFile>(got)) << std::get<std::string>(got);
  const TlsFiles& tls = std::get<ClusterFile>(got).tls;
  EXPECT_EQ(tls.cert, dir_ + "/certs/n.pem");
  EXPECT_EQ(tls.key, dir_ + "/certs/n.key");
  EXPECT_EQ(tls.ca, "/etc/ca.pem");
  auto again = read(format_cluster_file(std::get<ClusterFile>(got)));
  ASSERT_TRUE(std::holds_alternative<ClusterFile>(again));
  EXPECT_EQ(std::get<ClusterFile>(again).tls.cert, tls.cert);

  EXPECT_EQ(error("cluster_id: c\ntls: {cert: a, key: b}\nnodes:\n"
                  "  - {id: 1, address: 127.0.0.1:1, control: 127.0.0.1:2}\n"),
            path + ":2:6: tls needs exactly cert, key and ca (paths to PEM files)");
  EXPECT_EQ(error("cluster_id: c\ntls: {cert: a, key: b, ca: c}\nnodes:\n"
                  "  - {id: 1, address: 127.0.0.1:1}\n"),
            path +
                ":4:5: with tls every node needs its own `control` address (plaintext, "
                "loopback)");
}

}  // namespace
}  // namespace raftsim::real

// Real processes under faults the control service drives (clogs, links given out to every node),
// and `raftsim kv` finding the cluster `raftsim cluster` started. Every wait is on a condition the
// nodes report (Status), never on a fixed time: a slow machine only makes the test slower.
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include "cli_process.h"
#include "raftsim.grpc.pb.h"
#include "real/cluster_control.h"
#include "real/kv_client.h"
#include "real/launcher.h"
#include "real/tls.h"

namespace raftsim::real {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

class RealFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "raftsim-faults-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }

  void TearDown() override {
    if (launcher_) launcher_->down();
    if (HasFailure() && fs::exists(cluster_dir_ + "/logs")) {
      for (const auto& entry : fs::directory_iterator(cluster_dir_ + "/logs")) {
        std::stringstream text;
        text << std::ifstream(entry.path()).rdbuf();
        std::string log = text.str();
        if (log.size() > 4000) log = "..." + log.substr(log.size() - 4000);
        std::cerr << "---- " << entry.path() << "\n" << log << "\n";
      }
    } else {
      fs::remove_all(dir_);
    }
  }

  // Starts `nodes` nodes in `cluster_dir` (default: DIR itself) and waits for a leader.
  void up(int nodes, const std::string& cluster_dir = "", ClusterFile shape = {}) {
    cluster_dir_ = cluster_dir.empty() ? dir_ : cluster_dir;
    launcher_.emplace(cluster_dir_, RAFTSIM_BINARY);
    launcher_->set_tie_to_parent(true);  // no node outlives a crashed test
    const LaunchResult r = launcher_->up(nodes, shape);
    ASSERT_TRUE(r.ok()) << r.error;
    auto file = read_cluster_file(launcher_->cluster_path());
    ASSERT_TRUE(std::holds_alternative<ClusterFile>(file));
    cluster_ = std::get<ClusterFile>(file);
  }

  CliResult cli(const std::vector<std::string>& args, const std::string& cwd = "") {
    return run_raftsim(args, cwd.empty() ? dir_ : cwd, dir_ + "/cli-output.txt");
  }

  // Each node's status by name; a node that does not answer is missing.
  std::map<std::string, v1::StatusReply> status() {
    std::map<std::string, v1::StatusReply> out;
    for (const NodeStatus& s : launcher_->status())
      if (s.reply) out[s.member.name] = *s.reply;
    return out;
  }

  // Polls until `holds` is true of the cluster's status, or `within` has passed.
  bool wait_until(const std::function<bool(const std::map<std::string, v1::StatusReply>&)>& holds,
                  std::chrono::seconds within = 30s) {
    for (const Clock::time_point deadline = Clock::now() + within; Clock::now() < deadline;
         std::this_thread::sleep_for(20ms))
      if (holds(status())) return true;
    return false;
  }

  // Sets whether `from` holds what it sends to `to`: that one link's filter, nothing else.
  grpc::Status clog(const std::string& from, const std::string& to, bool clogged) {
    v1::SetLinkFilterRequest request;
    v1::LinkFilter* filter = request.add_filters();
    filter->set_peer(cluster_.find(to)->id.value);
    filter->set_clog_to(clogged);
    auto stub = v1::Control::NewStub(grpc::CreateChannel(
        ClusterFile::control_address(*cluster_.find(from)), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    v1::ControlReply reply;
    return stub->SetLinkFilter(&context, request, &reply);
  }

  std::string dir_, cluster_dir_;
  std::optional<Launcher> launcher_;
  ClusterFile cluster_;
};

// A node process that stood still (here SIGSTOP; on a loaded machine, the scheduler) says so in
// its Status: a judge of wall-clock promises needs to know (real/stall_watch.h).
TEST_F(RealFaultsTest, ANodeThatStoodStillReportsHowLong) {
  up(3);
  const auto micros = [](Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  };
  ASSERT_TRUE(launcher_->pause("n2").ok());
  std::this_thread::sleep_for(400ms);
  const Clock::time_point resumed = Clock::now();
  ASSERT_TRUE(launcher_->resume("n2").ok());
  v1::Stall stall;
  ASSERT_TRUE(wait_until([&](const auto& nodes) {
    auto it = nodes.find("n2");
    if (it == nodes.end() || it->second.stalls().empty()) return false;
    stall = *std::max_element(it->second.stalls().begin(), it->second.stalls().end(),
                              [](const v1::Stall& a, const v1::Stall& b) {
                                return a.ended_us() - a.began_us() < b.ended_us() - b.began_us();
                              });
    return true;
  })) << "n2 never reported its stop";
  // The tick due during the stop ran after the resume; it was due at most a tick (10ms by
  // default) after the stop took effect, which a loaded machine may delay a little.
  EXPECT_GE(stall.ended_us(), micros(resumed));
  EXPECT_LT(stall.began_us(), micros(resumed));
  EXPECT_GE(stall.ended_us() - stall.began_us(), 300'000);
}

// A link fault is in effect once every node has its links. A node that does not answer while they
// are given out (here SIGSTOP outside the timeline; on a loaded machine, the scheduler) is asked
// again until it does, and the fault took effect only then; one that never answers is named.
// Leaving either unsaid would let the minority of a partition that reached one end only hear the
// majority, and a run judge that as the minority's doing.
TEST_F(RealFaultsTest, LinksReachANodeThatAnswersLateAndOneThatNeverDoesIsNamed) {
  up(3);
  scenario::Scenario s;
  s.world.node_names = {"n1", "n2", "n3"};
  ClusterControl control(s, *launcher_, cluster_);
  ASSERT_TRUE(control.start());
  EXPECT_FALSE(control.take_link_delivery());  // start() is no link fault

  ASSERT_TRUE(launcher_->pause("n3").ok());
  Clock::time_point resumed;
  std::thread resume([&] {
    std::this_thread::sleep_for(700ms);  // past one control call's deadline (500ms)
    resumed = Clock::now();
    ASSERT_TRUE(launcher_->resume("n3").ok());
  });
  scenario::Fault partition;
  partition.kind = scenario::FaultKind::kPartition;
  partition.groups = {{1, 2}, {3}};
  std::optional<scenario::Fault> undo;
  EXPECT_EQ(control.apply(partition, undo), "");
  resume.join();
  std::optional<ClusterControl::LinkDelivery> delivery = control.take_link_delivery();
  ASSERT_TRUE(delivery);
  EXPECT_TRUE(delivery->missed.empty());
  EXPECT_GE(delivery->in_place, resumed);
  EXPECT_FALSE(control.take_link_delivery());  // told once
  const std::map<std::string, v1::StatusReply> now = status();
  ASSERT_TRUE(now.contains("n3"));
  EXPECT_EQ(
      std::vector<uint32_t>(now.at("n3").blocked_to().begin(), now.at("n3").blocked_to().end()),
      (std::vector<uint32_t>{1, 2}));

  ASSERT_TRUE(launcher_->pause("n3").ok());
  scenario::Fault heal;
  heal.kind = scenario::FaultKind::kHeal;
  EXPECT_EQ(control.apply(heal, undo), "n3 did not take its new links");
  delivery = control.take_link_delivery();
  ASSERT_TRUE(launcher_->resume("n3").ok());
  ASSERT_TRUE(delivery);
  EXPECT_EQ(delivery->missed, (std::vector<uint32_t>{3}));
}

// A clog holds what a node sends on a link and sends it all when unclogged, as in the simulated
// network. Every link into one follower is clogged: writes commit through the other two, while
// the follower's log stays short of them (no entry written after the clog can reach it) and its
// senders hold messages for it. Unclogged, it catches up, and what was held was sent, not
// dropped. Ignoring the clog would let its log grow; dropping instead of holding would count
// the held messages as dropped.
TEST_F(RealFaultsTest, AClogHoldsALinksMessagesAndReleasesThemTogether) {
  up(3);
  std::string lead;
  ASSERT_TRUE(wait_until([&](const auto& nodes) {
    for (const auto& [name, s] : nodes)
      if (s.role() == "leader") lead = name;
    return nodes.size() == 3 && !lead.empty();
  }));
  const std::string deaf = lead == "n3" ? "n2" : "n3";
  std::vector<std::string> senders;
  for (const ClusterMember& m : cluster_.nodes)
    if (m.name != deaf) senders.push_back(m.name);
  for (const std::string& from : senders)
    ASSERT_TRUE(clog(from, deaf, true).ok());

  KvClient client(cluster_, random_client_id());
  for (int i = 0; i < 5; ++i) {
    const KvOutcome put = client.run(node::KvOp::kPut, "k", std::to_string(i));
    ASSERT_EQ(put.kind, KvOutcome::Kind::kOk) << put.detail;
  }
  uint64_t last_put = 0;  // an index no message sent before the clog could carry
  for (const auto& [name, s] : status())
    last_put = std::max(last_put, s.commit());
  uint64_t dropped_before = 0;
  ASSERT_TRUE(wait_until([&](const auto& nodes) {
    uint64_t held = 0;
    dropped_before = 0;
    for (const std::string& from : senders) {
      if (!nodes.contains(from)) return false;
      held += nodes.at(from).held_messages();
      dropped_before += nodes.at(from).dropped_messages();
    }
    return held > 0;
  }));
  auto now = status();
  ASSERT_TRUE(now.contains(deaf));
  EXPECT_LT(now.at(deaf).last_log_index(), last_put);
  for (const std::string& from : senders) {
    ASSERT_TRUE(now.contains(from));
    EXPECT_EQ(now.at(from).clogged_to_size(), 1);
  }

  for (const std::string& from : senders)
    ASSERT_TRUE(clog(from, deaf, false).ok());
  EXPECT_TRUE(wait_until([&](const auto& nodes) {
    return nodes.contains(deaf) && nodes.at(deaf).applied() >= last_put;
  }));
  now = status();
  uint64_t held_after = 0, dropped_after = 0;
  for (const std::string& from : senders) {
    ASSERT_TRUE(now.contains(from));
    held_after += now.at(from).held_messages();
    dropped_after += now.at(from).dropped_messages();
    EXPECT_EQ(now.at(from).clogged_to_size(), 0);
  }
  EXPECT_EQ(held_after, 0u);
  EXPECT_EQ(dropped_after, dropped_before);
}

// A leader cut off with one follower goes on leading its minority (without check-quorum), and
// that follower goes on naming it. A client that tried the deposed leader and then its follower
// must not be sent back and forth between the two: it moves on round the ring to the majority,
// which has elected a new leader, and its write is done there.
TEST_F(RealFaultsTest, AClientLeavesADeposedLeaderThatItsFollowerStillNames) {
  ClusterFile shape;
  shape.check_quorum = false;  // with it, the cut-off leader would soon step down
  up(5, "", shape);
  std::string lead;
  ASSERT_TRUE(wait_until([&](const auto& nodes) {
    for (const auto& [name, s] : nodes)
      if (s.role() == "leader") lead = name;
    return nodes.size() == 5 && !lead.empty();
  }));
  KvClientOptions quick;
  quick.attempt_timeout = 300ms;
  quick.total_timeout = 60s;  // ample on a loaded machine; the client it tests is done in seconds
  KvClient client(cluster_, random_client_id(), quick);
  // The first write finds the leader: the client's next request goes to it first.
  const KvOutcome before = client.run(node::KvOp::kPut, "k", "before");
  ASSERT_EQ(before.kind, KvOutcome::Kind::kOk) << before.detail;
  ASSERT_EQ(status().at(lead).role(), "leader");

  // The follower next round the ring from the leader stays with it: after the leader times out,
  // the ring leads the client to that follower, which names the leader again.
  size_t at = 0;
  while (cluster_.nodes[at].name != lead)
    ++at;
  const std::string follower = cluster_.nodes[(at + 1) % cluster_.nodes.size()].name;
  std::vector<std::string> majority;
  for (const ClusterMember& m : cluster_.nodes)
    if (m.name != lead && m.name != follower) majority.push_back(m.name);
  for (const std::string& a : {lead, follower}) {
    for (const std::string& b : majority) {
      ASSERT_TRUE(clog(a, b, true).ok());
      ASSERT_TRUE(clog(b, a, true).ok());
    }
  }
  std::string successor;
  ASSERT_TRUE(wait_until([&](const auto& nodes) {
    for (const std::string& name : majority)
      if (nodes.contains(name) && nodes.at(name).role() == "leader") successor = name;
    return !successor.empty();
  }));

  const KvOutcome during = client.run(node::KvOp::kPut, "k", "during");
  EXPECT_EQ(during.kind, KvOutcome::Kind::kOk) << during.detail;
  const auto now = status();
  ASSERT_TRUE(now.contains(lead) && now.contains(follower));
  EXPECT_EQ(now.at(lead).role(), "leader") << "the minority's leader was to lead on";
  EXPECT_EQ(now.at(follower).leader(), cluster_.find(lead)->id.value)
      << "the follower was to name the minority's leader";
}

// `raftsim kv` finds the cluster `raftsim cluster` manages: ./raftsim-cluster by default, another
// directory with --dir, or a cluster file with --cluster (not both); no cluster is bad input.
TEST_F(RealFaultsTest, KvFindsTheClusterByItsDirectory) {
  up(3, dir_ + "/raftsim-cluster");
  CliResult r = cli({"kv", "put", "k", "v"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = cli({"kv", "get", "k", "--dir", dir_ + "/raftsim-cluster"}, "/");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "v\n");
  r = cli({"kv", "get", "k", "--cluster", launcher_->cluster_path()}, "/");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "v\n");

  r = cli({"kv", "get", "k", "--dir", dir_, "--cluster", launcher_->cluster_path()});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  r = cli({"kv", "get", "k"}, dir_ + "/raftsim-cluster");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("./raftsim-cluster: no cluster here"), std::string::npos) << r.output;
}

// A throwaway CA and certificates signed by it (scripts/tls-certs.sh), in `dir`.
TlsPems make_certificates(const std::string& dir, const std::string& name) {
  const std::string command =
      std::string(RAFTSIM_SOURCE_DIR) + "/scripts/tls-certs.sh " + dir + " " + name;
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  auto pems = load_tls({dir + "/" + name + ".pem", dir + "/" + name + ".key", dir + "/ca.pem"});
  EXPECT_TRUE(std::holds_alternative<std::optional<TlsPems>>(pems));
  auto* loaded = std::get_if<std::optional<TlsPems>>(&pems);
  return loaded && *loaded ? **loaded : TlsPems{};
}

// With mutual TLS the nodes elect a leader and serve `raftsim kv` (which takes the cluster file's
// certificate, or its own with --tls-*). A caller without a valid certificate — none at all, or
// one another CA signed — is refused, client or peer, and each refusal is counted. A client
// that does not trust the cluster's CA refuses the node in turn.
TEST_F(RealFaultsTest, MutualTlsServesCertifiedCallersAndRefusesAndCountsOthers) {
  const std::string certs = dir_ + "/certs", rogue = dir_ + "/rogue";
  const TlsPems node = make_certificates(certs, "node");
  make_certificates(certs + "-client", "client");  // a second CA: used only for its client
  const TlsPems stranger = make_certificates(rogue, "node");
  ClusterFile shape;
  shape.tls = {certs + "/node.pem", certs + "/node.key", certs + "/ca.pem"};
  up(3, dir_ + "/cluster", shape);
  ASSERT_TRUE(cluster_.tls.enabled());
  ASSERT_FALSE(cluster_.nodes[0].control.empty());

  CliResult r = cli({"kv", "put", "k", "v", "--dir", cluster_dir_});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = cli({"kv", "get", "k", "--dir", cluster_dir_, "--tls-cert", certs + "/node.pem", "--tls-key",
           certs + "/node.key", "--tls-ca", certs + "/ca.pem"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "v\n");
  // Its certificate is signed by a CA the nodes do not know: refused (4: nothing was done).
  r = cli({"kv", "put", "k", "w", "--dir", cluster_dir_, "--timeout-ms", "1000", "--tls-cert",
           certs + "-client/client.pem", "--tls-key", certs + "-client/client.key", "--tls-ca",
           certs + "/ca.pem"});
  EXPECT_EQ(r.exit_code, 4) << r.output;
  r = cli({"kv", "put", "k", "w", "--dir", cluster_dir_, "--tls-cert", certs + "/node.pem"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--tls-key is missing"), std::string::npos) << r.output;

  const ClusterMember& n1 = cluster_.nodes[0];
  auto refused_by_n1 = [&] {
    const auto nodes = status();
    return nodes.contains("n1") ? nodes.at("n1").refused_callers() : uint64_t{0};
  };
  const uint64_t refused_before = refused_by_n1();
  auto put = [&](const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
    auto stub = v1::Kv::NewStub(grpc::CreateChannel(n1.address, credentials));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    v1::KvRequest request;
    request.set_client_id(7);
    request.set_seq(1);
    request.set_key("k");
    request.set_value("x");
    v1::KvReply reply;
    return stub->Put(&context, request, &reply);
  };
  // TLS without a certificate.
  grpc::SslCredentialsOptions anonymous;
  anonymous.pem_root_certs = node.ca;
  EXPECT_EQ(put(grpc::SslCredentials(anonymous)).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // A certificate of another CA, the node's own checked against the right one.
  const TlsPems rogue_client{stranger.cert, stranger.key, node.ca};
  EXPECT_EQ(put(channel_credentials(rogue_client)).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // A peer with that certificate: its stream is refused before a batch is taken.
  {
    auto stub =
        v1::RaftPeer::NewStub(grpc::CreateChannel(n1.address, channel_credentials(rogue_client)));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    v1::RaftBatchReply reply;
    auto stream = stub->Stream(&context, &reply);
    v1::RaftBatch batch;
    batch.set_cluster_id(cluster_.cluster_id);
    stream->Write(batch);
    stream->WritesDone();
    EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  EXPECT_GE(refused_by_n1(), refused_before + 3);
  // A client that trusts another CA does not talk to the nodes at all.
  EXPECT_EQ(put(channel_credentials(stranger)).error_code(), grpc::StatusCode::UNAVAILABLE);
  // Nor does one that speaks plaintext.
  EXPECT_EQ(put(grpc::InsecureChannelCredentials()).error_code(), grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace raftsim::real

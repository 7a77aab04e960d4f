// Real processes: a 3-node cluster of `raftsim node` processes on localhost, started and crashed
// through the `raftsim cluster` command, driven by in-process clients whose history must be
// linearizable and whose acknowledged writes must all survive a SIGKILL of the leader.
#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "check/history.h"
#include "check/linearizability.h"
#include "cli_process.h"
#include "raftsim.grpc.pb.h"
#include "real/kv_client.h"
#include "real/launcher.h"
#include "real/wire.h"

namespace raftsim::real {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Runs `raftsim ARGS...` in `dir`, bounded in time.
CliResult raftsim(const std::vector<std::string>& args, const std::string& dir,
                  std::chrono::seconds timeout = 60s) {
  return run_raftsim(args, dir, dir + "/cli-output.txt", timeout);
}

class RealClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Node processes are orphaned by `raftsim cluster`; as subreaper we inherit and reap them.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    std::string pattern = (fs::temp_directory_path() / "raftsim-cluster-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    started_ = Clock::now();
  }

  void TearDown() override {
    // Even when the test failed: no process may be left behind.
    Launcher launcher(dir_, RAFTSIM_BINARY);
    std::vector<int> pids = launcher.pids();
    raftsim({"cluster", "down", "--dir", dir_}, dir_, 30s);
    for (int pid : pids)
      ::kill(pid, SIGKILL);
    for (int pid : pids) {
      const Clock::time_point deadline = Clock::now() + 10s;
      while (Clock::now() < deadline && ::kill(pid, 0) == 0) {
        ::waitpid(pid, nullptr, WNOHANG);
        std::this_thread::sleep_for(10ms);
      }
      EXPECT_NE(::kill(pid, 0), 0) << "process " << pid << " is still there";
    }
    // Nodes killed earlier in the test were orphaned to us: reap what is left of them.
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    if (HasFailure()) {
      for (const auto& entry : fs::directory_iterator(dir_ + "/logs")) {
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        std::string log = text.str();
        if (log.size() > 4000) log = "..." + log.substr(log.size() - 4000);
        std::cerr << "---- " << entry.path() << "\n" << log << "\n";
      }
    } else {
      fs::remove_all(dir_);
    }
  }

  void up(int nodes, std::vector<std::string> options = {}) {
    std::vector<std::string> args = {"cluster", "up", "-n", std::to_string(nodes), "--dir", dir_};
    args.insert(args.end(), options.begin(), options.end());
    CliResult r = raftsim(args, dir_);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    ASSERT_NE(r.output.find("leader: "), std::string::npos) << r.output;
    auto cluster = read_cluster_file(dir_ + "/cluster.yaml");
    ASSERT_TRUE(std::holds_alternative<ClusterFile>(cluster));
    cluster_ = std::get<ClusterFile>(cluster);
  }

  // The name of the node that is leader, waiting (bounded) for one.
  std::string leader(std::chrono::seconds within = 20s) {
    Launcher launcher(dir_, RAFTSIM_BINARY);
    const Clock::time_point deadline = Clock::now() + within;
    while (Clock::now() < deadline) {
      for (const NodeStatus& s : launcher.status())
        if (s.reply && s.reply->role() == "leader") return s.member.name;
      std::this_thread::sleep_for(100ms);
    }
    return "";
  }

  // Appends "0;", "1;", ... to the key "log", each acknowledged: what the key must then hold, or
  // nothing (and a failure) once one is not.
  static std::optional<std::string> append_tokens(KvClient& client, int count) {
    std::string expected;
    for (int i = 0; i < count; ++i) {
      const std::string token = std::to_string(i) + ";";
      const KvOutcome outcome = client.run(node::KvOp::kAppend, "log", token);
      if (outcome.kind != KvOutcome::Kind::kOk) {
        ADD_FAILURE() << "append " << i << ": " << outcome.detail;
        return std::nullopt;
      }
      expected += token;
    }
    return expected;
  }

  check::Time now() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - started_).count();
  }

  std::string dir_;
  ClusterFile cluster_;
  Clock::time_point started_;
};

// One client thread's work: random operations on a few keys, each recorded with its invoke and
// complete times and its outcome, until told to stop.
class Worker {
 public:
  Worker(const ClusterFile& cluster, check::ClientId id, std::function<check::Time()> now)
      : client_(cluster, random_client_id(), options()),
        id_(id),
        now_(std::move(now)),
        rng_(static_cast<uint64_t>(id) * 7919) {}

  void run(const std::atomic<bool>& stop) {
    while (!stop) {
      step();
      // The linearizability check's work grows with the history: a pause keeps it to a few
      // thousand operations however fast the cluster answers.
      std::this_thread::sleep_for(5ms);
    }
  }

  std::vector<check::Operation> ops;
  std::vector<std::pair<std::string, std::string>> acked_appends;  // (key, token)
  std::atomic<size_t> acknowledged{0};  // operations that completed ok; read while running

 private:
  static KvClientOptions options() {
    KvClientOptions o;
    o.attempt_timeout = 1000ms;
    o.total_timeout = 4000ms;
    return o;
  }

  // Keys "x" and "y" only ever see appends (and reads), so every acknowledged append must be in
  // their final value; "z" takes puts and a cas.
  void step() {
    const std::string token = fmt::format("{}.{};", id_, ++n_);
    const int pick = static_cast<int>(rng_() % 10);
    const std::string key = pick < 7 ? (rng_() % 2 ? "x" : "y") : "z";
    const check::Time invoke = now_();
    if (pick < 2 || pick == 7) {
      KvOutcome o = client_.run(node::KvOp::kGet, key);
      if (o.kind == KvOutcome::Kind::kOk) {
        ops.push_back(check::kv_get(id_, key, o.result.value, invoke, now_()));
        ++acknowledged;
      }
      return;  // a failed read constrains nothing
    }
    if (pick < 7) {
      KvOutcome o = client_.run(node::KvOp::kAppend, key, token);
      ops.push_back(check::kv_append(id_, key, token, invoke, now_(), outcome(o)));
      if (o.kind == KvOutcome::Kind::kOk) {
        acked_appends.emplace_back(key, token);
        ++acknowledged;
      }
      return;
    }
    if (pick < 9) {
      KvOutcome o = client_.run(node::KvOp::kPut, key, token);
      ops.push_back(check::kv_put(id_, key, token, invoke, now_(), outcome(o)));
      if (o.kind == KvOutcome::Kind::kOk) ++acknowledged;
      last_put_ = token;
      return;
    }
    // A cas from the value this client last put; succeeds only if no one put since.
    KvOutcome o = client_.run(node::KvOp::kCas, key, token, last_put_);
    ops.push_back(
        check::kv_cas(id_, key, last_put_, token, o.result.ok, invoke, now_(), outcome(o)));
  }

  static check::Outcome outcome(const KvOutcome& o) {
    switch (o.kind) {
      case KvOutcome::Kind::kOk:
        return check::Outcome::ok;
      case KvOutcome::Kind::kNotDone:
        return check::Outcome::fail;
      case KvOutcome::Kind::kUnknown:
        return check::Outcome::unknown;
    }
    return check::Outcome::unknown;
  }

  KvClient client_;
  check::ClientId id_;
  std::function<check::Time()> now_;
  std::mt19937_64 rng_;
  uint64_t n_ = 0;
  std::string last_put_;
};

TEST_F(RealClusterTest, LeaderCrashLosesNoAcknowledgedWriteAndHistoryIsLinearizable) {
  up(3);
  std::atomic<bool> stop{false};
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::thread> threads;
  for (int i = 1; i <= 3; ++i) {
    workers.push_back(std::make_unique<Worker>(cluster_, i, [this] { return now(); }));
  }
  for (auto& w : workers)
    threads.emplace_back([&w, &stop] { w->run(stop); });
  auto finish = [&] {
    stop = true;
    for (std::thread& t : threads)
      if (t.joinable()) t.join();
  };

  // The test moves on when the clients have made progress, never after a fixed time: a loaded
  // machine or a sanitizer build slows every step.
  auto acknowledged = [&] {
    size_t n = 0;
    for (auto& w : workers)
      n += w->acknowledged;
    return n;
  };
  auto await_acknowledged = [&](size_t target) {
    for (const Clock::time_point deadline = Clock::now() + 60s; Clock::now() < deadline;
         std::this_thread::sleep_for(20ms))
      if (acknowledged() >= target) return true;
    return false;
  };

  if (!await_acknowledged(20)) finish();
  ASSERT_GE(acknowledged(), 20u) << "the clients made no progress before the crash";
  const std::string first = leader();
  ASSERT_FALSE(first.empty()) << "no leader";
  CliResult killed = raftsim({"cluster", "kill", first, "--dir", dir_}, dir_);
  if (killed.exit_code != 0) finish();
  ASSERT_EQ(killed.exit_code, 0) << killed.output;

  const std::string second = leader();
  EXPECT_FALSE(second.empty());
  EXPECT_NE(second, first);
  // Writes go on under the new leader, and again once the old one is back as a follower.
  const size_t at_second_leader = acknowledged();
  const bool continued = await_acknowledged(at_second_leader + 10);
  CliResult restarted = raftsim({"cluster", "restart", first, "--dir", dir_}, dir_);
  EXPECT_EQ(restarted.exit_code, 0) << restarted.output;
  const bool continued_after_restart = await_acknowledged(acknowledged() + 10);
  finish();
  EXPECT_TRUE(continued) << "no writes acknowledged under the new leader " << second;
  EXPECT_TRUE(continued_after_restart) << "no writes acknowledged after " << first << " restarted";
  const size_t ok_after_kill = acknowledged() - at_second_leader;

  // Every acknowledged append is in the final value of its key, read through the leader.
  KvClient reader(cluster_, random_client_id());
  check::History history;
  for (auto& w : workers)
    history.ops.insert(history.ops.end(), w->ops.begin(), w->ops.end());
  for (const std::string key : {"x", "y", "z"}) {
    const check::Time invoke = now();
    KvOutcome final_read = reader.run(node::KvOp::kGet, key);
    ASSERT_EQ(final_read.kind, KvOutcome::Kind::kOk) << final_read.detail;
    history.ops.push_back(check::kv_get(99, key, final_read.result.value, invoke, now()));
    for (auto& w : workers) {
      for (const auto& [k, token] : w->acked_appends) {
        if (k != key) continue;
        EXPECT_NE(final_read.result.value.find(token), std::string::npos)
            << "acknowledged append " << token << " to " << key << " was lost";
      }
    }
  }

  size_t by_outcome[3] = {0, 0, 0};
  for (const check::Operation& op : history.ops)
    ++by_outcome[static_cast<int>(op.outcome)];
  std::cout << fmt::format(
      "history: {} operations ({} ok, {} failed, {} unknown); {} ok after the kill of {}\n",
      history.ops.size(), by_outcome[0], by_outcome[1], by_outcome[2], ok_after_kill, first);
  const check::CheckResult verdict = check::check_linearizability(history);
  EXPECT_EQ(verdict.verdict, check::Verdict::linearizable) << check::format_result(verdict);

  // The restarted node caught up: every node holds the same log as the leader.
  Launcher launcher(dir_, RAFTSIM_BINARY);
  const Clock::time_point deadline = Clock::now() + 20s;
  bool converged = false;
  std::string table;
  while (!converged && Clock::now() < deadline) {
    std::vector<NodeStatus> status = launcher.status();
    table = Launcher::format_status(status);
    converged = true;
    for (const NodeStatus& s : status) {
      converged = converged && s.reply &&
                  s.reply->last_log_index() == status[0].reply->last_log_index() &&
                  s.reply->commit() == s.reply->last_log_index();
    }
    if (!converged) std::this_thread::sleep_for(200ms);
  }
  EXPECT_TRUE(converged) << table;
}

TEST_F(RealClusterTest, HostileMessagesAreRefusedCountedAndTheNodeKeepsRunning) {
  up(3);
  const ClusterMember& target = cluster_.nodes[0];
  auto channel = grpc::CreateChannel(target.address, grpc::InsecureChannelCredentials());
  auto peer = v1::RaftPeer::NewStub(channel);
  // One stream per batch: the node's answer, sent when the stream ends, counts what it refused.
  auto send = [&](const v1::RaftBatch& batch) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    v1::RaftBatchReply reply;
    auto stream = peer->Stream(&context, &reply);
    EXPECT_TRUE(stream->Write(batch));
    EXPECT_TRUE(stream->WritesDone());
    EXPECT_TRUE(stream->Finish().ok());
    return reply;
  };

  v1::RaftBatch foreign;
  foreign.set_cluster_id("some-other-cluster");
  foreign.add_messages()->set_type(v1::VOTE_REQUEST);
  v1::RaftBatchReply refused = send(foreign);
  EXPECT_EQ(refused.rejected(), 1u);
  EXPECT_EQ(refused.accepted(), 0u);

  v1::RaftBatch malformed;
  malformed.set_cluster_id(cluster_.cluster_id);
  v1::RaftMessage* m = malformed.add_messages();
  m->set_type(static_cast<v1::MessageType>(77));
  m->set_from(2);
  m->set_to(target.id.value);
  m->set_term(1'000'000);
  v1::RaftMessage* gap = malformed.add_messages();
  gap->set_type(v1::APPEND_ENTRIES);
  gap->set_from(2);
  gap->set_to(target.id.value);
  gap->set_term(1'000'000);
  gap->set_prev_log_index(5);
  gap->add_entries()->set_index(9);
  refused = send(malformed);
  EXPECT_EQ(refused.rejected(), 2u);
  EXPECT_EQ(refused.accepted(), 0u);

  auto control = v1::Control::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 10s);
  v1::StatusReply status;
  ASSERT_TRUE(control->Status(&context, v1::StatusRequest{}, &status).ok());
  EXPECT_EQ(status.wrong_cluster(), 1u);
  EXPECT_GE(status.rejected_messages(), 3u);
  // Nothing refused reached the core: no one's term jumped to a million.
  EXPECT_LT(status.term(), 1'000'000u);

  // The cluster still serves writes.
  KvClient client(cluster_, random_client_id());
  EXPECT_EQ(client.run(node::KvOp::kPut, "k", "v").kind, KvOutcome::Kind::kOk);
  KvOutcome read = client.run(node::KvOp::kGet, "k");
  EXPECT_EQ(read.result.value, "v");
}

TEST_F(RealClusterTest, RestartedNodeRecoversItsLogFromDisk) {
  up(3);
  KvClient client(cluster_, random_client_id());
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(client.run(node::KvOp::kAppend, "log", std::to_string(i)).kind, KvOutcome::Kind::kOk);
  // Every node down at once: nothing survives but the disks.
  for (const ClusterMember& m : cluster_.nodes) {
    CliResult r = raftsim({"cluster", "kill", m.name, "--dir", dir_}, dir_);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  for (const ClusterMember& m : cluster_.nodes) {
    CliResult r = raftsim({"cluster", "restart", m.name, "--dir", dir_}, dir_);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  ASSERT_FALSE(leader().empty());
  KvOutcome read = client.run(node::KvOp::kGet, "log");
  ASSERT_EQ(read.kind, KvOutcome::Kind::kOk) << read.detail;
  EXPECT_EQ(read.result.value, "01234");
}

// Log compaction (§7) in real processes: the leader drops the log its snapshot covers, so a
// follower that was down while it did can only catch up through InstallSnapshot; then every node
// restarts from its own snapshot and log, and nothing acknowledged is missing.
TEST_F(RealClusterTest, FollowerBehindTheLeadersSnapshotCatchesUpFromIt) {
  up(3, {"--snapshot-every", "20"});
  const std::string lead = leader();
  ASSERT_FALSE(lead.empty());
  const std::string behind = lead == "n3" ? "n2" : "n3";
  CliResult r = raftsim({"cluster", "kill", behind, "--dir", dir_}, dir_);
  ASSERT_EQ(r.exit_code, 0) << r.output;

  KvClient client(cluster_, random_client_id());
  const std::optional<std::string> expected = append_tokens(client, 60);
  ASSERT_TRUE(expected);
  EXPECT_TRUE(fs::exists(dir_ + "/data/" + lead + "/snapshot"));
  EXPECT_FALSE(fs::exists(dir_ + "/data/" + behind + "/snapshot"));

  r = raftsim({"cluster", "restart", behind, "--dir", dir_}, dir_);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  Launcher launcher(dir_, RAFTSIM_BINARY);
  bool caught_up = false;
  for (const Clock::time_point deadline = Clock::now() + 20s; !caught_up && Clock::now() < deadline;
       std::this_thread::sleep_for(100ms)) {
    uint64_t leader_commit = 0, behind_applied = 0;
    for (const NodeStatus& s : launcher.status()) {
      if (!s.reply) continue;
      if (s.reply->role() == "leader") leader_commit = s.reply->commit();
      if (s.member.name == behind) behind_applied = s.reply->applied();
    }
    caught_up = leader_commit >= 60 && behind_applied == leader_commit;
  }
  ASSERT_TRUE(caught_up);
  // Its log was behind the leader's snapshot: it can only have caught up by installing one.
  EXPECT_TRUE(fs::exists(dir_ + "/data/" + behind + "/snapshot"));

  for (const ClusterMember& m : cluster_.nodes) {
    r = raftsim({"cluster", "kill", m.name, "--dir", dir_}, dir_);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  for (const ClusterMember& m : cluster_.nodes) {
    r = raftsim({"cluster", "restart", m.name, "--dir", dir_}, dir_);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  ASSERT_FALSE(leader().empty());
  KvOutcome read = client.run(node::KvOp::kGet, "log");
  ASSERT_EQ(read.kind, KvOutcome::Kind::kOk) << read.detail;
  EXPECT_EQ(read.result.value, *expected);
}

// A one-way cut between real processes, as in asymmetric_partition.yaml: one follower hears no
// one but is heard by all. Without pre-vote its elections reach the others and depose leader after
// leader, so their terms climb, while nothing the leaders replicate reaches it; after the heal it
// catches up. A cut that blocked both ways would leave the others' terms alone; no cut would let
// its log grow.
TEST_F(RealClusterTest, AOneWayCutBlocksOneDirectionOnly) {
  up(3, {"--pre-vote", "false", "--check-quorum", "false"});
  Launcher launcher(dir_, RAFTSIM_BINARY);
  // The deaf node is a follower when the cut comes, and can never win an election after it (it
  // hears no votes). But on a busy machine it may have won one just before the cut landed, and a
  // leader that hears no one commits nothing: then the test heals and arranges it again.
  std::string deaf;
  CliResult r;
  for (int attempt = 1;; ++attempt) {
    ASSERT_LE(attempt, 5) << "the node to be cut off kept winning elections before the cut";
    const std::string lead = leader();
    ASSERT_FALSE(lead.empty());
    deaf = lead == "n3" ? "n2" : "n3";
    std::string others;
    for (const ClusterMember& m : cluster_.nodes)
      if (m.name != deaf) others += (others.empty() ? "" : ",") + m.name;
    r = raftsim({"cluster", "cut", others, deaf, "--dir", dir_}, dir_);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find(deaf + ": hears nothing from " + others), std::string::npos)
        << r.output;
    bool deaf_follows = false;
    for (const NodeStatus& s : launcher.status())
      if (s.member.name == deaf && s.reply && s.reply->role() != "leader") deaf_follows = true;
    if (deaf_follows) break;
    r = raftsim({"cluster", "heal", "--dir", dir_}, dir_);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  struct Seen {
    uint64_t deaf_last_log = 0, others_term = 0, others_commit = 0, leader_commit = 0,
             deaf_applied = 0;
    bool deaf_leads = false;
  };
  auto look = [&] {
    Seen seen;
    for (const NodeStatus& s : launcher.status()) {
      if (!s.reply) continue;
      if (s.member.name == deaf) {
        seen.deaf_last_log = s.reply->last_log_index();
        seen.deaf_applied = s.reply->applied();
        seen.deaf_leads = s.reply->role() == "leader";
      } else {
        seen.others_term = std::max(seen.others_term, s.reply->term());
        seen.others_commit = std::max(seen.others_commit, s.reply->commit());
      }
      if (s.reply->role() == "leader") seen.leader_commit = s.reply->commit();
    }
    return seen;
  };
  const Seen before = look();

  KvClient client(cluster_, random_client_id());
  const std::optional<std::string> expected = append_tokens(client, 20);
  ASSERT_TRUE(expected);
  // Its elections reach the others: wait (bounded) until one has raised their term.
  Seen during = look();
  for (const Clock::time_point deadline = Clock::now() + 20s;
       during.others_term <= before.others_term && Clock::now() < deadline;
       std::this_thread::sleep_for(50ms))
    during = look();
  EXPECT_GT(during.others_term, before.others_term);
  // None of the 20 appends, all made after the cut, reached it (what was already on its way when
  // the cut came may have).
  EXPECT_LE(during.deaf_last_log + 20, during.others_commit);
  EXPECT_FALSE(during.deaf_leads);  // it never hears a vote
  r = raftsim({"cluster", "status", "--dir", dir_}, dir_);
  EXPECT_NE(r.output.find("*"), std::string::npos) << r.output;  // some links are cut

  r = raftsim({"cluster", "heal", "--dir", dir_}, dir_);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  bool caught_up = false;
  for (const Clock::time_point deadline = Clock::now() + 20s; !caught_up && Clock::now() < deadline;
       std::this_thread::sleep_for(100ms)) {
    const Seen now = look();
    caught_up = now.leader_commit >= 20 && now.deaf_applied == now.leader_commit;
  }
  ASSERT_TRUE(caught_up);
  KvOutcome read = client.run(node::KvOp::kGet, "log");
  ASSERT_EQ(read.kind, KvOutcome::Kind::kOk) << read.detail;
  EXPECT_EQ(read.result.value, *expected);
}

// Real nodes apply the simulated network's link models to what they send (this is how
// `raftsim run --real` gives a scenario its latency, loss and delays): an extra delay on every link
// holds each write back by a replication round trip, a loss of 1 everywhere stops every write,
// and a model no scenario could produce is refused whole.
TEST_F(RealClusterTest, LinkModelsDelayAndLoseWhatANodeSends) {
  up(3);
  ASSERT_FALSE(leader().empty());
  auto set_links = [&](const std::optional<sim::LinkModel>& model) {
    for (const ClusterMember& m : cluster_.nodes) {
      v1::SetLinkFilterRequest request;
      for (const ClusterMember& peer : cluster_.nodes) {
        if (peer.id == m.id) continue;
        v1::LinkFilter* filter = request.add_filters();
        filter->set_peer(peer.id.value);
        if (model) to_proto(*model, *filter->mutable_model());
      }
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + 10s);
      v1::ControlReply reply;
      auto stub = v1::Control::NewStub(
          grpc::CreateChannel(ClusterFile::control_address(m), grpc::InsecureChannelCredentials()));
      const grpc::Status status = stub->SetLinkFilter(&context, request, &reply);
      if (!status.ok()) return status;
    }
    return grpc::Status::OK;
  };
  KvClientOptions quick;
  quick.total_timeout = 1000ms;
  KvClient client(cluster_, random_client_id());
  ASSERT_EQ(client.run(node::KvOp::kPut, "k", "0").kind, KvOutcome::Kind::kOk);

  sim::LinkModel slow;
  slow.latency = {sim::Latency::Shape::kConstant, sim::Duration{0}, sim::Duration{0}, 0,
                  sim::Duration{0}};
  slow.extra_delay = sim::Duration{150'000};
  ASSERT_TRUE(set_links(slow).ok());
  Clock::time_point start = Clock::now();
  ASSERT_EQ(client.run(node::KvOp::kPut, "k", "1").kind, KvOutcome::Kind::kOk);
  // The leader's append reaches a follower after 150 ms, and its answer needs 150 ms more.
  EXPECT_GE(Clock::now() - start, 300ms);

  sim::LinkModel lossy = slow;
  lossy.extra_delay = sim::Duration{0};
  lossy.loss = 1;
  ASSERT_TRUE(set_links(lossy).ok());
  KvClient hurried(cluster_, random_client_id(), quick);
  EXPECT_NE(hurried.run(node::KvOp::kPut, "k", "2").kind, KvOutcome::Kind::kOk);

  sim::LinkModel absurd = lossy;
  absurd.loss = 2;
  const grpc::Status refused = set_links(absurd);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(refused.error_message().find("loss 2 is not in [0, 1]"), std::string::npos)
      << refused.error_message();

  ASSERT_TRUE(set_links(std::nullopt).ok());
  EXPECT_EQ(client.run(node::KvOp::kPut, "k", "3").kind, KvOutcome::Kind::kOk);
}

// `raftsim kv` says what the client knows. A write the leader received but could not commit
// (both followers frozen) may or may not take effect: the client cannot tell, and says so
// (exit 3); once the followers resume, it may well be there. A write to a cluster that is down
// never left the client (exit 4).
//
// The state the put needs is arranged, not raced: check-quorum is off, so a leader whose
// followers are frozen keeps leading however slow the machine (frozen followers cannot campaign),
// and after the freeze the test confirms that the node it found still leads in the same term —
// an election can slip in between finding the leader and freezing the others.
TEST_F(RealClusterTest, KvExitCodesSayWhatTheClientKnows) {
  up(3, {"--check-quorum", "false"});
  const std::string file = dir_ + "/cluster.yaml";
  CliResult r = raftsim({"kv", "put", "--cluster", file, "k", "first"}, dir_);
  ASSERT_EQ(r.exit_code, 0) << r.output;

  Launcher launcher(dir_, RAFTSIM_BINARY);
  std::vector<std::string> followers;
  for (int attempt = 1;; ++attempt) {
    ASSERT_LE(attempt, 5) << "no leader kept its place while its followers were frozen";
    const std::string lead = leader();
    ASSERT_FALSE(lead.empty());
    std::optional<uint64_t> term;
    followers.clear();
    for (const NodeStatus& s : launcher.status()) {
      if (s.member.name != lead) followers.push_back(s.member.name);
      if (s.member.name == lead && s.reply && s.reply->role() == "leader") term = s.reply->term();
    }
    for (const std::string& name : followers) {
      r = raftsim({"cluster", "pause", name, "--dir", dir_}, dir_);
      ASSERT_EQ(r.exit_code, 0) << r.output;
    }
    bool still_leads = false;
    for (const NodeStatus& s : launcher.status())
      if (s.member.name == lead && s.reply && s.reply->role() == "leader" &&
          term == s.reply->term())
        still_leads = true;
    if (still_leads) break;
    for (const std::string& name : followers) {
      r = raftsim({"cluster", "resume", name, "--dir", dir_}, dir_);
      ASSERT_EQ(r.exit_code, 0) << r.output;
    }
  }
  // Long enough to reach the leader from any node: a frozen node costs one whole attempt (2 s),
  // and an attempt that never got a connection is known never to have sent the request.
  r = raftsim({"kv", "put", "--cluster", file, "--timeout-ms", "10000", "k", "second"}, dir_);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  for (const std::string& name : followers) {
    r = raftsim({"cluster", "resume", name, "--dir", dir_}, dir_);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  r = raftsim({"kv", "get", "--cluster", file, "k"}, dir_);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(r.output == "first\n" || r.output == "second\n") << r.output;

  r = raftsim({"cluster", "down", "--dir", dir_}, dir_);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = raftsim({"kv", "put", "--cluster", file, "--timeout-ms", "500", "k", "third"}, dir_);
  EXPECT_EQ(r.exit_code, 4) << r.output;
}

// A node whose port another process listens on refuses to start, even when that process lets
// the port be shared (SO_REUSEPORT, as another gRPC server does by default): sharing would let
// the kernel hand one cluster's connections to another's node. The launcher relies on the
// refusal to start again on fresh ports.
TEST(NodeCommand, APortAnotherProcessListensOnIsRefused) {
  std::string dir = (fs::temp_directory_path() / "raftsim-node-XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const int taken = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(taken, 0);
  const int on = 1;
  ASSERT_EQ(::setsockopt(taken, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on), 0);
  ASSERT_EQ(::setsockopt(taken, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on), 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(taken, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(taken, 16), 0);
  socklen_t length = sizeof addr;
  ASSERT_EQ(::getsockname(taken, reinterpret_cast<sockaddr*>(&addr), &length), 0);
  const std::string address = fmt::format("127.0.0.1:{}", ntohs(addr.sin_port));
  std::ofstream(dir + "/cluster.yaml")
      << "cluster_id: c1\nnodes:\n  - {id: 1, address: " << address << "}\n";

  // Bounded: a node that did take the port would run until killed.
  const CliResult r =
      raftsim({"node", "--id", "n1", "--cluster", dir + "/cluster.yaml", "--data", dir + "/data"},
              dir, 20s);
  ::close(taken);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("cannot listen on " + address), std::string::npos) << r.output;
  fs::remove_all(dir);
}

// `raftsim cluster` refuses a request that names no node of the cluster, or no cluster, with exit
// code 2 before touching any process.
TEST(ClusterCommand, UnknownNodesBadGroupsAndAMissingClusterAreBadInput) {
  std::string dir = (fs::temp_directory_path() / "raftsim-cluster-XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  std::ofstream(dir + "/cluster.yaml") << "cluster_id: c1\n"
                                          "nodes:\n"
                                          "  - {id: 1, address: 127.0.0.1:1}\n"
                                          "  - {id: 2, address: 127.0.0.1:2}\n"
                                          "  - {id: 3, address: 127.0.0.1:3}\n";
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"cut", "n1", "n9"}, "no node 'n9'"},
      {{"cut", "n1,n2", "n2"}, "'n2' is both a sender and a receiver"},
      {{"cut", ",", "n2"}, "',' names no node"},
      {{"partition", "n1,n2,n3"}, "is one group"},
      {{"partition", "n1,n2/n2,n3"}, "'n2' is named in two groups"},
      {{"kill", "n4"}, "no node 'n4'"},
  };
  for (const auto& [args, message] : cases) {
    std::vector<std::string> full = {"cluster"};
    full.insert(full.end(), args.begin(), args.end());
    full.insert(full.end(), {"--dir", dir});
    const CliResult r = raftsim(full, dir);
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << args[1] << ": " << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos) << r.output;
  }
  const CliResult r = raftsim({"cluster", "restart", "n1", "--dir", dir + "/nowhere"}, dir);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("no cluster here"), std::string::npos) << r.output;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace raftsim::real

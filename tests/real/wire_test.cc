// The wire: every field survives a round trip, and hostile input is refused with a reason,
// counted, and never crashes.
#include "real/wire.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>

#include "real/membership_service.h"

namespace raftsim::real {
namespace {

using raft::Index;
using raft::NodeId;
using raft::Term;

const std::set<NodeId> kPeers = {NodeId{1}, NodeId{2}, NodeId{3}};

raft::Message append(uint64_t from, uint64_t to) {
  raft::Message m;
  m.type = raft::MessageType::kAppendEntries;
  m.from = NodeId{static_cast<uint32_t>(from)};
  m.to = NodeId{static_cast<uint32_t>(to)};
  m.term = Term{7};
  m.prev_log_index = Index{4};
  m.prev_log_term = Term{6};
  m.entries = {{Term{6}, Index{5}, raft::EntryType::kNoOp, ""},
               {Term{7}, Index{6}, raft::EntryType::kCommand, std::string("a\0b", 3)}};
  m.leader_commit = Index{5};
  m.round = 99;
  return m;
}

v1::RaftBatch batch_of(const std::vector<raft::Message>& messages, std::string cluster = "c1") {
  v1::RaftBatch batch;
  batch.set_cluster_id(std::move(cluster));
  for (const raft::Message& m : messages)
    to_proto(m, *batch.add_messages());
  return batch;
}

TEST(Wire, EveryFieldSurvivesARoundTrip) {
  raft::Message m = append(1, 2);
  m.last_log_index = Index{11};
  m.last_log_term = Term{12};
  m.transfer = true;
  m.reject = true;
  m.match_index = Index{13};
  m.rejected_index = Index{14};
  m.conflict_index = Index{15};
  m.conflict_term = Term{5};
  v1::RaftMessage wire;
  to_proto(m, wire);
  std::string bytes;
  ASSERT_TRUE(wire.SerializeToString(&bytes));
  v1::RaftMessage parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  auto back = from_proto(parsed);
  ASSERT_TRUE(std::holds_alternative<raft::Message>(back)) << std::get<std::string>(back);
  const raft::Message& got = std::get<raft::Message>(back);
  EXPECT_EQ(got.type, m.type);
  EXPECT_EQ(got.from, m.from);
  EXPECT_EQ(got.to, m.to);
  EXPECT_EQ(got.term, m.term);
  EXPECT_EQ(got.last_log_index, m.last_log_index);
  EXPECT_EQ(got.last_log_term, m.last_log_term);
  EXPECT_EQ(got.transfer, m.transfer);
  EXPECT_EQ(got.prev_log_index, m.prev_log_index);
  EXPECT_EQ(got.prev_log_term, m.prev_log_term);
  EXPECT_EQ(got.entries, m.entries);
  EXPECT_EQ(got.leader_commit, m.leader_commit);
  EXPECT_EQ(got.round, m.round);
  EXPECT_EQ(got.reject, m.reject);
  EXPECT_EQ(got.match_index, m.match_index);
  EXPECT_EQ(got.rejected_index, m.rejected_index);
  EXPECT_EQ(got.conflict_index, m.conflict_index);
  EXPECT_EQ(got.conflict_term, m.conflict_term);
}

TEST(Wire, EveryMessageTypeRoundTrips) {
  for (auto type : {raft::MessageType::kVoteRequest, raft::MessageType::kVoteResponse,
                    raft::MessageType::kPreVoteRequest, raft::MessageType::kPreVoteResponse,
                    raft::MessageType::kAppendResponse, raft::MessageType::kTimeoutNow}) {
    raft::Message m;
    m.type = type;
    m.from = NodeId{1};
    m.to = NodeId{2};
    m.term = Term{3};
    v1::RaftMessage wire;
    to_proto(m, wire);
    auto back = from_proto(wire);
    ASSERT_TRUE(std::holds_alternative<raft::Message>(back));
    EXPECT_EQ(std::get<raft::Message>(back).type, type);
  }
}

raft::Configuration joint_configuration() {
  return {.voters = {NodeId{1}, NodeId{2}, NodeId{4}},
          .outgoing = {NodeId{1}, NodeId{2}, NodeId{3}},
          .learners = {NodeId{5}}};
}

raft::Message round_trip(const raft::Message& m) {
  v1::RaftMessage wire;
  to_proto(m, wire);
  std::string bytes;
  EXPECT_TRUE(wire.SerializeToString(&bytes));
  v1::RaftMessage parsed;
  EXPECT_TRUE(parsed.ParseFromString(bytes));
  auto back = from_proto(parsed);
  if (auto* why = std::get_if<std::string>(&back)) ADD_FAILURE() << *why;
  return std::holds_alternative<raft::Message>(back) ? std::get<raft::Message>(back)
                                                     : raft::Message{};
}

TEST(Wire, ConfigurationEntriesRoundTrip) {
  raft::Message m = append(1, 2);
  m.entries[1] = {Term{7}, Index{6}, raft::EntryType::kConfiguration,
                  joint_configuration().encode()};
  EXPECT_EQ(round_trip(m).entries, m.entries);
}

TEST(Wire, SnapshotsCarryTheirConfiguration) {
  raft::Message m;
  m.type = raft::MessageType::kInstallSnapshot;
  m.from = NodeId{1};
  m.to = NodeId{2};
  m.term = Term{3};
  raft::Snapshot snapshot{Index{40}, Term{3}, "image"};
  m.snapshot = std::make_shared<const raft::Snapshot>(snapshot);
  // Empty: the bootstrap configuration, sent and read back as empty.
  ASSERT_TRUE(round_trip(m).snapshot);
  EXPECT_EQ(*round_trip(m).snapshot, snapshot);
  snapshot.configuration = joint_configuration();
  m.snapshot = std::make_shared<const raft::Snapshot>(snapshot);
  ASSERT_TRUE(round_trip(m).snapshot);
  EXPECT_EQ(*round_trip(m).snapshot, snapshot);
}

std::string refusal(const v1::RaftMessage& wire) {
  auto decoded = from_proto(wire);
  return std::holds_alternative<std::string>(decoded) ? std::get<std::string>(decoded) : "";
}

TEST(Wire, RefusesUnknownEnumValues) {
  v1::RaftMessage wire;
  to_proto(append(1, 2), wire);
  wire.set_type(static_cast<v1::MessageType>(42));
  EXPECT_EQ(refusal(wire), "unknown message type 42");
  wire.set_type(v1::MESSAGE_TYPE_UNSPECIFIED);
  EXPECT_EQ(refusal(wire), "unknown message type 0");

  to_proto(append(1, 2), wire);
  wire.mutable_entries(1)->set_type(static_cast<v1::EntryType>(9));
  EXPECT_EQ(refusal(wire), "entry 2 of 2 has unknown type 9");
}

TEST(Wire, RefusesImpossibleEntries) {
  v1::RaftMessage wire;
  to_proto(append(1, 2), wire);
  wire.mutable_entries(1)->set_index(9);
  EXPECT_EQ(refusal(wire), "entry 2 of 2 has index 9, want 6");

  to_proto(append(1, 2), wire);
  wire.mutable_entries(0)->set_term(8);
  EXPECT_EQ(refusal(wire), "entry 1 of 2 has term 8 (message term 7)");

  to_proto(append(1, 2), wire);
  wire.set_type(v1::VOTE_REQUEST);
  EXPECT_EQ(refusal(wire), "a VoteRequest carries entries");

  to_proto(append(1, 2), wire);
  wire.set_prev_log_index(UINT64_MAX);
  EXPECT_FALSE(refusal(wire).empty());
}

TEST(Wire, RefusesMalformedConfigurations) {
  v1::RaftMessage wire;
  to_proto(append(1, 2), wire);
  wire.mutable_entries(1)->set_type(v1::CONFIGURATION);
  wire.mutable_entries(1)->set_command("voters=2,1 outgoing= learners=");
  EXPECT_EQ(refusal(wire), "entry 2 of 2 is a malformed configuration");

  raft::Message m;
  m.type = raft::MessageType::kInstallSnapshot;
  m.from = NodeId{1};
  m.to = NodeId{2};
  m.term = Term{3};
  m.snapshot = std::make_shared<const raft::Snapshot>(raft::Snapshot{Index{4}, Term{3}, "x"});
  to_proto(m, wire);
  wire.set_snapshot_configuration("voters= outgoing= learners=3");
  EXPECT_EQ(refusal(wire), "an InstallSnapshot with a malformed configuration");

  m.type = raft::MessageType::kVoteRequest;
  m.snapshot = nullptr;
  to_proto(m, wire);
  wire.set_snapshot_configuration(joint_configuration().encode());
  EXPECT_EQ(refusal(wire), "a VoteRequest carries a snapshot");
}

TEST(Wire, MembershipChangesRoundTripAndNonsenseIsRefused) {
  using Kind = raft::ConfChange::Kind;
  for (const raft::ConfChange& change :
       {raft::ConfChange{.kind = Kind::kAddLearner, .node = NodeId{4}},
        raft::ConfChange{.kind = Kind::kPromote, .node = NodeId{4}},
        raft::ConfChange{.kind = Kind::kAddVoter, .node = NodeId{5}},
        raft::ConfChange{.kind = Kind::kRemove, .node = NodeId{1}},
        raft::ConfChange{.kind = Kind::kReplace, .voters = {NodeId{1}, NodeId{2}, NodeId{4}}}}) {
    v1::ChangeRequest request;
    to_proto(change, request);
    auto back = change_from_request(request);
    ASSERT_TRUE(std::holds_alternative<raft::ConfChange>(back)) << change.describe();
    const raft::ConfChange& got = std::get<raft::ConfChange>(back);
    EXPECT_EQ(got.kind, change.kind);
    EXPECT_EQ(got.node, change.node);
    EXPECT_EQ(got.voters, change.voters);
  }
  auto refused = [](const v1::ChangeRequest& request) {
    auto decoded = change_from_request(request);
    return std::holds_alternative<std::string>(decoded) ? std::get<std::string>(decoded) : "";
  };
  v1::ChangeRequest request;
  EXPECT_EQ(refused(request), "unknown change kind 0");
  request.set_kind(v1::ChangeRequest::REMOVE);
  EXPECT_EQ(refused(request), "the change names no node (node 0)");
  request.set_kind(v1::ChangeRequest::REPLACE);
  EXPECT_EQ(refused(request), "the voters must be 1..1000 nodes");
  request.add_voters(2);
  request.add_voters(2);
  EXPECT_EQ(refused(request), "the voters must be distinct nodes other than 0");
}

TEST(Wire, ChangeRepliesSayWhereTheLeaderIsAndWhetherToAskAgain) {
  ClusterFile cluster;
  cluster.nodes = {{NodeId{1}, "n1", "127.0.0.1:1", ""}, {NodeId{2}, "n2", "127.0.0.1:2", ""}};
  v1::ChangeReply reply;
  to_proto(raft::ChangeResult{}, NodeId{2}, cluster, reply);
  EXPECT_EQ(reply.status(), v1::ChangeReply::NOT_LEADER);
  EXPECT_EQ(reply.leader_address(), "127.0.0.1:2");
  to_proto(raft::ChangeResult{raft::ChangeRefusal::kChangePending}, NodeId{1}, cluster, reply);
  EXPECT_EQ(reply.status(), v1::ChangeReply::REFUSED);
  EXPECT_TRUE(reply.retry());
  to_proto(raft::ChangeResult{raft::ChangeRefusal::kNoEffect}, NodeId{1}, cluster, reply);
  EXPECT_EQ(reply.refusal(), "changes nothing");
  EXPECT_FALSE(reply.retry());
  to_proto(raft::ChangeResult{raft::ChangeRefusal::kNone, Index{9}, Term{2}}, NodeId{1}, cluster,
           reply);
  EXPECT_EQ(reply.status(), v1::ChangeReply::APPENDED);
  EXPECT_EQ(reply.index(), 9u);
}

TEST(Wire, RefusesAbsurdSizes) {
  WireLimits limits;
  limits.max_entries = 1;
  v1::RaftMessage wire;
  to_proto(append(1, 2), wire);
  auto decoded = from_proto(wire, limits);
  ASSERT_TRUE(std::holds_alternative<std::string>(decoded));
  EXPECT_EQ(std::get<std::string>(decoded), "2 entries, more than the limit of 1");

  to_proto(append(1, 2), wire);
  wire.mutable_entries(1)->set_command(std::string((1u << 20) + 1, 'x'));
  EXPECT_NE(refusal(wire).find("more than the limit"), std::string::npos);
}

TEST(Wire, BatchFromAnotherClusterIsRejectedWholeAndCounted) {
  DecodedBatch got =
      decode_batch(batch_of({append(1, 2), append(3, 2)}, "other"), "c1", NodeId{2}, kPeers);
  EXPECT_TRUE(got.wrong_cluster);
  EXPECT_TRUE(got.messages.empty());
  EXPECT_EQ(got.rejected, 2u);
  ASSERT_EQ(got.reasons.size(), 1u);
  EXPECT_EQ(got.reasons[0], "batch for cluster 'other', this is cluster 'c1'");
}

TEST(Wire, BatchKeepsGoodMessagesAndCountsBadOnes) {
  DecodedBatch got =
      decode_batch(batch_of({append(1, 2), append(1, 3), append(9, 2)}), "c1", NodeId{2}, kPeers);
  EXPECT_FALSE(got.wrong_cluster);
  ASSERT_EQ(got.messages.size(), 1u);
  EXPECT_EQ(got.messages[0].from, NodeId{1});
  EXPECT_EQ(got.rejected, 2u);
  EXPECT_EQ(got.reasons, (std::vector<std::string>{"addressed to node 3, this is node 2",
                                                   "from node 9, not a peer"}));
}

TEST(Wire, RandomBytesNeverCrashTheDecoder) {
  std::mt19937_64 rng(12345);
  uint64_t accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string bytes(rng() % 200, '\0');
    for (char& c : bytes)
      c = static_cast<char>(rng());
    v1::RaftBatch batch;
    if (!batch.ParseFromString(bytes)) continue;
    batch.set_cluster_id("c1");
    DecodedBatch got = decode_batch(batch, "c1", NodeId{2}, kPeers);
    EXPECT_EQ(got.messages.size() + got.rejected, static_cast<size_t>(batch.messages_size()));
    accepted += got.messages.size();
  }
  // Random bytes almost never make a well-formed message addressed to us from a peer.
  EXPECT_LT(accepted, 100u);
}

TEST(Wire, ClientRequestsAreChecked) {
  v1::KvRequest request;
  request.set_key("k");
  request.set_value("v");
  EXPECT_TRUE(std::holds_alternative<std::string>(command_from_request(node::KvOp::kPut, request)));
  request.set_client_id(5);
  request.set_seq(1);
  auto ok = command_from_request(node::KvOp::kCas, request);
  ASSERT_TRUE(std::holds_alternative<node::KvCommand>(ok));
  EXPECT_EQ(std::get<node::KvCommand>(ok).op, node::KvOp::kCas);
  request.set_key(std::string(70000, 'k'));
  EXPECT_TRUE(std::holds_alternative<std::string>(command_from_request(node::KvOp::kPut, request)));
}

// The control service's link models: what the runner sends arrives as it was meant, and a model
// no scenario could produce is refused whole, with the field named.
TEST(Wire, LinkModelsRoundTripAndAbsurdOnesAreRefused) {
  sim::LinkModel model;
  model.latency = {sim::Latency::Shape::kLongTail, sim::Duration{200}, sim::Duration{4000}, 0.25,
                   sim::Duration{90000}};
  model.loss = 0.1;
  model.duplicate = 0.2;
  model.reorder = 0.3;
  model.extra_delay = sim::Duration{10'000'000};
  v1::LinkModel wire;
  to_proto(model, wire);
  auto back = from_proto(wire);
  ASSERT_TRUE(std::holds_alternative<sim::LinkModel>(back)) << std::get<std::string>(back);
  const sim::LinkModel& got = std::get<sim::LinkModel>(back);
  EXPECT_EQ(got.latency.shape, model.latency.shape);
  EXPECT_EQ(got.latency.min, model.latency.min);
  EXPECT_EQ(got.latency.max, model.latency.max);
  EXPECT_EQ(got.latency.tail_chance, model.latency.tail_chance);
  EXPECT_EQ(got.latency.tail_max, model.latency.tail_max);
  EXPECT_EQ(got.loss, model.loss);
  EXPECT_EQ(got.duplicate, model.duplicate);
  EXPECT_EQ(got.reorder, model.reorder);
  EXPECT_EQ(got.extra_delay, model.extra_delay);

  const std::pair<std::function<void(v1::LinkModel&)>, std::string> bad[] = {
      {[](v1::LinkModel& m) { m.set_loss(1.5); }, "loss 1.5 is not in [0, 1]"},
      {[](v1::LinkModel& m) { m.set_duplicate(std::nan("")); }, "duplicate nan"},
      {[](v1::LinkModel& m) { m.set_reorder(-0.1); }, "reorder -0.1"},
      {[](v1::LinkModel& m) { m.set_min_us(5000); }, "min_us 5000 is above max_us 4000"},
      {[](v1::LinkModel& m) { m.set_extra_delay_us(120'000'000); }, "extra_delay_us"},
      {[](v1::LinkModel& m) { m.set_shape(static_cast<v1::LinkModel::Shape>(9)); },
       "unknown latency shape 9"},
  };
  for (const auto& [spoil, reason] : bad) {
    v1::LinkModel m = wire;
    spoil(m);
    auto refused = from_proto(m);
    ASSERT_TRUE(std::holds_alternative<std::string>(refused)) << reason;
    EXPECT_NE(std::get<std::string>(refused).find(reason), std::string::npos)
        << std::get<std::string>(refused);
  }
}

}  // namespace
}  // namespace raftsim::real

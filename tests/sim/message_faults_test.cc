// Message faults, the PCT scheduler and node events: each does what it says to the messages it
// names and nothing else, and unused they leave a run exactly as it was.
#include "sim/message_faults.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sim/world.h"

namespace raftsim::sim {
namespace {

using namespace std::chrono_literals;

WorldConfig three_nodes(uint64_t seed) {
  WorldConfig c;
  c.node_names = {"n1", "n2", "n3"};
  c.seed = seed;
  c.workload.clients = 2;
  return c;
}

// Trace lines of faults (message faults tell each message they touch) that contain `text`.
struct Faults {
  explicit Faults(World& world, std::string text) : text_(std::move(text)) {
    world.trace().add_listener([this](const TraceEvent& e) {
      if (e.kind == TraceKind::kFault && e.text.find(text_) != std::string::npos) ++count;
    });
  }
  int count = 0;

 private:
  std::string text_;
};

uint64_t digest(WorldConfig config, const std::function<void(World&)>& setup = {}) {
  World world(std::move(config));
  world.start_clients();
  if (setup) setup(world);
  world.run_until(kTimeZero + 3s);
  return world.trace().digest();
}

TEST(MessageKinds, AppendEntriesWithoutEntriesIsAHeartbeat) {
  raft::Message m;
  m.type = raft::MessageType::kAppendEntries;
  EXPECT_EQ(kind_of(m), MessageKind::kHeartbeat);
  m.entries.push_back({});
  EXPECT_EQ(kind_of(m), MessageKind::kAppend);
  m.type = raft::MessageType::kInstallSnapshot;
  EXPECT_EQ(to_string(kind_of(m)), "snapshot");
}

TEST(MessageFilters, TheFirstMatchingFilterIsUsedAndRemovedWhenUsedUp) {
  MessageFilters filters;
  filters.add({.action = MessageFilter::Action::kDrop,
               .kinds = bit(MessageKind::kVoteRequest),
               .from = 1,
               .count = 2});
  raft::Message vote;
  vote.type = raft::MessageType::kVoteRequest;
  raft::Message heartbeat;
  EXPECT_FALSE(filters.take(1, 2, heartbeat));  // another kind
  EXPECT_FALSE(filters.take(2, 1, vote));       // another sender
  EXPECT_TRUE(filters.take(1, 2, vote));
  EXPECT_TRUE(filters.take(1, 3, vote));
  EXPECT_FALSE(filters.take(1, 2, vote));  // used up
  EXPECT_TRUE(filters.empty());
}

TEST(WorldMessageFaults, DropsExactlyCountMatchingMessages) {
  World world(three_nodes(1));
  world.start_clients();
  world.run_until(kTimeZero + 1s);
  uint32_t leader = 0;
  for (uint32_t id = 1; id <= 3; ++id)
    if (world.node(id)->core().role() == raft::Role::kLeader) leader = id;
  ASSERT_NE(leader, 0u);
  const uint32_t follower = leader == 1 ? 2 : 1;
  Faults dropped(world, fmt::format("drop_messages: n{}->n{} append_response", follower, leader));
  Faults any(world, "drop_messages");
  world.add_message_filter({.action = MessageFilter::Action::kDrop,
                            .kinds = bit(MessageKind::kAppendResponse),
                            .from = follower,
                            .to = leader,
                            .count = 3});
  world.run_until(kTimeZero + 3s);
  EXPECT_EQ(dropped.count, 3);
  EXPECT_EQ(any.count, 3);
}

TEST(WorldMessageFaults, DelayedAndHeldMessagesStillArrive) {
  World world(three_nodes(2));
  Faults delayed(world, "delay_messages");
  Faults held(world, "hold_messages");
  uint64_t delivered_heartbeats = 0;
  world.trace().add_listener([&](const TraceEvent& e) {
    if (e.kind == TraceKind::kDeliver && e.time > kTimeZero + 1s) ++delivered_heartbeats;
  });
  world.start_clients();
  world.at(kTimeZero + 1s, [&] {
    world.add_message_filter({.action = MessageFilter::Action::kDelay,
                              .kinds = bit(MessageKind::kHeartbeat),
                              .count = 2,
                              .delay = Duration{300000}});
    world.add_message_filter({.action = MessageFilter::Action::kHold, .count = 4});
  });
  world.run_until(kTimeZero + 3s);
  EXPECT_EQ(delayed.count, 2);
  EXPECT_EQ(held.count, 4);
  EXPECT_GT(delivered_heartbeats, 0u);
}

TEST(WorldMessageFaults, UnusedFiltersListenersAndAnOffSchedulerChangeNothing) {
  const uint64_t plain = digest(three_nodes(3));
  EXPECT_EQ(digest(three_nodes(3),
                   [](World& w) {
                     w.set_node_event_listener([](const NodeEvent&) {});
                     w.add_message_filter({.kinds = bit(MessageKind::kTimeoutNow), .count = 5});
                   }),
            plain);
  WorldConfig depth_one = three_nodes(3);
  depth_one.pct.depth = 1;
  EXPECT_EQ(digest(depth_one), plain);
  WorldConfig pct = three_nodes(3);
  pct.pct.depth = 3;
  EXPECT_NE(digest(pct), plain);
}

TEST(WorldPct, HoldsBackDepthMinusOneMessagesTheSameOnesForTheSameSeed) {
  WorldConfig c = three_nodes(4);
  c.pct = {.depth = 4, .messages = 200, .hold = Duration{100000}};
  World world(c);
  Faults held(world, "pct:");
  world.start_clients();
  world.run_until(kTimeZero + 3s);
  EXPECT_EQ(held.count, 3);
  EXPECT_EQ(digest(c), digest(c));
  PctSchedule a(c.pct, 7), b(c.pct, 7);
  EXPECT_EQ(a.points(), 3u);
  for (int i = 0; i < 300; ++i)
    ASSERT_EQ(a.next(), b.next());
}

TEST(WorldNodeEvents, TellsWhoBecomesLeaderAndGrantsVotes) {
  World world(three_nodes(5));
  std::vector<NodeEvent> events;
  world.set_node_event_listener([&](const NodeEvent& e) { events.push_back(e); });
  world.start_clients();
  world.run_until(kTimeZero + 2s);
  uint32_t leader = 0;
  int votes = 0, applies = 0, persisted = 0;
  for (const NodeEvent& e : events) {
    if (e.kind == NodeEventKind::kBecomesLeader) leader = e.node;
    applies += e.kind == NodeEventKind::kApplies;
    persisted += e.kind == NodeEventKind::kPersisted;
  }
  for (const NodeEvent& e : events)
    votes += e.kind == NodeEventKind::kGrantsVote && e.value == leader;
  ASSERT_NE(leader, 0u);
  EXPECT_EQ(world.node(leader)->core().role(), raft::Role::kLeader);
  EXPECT_GE(votes, 1);  // a majority of three: itself and one more
  EXPECT_GT(applies, 0);
  EXPECT_GT(persisted, 0);
}

TEST(WorldNodeEvents, ACrashInThePersistToSendGapSendsNothingMore) {
  World world(three_nodes(6));
  uint32_t crashed = 0;
  world.set_node_event_listener([&](const NodeEvent& e) {
    if (e.kind == NodeEventKind::kPersisted && crashed == 0 && world.now() > kTimeZero + 1s) {
      crashed = e.node;
      world.crash(e.node);
      EXPECT_TRUE(world.is_up(e.node));  // inside its own step: down at the end of it
    }
  });
  int unsent = 0;
  world.trace().add_listener([&](const TraceEvent& e) {
    if (e.kind == TraceKind::kDrop && e.text == "sender crashed") ++unsent;
  });
  world.start_clients();
  world.run_until(kTimeZero + 2s);
  ASSERT_NE(crashed, 0u);
  EXPECT_FALSE(world.is_up(crashed));
  EXPECT_GT(unsent, 0);  // the answers that waited for the write never left
}

}  // namespace
}  // namespace raftsim::sim

// Three real cores, n1..n3, trading messages by hand in front of a RaftInvariants: for checker
// tests that need a violation only a core (planted bug or not) can make. Each node's Ready is
// written and synced at once and reported to the checker; messages are delivered in the order
// they were sent.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <set>
#include <vector>

#include "check/raft_invariants.h"
#include "raft/raft.h"

namespace raftsim::check {

class ThreeCores : public ::testing::Test {
 protected:
  static constexpr raft::NodeId n1{1}, n2{2}, n3{3};
  static inline const std::vector<raft::NodeId> kCluster{n1, n2, n3};

  void SetUp() override {
    for (raft::NodeId id : kCluster) {
      raft::Config config;
      config.id = id;
      config.voters = kCluster;
      if (configure) configure(config);
      cores.emplace_back(config, raft::Restored{});
    }
  }

  raft::Raft& core(raft::NodeId id) { return cores[id.value - 1]; }

  // `id` campaigns at once and wins, everything said on the way delivered.
  void elect(raft::NodeId id) {
    core(id).campaign();
    settle();
    ASSERT_EQ(core(id).role(), raft::Role::kLeader);
  }

  // Runs until nothing is left to say. The checker hears of every sync but those of the nodes
  // in `unreported`; messages to nodes in `held_for` wait in `held` (delivered by the first
  // settle() with held_for empty); messages to nodes in `lost_for` are dropped.
  void settle() {
    if (held_for.empty()) {
      wire.insert(wire.end(), held.begin(), held.end());
      held.clear();
    }
    for (int rounds = 0; rounds < 1000; ++rounds) {
      for (raft::Raft& c : cores) {
        while (c.has_ready()) {
          raft::Ready rd = c.ready();
          if (report_steps) inv.on_ready(tick(), c, rd);
          if (!rd.entries.empty()) inv.on_log_write(tick(), c.id(), c.log(), rd.entries);
          if (!unreported.contains(c.id()))
            inv.on_synced(c.id(), rd.snapshot ? rd.snapshot->index : raft::Index{}, rd.entries);
          if (report_reads) {
            for (const raft::Message& m : rd.messages)
              inv.on_send(tick(), c.id(), m);
            for (const raft::Message& m : rd.after_persist)
              inv.on_send(tick(), c.id(), m);
            for (const raft::ReadState& read : rd.reads) {
              inv.on_read_answered(tick(), c, read.request_id, read.ok);
              reads_confirmed += read.ok;
            }
          }
          wire.insert(wire.end(), rd.messages.begin(), rd.messages.end());
          wire.insert(wire.end(), rd.after_persist.begin(), rd.after_persist.end());
          c.advance(rd);
          inv.on_state(tick(), c);
        }
      }
      if (wire.empty()) return;
      const raft::Message m = wire.front();
      wire.pop_front();
      if (lost_for.contains(m.to)) continue;
      if (held_for.contains(m.to)) {
        held.push_back(m);
        continue;
      }
      deliver(m);
    }
    FAIL() << "the cluster never went quiet";
  }

  SimTime tick() { return now += 1000; }

  // Steps `m` into its receiver's core, reported as a host does.
  void deliver(const raft::Message& m) {
    if (report_steps) {
      inv.on_step(tick(), core(m.to), m);  // on_deliver too
    } else if (report_reads) {
      inv.on_deliver(m);
    }
    core(m.to).step(m);
    if (report_steps) inv.on_stepped(tick(), core(m.to), m);
    inv.on_state(tick(), core(m.to));
  }

  // A read of `id` asked of `leader`'s core, reported as a host does.
  void read(raft::NodeId leader, uint64_t id) {
    inv.on_read_begun(core(leader), id);
    core(leader).read_index(id);
  }

  std::function<void(raft::Config&)> configure;  // set before SetUp() to change every config
  bool report_reads = false;  // report sends, deliveries and read answers (read_confirmed)
  bool report_steps = false;  // report steps and Readys (request_answered, stale_term_ignored)
  int reads_confirmed = 0;
  std::vector<raft::Raft> cores;
  std::set<raft::NodeId> unreported;
  std::set<raft::NodeId> held_for;
  std::set<raft::NodeId> lost_for;
  std::deque<raft::Message> held;
  std::deque<raft::Message> wire;
  SimTime now = 0;
  RaftInvariants inv{kCluster, /*seed=*/7};
};

}  // namespace raftsim::check

// Watches a simulated run event by event: feeds the Raft invariant checker, and tracks every
// expectation that concerns a window of time (no leader, no election, no commit, term bounds,
// a leader within a deadline).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "check/durability.h"
#include "check/raft_invariants.h"
#include "scenario/scenario.h"

namespace raftsim::scenario {

class Monitor final : public sim::WorldObserver {
 public:
  // `on_violation` is called once for each new safety violation, with its index.
  Monitor(const Scenario& scenario, uint64_t seed, std::function<void(size_t)> on_violation);

  void on_log_write(SimTime now, raft::NodeId node, const raft::Log& log,
                    const std::vector<raft::Entry>& written) override;
  void on_persisted(SimTime now, raft::NodeId node, const raft::HardState& hs) override;
  void on_synced(SimTime now, raft::NodeId node, raft::Index snapshot,
                 const std::vector<raft::Entry>& entries) override;
  void on_state(SimTime now, const raft::Raft& core) override;
  void on_apply(SimTime now, raft::NodeId node, const raft::Entry& entry) override;
  void on_restart(SimTime now, raft::NodeId node, bool disk_lost) override;
  void on_restore(SimTime now, raft::NodeId node, raft::Index index, raft::Term term) override;
  void on_compact(SimTime now, raft::NodeId node, raft::Index index, raft::Term term) override;
  void on_send(SimTime now, raft::NodeId from, const raft::Message& m) override;
  void on_step(SimTime now, const raft::Raft& receiver, const raft::Message& m) override;
  void on_stepped(SimTime now, const raft::Raft& receiver, const raft::Message& m) override;
  void on_tick(SimTime now, const raft::Raft& core) override;
  void on_ticked(SimTime now, const raft::Raft& core) override;
  void on_ready(SimTime now, const raft::Raft& core, const raft::Ready& rd) override;
  void on_read_begun(SimTime now, const raft::Raft& core, uint64_t request) override;
  void on_read_answered(SimTime now, const raft::Raft& core, uint64_t request,
                        bool confirmed) override;

  check::RaftInvariants& invariants() { return invariants_; }
  const check::RaftInvariants& invariants() const { return invariants_; }
  // Off: only the first-applied record is kept (to measure what the per-event checks cost).
  void set_checking(bool checking) { checking_ = checking; }

  // The command first applied at each index (client 0: a no-op or not a command), for the
  // durability check of log prefixes that nodes have compacted away. Sound because every later
  // apply at an index is held to the first by state-machine safety.
  const std::vector<check::CommittedCommand>& first_applied() const { return first_applied_; }

  // For each expectation: did its event happen (a violation for "no_*"/"term_at_most", the
  // awaited event for "leader_within"/"term_above")? When, and a note saying what happened.
  struct Observation {
    bool happened = false;
    SimTime when;
    std::string note;
  };
  const std::vector<Observation>& observations() const { return observations_; }
  uint64_t highest_commit() const { return highest_commit_; }

 private:
  void report_new_violations();
  void observe(const Expectation& e, Observation& o, SimTime now, const raft::Raft& core,
               bool became_leader, bool new_commit);

  const Scenario& scenario_;
  check::RaftInvariants invariants_;
  std::function<void(size_t)> on_violation_;
  size_t violations_seen_ = 0;

  std::vector<raft::Role> role_;      // per node (index = id)
  std::vector<uint64_t> max_commit_;  // per node, across process lives
  uint64_t highest_commit_ = 0;
  std::vector<Observation> observations_;
  std::vector<check::CommittedCommand> first_applied_;
  bool checking_ = true;
};

}  // namespace raftsim::scenario

// Log compaction and InstallSnapshot (§7): the host hands the core a snapshot of its state
// machine; the leader sends it to a follower whose next entries were compacted away; a follower
// installs it, keeps its log, or ignores it.
#include "raft/raft.h"

namespace raftsim::raft {

void Raft::compact(Snapshot snapshot) {
  if (snapshot.index <= log_.snapshot_index() || snapshot.index > applied_ ||
      snapshot.index > log_.stable_index() || snapshot.term != log_.term_at(snapshot.index)) {
    return;
  }
  // The snapshot records the configuration in force at its point: the entries that held it go.
  snapshot.configuration = snapshot_configuration(snapshot.index);
  snapshot_configuration_ = configuration_at(snapshot.index);
  log_.compact_through(snapshot.index);
  snapshot_ = std::make_shared<const Snapshot>(std::move(snapshot));
}

void Raft::send_snapshot(NodeId to, Progress& pr) {
  // One snapshot at a time: until the follower answers (or a heartbeat probes again), nothing
  // else is sent. Optimistically continue after it.
  Message m;
  m.type = MessageType::kInstallSnapshot;
  m.to = to;
  m.term = term_;
  m.round = round_;
  m.snapshot = snapshot_;
  pr.become_probe();
  pr.probe_sent = true;
  pr.next_index = snapshot_->index.next();
  pr.sent_round = round_;
  send(std::move(m));
}

void Raft::handle_install_snapshot(const Message& m) {
  if (role_ != Role::kFollower) become_follower(term_, m.from);  // the term's leader exists
  leader_ = m.from;
  election_elapsed_ = 0;

  const Snapshot& snapshot = *m.snapshot;
  Message r = reply_to(m, MessageType::kAppendResponse);
  r.round = m.round;
  if (snapshot.index <= commit_) {
    r.match_index = commit_;  // stale or duplicate: we already have all of it
  } else if (log_.matches(snapshot.index, snapshot.term)) {
    // Our log holds the snapshot's last entry, so (Log Matching) everything before it: keep the
    // log, including any entries past the snapshot, and apply from it as usual.
    commit_ = snapshot.index;
    r.match_index = snapshot.index;
  } else {
    // §7: the snapshot replaces a log that lacks or contradicts its last entry. Whatever we held
    // past it is discarded with the rest; the leader sends what follows.
    log_.restore(snapshot.index, snapshot.term);
    snapshot_configuration_ = snapshot.configuration.empty() ? bootstrap_ : snapshot.configuration;
    refresh_configuration();
    commit_ = applied_ = snapshot.index;
    snapshot_ = received_snapshot_ = m.snapshot;
    r.match_index = snapshot.index;
  }
  send(std::move(r));  // after the snapshot is durable: it acknowledges entries
}

}  // namespace raftsim::raft

#include "node/node.h"

#include <utility>

namespace raftsim::node {

using raft::Ready;

Node::Node(raft::Config config, Storage& storage, Transport& transport, ReplyFn reply,
           NodeObserver* observer)
    : bugs_(config.bugs),
      storage_(storage),
      transport_(transport),
      reply_(std::move(reply)),
      observer_(observer) {
  auto loaded = storage_.load();
  if (auto* error = std::get_if<LoadError>(&loaded)) {
    load_error_ = error->message;
    return;
  }
  auto& state = std::get<Loaded>(loaded);
  repaired_ = std::move(state.repaired);
  if (state.state.snapshot.index.value != 0) {
    std::optional<KvStore> store = KvStore::restore(state.state.snapshot.data);
    if (!store) {
      load_error_ = "the stored snapshot passes its checksum but is not a key-value store image";
      return;
    }
    store_ = std::move(*store);
    applied_ = state.state.snapshot.index;
  }
  core_.emplace(std::move(config), std::move(state.state));
}

void Node::start() {
  if (observer_ && core_->snapshot())
    observer_->on_restore(*core_->snapshot(), /*from_leader=*/false);
  pump();
}

void Node::tick() {
  if (observer_) observer_->on_tick();
  core_->tick();
  if (observer_) observer_->on_ticked();
  pump();
}

void Node::receive(const raft::Message& message) {
  // The core takes a snapshot's image on trust; the state machine must be able to load it.
  if (message.type == raft::MessageType::kInstallSnapshot &&
      (!message.snapshot || !KvStore::restore(message.snapshot->data))) {
    ++refused_snapshots_;
    return;
  }
  if (observer_) observer_->on_step(message);
  core_->step(message);
  if (observer_) observer_->on_stepped(message);
  pump();
}

void Node::campaign() {
  core_->campaign();
  pump();
}

void Node::transfer_leader(raft::NodeId to) {
  core_->transfer_leader(to);
  pump();
}

raft::ChangeResult Node::change(const raft::ConfChange& change) {
  raft::ChangeResult result = core_->change(change);
  pump();
  return result;
}

void Node::submit(const KvCommand& command) {
  if (core_->role() != raft::Role::kLeader) {
    return reply(
        {command.client_id, command.seq, ClientReply::Status::kNotLeader, {}, core_->leader()});
  }
  if (command.op == KvOp::kGet) {
    const uint64_t id = next_read_id_++;
    pending_reads_.emplace(id, command);
    if (observer_) observer_->on_read_begun(id);
    core_->read_index(id);
  } else {
    const raft::ProposeResult proposed = core_->propose(encode(command));
    if (!proposed.accepted) {
      return reply(
          {command.client_id, command.seq, ClientReply::Status::kNotLeader, {}, core_->leader()});
    }
    pending_writes_[proposed.index] = {proposed.term, command};
  }
  pump();
}

void Node::pump() {
  // An observer may step the node from inside finish(): an apply that asks for a membership
  // change, a reply that submits the next command. The loop already running picks up whatever
  // that step readied, in order; a second loop run inside it would apply the newer committed
  // entries before the older ones the outer loop is still applying.
  if (pumping_) return;
  pumping_ = true;
  while (!in_flight_ && core_->has_ready()) {
    Ready rd = core_->ready();
    if (observer_) observer_->on_ready(rd);
    for (raft::Message& m : rd.messages)
      send(std::move(m));
    if (rd.snapshot) storage_.write_snapshot(*rd.snapshot, /*replaces_log=*/true);
    storage_.write(rd.hard_state, rd.entries);
    if (observer_) observer_->on_persist(rd);
    if (rd.soft_state) {
      if (observer_) observer_->on_soft_state(*rd.soft_state, core_->term());
      const bool leader = rd.soft_state->role == raft::Role::kLeader;
      if (was_leader_ && !leader) abandon_pending(ClientReply::Status::kRetry);
      was_leader_ = leader;
    }
    if (!rd.must_sync) {
      finish(rd);
      continue;
    }
    if (bugs_.ack_before_persist) {
      // The planted bug: everything that depends on durability happens now; the sync trails.
      // What the sync makes durable, without the messages it no longer holds back (they left).
      raft::Ready synced;
      synced.snapshot = rd.snapshot;
      synced.hard_state = rd.hard_state;
      synced.entries = rd.entries;
      storage_.sync([this, synced = std::move(synced)] {
        if (observer_ && synced.hard_state) observer_->on_durable(*synced.hard_state);
        if (observer_) observer_->on_synced(synced);
      });
      finish(rd);
      continue;
    }
    in_flight_ = std::move(rd);
    // The callback may run right now (memory storage: inside this loop, which goes on after it)
    // or later (a slow simulated disk: it finishes the write, then runs the loop itself).
    storage_.sync([this] {
      const bool inside_loop = std::exchange(pumping_, true);
      Ready done = std::move(*in_flight_);
      in_flight_.reset();
      if (observer_ && done.hard_state) observer_->on_durable(*done.hard_state);
      if (observer_) observer_->on_synced(done);
      finish(done);
      pumping_ = inside_loop;
      pump();
    });
  }
  pumping_ = false;
}

void Node::finish(Ready& rd) {
  for (raft::Message& m : rd.after_persist)
    send(std::move(m));
  if (rd.snapshot) restore(*rd.snapshot);
  for (const raft::Entry& entry : rd.committed)
    apply(entry);
  for (const raft::ReadState& read : rd.reads)
    answer_read(read);
  serve_ready_reads();
  core_->advance(rd);
  maybe_compact();
}

void Node::restore(const raft::Snapshot& snapshot) {
  // Checked in receive(): only an image the store can load reaches the core.
  store_ = KvStore::restore(snapshot.data).value_or(KvStore{});
  applied_ = snapshot.index;
  if (observer_) observer_->on_restore(snapshot, /*from_leader=*/true);
  // Our proposals the snapshot covers may or may not be in it: the client retries, and its
  // session makes the retry safe.
  for (auto it = pending_writes_.begin();
       it != pending_writes_.end() && it->first <= snapshot.index;) {
    const KvCommand& c = it->second.command;
    reply({c.client_id, c.seq, ClientReply::Status::kRetry, {}, core_->leader()});
    it = pending_writes_.erase(it);
  }
}

void Node::maybe_compact() {
  const raft::Log& log = core_->log();
  // A leader's snapshot the core has taken but whose Ready is still to come can put the log's
  // snapshot point ahead of what this state machine applied.
  if (snapshot_every_ == 0 || applied_ <= log.snapshot_index() ||
      raft::distance(log.snapshot_index(), applied_) < snapshot_every_ ||
      applied_ > log.stable_index()) {
    return;  // not due, or (a planted bug's early apply) not yet durable here
  }
  raft::Snapshot snapshot{applied_, log.term_at(applied_), store_.snapshot(),
                          core_->snapshot_configuration(applied_)};
  storage_.write_snapshot(snapshot, /*replaces_log=*/false);
  if (observer_) observer_->on_compact(snapshot);
  core_->compact(std::move(snapshot));
}

void Node::apply(const raft::Entry& entry) {
  applied_ = entry.index;
  if (observer_) observer_->on_apply(entry);
  std::optional<KvCommand> command;
  if (entry.type == raft::EntryType::kCommand) command = decode(entry.command);
  KvResult result;
  if (command) result = store_.apply(*command);

  auto it = pending_writes_.find(entry.index);
  if (it == pending_writes_.end()) return;
  if (it->second.term == entry.term) {
    ClientReply ok{it->second.command.client_id, it->second.command.seq, ClientReply::Status::kOk,
                   result, core_->leader()};
    ok.index = entry.index;
    ok.term = entry.term;
    reply(ok);
  } else {
    // Another leader's entry took this index: ours was never committed (an (index, term) pair
    // names one entry), so the client can safely retry.
    reply({it->second.command.client_id,
           it->second.command.seq,
           ClientReply::Status::kRetry,
           {},
           core_->leader()});
  }
  pending_writes_.erase(it);
}

void Node::answer_read(const raft::ReadState& read) {
  if (observer_) observer_->on_read_answered(read);
  auto it = pending_reads_.find(read.request_id);
  if (it == pending_reads_.end()) return;
  KvCommand command = std::move(it->second);
  pending_reads_.erase(it);
  if (!read.ok) {
    return reply(
        {command.client_id, command.seq, ClientReply::Status::kNotLeader, {}, core_->leader()});
  }
  confirmed_reads_.emplace(read.index, std::move(command));
}

void Node::serve_ready_reads() {
  // §8 ReadIndex: a confirmed read is served once the state machine has caught up to it.
  while (!confirmed_reads_.empty() && confirmed_reads_.begin()->first <= applied_) {
    const KvCommand& command = confirmed_reads_.begin()->second;
    reply({command.client_id, command.seq, ClientReply::Status::kOk,
           KvResult{true, store_.get(command.key)}, core_->leader()});
    confirmed_reads_.erase(confirmed_reads_.begin());
  }
}

void Node::abandon_pending(ClientReply::Status status) {
  for (auto& [index, write] : pending_writes_) {
    reply({write.command.client_id, write.command.seq, status, {}, core_->leader()});
  }
  pending_writes_.clear();
  for (auto& [index, command] : confirmed_reads_) {
    reply({command.client_id, command.seq, status, {}, core_->leader()});
  }
  confirmed_reads_.clear();
}

void Node::reply(ClientReply r) {
  r.from = core_->id();
  if (observer_) observer_->on_reply(r);
  reply_(r);
}

void Node::send(raft::Message&& m) {
  if (observer_) observer_->on_send(m);
  transport_.send(std::move(m));
}

}  // namespace raftsim::node

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
  core_.emplace(std::move(config), std::move(state.state));
}

void Node::tick() {
  core_->tick();
  pump();
}

void Node::receive(const raft::Message& message) {
  core_->step(message);
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

void Node::submit(const KvCommand& command) {
  if (core_->role() != raft::Role::kLeader) {
    return reply(
        {command.client_id, command.seq, ClientReply::Status::kNotLeader, {}, core_->leader()});
  }
  if (command.op == KvOp::kGet) {
    const uint64_t id = next_read_id_++;
    pending_reads_.emplace(id, command);
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
  while (!in_flight_ && core_->has_ready()) {
    Ready rd = core_->ready();
    for (const raft::Message& m : rd.messages)
      send(m);
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
      storage_.sync([this, hs = rd.hard_state] {
        if (observer_ && hs) observer_->on_durable(*hs);
      });
      finish(rd);
      continue;
    }
    in_flight_ = std::move(rd);
    // The callback may run right now (memory storage) or later (a slow simulated disk).
    storage_.sync([this] {
      Ready done = std::move(*in_flight_);
      in_flight_.reset();
      if (observer_ && done.hard_state) observer_->on_durable(*done.hard_state);
      finish(done);
      pump();
    });
  }
}

void Node::finish(const Ready& rd) {
  for (const raft::Message& m : rd.after_persist)
    send(m);
  for (const raft::Entry& entry : rd.committed)
    apply(entry);
  for (const raft::ReadState& read : rd.reads)
    answer_read(read);
  serve_ready_reads();
  core_->advance(rd);
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
    reply({it->second.command.client_id, it->second.command.seq, ClientReply::Status::kOk, result,
           core_->leader()});
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
  if (observer_) observer_->on_reply(r);
  reply_(r);
}

void Node::send(const raft::Message& m) {
  if (observer_) observer_->on_send(m);
  transport_.send(m);
}

}  // namespace raftsim::node

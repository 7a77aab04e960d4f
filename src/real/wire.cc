#include "real/wire.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <utility>

namespace raftsim::real {

namespace {

v1::MessageType to_proto(raft::MessageType type) {
  switch (type) {
    case raft::MessageType::kVoteRequest:
      return v1::VOTE_REQUEST;
    case raft::MessageType::kVoteResponse:
      return v1::VOTE_RESPONSE;
    case raft::MessageType::kPreVoteRequest:
      return v1::PRE_VOTE_REQUEST;
    case raft::MessageType::kPreVoteResponse:
      return v1::PRE_VOTE_RESPONSE;
    case raft::MessageType::kAppendEntries:
      return v1::APPEND_ENTRIES;
    case raft::MessageType::kAppendResponse:
      return v1::APPEND_RESPONSE;
    case raft::MessageType::kTimeoutNow:
      return v1::TIMEOUT_NOW;
    case raft::MessageType::kInstallSnapshot:
      return v1::INSTALL_SNAPSHOT;
  }
  return v1::MESSAGE_TYPE_UNSPECIFIED;
}

std::optional<raft::MessageType> from_proto(int type) {
  switch (type) {
    case v1::VOTE_REQUEST:
      return raft::MessageType::kVoteRequest;
    case v1::VOTE_RESPONSE:
      return raft::MessageType::kVoteResponse;
    case v1::PRE_VOTE_REQUEST:
      return raft::MessageType::kPreVoteRequest;
    case v1::PRE_VOTE_RESPONSE:
      return raft::MessageType::kPreVoteResponse;
    case v1::APPEND_ENTRIES:
      return raft::MessageType::kAppendEntries;
    case v1::APPEND_RESPONSE:
      return raft::MessageType::kAppendResponse;
    case v1::TIMEOUT_NOW:
      return raft::MessageType::kTimeoutNow;
    case v1::INSTALL_SNAPSHOT:
      return raft::MessageType::kInstallSnapshot;
    default:
      return std::nullopt;
  }
}

v1::EntryType to_proto(raft::EntryType type) {
  switch (type) {
    case raft::EntryType::kCommand:
      return v1::COMMAND;
    case raft::EntryType::kNoOp:
      return v1::NO_OP;
    case raft::EntryType::kConfiguration:
      return v1::CONFIGURATION;
  }
  return v1::ENTRY_TYPE_UNSPECIFIED;
}

std::optional<raft::EntryType> entry_type_from_proto(int type) {
  switch (type) {
    case v1::COMMAND:
      return raft::EntryType::kCommand;
    case v1::NO_OP:
      return raft::EntryType::kNoOp;
    case v1::CONFIGURATION:
      return raft::EntryType::kConfiguration;
    default:
      return std::nullopt;
  }
}

}  // namespace

void to_proto(const raft::Message& in, v1::RaftMessage& out) {
  out.Clear();
  out.set_type(to_proto(in.type));
  out.set_from(in.from.value);
  out.set_to(in.to.value);
  out.set_term(in.term.value);
  out.set_last_log_index(in.last_log_index.value);
  out.set_last_log_term(in.last_log_term.value);
  out.set_transfer(in.transfer);
  out.set_prev_log_index(in.prev_log_index.value);
  out.set_prev_log_term(in.prev_log_term.value);
  for (const raft::Entry& e : in.entries) {
    v1::Entry* entry = out.add_entries();
    entry->set_term(e.term.value);
    entry->set_index(e.index.value);
    entry->set_type(to_proto(e.type));
    entry->set_command(e.command);
  }
  out.set_leader_commit(in.leader_commit.value);
  out.set_round(in.round);
  out.set_reject(in.reject);
  out.set_match_index(in.match_index.value);
  out.set_rejected_index(in.rejected_index.value);
  out.set_conflict_index(in.conflict_index.value);
  out.set_conflict_term(in.conflict_term.value);
  if (in.snapshot) {
    out.set_snapshot_index(in.snapshot->index.value);
    out.set_snapshot_term(in.snapshot->term.value);
    out.set_snapshot_data(in.snapshot->data);
    if (!in.snapshot->configuration.empty()) {
      out.set_snapshot_configuration(in.snapshot->configuration.encode());
    }
  }
}

std::variant<raft::Message, std::string> from_proto(const v1::RaftMessage& in,
                                                    const WireLimits& limits) {
  const std::optional<raft::MessageType> type = from_proto(in.type());
  if (!type) return fmt::format("unknown message type {}", static_cast<int>(in.type()));
  if (in.from() == 0 || in.to() == 0) return std::string("sender or receiver is node 0");
  const auto n = static_cast<size_t>(in.entries_size());
  if (n > limits.max_entries) {
    return fmt::format("{} entries, more than the limit of {}", n, limits.max_entries);
  }
  if (n > 0 && *type != raft::MessageType::kAppendEntries) {
    return fmt::format("a {} carries entries", raft::to_string(*type));
  }
  const bool install = *type == raft::MessageType::kInstallSnapshot;
  if (!install && (in.snapshot_index() != 0 || in.snapshot_term() != 0 ||
                   !in.snapshot_data().empty() || !in.snapshot_configuration().empty())) {
    return fmt::format("a {} carries a snapshot", raft::to_string(*type));
  }
  raft::Message m;
  if (install) {
    if (in.snapshot_index() == 0 || in.snapshot_term() == 0) {
      return std::string("an InstallSnapshot without a snapshot index or term");
    }
    raft::Snapshot snapshot{raft::Index{in.snapshot_index()}, raft::Term{in.snapshot_term()},
                            in.snapshot_data()};
    if (!in.snapshot_configuration().empty()) {
      auto configuration = raft::Configuration::decode(in.snapshot_configuration());
      if (!configuration) return std::string("an InstallSnapshot with a malformed configuration");
      snapshot.configuration = std::move(*configuration);
    }
    m.snapshot = std::make_shared<const raft::Snapshot>(std::move(snapshot));
  }
  m.type = *type;
  m.from = raft::NodeId{in.from()};
  m.to = raft::NodeId{in.to()};
  m.term = raft::Term{in.term()};
  m.last_log_index = raft::Index{in.last_log_index()};
  m.last_log_term = raft::Term{in.last_log_term()};
  m.transfer = in.transfer();
  m.prev_log_index = raft::Index{in.prev_log_index()};
  m.prev_log_term = raft::Term{in.prev_log_term()};
  m.leader_commit = raft::Index{in.leader_commit()};
  m.round = in.round();
  m.reject = in.reject();
  m.match_index = raft::Index{in.match_index()};
  m.rejected_index = raft::Index{in.rejected_index()};
  m.conflict_index = raft::Index{in.conflict_index()};
  m.conflict_term = raft::Term{in.conflict_term()};
  m.entries.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const v1::Entry& e = in.entries(static_cast<int>(i));
    const std::optional<raft::EntryType> entry_type = entry_type_from_proto(e.type());
    if (!entry_type) {
      return fmt::format("entry {} of {} has unknown type {}", i + 1, n,
                         static_cast<int>(e.type()));
    }
    // The core acts on a configuration the moment it is in the log: never on one it cannot read.
    if (*entry_type == raft::EntryType::kConfiguration &&
        !raft::Configuration::decode(e.command())) {
      return fmt::format("entry {} of {} is a malformed configuration", i + 1, n);
    }
    if (e.command().size() > limits.max_command_bytes) {
      return fmt::format("entry {} of {} carries {} bytes, more than the limit of {}", i + 1, n,
                         e.command().size(), limits.max_command_bytes);
    }
    // Overflow-safe: prev_log_index + 1 + i cannot wrap for a sane prev_log_index.
    if (in.prev_log_index() > UINT64_MAX - n || e.index() != in.prev_log_index() + 1 + i) {
      return fmt::format("entry {} of {} has index {}, want {}", i + 1, n, e.index(),
                         in.prev_log_index() + 1 + i);
    }
    if (e.term() == 0 || e.term() > in.term()) {
      return fmt::format("entry {} of {} has term {} (message term {})", i + 1, n, e.term(),
                         in.term());
    }
    m.entries.push_back({raft::Term{e.term()}, raft::Index{e.index()}, *entry_type, e.command()});
  }
  return m;
}

DecodedBatch decode_batch(const v1::RaftBatch& batch, const std::string& cluster_id,
                          raft::NodeId self, const std::set<raft::NodeId>& peers,
                          const WireLimits& limits) {
  DecodedBatch out;
  auto refuse = [&](std::string why) {
    ++out.rejected;
    if (out.reasons.size() < 4) out.reasons.push_back(std::move(why));
  };
  if (batch.cluster_id() != cluster_id) {
    out.wrong_cluster = true;
    out.rejected = std::max<uint64_t>(1, static_cast<uint64_t>(batch.messages_size()));
    out.reasons.push_back(fmt::format("batch for cluster '{}', this is cluster '{}'",
                                      batch.cluster_id().substr(0, 64), cluster_id));
    return out;
  }
  if (static_cast<size_t>(batch.messages_size()) > limits.max_messages) {
    refuse(fmt::format("batch of {} messages, more than the limit of {}", batch.messages_size(),
                       limits.max_messages));
    return out;
  }
  for (const v1::RaftMessage& wire : batch.messages()) {
    auto decoded = from_proto(wire, limits);
    if (auto* why = std::get_if<std::string>(&decoded)) {
      refuse(std::move(*why));
      continue;
    }
    raft::Message& m = std::get<raft::Message>(decoded);
    if (m.to != self) {
      refuse(fmt::format("addressed to node {}, this is node {}", m.to.value, self.value));
    } else if (!peers.contains(m.from)) {
      refuse(fmt::format("from node {}, not a peer", m.from.value));
    } else {
      out.messages.push_back(std::move(m));
    }
  }
  return out;
}

std::variant<node::KvCommand, std::string> command_from_request(node::KvOp op,
                                                                const v1::KvRequest& request,
                                                                const WireLimits& limits) {
  if (request.client_id() == 0 || request.seq() == 0) {
    return std::string("client_id and seq must both be non-zero");
  }
  if (request.key().size() > limits.max_key_bytes) {
    return fmt::format("key of {} bytes, more than the limit of {}", request.key().size(),
                       limits.max_key_bytes);
  }
  if (request.value().size() > limits.max_value_bytes ||
      request.expected().size() > limits.max_value_bytes) {
    return fmt::format("value of more than {} bytes", limits.max_value_bytes);
  }
  return node::KvCommand{request.client_id(), request.seq(),   op,
                         request.key(),       request.value(), request.expected()};
}

v1::ReplyStatus to_proto(node::ClientReply::Status status) {
  switch (status) {
    case node::ClientReply::Status::kOk:
      return v1::OK;
    case node::ClientReply::Status::kNotLeader:
      return v1::NOT_LEADER;
    case node::ClientReply::Status::kRetry:
      return v1::RETRY;
  }
  return v1::REPLY_STATUS_UNSPECIFIED;
}

namespace {

constexpr std::pair<sim::Latency::Shape, v1::LinkModel::Shape> kLatencyShapes[] = {
    {sim::Latency::Shape::kUniform, v1::LinkModel::UNIFORM},
    {sim::Latency::Shape::kConstant, v1::LinkModel::CONSTANT},
    {sim::Latency::Shape::kExponential, v1::LinkModel::EXPONENTIAL},
    {sim::Latency::Shape::kLongTail, v1::LinkModel::LONG_TAIL},
};

}  // namespace

void to_proto(const sim::LinkModel& in, v1::LinkModel& out) {
  for (const auto& [shape, wire] : kLatencyShapes)
    if (shape == in.latency.shape) out.set_shape(wire);
  out.set_min_us(static_cast<uint64_t>(in.latency.min.count()));
  out.set_max_us(static_cast<uint64_t>(in.latency.max.count()));
  out.set_tail_chance(in.latency.tail_chance);
  out.set_tail_max_us(static_cast<uint64_t>(in.latency.tail_max.count()));
  out.set_loss(in.loss);
  out.set_duplicate(in.duplicate);
  out.set_reorder(in.reorder);
  out.set_extra_delay_us(static_cast<uint64_t>(in.extra_delay.count()));
}

std::variant<sim::LinkModel, std::string> from_proto(const v1::LinkModel& in) {
  constexpr uint64_t kMaxMicros = 60'000'000;
  sim::LinkModel out;
  const auto* known = std::find_if(std::begin(kLatencyShapes), std::end(kLatencyShapes),
                                   [&](const auto& pair) { return pair.second == in.shape(); });
  if (known == std::end(kLatencyShapes)) {
    return fmt::format("unknown latency shape {}", static_cast<int>(in.shape()));
  }
  out.latency.shape = known->first;
  const std::pair<const char*, uint64_t> times[] = {{"min_us", in.min_us()},
                                                    {"max_us", in.max_us()},
                                                    {"tail_max_us", in.tail_max_us()},
                                                    {"extra_delay_us", in.extra_delay_us()}};
  for (const auto& [name, micros] : times) {
    if (micros > kMaxMicros) return fmt::format("{} {} is over a minute", name, micros);
  }
  if (in.min_us() > in.max_us()) {
    return fmt::format("min_us {} is above max_us {}", in.min_us(), in.max_us());
  }
  const std::pair<const char*, double> rates[] = {{"tail_chance", in.tail_chance()},
                                                  {"loss", in.loss()},
                                                  {"duplicate", in.duplicate()},
                                                  {"reorder", in.reorder()}};
  for (const auto& [name, rate] : rates) {
    // Written so that NaN fails too.
    if (!(rate >= 0 && rate <= 1)) return fmt::format("{} {} is not in [0, 1]", name, rate);
  }
  out.latency.min = sim::Duration{static_cast<int64_t>(in.min_us())};
  out.latency.max = sim::Duration{static_cast<int64_t>(in.max_us())};
  out.latency.tail_chance = in.tail_chance();
  out.latency.tail_max = sim::Duration{static_cast<int64_t>(in.tail_max_us())};
  out.loss = in.loss();
  out.duplicate = in.duplicate();
  out.reorder = in.reorder();
  out.extra_delay = sim::Duration{static_cast<int64_t>(in.extra_delay_us())};
  return out;
}

}  // namespace raftsim::real

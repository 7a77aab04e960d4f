#include "sim/message_faults.h"

#include <algorithm>

namespace raftsim::sim {

MessageKind kind_of(const raft::Message& m) {
  switch (m.type) {
    case raft::MessageType::kVoteRequest:
      return MessageKind::kVoteRequest;
    case raft::MessageType::kVoteResponse:
      return MessageKind::kVoteResponse;
    case raft::MessageType::kPreVoteRequest:
      return MessageKind::kPreVoteRequest;
    case raft::MessageType::kPreVoteResponse:
      return MessageKind::kPreVoteResponse;
    case raft::MessageType::kAppendEntries:
      return m.entries.empty() ? MessageKind::kHeartbeat : MessageKind::kAppend;
    case raft::MessageType::kAppendResponse:
      return MessageKind::kAppendResponse;
    case raft::MessageType::kTimeoutNow:
      return MessageKind::kTimeoutNow;
    case raft::MessageType::kInstallSnapshot:
      return MessageKind::kSnapshot;
  }
  return MessageKind::kHeartbeat;
}

std::string_view to_string(MessageKind kind) {
  switch (kind) {
    case MessageKind::kVoteRequest:
      return "vote_request";
    case MessageKind::kVoteResponse:
      return "vote_response";
    case MessageKind::kPreVoteRequest:
      return "pre_vote_request";
    case MessageKind::kPreVoteResponse:
      return "pre_vote_response";
    case MessageKind::kAppend:
      return "append";
    case MessageKind::kAppendResponse:
      return "append_response";
    case MessageKind::kHeartbeat:
      return "heartbeat";
    case MessageKind::kSnapshot:
      return "snapshot";
    case MessageKind::kTimeoutNow:
      return "timeout_now";
  }
  return "?";
}

void MessageFilters::remove(uint64_t id) {
  std::erase_if(filters_, [id](const MessageFilter& f) { return f.id == id; });
}

std::optional<MessageKind> message_kind_named(std::string_view name) {
  for (size_t i = 0; i < kMessageKinds; ++i)
    if (to_string(static_cast<MessageKind>(i)) == name) return static_cast<MessageKind>(i);
  return std::nullopt;
}

std::optional<MessageFilter> MessageFilters::take(uint32_t from, uint32_t to,
                                                  std::optional<MessageKind> kind) {
  for (auto it = filters_.begin(); it != filters_.end(); ++it) {
    const bool matches = kind ? (it->kinds & bit(*kind)) != 0 : it->kinds == kAnyMessage;
    if (!matches || (it->from != 0 && it->from != from) || (it->to != 0 && it->to != to)) continue;
    MessageFilter used = *it;
    if (--it->count == 0) filters_.erase(it);
    return used;
  }
  return std::nullopt;
}

PctSchedule::PctSchedule(const PctConfig& config, uint64_t seed) {
  if (!config.enabled() || config.messages == 0) return;
  raft::Random rng(seed);
  // d - 1 distinct points in [1, k] (fewer when k is smaller than that).
  const uint64_t wanted = std::min<uint64_t>(config.depth - 1, config.messages);
  while (points_.size() < wanted) {
    const uint64_t point = 1 + rng.uniform(config.messages);
    if (std::find(points_.begin(), points_.end(), point) == points_.end()) points_.push_back(point);
  }
  std::sort(points_.begin(), points_.end());
}

bool PctSchedule::next() {
  ++sent_;
  if (next_point_ >= points_.size() || points_[next_point_] != sent_) return false;
  ++next_point_;
  return true;
}

}  // namespace raftsim::sim

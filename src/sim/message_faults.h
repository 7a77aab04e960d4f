// Faults aimed at individual messages, chosen by kind, direction and count: "drop the next 3
// append responses from n2 to n1", "delay n1's next 2 vote requests by 500ms". And a PCT-style
// delivery scheduler (Ozkan et al., "Randomized testing of distributed systems with probabilistic
// guarantees", OOPSLA 2018): at depth - 1 randomly chosen messages, the message is held back and
// the messages sent after it overtake it.
//
// Both are deterministic: a filter draws no random numbers, and the scheduler draws only from its
// own stream, once, when the world starts. Unused, neither changes anything a run does.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "raft/message.h"
#include "raft/random.h"
#include "sim/time.h"

namespace raftsim::sim {

// What a message is, as a fault names it. AppendEntries with entries is an append; without, a
// heartbeat. A bit each, so a filter can name several.
enum class MessageKind : uint8_t {
  kVoteRequest,
  kVoteResponse,
  kPreVoteRequest,
  kPreVoteResponse,
  kAppend,
  kAppendResponse,
  kHeartbeat,
  kSnapshot,
  kTimeoutNow,
};
inline constexpr size_t kMessageKinds = 9;
using MessageKinds = uint16_t;  // a set of MessageKind bits
inline constexpr MessageKinds kAnyMessage = (1u << kMessageKinds) - 1;

MessageKind kind_of(const raft::Message& m);
constexpr MessageKinds bit(MessageKind k) {
  return static_cast<MessageKinds>(1u << static_cast<int>(k));
}
// "vote_request", "append_response", ... as scenario files write them.
std::string_view to_string(MessageKind kind);
// The kind named `name` as scenario files write it; nullopt for any other name.
std::optional<MessageKind> message_kind_named(std::string_view name);

// One message fault: the next `count` messages of `kinds` from `from` to `to` (0: any node)
// are dropped, delayed by `delay`, duplicated (the copy `delay` after the original) or held back
// until the next message on the same link has left (then they arrive right after it).
struct MessageFilter {
  enum class Action : uint8_t { kDrop, kDelay, kDuplicate, kHold };
  Action action = Action::kDrop;
  MessageKinds kinds = kAnyMessage;
  uint32_t from = 0;
  uint32_t to = 0;
  uint64_t count = 1;  // messages still to affect
  Duration delay{0};   // kDelay: added; kDuplicate: the copy arrives this much after the original
  uint64_t id = 0;     // who installed it, to remove it again (0: never removed)
};

class MessageFilters {
 public:
  void add(MessageFilter filter) { filters_.push_back(filter); }
  void remove(uint64_t id);
  bool empty() const { return filters_.empty(); }
  // The first filter that matches `m` on from -> to, its count taken down by one (a used-up filter
  // is removed); nullopt when none does.
  std::optional<MessageFilter> take(uint32_t from, uint32_t to, const raft::Message& m) {
    return take(from, to, kind_of(m));
  }
  // The same for a message of `kind`; one of no known kind (an external node's message whose
  // type it did not declare) matches only a filter of every kind.
  std::optional<MessageFilter> take(uint32_t from, uint32_t to, std::optional<MessageKind> kind);

 private:
  std::vector<MessageFilter> filters_;  // in the order they were installed
};

// The PCT scheduler's settings (`network: {pct: ...}`); depth 0 or 1: off.
struct PctConfig {
  uint32_t depth = 0;        // d: d - 1 priority change points
  uint64_t messages = 1000;  // k: the change points fall among the first k messages sent
  Duration hold{200000};     // how long a message at a change point is held back
  bool enabled() const { return depth > 1; }
};

// Which messages (by their number in send order, from 1) are change points.
class PctSchedule {
 public:
  PctSchedule(const PctConfig& config, uint64_t seed);
  // Called for every message sent, in order: whether this one is held back.
  bool next();
  size_t points() const { return points_.size(); }

 private:
  std::vector<uint64_t> points_;  // sorted
  size_t next_point_ = 0;
  uint64_t sent_ = 0;
};

}  // namespace raftsim::sim

// The trace of a simulated run: every state change as a structured event.
//
// Each event feeds a 64-bit digest (printed at the end of every run: same scenario, seed and build
// give the same digest), a ring of recent events (the context of a violation report), an optional
// JSON Lines file, and optional listeners (the classroom narration). Hot events carry only
// integers; text is for rare ones (faults, notes), so recording stays cheap.
#pragma once

#include <bit>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/time.h"

namespace raftsim::sim {

// Field meanings per kind (docs/trace.md has the JSON form):
//   kRole      node; a = role (raft::Role); b = term; peer = leader (0 = unknown)
//   kTerm      node; b = new term
//   kVote      node; b = term; peer = voted for
//   kCommit    node; a = commit index; b = term of that entry
//   kApply     node; a = index; b = entry term
//   kSend, kDeliver, kDuplicate, kDrop
//              node = from; peer = to; a = message type (raft::MessageType); b = message term;
//              c = log index (prev index, last log index, or match index); d = entries carried;
//              flag = reject; kDrop: text = why
//   kFault     text = what was done, e.g. "partition {n1 n2 n3} {n4 n5}"; node = the liar when a
//              lying node forged a message ("n3 lies: ..."), else 0
//   kClientInvoke, kClientComplete
//              node = client; peer = node asked; a = seq; b = op (node::KvOp); text = summary;
//              flag (complete) = outcome known
//   kNodeDown  node; text = why it is down (crash, refused to start: ...)
//   kNodeUp    node; text = what recovery did (may be empty)
//   kTruncate  node; a..b = the entries it removed from its log (a conflicting leader's entry
//              replaced them)
//   kNote      text
//   kSnapshot  node; a = index; b = term; flag = installed from the leader (else: taken here,
//              compacting the log through a)
//   kLie       only told to listeners (Trace::tell), never recorded: one lie as a lying node tells
//              it. node = liar; peer = the node lied to; a = which (sim::Lie); b = the message's
//              term before any inflation; c = the claim (inflate_log: last log index; forge_acks:
//              match index; term_inflation: term); d = the truth (inflate_log: its last log index;
//              forge_acks: 1 if its log does hold the acknowledged entry, else 0);
//              flag = a pre-vote message
//   kTimer     only written to the JSON Lines file (Trace::annotate), never hashed or counted:
//              node's election timer was reset. a = when it fires if nothing resets it again
//              (virtual microseconds; 0 = no timer: a leader); b = the timeout it was reset to
//              (microseconds). For viewers of a run, so tracing it never changes a digest.
enum class TraceKind : uint8_t {
  kRole,
  kTerm,
  kVote,
  kCommit,
  kApply,
  kSend,
  kDeliver,
  kDuplicate,
  kDrop,
  kFault,
  kClientInvoke,
  kClientComplete,
  kNodeDown,
  kNodeUp,
  kTruncate,
  kNote,
  kSnapshot,
  kLie,
  kTimer,
};
inline constexpr TraceKind kLastTraceKind = TraceKind::kTimer;

std::string_view to_string(TraceKind kind);

struct TraceEvent {
  SimTime time;
  TraceKind kind = TraceKind::kNote;
  bool flag = false;
  uint32_t node = 0;
  uint32_t peer = 0;
  uint64_t a = 0;
  uint64_t b = 0;
  uint64_t c = 0;
  uint64_t d = 0;
  std::string text;
};

// One line of JSON for an event (no trailing newline).
std::string to_json(const TraceEvent& event);

class Trace {
 public:
  using Listener = std::function<void(const TraceEvent&)>;

  // Keeps the last `recent_capacity` events (rounded up to a power of two; 0 keeps none).
  explicit Trace(size_t recent_capacity = 64)
      : recent_(recent_capacity == 0 ? 0 : std::bit_ceil(recent_capacity)) {}
  ~Trace();
  Trace(const Trace&) = delete;
  Trace& operator=(const Trace&) = delete;

  void record(const TraceEvent& event);
  // Passes `event` to the listeners only: it is not hashed into the digest, kept among the recent
  // events or written out. For what a narration may tell that is no state change of the cluster,
  // such as each lie a lying node tells; so narrating more never changes a run's digest.
  void tell(const TraceEvent& event) const {
    for (const Listener& listener : listeners_)
      listener(event);
  }

  // Writes `event` to the JSON Lines file only: not hashed, counted, kept among the recent events
  // or told to listeners. For what only a viewer of the run needs (TraceKind::kTimer), so the
  // digest and the events' numbering stay what they are without a file.
  void annotate(const TraceEvent& event) {
    if (jsonl_) write_line(event);
  }
  bool writing() const { return jsonl_ != nullptr; }

  // Writes every later event to `path` as JSON Lines. Returns an error message, or "" on success.
  std::string write_jsonl(const std::string& path);
  void add_listener(Listener listener) { listeners_.push_back(std::move(listener)); }

  uint64_t digest() const { return digest_; }
  uint64_t events() const { return count_; }
  // The most recent events, oldest first.
  std::vector<TraceEvent> recent() const;

 private:
  uint64_t digest_ = 0xcbf29ce484222325ULL;
  uint64_t count_ = 0;
  std::vector<TraceEvent> recent_;  // a ring of a power-of-two size; count_ & (size - 1) is next
  void write_line(const TraceEvent& event);

  std::FILE* jsonl_ = nullptr;
  std::vector<Listener> listeners_;
};

}  // namespace raftsim::sim

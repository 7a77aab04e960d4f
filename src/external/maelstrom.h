// Maelstrom's node protocol (jepsen-io/maelstrom doc/protocol.md and the lin-kv workload of
// doc/workloads.md): one JSON object per line, an envelope {src, dest, body}, bodies with a
// `type`, an optional integer `msg_id` and, on replies, `in_reply_to`. Only what raftsim sends
// and reads is modelled; every line a node writes is validated here before anything believes it.
//
// raftsim's own extension lives in a `raftsim` field of `init` and `init_ok`, and in messages
// to and from the reserved node name `raftsim` (docs/external-protocol.md).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/message_faults.h"

namespace raftsim::external {

using Json = nlohmann::json;

// The name raftsim itself has on the wire, for extension messages.
inline constexpr std::string_view kRaftsimName = "raftsim";

struct Envelope {
  std::string src;
  std::string dest;
  Json body;  // an object with a string `type`

  std::string type() const { return body.at("type").get<std::string>(); }
  std::optional<uint64_t> msg_id() const;
  std::optional<uint64_t> in_reply_to() const;
};

// One line as JSON (no newline inside: a node's line is one message).
std::string encode(const Envelope& message);

// Why a line is not a message, or the message. Checks the envelope: an object with string `src`
// and `dest` and an object `body` whose `type` is a string; `msg_id` and `in_reply_to`, where
// present, are non-negative integers.
std::variant<Envelope, std::string> decode(std::string_view line);

// At most `max` bytes of `bytes` as a C-like string literal (\n, \", \xNN for other control and
// non-ASCII bytes), with "..." and the full length when cut, for reports about a node's output.
std::string escape_bytes(std::string_view bytes, size_t max = 120);

// Maelstrom's error codes (doc/protocol.md, "Errors").
namespace code {
inline constexpr int kTimeout = 0;
inline constexpr int kNodeNotFound = 1;
inline constexpr int kNotSupported = 10;
inline constexpr int kTemporarilyUnavailable = 11;
inline constexpr int kMalformedRequest = 12;
inline constexpr int kCrash = 13;
inline constexpr int kAbort = 14;
inline constexpr int kKeyDoesNotExist = 20;
inline constexpr int kKeyAlreadyExists = 21;
inline constexpr int kPreconditionFailed = 22;
inline constexpr int kTxnConflict = 30;
}  // namespace code

// Definite: the operation certainly did not happen and never will. Every other code, the codes
// from 1000 up that nodes invent included, leaves it open.
bool is_definite(int error_code);
std::string_view error_name(int error_code);  // "temporarily-unavailable", or "" when unknown

// init: the first message every node receives. `extension` goes under `raftsim` (an unmodified
// Maelstrom node ignores it).
Json init_body(uint64_t msg_id, const std::string& node_id,
               const std::vector<std::string>& node_ids, const Json& extension);

// Which of Raft's kinds of message a node's own body types are (init_ok's
// raftsim.message_kinds), so that a message fault can pick them out. A type declared as both
// `append` and `heartbeat` is an append when its body's `entries` is a non-empty array.
class MessageKindMap {
 public:
  // From the declaration `{"vote_request": "request_vote", "append": ["ae"], ...}`: each of
  // Raft's kinds (sim::to_string(MessageKind)) names the node's type or types for it. Why not,
  // or "" when it is one.
  std::string read(const Json& declaration);
  bool empty() const { return types_.empty(); }
  // The kinds some type was declared for.
  sim::MessageKinds declared() const;
  // The kind of a message with this body; nullopt when its type was not declared.
  std::optional<sim::MessageKind> kind_of(const Json& body) const;

 private:
  std::map<std::string, sim::MessageKinds> types_;  // body type -> the kinds declared for it
};

// What a node says it can do beyond Maelstrom, from the `raftsim` object of its init_ok.
struct Features {
  bool state_reports = false;    // sends `raftsim_state` to `raftsim` when its state changes
  bool campaign = false;         // takes `raftsim_campaign`: start an election now
  bool transfer = false;         // takes `raftsim_transfer`: a leader hands leadership over
  bool deterministic = false;    // accepts deterministic mode
  bool append = false;           // takes `append` (lin-kv has none): adds to a key's value
  MessageKindMap message_kinds;  // empty: declared none
};
// The features of an init_ok body, or why the body is not an init_ok to `init_msg_id`.
std::variant<Features, std::string> read_init_ok(const Json& body, uint64_t init_msg_id);

// lin-kv, and the extension's `append`.
enum class KvRequestKind : uint8_t { kRead, kWrite, kCas, kAppend };
// Keys and values go as given: JSON integers for Maelstrom's lin-kv workload (whose nodes may
// decode nothing else), strings where nodes take the extension's `append`.
Json kv_request_body(KvRequestKind kind, uint64_t msg_id, const Json& key, const Json& value,
                     const Json& from);

struct KvReply {
  enum class Kind : uint8_t {
    kOk,              // read_ok (with `value`), write_ok, cas_ok, append_ok
    kDefiniteError,   // did not happen
    kUnknownOutcome,  // an indefinite error: may have happened
  };
  Kind kind = Kind::kOk;
  std::string value;  // read_ok: the value (a JSON string as is, anything else as JSON text)
  int error_code = 0;
  std::string error_text;
};
// A node's reply to a lin-kv request of `kind`, or why it is not one.
std::variant<KvReply, std::string> read_kv_reply(const Json& body, KvRequestKind kind);

// A state report (`raftsim_state`), the extension that lets raftsim check Raft's invariants and
// judge expectations about leaders and commits for a node it cannot look inside.
struct StateReport {
  std::string role;  // "leader", "candidate" or "follower"
  uint64_t term = 0;
  std::string voted_for;  // "" when none
  uint64_t commit_index = 0;
  uint64_t last_log_index = 0;
  uint64_t last_log_term = 0;
  // Optional: the whole log, one (term, hash of the command) per index from 1, for the
  // log-based invariants. The hash is any string the node derives from the command alone.
  struct Entry {
    uint64_t term = 0;
    std::string hash;
    bool operator==(const Entry&) const = default;
  };
  std::optional<std::vector<Entry>> log;
};
std::variant<StateReport, std::string> read_state_report(const Json& body);

}  // namespace raftsim::external

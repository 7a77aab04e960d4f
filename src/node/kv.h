// The replicated state machine: a key-value store with get / put / append / cas, and client
// sessions that make a retried request take effect once (§8 of the paper: "exactly-once").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace raftsim::node {

enum class KvOp : uint8_t { kGet, kPut, kAppend, kCas };

std::string_view to_string(KvOp op);

// One client request. (client_id, seq) names it: a client numbers its requests 1, 2, 3, ... and
// retries a request with the same seq until it learns the outcome.
struct KvCommand {
  uint64_t client_id = 0;
  uint64_t seq = 0;
  KvOp op = KvOp::kGet;
  std::string key;
  std::string value;     // put / append: the argument; cas: the new value
  std::string expected;  // cas: the value that must be current

  bool operator==(const KvCommand&) const = default;
};

struct KvResult {
  bool ok = true;     // false only for a cas whose expected value did not match
  std::string value;  // get: the value; cas: the value found
  bool operator==(const KvResult&) const = default;
};

// Compact binary form carried in log entries. decode() never trusts its input: a truncated or
// malformed command yields nullopt.
// A value unique to one client operation and short ("2.9ix": client 2, sequence 12345 in base
// 36), so commands stay small (see encode).
std::string value_token(uint64_t client, uint64_t seq);

std::string encode(const KvCommand& command);
std::optional<KvCommand> decode(std::string_view bytes);

class KvStore {
 public:
  // Applies a committed command. A command whose (client, seq) was already applied returns the
  // result it had then and changes nothing.
  KvResult apply(const KvCommand& command);
  // A missing key reads as "".
  std::string get(const std::string& key) const;

  // The whole state — data and client sessions — as bytes, for a Raft snapshot (§7). A store
  // restored from them answers every request, retries included, as this one would.
  std::string snapshot() const;
  // nullopt when the bytes are not a snapshot (truncated, malformed, trailing bytes).
  static std::optional<KvStore> restore(std::string_view bytes);

  const std::map<std::string, std::string>& data() const { return data_; }
  // The highest seq of this client's requests the store has applied; 0: none. A client sends one
  // request at a time, so every acknowledged request of it up to this seq went through here.
  uint64_t last_seq(uint64_t client_id) const {
    auto it = sessions_.find(client_id);
    return it == sessions_.end() ? 0 : it->second.last_seq;
  }
  // Every client's last_seq, by client id.
  std::map<uint64_t, uint64_t> last_seqs() const;

 private:
  struct Session {
    uint64_t last_seq = 0;
    KvResult last_result;
  };
  std::map<std::string, std::string> data_;
  std::map<uint64_t, Session> sessions_;
};

}  // namespace raftsim::node

#include "node/kv.h"

#include <cstring>

namespace raftsim::node {

std::string_view to_string(KvOp op) {
  switch (op) {
    case KvOp::kGet:
      return "get";
    case KvOp::kPut:
      return "put";
    case KvOp::kAppend:
      return "append";
    case KvOp::kCas:
      return "cas";
  }
  return "?";
}

namespace {

// Format: op(1) client_id(varint) seq(varint) then key, value and (cas only) expected, each as
// (varint length, bytes). Kept small so a typical command fits a string's inline buffer: every
// log entry, message and Ready copies it.
void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool get_varint(std::string_view& in, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    const auto byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    v |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

void put_bytes(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

bool get_bytes(std::string_view& in, std::string& s) {
  uint64_t n = 0;
  if (!get_varint(in, n) || n > in.size()) return false;
  s.assign(in.substr(0, n));
  in.remove_prefix(n);
  return true;
}

}  // namespace

std::string value_token(uint64_t client, uint64_t seq) {
  std::string digits;
  do {
    digits.insert(digits.begin(), "0123456789abcdefghijklmnopqrstuvwxyz"[seq % 36]);
    seq /= 36;
  } while (seq != 0);
  return std::to_string(client) + "." + digits;
}

std::string encode(const KvCommand& c) {
  std::string out;
  out.reserve(8 + c.key.size() + c.value.size() + c.expected.size());
  out.push_back(static_cast<char>(c.op));
  put_varint(out, c.client_id);
  put_varint(out, c.seq);
  put_bytes(out, c.key);
  put_bytes(out, c.value);
  if (c.op == KvOp::kCas) put_bytes(out, c.expected);
  return out;
}

std::optional<KvCommand> decode(std::string_view in) {
  KvCommand c;
  if (in.empty() || static_cast<uint8_t>(in.front()) > static_cast<uint8_t>(KvOp::kCas)) {
    return std::nullopt;
  }
  c.op = static_cast<KvOp>(in.front());
  in.remove_prefix(1);
  if (!get_varint(in, c.client_id) || !get_varint(in, c.seq) || !get_bytes(in, c.key) ||
      !get_bytes(in, c.value) || (c.op == KvOp::kCas && !get_bytes(in, c.expected)) ||
      !in.empty()) {
    return std::nullopt;
  }
  return c;
}

KvResult KvStore::apply(const KvCommand& c) {
  Session& session = sessions_[c.client_id];
  if (c.seq != 0 && c.seq <= session.last_seq) return session.last_result;
  KvResult result;
  std::string& slot = data_[c.key];
  switch (c.op) {
    case KvOp::kGet:
      result.value = slot;
      break;
    case KvOp::kPut:
      slot = c.value;
      break;
    case KvOp::kAppend:
      slot += c.value;
      break;
    case KvOp::kCas:
      result.value = slot;
      result.ok = slot == c.expected;
      if (result.ok) slot = c.value;
      break;
  }
  if (slot.empty()) data_.erase(c.key);  // "" and missing are the same value
  if (c.seq != 0) session = {c.seq, result};
  return result;
}

std::map<uint64_t, uint64_t> KvStore::last_seqs() const {
  std::map<uint64_t, uint64_t> out;
  for (const auto& [client, session] : sessions_)
    out.emplace_hint(out.end(), client, session.last_seq);
  return out;
}

std::string KvStore::get(const std::string& key) const {
  auto it = data_.find(key);
  return it == data_.end() ? std::string{} : it->second;
}

// Format: a version byte, then the data as (count, then key and value bytes each), then the
// sessions as (count, then client id, last seq, ok byte, value bytes each). Maps are written in
// key order, so equal stores give equal bytes.
constexpr char kSnapshotVersion = 1;

std::string KvStore::snapshot() const {
  std::string out;
  out.push_back(kSnapshotVersion);
  put_varint(out, data_.size());
  for (const auto& [key, value] : data_) {
    put_bytes(out, key);
    put_bytes(out, value);
  }
  put_varint(out, sessions_.size());
  for (const auto& [client, session] : sessions_) {
    put_varint(out, client);
    put_varint(out, session.last_seq);
    out.push_back(session.last_result.ok ? 1 : 0);
    put_bytes(out, session.last_result.value);
  }
  return out;
}

std::optional<KvStore> KvStore::restore(std::string_view in) {
  if (in.empty() || in.front() != kSnapshotVersion) return std::nullopt;
  in.remove_prefix(1);
  KvStore store;
  uint64_t count = 0;
  if (!get_varint(in, count)) return std::nullopt;
  for (uint64_t i = 0; i < count; ++i) {
    std::string key, value;
    if (!get_bytes(in, key) || !get_bytes(in, value)) return std::nullopt;
    store.data_.emplace_hint(store.data_.end(), std::move(key), std::move(value));
  }
  if (!get_varint(in, count)) return std::nullopt;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t client = 0;
    Session session;
    if (!get_varint(in, client) || !get_varint(in, session.last_seq) || in.empty()) {
      return std::nullopt;
    }
    const char ok = in.front();
    in.remove_prefix(1);
    if ((ok != 0 && ok != 1) || !get_bytes(in, session.last_result.value)) return std::nullopt;
    session.last_result.ok = ok == 1;
    store.sessions_.emplace_hint(store.sessions_.end(), client, std::move(session));
  }
  if (!in.empty()) return std::nullopt;
  return store;
}

}  // namespace raftsim::node

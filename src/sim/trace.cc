#include "sim/trace.h"

#include <fmt/format.h>

#include <bit>
#include <nlohmann/json.hpp>

#include "raft/message.h"

namespace raftsim::sim {

std::string_view to_string(TraceKind kind) {
  switch (kind) {
    case TraceKind::kRole:
      return "role";
    case TraceKind::kTerm:
      return "term";
    case TraceKind::kVote:
      return "vote";
    case TraceKind::kCommit:
      return "commit";
    case TraceKind::kApply:
      return "apply";
    case TraceKind::kSend:
      return "send";
    case TraceKind::kDeliver:
      return "deliver";
    case TraceKind::kDuplicate:
      return "duplicate";
    case TraceKind::kDrop:
      return "drop";
    case TraceKind::kFault:
      return "fault";
    case TraceKind::kClientInvoke:
      return "invoke";
    case TraceKind::kClientComplete:
      return "complete";
    case TraceKind::kNodeDown:
      return "down";
    case TraceKind::kNodeUp:
      return "up";
    case TraceKind::kTruncate:
      return "truncate";
    case TraceKind::kNote:
      return "note";
    case TraceKind::kSnapshot:
      return "snapshot";
    case TraceKind::kLie:
      return "lie";
    case TraceKind::kTimer:
      return "timer";
  }
  return "?";
}

namespace {

// A 64-bit multiply-xorshift mix per word: cheap enough for millions of events per second, and
// any change to any field of any event changes the digest with overwhelming probability.
uint64_t mix(uint64_t h, uint64_t word) {
  h ^= word + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
  h *= 0xFF51AFD7ED558CCDULL;
  return h ^ (h >> 33);
}

uint64_t hash_text(std::string_view text) {
  uint64_t h = 0x100000001B3ULL;
  for (unsigned char ch : text)
    h = (h ^ ch) * 0x100000001B3ULL;
  return h;
}

}  // namespace

std::string to_json(const TraceEvent& e) {
  nlohmann::ordered_json j;
  j["t_us"] = micros(e.time);
  j["kind"] = to_string(e.kind);
  j["node"] = e.node;
  if (e.peer != 0) j["peer"] = e.peer;
  if (e.a != 0) j["a"] = e.a;
  if (e.b != 0) j["b"] = e.b;
  if (e.c != 0) j["c"] = e.c;
  if (e.d != 0) j["d"] = e.d;
  if (e.kind == TraceKind::kSend || e.kind == TraceKind::kDeliver ||
      e.kind == TraceKind::kDuplicate || e.kind == TraceKind::kDrop) {
    j["type"] = raft::to_string(static_cast<raft::MessageType>(e.a));
  }
  if (e.flag) j["flag"] = true;
  if (!e.text.empty()) j["text"] = e.text;
  return j.dump();
}

Trace::~Trace() {
  if (jsonl_) std::fclose(jsonl_);
}

void Trace::record(const TraceEvent& e) {
  // The fields are spread by independent multiplications (which run in parallel) and folded
  // into the running digest by one mix: a serial chain of one mix per field cost more than
  // anything else the trace does.
  const uint64_t fields =
      static_cast<uint64_t>(micros(e.time)) * 0x9E3779B97F4A7C15ULL ^
      (static_cast<uint64_t>(e.kind) | (uint64_t{e.flag} << 8) | (uint64_t{e.node} << 16) |
       (uint64_t{e.peer} << 40)) *
          0xC2B2AE3D27D4EB4FULL ^
      std::rotl(e.a * 0x165667B19E3779F9ULL, 17) ^ std::rotl(e.b * 0xD6E8FEB86659FD93ULL, 29) ^
      std::rotl(e.c * 0xFF51AFD7ED558CCDULL, 41) ^ std::rotl(e.d * 0xC4CEB9FE1A85EC53ULL, 53);
  uint64_t h = mix(digest_, fields);
  if (!e.text.empty()) h = mix(h, hash_text(e.text));
  digest_ = h;

  if (!recent_.empty()) recent_[count_ & (recent_.size() - 1)] = e;
  ++count_;
  if (jsonl_) write_line(e);
  for (const Listener& listener : listeners_)
    listener(e);
}

void Trace::write_line(const TraceEvent& e) {
  fmt::print(jsonl_, "{}\n", to_json(e));
}

std::string Trace::write_jsonl(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (!file) return fmt::format("{}: cannot open for writing", path);
  if (jsonl_) std::fclose(jsonl_);
  jsonl_ = file;
  return {};
}

std::vector<TraceEvent> Trace::recent() const {
  std::vector<TraceEvent> out;
  const uint64_t n = std::min<uint64_t>(count_, recent_.size());
  for (uint64_t i = count_ - n; i < count_; ++i)
    out.push_back(recent_[i & (recent_.size() - 1)]);
  return out;
}

}  // namespace raftsim::sim

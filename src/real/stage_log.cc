#include "real/stage_log.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace raftsim::real {

namespace {

// Enough for minutes of one client, or seconds of many; about 40 MB.
constexpr size_t kCapacity = 1 << 20;

constexpr std::array<std::string_view, kStageCount> kNames = {
    "request_received", "proposed",    "append_sent",   "send_started",   "send_done",
    "log_written",      "log_synced",  "sync_resumed",  "append_arrived", "append_delivered",
    "ack_sent",         "ack_arrived", "ack_delivered", "applied",        "reply_sent",
};

}  // namespace

std::string_view to_string(Stage stage) {
  return kNames[static_cast<size_t>(stage)];
}

std::unique_ptr<StageLog> StageLog::from_environment(raft::NodeId self) {
  const char* dir = std::getenv("RAFTSIM_STAGE_LOG");
  if (dir == nullptr || *dir == '\0') return nullptr;
  return std::make_unique<StageLog>(fmt::format("{}/stages-{}.tsv", dir, self.value), kCapacity);
}

StageLog::StageLog(std::string path, size_t capacity)
    : path_(std::move(path)), capacity_(capacity), stamps_(std::make_unique<Stamp[]>(capacity)) {}

void StageLog::stamp(Stage stage, raft::NodeId peer, uint64_t index, uint64_t seq) {
  const size_t slot = next_.fetch_add(1, std::memory_order_relaxed);
  if (slot >= capacity_) return;
  Stamp& s = stamps_[slot];
  s.nanoseconds = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count();
  s.stage = stage;
  s.peer = peer.value;
  s.index = index;
  s.seq = seq;
  s.complete.store(true, std::memory_order_release);
}

bool StageLog::write() const {
  std::FILE* out = std::fopen(path_.c_str(), "w");
  if (out == nullptr) {
    fmt::print(stderr, "cannot write the stage log {}\n", path_);
    return false;
  }
  const size_t end = std::min(next_.load(std::memory_order_relaxed), capacity_);
  for (size_t i = 0; i < end; ++i) {
    const Stamp& s = stamps_[i];
    if (!s.complete.load(std::memory_order_acquire)) continue;
    fmt::print(out, "{}\t{}\t{}\t{}\t{}\n", s.nanoseconds, to_string(s.stage), s.peer, s.index,
               s.seq);
  }
  return std::fclose(out) == 0;
}

}  // namespace raftsim::real

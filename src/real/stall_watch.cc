#include "real/stall_watch.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace raftsim::real {

namespace {

constexpr int64_t kOpen = std::numeric_limits<int64_t>::max();

bool overlap(int64_t a0, int64_t a1, int64_t b0, int64_t b1) {
  return a0 < b1 && b0 < a1;
}

std::string seconds(int64_t micros) {
  return fmt::format("{:.3f}s", static_cast<double>(micros) / 1e6);
}

}  // namespace

StallWatch::StallWatch(std::vector<std::string> names, Clock::time_point t0,
                       std::chrono::microseconds tolerated)
    : names_(std::move(names)), t0_(t0), tolerated_(tolerated.count()) {}

const std::string& StallWatch::name_of(uint32_t node) const {
  static const std::string unknown = "a node";
  return node >= 1 && node <= names_.size() ? names_[node - 1] : unknown;
}

int64_t StallWatch::since_t0(Clock::time_point t) const {
  return std::chrono::duration_cast<std::chrono::microseconds>(t - t0_).count();
}

void StallWatch::on_status(uint32_t node, const v1::StatusReply& reply) {
  const int64_t t0 =
      std::chrono::duration_cast<std::chrono::microseconds>(t0_.time_since_epoch()).count();
  std::lock_guard lock(mutex_);
  for (const v1::Stall& s : reply.stalls()) {
    if (s.ended_us() - s.began_us() >= tolerated_)
      stalls_.emplace(std::pair{node, s.began_us() - t0}, s.ended_us() - t0);
  }
}

void StallWatch::paused(uint32_t node, Clock::time_point at) {
  std::lock_guard lock(mutex_);
  pauses_[node].push_back({since_t0(at), kOpen});
}

void StallWatch::running(uint32_t node, Clock::time_point at) {
  std::lock_guard lock(mutex_);
  auto it = pauses_.find(node);
  if (it != pauses_.end() && !it->second.empty() && it->second.back().end == kOpen)
    it->second.back().end = since_t0(at);
}

void StallWatch::woke(const std::string& step, Clock::time_point due, Clock::time_point woke) {
  if (std::chrono::duration_cast<std::chrono::microseconds>(woke - due).count() < tolerated_)
    return;
  std::lock_guard lock(mutex_);
  late_steps_.push_back({step, {since_t0(due), since_t0(woke)}});
}

void StallWatch::missed(const std::string& step, uint32_t node, Clock::time_point at) {
  std::lock_guard lock(mutex_);
  missed_.push_back({since_t0(at), fmt::format("{} never took the links of '{}' (given up at {}): "
                                               "its control service did not answer",
                                               name_of(node), step, seconds(since_t0(at)))});
}

std::vector<std::string> StallWatch::disturbances(Clock::time_point end) const {
  const int64_t until = since_t0(end);
  std::lock_guard lock(mutex_);
  std::vector<std::pair<int64_t, std::string>> found;
  for (const auto& [key, ended] : stalls_) {
    const auto [node, began] = key;
    const Span s{began, ended};
    if (!overlap(s.begin, s.end, 0, until)) continue;
    auto it = pauses_.find(node);
    const bool asked = it != pauses_.end() &&
                       std::any_of(it->second.begin(), it->second.end(), [&](const Span& p) {
                         return overlap(s.begin, s.end, p.begin, p.end);
                       });
    if (asked) continue;
    found.push_back({s.begin, fmt::format("{} stood still for {}ms ({} to {}): its process was not "
                                          "scheduled, or a write to its disk took that long",
                                          name_of(node), (s.end - s.begin) / 1000, seconds(s.begin),
                                          seconds(s.end))});
  }
  for (const auto& [step, s] : late_steps_) {
    if (s.begin >= until) continue;
    found.push_back(
        {s.begin, fmt::format("'{}' took effect {}ms late ({} to {})", step,
                              (s.end - s.begin) / 1000, seconds(s.begin), seconds(s.end))});
  }
  for (const auto& [at, text] : missed_)
    if (at < until) found.push_back({at, text});
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& [at, text] : found)
    out.push_back(std::move(text));
  return out;
}

}  // namespace raftsim::real

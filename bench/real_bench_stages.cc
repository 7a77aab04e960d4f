#include "real_bench_stages.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

#include "real/stage_log.h"

namespace raftsim::bench {

namespace {

using real::Stage;

struct Stamp {
  int64_t nanoseconds;
  uint32_t peer;
  uint64_t index;
  uint64_t seq;
};

// One node's stamps, by stage, in time order.
using NodeStamps = std::array<std::vector<Stamp>, real::kStageCount>;

std::optional<Stage> parse_stage(const std::string& name) {
  for (int i = 0; i < real::kStageCount; ++i) {
    if (real::to_string(static_cast<Stage>(i)) == name) return static_cast<Stage>(i);
  }
  return std::nullopt;
}

NodeStamps read_stamps(const std::filesystem::path& path) {
  NodeStamps out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    Stamp s{};
    std::string name;
    if (!(fields >> s.nanoseconds >> name >> s.peer >> s.index >> s.seq)) continue;
    if (auto stage = parse_stage(name)) out[static_cast<size_t>(*stage)].push_back(s);
  }
  for (auto& stamps : out) {
    std::sort(stamps.begin(), stamps.end(),
              [](const Stamp& a, const Stamp& b) { return a.nanoseconds < b.nanoseconds; });
  }
  return out;
}

// The first stamp of `stage` at or after `from` that covers log index `index` (a batch covers
// every index up to its own) and, if `peer` is set, concerns that peer.
const Stamp* first_covering(const NodeStamps& node, Stage stage, int64_t from, uint64_t index,
                            uint32_t peer = 0) {
  const std::vector<Stamp>& stamps = node[static_cast<size_t>(stage)];
  auto it = std::lower_bound(stamps.begin(), stamps.end(), from,
                             [](const Stamp& s, int64_t t) { return s.nanoseconds < t; });
  for (; it != stamps.end(); ++it) {
    if (it->index >= index && (peer == 0 || it->peer == peer)) return &*it;
  }
  return nullptr;
}

const Stamp* first_with_seq(const NodeStamps& node, Stage stage, int64_t from, uint64_t seq) {
  const std::vector<Stamp>& stamps = node[static_cast<size_t>(stage)];
  auto it = std::lower_bound(stamps.begin(), stamps.end(), from,
                             [](const Stamp& s, int64_t t) { return s.nanoseconds < t; });
  for (; it != stamps.end(); ++it) {
    if (it->seq == seq) return &*it;
  }
  return nullptr;
}

// A row of the report: a stage on the leader or on the follower that acknowledged first.
struct Row {
  bool on_leader;
  Stage stage;
};

constexpr std::array kRows = {
    Row{true, Stage::kProposed},       Row{true, Stage::kAppendSent},
    Row{true, Stage::kSendStarted},    Row{true, Stage::kLogWritten},
    Row{true, Stage::kLogSynced},      Row{true, Stage::kSyncResumed},
    Row{false, Stage::kAppendArrived}, Row{false, Stage::kAppendDelivered},
    Row{false, Stage::kLogWritten},    Row{false, Stage::kLogSynced},
    Row{false, Stage::kSyncResumed},   Row{false, Stage::kAckSent},
    Row{true, Stage::kAckArrived},     Row{true, Stage::kAckDelivered},
    Row{true, Stage::kApplied},        Row{true, Stage::kReplySent},
    Row{true, Stage::kSendDone},
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int report_stages(const std::string& dir) {
  std::map<uint32_t, NodeStamps> nodes;
  std::error_code ec;
  for (const auto& file : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = file.path().filename().string();
    if (!name.starts_with("stages-") || !name.ends_with(".tsv")) continue;
    nodes[static_cast<uint32_t>(std::stoul(name.substr(7)))] = read_stamps(file.path());
  }
  auto leader = std::find_if(nodes.begin(), nodes.end(), [](const auto& n) {
    return !n.second[static_cast<size_t>(Stage::kProposed)].empty();
  });
  if (leader == nodes.end()) {
    fmt::print(stderr, "{}: no stage log with a proposed write\n", dir);
    return 2;
  }
  const NodeStamps& l = leader->second;

  // Per row: every put's time from request_received to that stage, in milliseconds.
  std::array<std::vector<double>, kRows.size()> since_request;
  std::array<std::vector<double>, kRows.size()> step;
  for (const Stamp& proposed : l[static_cast<size_t>(Stage::kProposed)]) {
    const auto& received = l[static_cast<size_t>(Stage::kRequestReceived)];
    auto request = std::find_if(received.rbegin(), received.rend(), [&](const Stamp& s) {
      return s.seq == proposed.seq && s.nanoseconds <= proposed.nanoseconds;
    });
    if (request == received.rend()) continue;
    const int64_t t0 = request->nanoseconds;
    const uint64_t index = proposed.index;
    // The follower whose acknowledgement reached the leader first is the one that let it commit.
    const NodeStamps* follower = nullptr;
    int64_t first_ack = INT64_MAX;
    for (const auto& [id, stamps] : nodes) {
      if (&stamps == &l) continue;
      const Stamp* ack = first_covering(l, Stage::kAckArrived, t0, index, id);
      if (ack && ack->nanoseconds < first_ack) {
        first_ack = ack->nanoseconds;
        follower = &stamps;
      }
    }
    if (!follower) continue;
    std::array<std::optional<int64_t>, kRows.size()> at;
    for (size_t r = 0; r < kRows.size(); ++r) {
      const NodeStamps& node = kRows[r].on_leader ? l : *follower;
      const Stamp* s = kRows[r].stage == Stage::kReplySent
                           ? first_with_seq(node, kRows[r].stage, t0, proposed.seq)
                           : first_covering(node, kRows[r].stage, t0, index);
      if (s) at[r] = s->nanoseconds;
    }
    if (!at[kRows.size() - 2]) continue;  // never answered (leadership changed): not a sample
    for (size_t r = 0; r < kRows.size(); ++r) {
      if (!at[r]) continue;
      since_request[r].push_back(static_cast<double>(*at[r] - t0) / 1e6);
      const int64_t before = r == 0 ? t0 : at[r - 1].value_or(t0);
      step[r].push_back(static_cast<double>(*at[r] - before) / 1e6);
    }
  }
  fmt::print("stage timing: leader n{}, {} puts answered\n", leader->first,
             since_request[kRows.size() - 2].size());
  fmt::print("{:<28} {:>8} {:>8} {:>8} {:>12}\n", "stage (from request_received)", "p50 ms",
             "p90 ms", "p99 ms", "step p50 ms");
  for (size_t r = 0; r < kRows.size(); ++r) {
    fmt::print("{:<28} {:>8.3f} {:>8.3f} {:>8.3f} {:>12.3f}\n",
               fmt::format("{} {}", kRows[r].on_leader ? "leader  " : "follower",
                           real::to_string(kRows[r].stage)),
               percentile(since_request[r], 0.5), percentile(since_request[r], 0.9),
               percentile(since_request[r], 0.99), percentile(step[r], 0.5));
  }
  return 0;
}

}  // namespace raftsim::bench

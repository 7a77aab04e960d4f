#include "external/report_checks.h"

#include <fmt/format.h>

namespace raftsim::external {

void ReportChecks::on_start(uint32_t id) {
  last_[id].commit.reset();
}

void ReportChecks::violate(std::string_view property, std::vector<uint32_t> ids, uint64_t term,
                           int64_t time, std::string detail) {
  check::PropertyViolation v;
  v.property = std::string(property);
  for (uint32_t id : ids)
    v.nodes.push_back(raft::NodeId{id});
  v.term = raft::Term{term};
  v.time = time;
  v.seed = seed_;
  v.detail = std::move(detail);
  violations_.push_back(std::move(v));
}

void ReportChecks::on_report(uint32_t id, const StateReport& r, int64_t time) {
  const std::string& name = names_.at(id - 1);
  Seen& seen = last_[id];
  if (r.term < seen.term)
    violate(check::kTermMonotonic, {id}, r.term, time,
            fmt::format("{} reports term {} after term {}", name, r.term, seen.term));
  seen.term = std::max(seen.term, r.term);
  if (!r.voted_for.empty()) {
    auto [it, fresh] = seen.votes.try_emplace(r.term, r.voted_for);
    if (!fresh && it->second != r.voted_for)
      violate(check::kVoteStable, {id}, r.term, time,
              fmt::format("{} reports voting for {} in term {} after voting for {}", name,
                          r.voted_for, r.term, it->second));
  }
  if (seen.commit && r.commit_index < *seen.commit)
    violate(check::kCommitMonotonic, {id}, r.term, time,
            fmt::format("{} reports commit index {} after {}", name, r.commit_index, *seen.commit));
  seen.commit = std::max(seen.commit.value_or(0), r.commit_index);
  if (r.role == "leader") {
    auto [it, fresh] = leaders_.try_emplace(r.term, id);
    if (!fresh && it->second != id)
      violate(check::kElectionSafety, {id, it->second}, r.term, time,
              fmt::format("{} and {} both report leading term {}", names_.at(it->second - 1), name,
                          r.term));
  }
}

}  // namespace raftsim::external

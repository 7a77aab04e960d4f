#include "external/report_checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "scenario/verdict.h"

namespace raftsim::external {

namespace {

using scenario::Property;

bool from_logs(Property p) {
  return p == Property::kLogMatching || p == Property::kLeaderCompleteness ||
         p == Property::kStateMachineSafety;
}

}  // namespace

bool ReportChecks::judges(Property p) {
  return scenario::evidence(p) == scenario::Evidence::kNodeState;
}

void ReportChecks::judge(const scenario::Scenario& s, bool reports,
                         scenario::RunReport& report) const {
  for (Property p : scenario::kSafetyProperties) {
    if (!judges(p)) continue;
    const std::string name(scenario::to_string(p));
    const bool expect_violation = scenario::expected_violated(s, p).value_or(false);
    scenario::Verdict row{name, expect_violation ? "violated" : "holds", "", !expect_violation};
    row.timed = expect_violation;  // a violation needs the story to play out as scripted
    if (reports && from_logs(p) && !saw_logs()) {
      row.observed = "not checked: the nodes' state reports carry no log";
    } else if (!reports) {
      row.observed = "not checked: the nodes send no state reports";
    } else {
      auto first =
          std::find_if(violations_.begin(), violations_.end(),
                       [&](const check::PropertyViolation& v) { return v.property == name; });
      const bool seen = first != violations_.end();
      row.observed = seen ? fmt::format("violated at {:.3f}s: {}",
                                        static_cast<double>(first->time) / 1e6, first->detail)
                          : "holds (from the nodes' state reports)";
      row.ok = seen == expect_violation;
      if (seen) {
        report.violated_properties.push_back(name);
        report.violations.push_back(*first);
      }
    }
    report.rows.push_back(std::move(row));
  }
}

void ReportChecks::on_start(uint32_t id, bool disk_lost) {
  if (disk_lost) {
    last_[id] = Seen{};
    return;
  }
  last_[id].commit.reset();
  last_[id].leading.reset();
}

void ReportChecks::violate(std::string_view property, std::vector<uint32_t> ids, uint64_t term,
                           int64_t time, std::string detail, uint64_t index) {
  for (const check::PropertyViolation& seen : violations_)
    if (seen.property == property) return;  // the first one says it; the rest would flood
  check::PropertyViolation v;
  v.property = std::string(property);
  for (uint32_t id : ids)
    v.nodes.push_back(raft::NodeId{id});
  v.term = raft::Term{term};
  v.index = raft::Index{index};
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
            fmt::format("{} reports commit index {} after {}", name, r.commit_index, *seen.commit),
            r.commit_index);
  seen.commit = std::max(seen.commit.value_or(0), r.commit_index);
  check_append_only(id, seen, r, time);  // before check_log replaces the node's last log
  seen.leading.reset();
  if (r.role == "leader") seen.leading = std::pair{r.term, r.last_log_index};
  if (r.log) check_log(id, r, time);
  if (r.role == "leader") {
    auto [it, fresh] = leaders_.try_emplace(r.term, id);
    if (!fresh && it->second != id)
      violate(check::kElectionSafety, {id, it->second}, r.term, time,
              fmt::format("{} and {} both report leading term {}", names_.at(it->second - 1), name,
                          r.term));
  }
}

// Figure 3: a leader never overwrites or deletes entries in its log. One node leading one term
// in two reports of one life led it in between (a term has one leader, and its log changes
// only by that leader), so what the first report held must still be there.
void ReportChecks::check_append_only(uint32_t id, const Seen& seen, const StateReport& r,
                                     int64_t time) {
  if (r.role != "leader" || !seen.leading || seen.leading->first != r.term) return;
  const std::string& name = names_.at(id - 1);
  const uint64_t before = seen.leading->second;
  if (r.last_log_index < before) {
    violate(check::kLeaderAppendOnly, {id}, r.term, time,
            fmt::format("{}, leading term {}, reports a last log index of {} after {}", name,
                        r.term, r.last_log_index, before),
            r.last_log_index + 1);
    return;
  }
  auto held = logs_.find(id);
  if (!r.log || held == logs_.end()) return;
  const std::vector<StateReport::Entry>& was = held->second;
  const size_t common = std::min({was.size(), r.log->size(), static_cast<size_t>(before)});
  for (size_t i = 1; i <= common; ++i) {
    if (was[i - 1] == (*r.log)[i - 1]) continue;
    violate(check::kLeaderAppendOnly, {id}, r.term, time,
            fmt::format("{}, leading term {}, reports (term {}, {}) at index {} where it reported "
                        "(term {}, {})",
                        name, r.term, (*r.log)[i - 1].term, (*r.log)[i - 1].hash, i,
                        was[i - 1].term, was[i - 1].hash),
            i);
    return;
  }
}

void ReportChecks::check_log(uint32_t id, const StateReport& r, int64_t time) {
  const std::string& name = names_.at(id - 1);
  const std::vector<StateReport::Entry>& log = *r.log;
  auto text = [](const StateReport::Entry& e) {
    return fmt::format("(term {}, {})", e.term, e.hash);
  };
  for (const auto& [other, theirs] : logs_) {
    if (other == id) continue;
    const size_t common = std::min(log.size(), theirs.size());
    size_t top = common;  // the highest index where both hold an entry of one term
    while (top > 0 && log[top - 1].term != theirs[top - 1].term)
      --top;
    for (size_t i = 1; i <= top; ++i)
      if (!(log[i - 1] == theirs[i - 1])) {
        violate(check::kLogMatching, {id, other}, r.term, time,
                fmt::format("{} and {} both hold term {} at index {}, but differ at index {}: "
                            "{} against {}",
                            name, names_.at(other - 1), log[top - 1].term, top, i, text(log[i - 1]),
                            text(theirs[i - 1])),
                i);
        break;
      }
  }
  logs_[id] = log;
  const uint64_t commit = std::min<uint64_t>(r.commit_index, log.size());
  for (uint64_t i = 1; i <= commit; ++i) {
    auto [it, fresh] = committed_.try_emplace(i, Committed{log[i - 1], r.term, id});
    if (!fresh && !(it->second.entry == log[i - 1]))
      violate(
          check::kStateMachineSafety, {id, it->second.node}, r.term, time,
          fmt::format("{} reports {} committed at index {}, where {} reported {}", name,
                      text(log[i - 1]), i, names_.at(it->second.node - 1), text(it->second.entry)),
          i);
  }
  if (r.role != "leader") return;
  for (const auto& [index, c] : committed_) {
    if (c.term >= r.term) continue;  // as in the simulator: leaders of later terms
    if (index > log.size() || !(log[index - 1] == c.entry)) {
      violate(check::kLeaderCompleteness, {id, c.node}, r.term, time,
              fmt::format("{} leads term {} without {} at index {}, which {} reported committed "
                          "in term {}",
                          name, r.term, text(c.entry), index, names_.at(c.node - 1), c.term),
              index);
      return;
    }
  }
}

}  // namespace raftsim::external

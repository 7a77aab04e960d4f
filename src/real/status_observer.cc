#include "real/status_observer.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace raftsim::real {

namespace {

using scenario::Expectation;

bool in_group(const Expectation& e, uint32_t id) {
  return e.group.empty() || std::find(e.group.begin(), e.group.end(), id) != e.group.end();
}

// Whether the span [begin, end] certainly lies inside the window [lo, hi].
bool inside(int64_t begin, int64_t end, int64_t lo, int64_t hi) {
  return begin >= lo && end <= hi;
}

}  // namespace

StatusObserver::StatusObserver(const scenario::Scenario& scenario)
    : scenario_(scenario), happened_(scenario.expectations.size()) {}

void StatusObserver::observe(uint32_t id, int64_t sent, int64_t received,
                             const v1::StatusReply& r) {
  std::lock_guard lock(mutex_);
  Last& prev = last_[id];
  const bool leader = r.role() == "leader";
  const std::string& name = scenario_.node_name(id);
  const double sec = static_cast<double>(received) / 1e6;
  // Before its first answer a node was at most started: its timers begin at time 0.
  const int64_t prev_sent = prev.seen ? prev.sent : 0;
  highest_commit_ = std::max(highest_commit_, r.commit());
  for (size_t i = 0; i < scenario_.expectations.size(); ++i) {
    const Expectation& e = scenario_.expectations[i];
    Happened& h = happened_[i];
    const int64_t from = sim::micros(e.from);
    if (received <= from) h.committed_before = std::max(h.committed_before, r.commit());
    if (h.happened || !in_group(e, id)) continue;
    const int64_t to =
        e.to == sim::SimTime::max() ? std::numeric_limits<int64_t>::max() : sim::micros(e.to);
    auto mark = [&](std::string text) {
      h.happened = true;
      h.note = std::move(text);
    };
    switch (e.kind) {
      case Expectation::Kind::kLeaderWithin:
        if (leader && inside(sent, received, from, from + e.within.count()))
          mark(fmt::format("{} leads term {} at {:.3f}s", name, r.term(), sec));
        break;
      case Expectation::Kind::kNoLeader:
        if (leader && inside(sent, received, from, to))
          mark(fmt::format("{} leads term {} at {:.3f}s", name, r.term(), sec));
        break;
      case Expectation::Kind::kNoElection:
        if (leader && (!prev.seen || prev.role != "leader" || prev.term != r.term()) &&
            inside(prev_sent, received, from, to))
          mark(fmt::format("{} became leader of term {} by {:.3f}s", name, r.term(), sec));
        break;
      case Expectation::Kind::kNoCommit:
        // An index some node had committed before the window opened is no commit of the
        // window's: a member that learns of it late (its leader's next heartbeat, slowed by a
        // loaded machine) commits nothing new.
        if (prev.seen && r.commit() > std::max(prev.commit, h.committed_before) &&
            inside(prev_sent, received, from, to))
          mark(fmt::format("{} commit {} -> {} between {:.3f}s and {:.3f}s", name, prev.commit,
                           r.commit(), static_cast<double>(prev_sent) / 1e6, sec));
        break;
      case Expectation::Kind::kTermAtMost:
        // Terms only grow: the term seen was already reached at `received`.
        if (r.term() > e.count && inside(received, received, from, to))
          mark(fmt::format("{} at term {} at {:.3f}s", name, r.term(), sec));
        break;
      case Expectation::Kind::kTermAbove:
        if (r.term() > e.count && received <= to)
          mark(fmt::format("{} at term {} at {:.3f}s", name, r.term(), sec));
        break;
      default:
        break;
    }
  }
  prev = {true, sent, r.role(), r.term(), r.commit()};
}

std::vector<scenario::Verdict> StatusObserver::verdicts(size_t acked_writes) const {
  std::lock_guard lock(mutex_);
  std::vector<scenario::Verdict> rows;
  for (size_t i = 0; i < scenario_.expectations.size(); ++i) {
    const Expectation& e = scenario_.expectations[i];
    const Happened& h = happened_[i];
    scenario::Verdict row{e.text, "met", "", false};
    row.timed = true;  // each is a promise about when things happen
    switch (e.kind) {
      case Expectation::Kind::kHolds:
      case Expectation::Kind::kViolated:
        continue;  // property rows are the runner's
      case Expectation::Kind::kSafetyViolated:
        row.observed = "not checked in real mode";
        row.ok = false;
        row.timed = false;
        break;
      case Expectation::Kind::kNoLeader:
      case Expectation::Kind::kNoElection:
      case Expectation::Kind::kNoCommit:
      case Expectation::Kind::kTermAtMost:
        row.observed = h.happened ? h.note : "as expected (status polls)";
        row.ok = !h.happened;
        break;
      case Expectation::Kind::kLeaderWithin:
      case Expectation::Kind::kTermAbove:
        row.observed = h.happened ? h.note : "never (status polls)";
        row.ok = h.happened;
        break;
      case Expectation::Kind::kCommitsAtLeast:
        row.observed = fmt::format("highest commit index {}", highest_commit_);
        row.ok = highest_commit_ >= e.count;
        break;
      case Expectation::Kind::kAckedWritesAtLeast:
        row.observed = fmt::format("{} writes acknowledged", acked_writes);
        row.ok = acked_writes >= e.count;
        break;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

uint64_t StatusObserver::highest_commit() const {
  std::lock_guard lock(mutex_);
  return highest_commit_;
}

}  // namespace raftsim::real

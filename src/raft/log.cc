#include "raft/log.h"

#include <algorithm>
#include <cassert>
#include <stdexcept>
#include <string>

namespace raftsim::raft {

Log::Log(Index snapshot_index, Term snapshot_term, std::vector<Entry> durable_entries)
    : snapshot_index_(snapshot_index),
      snapshot_term_(snapshot_term),
      entries_(std::move(durable_entries)) {
  for (size_t i = 0; i < entries_.size(); ++i)
    assert(entries_[i].index == snapshot_index_ + (i + 1));
  stable_ = in_flight_ = last_index();
}

bool Log::is_up_to_date(Index last_index, Term last_term) const {
  // §5.4.1: the later last term wins; with equal last terms, the longer log wins.
  if (last_term != this->last_term()) return last_term > this->last_term();
  return last_index >= this->last_index();
}

// Terms never decrease along a log, so both searches are binary: a long stable term costs
// O(log n), not a scan of its whole run.
Index Log::first_index_of_term_run(Index at) const {
  const Term term = term_at(at);
  if (at == snapshot_index_) return at;
  const auto end = entries_.begin() + static_cast<ptrdiff_t>(distance(snapshot_index_, at));
  const auto first = std::lower_bound(entries_.begin(), end, term,
                                      [](const Entry& e, Term t) { return e.term < t; });
  return first->index;
}

Index Log::last_index_of_term(Term term) const {
  const auto past = std::upper_bound(entries_.begin(), entries_.end(), term,
                                     [](Term t, const Entry& e) { return t < e.term; });
  if (past != entries_.begin())
    return std::prev(past)->term == term ? std::prev(past)->index : Index{};
  return term == snapshot_term_ && snapshot_index_.value != 0 ? snapshot_index_ : Index{};
}

void Log::out_of_range(const char* operation, Index index) const {
  throw std::logic_error(std::string("log ") + operation + " at index " +
                         std::to_string(index.value) + ": the log holds " +
                         std::to_string(first_index().value) + ".." +
                         std::to_string(last_index().value) + " after a snapshot through " +
                         std::to_string(snapshot_index_.value));
}

void Log::append(Entry entry) {
  if (entry.index != last_index().next()) out_of_range("append", entry.index);
  entries_.push_back(std::move(entry));
}

void Log::truncate_from(Index from) {
  if (from < first_index() || from > last_index()) out_of_range("truncate_from", from);
  entries_.resize(distance(snapshot_index_, from) - 1);
  stable_ = std::min(stable_, from.prev());
  in_flight_ = std::min(in_flight_, from.prev());
}

std::span<const Entry> Log::slice(Index from, Index to, size_t max) const {
  if (from < first_index()) out_of_range("slice", from);
  if (from > to || from > last_index()) return {};
  const uint64_t count = std::min<uint64_t>(distance(from.prev(), std::min(to, last_index())), max);
  return {entries_.data() + (distance(snapshot_index_, from) - 1), count};
}

std::vector<Entry> Log::take_unpersisted() {
  std::vector<Entry> out(
      entries_.begin() + static_cast<ptrdiff_t>(distance(snapshot_index_, in_flight_)),
      entries_.end());
  in_flight_ = last_index();
  return out;
}

void Log::persisted(std::span<const Entry> batch) {
  // The last entry of the batch this log still holds as written; by Log Matching the ones
  // before it are held too.
  for (auto e = batch.rbegin(); e != batch.rend() && e->index > stable_; ++e) {
    if (e->index > in_flight_ || !contains(e->index) || term_at(e->index) != e->term) continue;
    stable_ = e->index;
    return;
  }
}

void Log::compact_through(Index index) {
  if (index <= snapshot_index_ || index > stable_) out_of_range("compact_through", index);
  snapshot_term_ = term_at(index);
  entries_.erase(entries_.begin(),
                 entries_.begin() + static_cast<ptrdiff_t>(distance(snapshot_index_, index)));
  snapshot_index_ = index;
}

void Log::restore(Index index, Term term) {
  entries_.clear();
  snapshot_index_ = index;
  snapshot_term_ = term;
  stable_ = in_flight_ = index;
}

}  // namespace raftsim::raft

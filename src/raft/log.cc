#include "raft/log.h"

#include <algorithm>
#include <cassert>

namespace raftsim::raft {

Log::Log(std::vector<Entry> durable_entries) : entries_(std::move(durable_entries)) {
  for (size_t i = 0; i < entries_.size(); ++i)
    assert(entries_[i].index.value == i + 1);
  stable_ = in_flight_ = last_index();
}

Term Log::term_at(Index index) const {
  assert(index <= last_index());
  return index.value == 0 ? Term{} : entries_[index.value - 1].term;
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
  if (at.value == 0) return at;
  const auto end = entries_.begin() + static_cast<ptrdiff_t>(at.value);
  const auto first = std::lower_bound(entries_.begin(), end, term,
                                      [](const Entry& e, Term t) { return e.term < t; });
  return first->index;
}

Index Log::last_index_of_term(Term term) const {
  const auto past = std::upper_bound(entries_.begin(), entries_.end(), term,
                                     [](Term t, const Entry& e) { return t < e.term; });
  if (past == entries_.begin() || std::prev(past)->term != term) return Index{};
  return std::prev(past)->index;
}

void Log::append(Entry entry) {
  assert(entry.index == last_index().next());
  entries_.push_back(std::move(entry));
}

void Log::truncate_from(Index from) {
  assert(from.value >= 1 && from <= last_index());
  entries_.resize(from.value - 1);
  stable_ = std::min(stable_, from.prev());
  in_flight_ = std::min(in_flight_, from.prev());
}

std::span<const Entry> Log::slice(Index from, Index to, size_t max) const {
  if (from.value < 1 || from > to || from > last_index()) return {};
  const uint64_t count = std::min<uint64_t>(distance(from.prev(), std::min(to, last_index())), max);
  return {entries_.data() + (from.value - 1), count};
}

std::vector<Entry> Log::take_unpersisted() {
  std::vector<Entry> out(entries_.begin() + static_cast<ptrdiff_t>(in_flight_.value),
                         entries_.end());
  in_flight_ = last_index();
  return out;
}

}  // namespace raftsim::raft

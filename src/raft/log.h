// The in-memory Raft log, with the bookkeeping of which of its entries are durable.
//
// Entries are numbered from 1 and held contiguously. The log also tracks, for the host loop, the
// boundary between entries known to be on stable storage and entries not yet handed to it:
//
//   1 ........ stable ......... in_flight ......... last
//   [ durable ][ handed to storage, not yet durable ][ not yet handed to storage ]
//
// Invariant: stable <= in_flight <= last. A truncation lowers both marks to below the removed
// entries, so an acknowledgement for a persist that raced with the truncation can never mark
// replacement entries as durable.
#pragma once

#include <span>
#include <vector>

#include "raft/message.h"

namespace raftsim::raft {

class Log {
 public:
  Log() = default;
  // Rebuilds a log from storage; the entries must be numbered 1..n and are all durable.
  explicit Log(std::vector<Entry> durable_entries);

  Index last_index() const { return Index{entries_.size()}; }
  Term last_term() const { return term_at(last_index()); }
  // Term{0} for Index{0}; requires index <= last_index().
  Term term_at(Index index) const;
  bool contains(Index index) const { return index.value >= 1 && index <= last_index(); }
  bool matches(Index index, Term term) const {
    return index <= last_index() && term_at(index) == term;
  }
  const Entry& at(Index index) const { return entries_[index.value - 1]; }

  // §5.4.1: is a log ending at (last_index, last_term) at least as up-to-date as this one?
  bool is_up_to_date(Index last_index, Term last_term) const;
  // The first index holding `term` at or before `at`, scanning back over that term's run.
  Index first_index_of_term_run(Index at) const;
  // The last index holding `term`, or Index{0} when the log has no entry of that term.
  Index last_index_of_term(Term term) const;

  void append(Entry entry);
  // Removes every entry at or after `from`; requires from >= 1.
  void truncate_from(Index from);
  // Entries in [from, to], at most `max` of them.
  std::span<const Entry> slice(Index from, Index to, size_t max) const;

  // Persistence bookkeeping for the host loop.
  Index stable_index() const { return stable_; }
  bool has_unpersisted() const { return in_flight_ < last_index(); }
  // Hands the not-yet-persisted entries to the caller and marks them in flight.
  std::vector<Entry> take_unpersisted();
  // The last persist handed out has completed.
  void persisted() { stable_ = in_flight_; }

 private:
  std::vector<Entry> entries_;  // entries_[i].index == i + 1
  Index stable_;
  Index in_flight_;
};

}  // namespace raftsim::raft

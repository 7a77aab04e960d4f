// The in-memory Raft log, with the bookkeeping of which of its entries are durable.
//
// Entries are held contiguously after the snapshot point: entries up to `snapshot_index` were
// compacted into a state-machine snapshot (§7) and only that last index and its term remain
// (Index{0} and Term{0} before any compaction). The log also tracks, for the host loop, the
// boundary between entries known to be on stable storage and entries not yet handed to it:
//
//   1 ........ stable ......... in_flight ......... last
//   [ durable ][ handed to storage, not yet durable ][ not yet handed to storage ]
//
// Invariant: stable <= in_flight <= last. A truncation lowers both marks to below the removed
// entries, so an acknowledgement for a persist that raced with the truncation can never mark
// replacement entries as durable.
#pragma once

#include <cassert>
#include <span>
#include <vector>

#include "raft/message.h"

namespace raftsim::raft {

class Log {
 public:
  Log() = default;
  // Rebuilds a log from storage: a snapshot point (Index{0} for none) and the entries after it,
  // numbered from snapshot_index + 1. All of it is durable.
  Log(Index snapshot_index, Term snapshot_term, std::vector<Entry> durable_entries);
  explicit Log(std::vector<Entry> durable_entries)
      : Log(Index{}, Term{}, std::move(durable_entries)) {}

  Index snapshot_index() const { return snapshot_index_; }
  Term snapshot_term() const { return snapshot_term_; }
  Index first_index() const { return snapshot_index_.next(); }  // the first entry held
  Index last_index() const { return snapshot_index_ + entries_.size(); }
  Term last_term() const { return term_at(last_index()); }
  // Requires snapshot_index() <= index <= last_index(); the snapshot point has snapshot_term().
  // Inline: the core, the checkers and the search's coverage each ask it for nearly every event.
  Term term_at(Index index) const {
    if (index < snapshot_index_ || index > last_index()) out_of_range("term_at", index);
    return index == snapshot_index_ ? snapshot_term_
                                    : entries_[distance(snapshot_index_, index) - 1].term;
  }
  bool contains(Index index) const { return index > snapshot_index_ && index <= last_index(); }
  // Whether the entry at `index` has `term`; requires index >= snapshot_index().
  bool matches(Index index, Term term) const {
    return index <= last_index() && term_at(index) == term;
  }
  // Requires contains(index).
  const Entry& at(Index index) const {
    if (!contains(index)) out_of_range("at", index);
    return entries_[distance(snapshot_index_, index) - 1];
  }

  // §5.4.1: is a log ending at (last_index, last_term) at least as up-to-date as this one?
  bool is_up_to_date(Index last_index, Term last_term) const;
  // The first index holding `term` at or before `at`, scanning back over that term's run (the
  // first entry held, when the run reaches into the snapshot).
  Index first_index_of_term_run(Index at) const;
  // The last index holding `term` (the snapshot point counts), or Index{0} when there is none.
  Index last_index_of_term(Term term) const;

  void append(Entry entry);
  // Removes every entry at or after `from`; requires first_index() <= from <= last_index().
  void truncate_from(Index from);
  // Entries in [from, to], at most `max` of them; requires from >= first_index().
  std::span<const Entry> slice(Index from, Index to, size_t max) const;

  // Compaction (§7): the entries through `index` are in a snapshot now; drops them. Requires
  // snapshot_index() < index <= stable_index().
  void compact_through(Index index);
  // A leader's snapshot replaces the whole log: nothing is left but its point, which counts as
  // durable (the host persists the snapshot with the Ready that carries it).
  void restore(Index index, Term term);

  // Persistence bookkeeping for the host loop.
  Index stable_index() const { return stable_; }
  bool has_unpersisted() const { return in_flight_ < last_index(); }
  // Hands the not-yet-persisted entries to the caller and marks them in flight.
  std::vector<Entry> take_unpersisted();
  // A persist handed out has completed: the entries it carried (`batch`, in order) are
  // durable. Only those: a host may hand out the next entries before it reports the earlier
  // ones done, and those are not durable yet. Of a batch a conflicting suffix has replaced in
  // part, the part still in the log counts.
  void persisted(std::span<const Entry> batch);

 private:
  // A core that asks for what the log does not hold has broken its own rules. Checked in every
  // build, and thrown: the run ends there and says so (the runner reports a `crash`), the same
  // way every time, where reading past the log would make the run depend on stray memory.
  [[noreturn]] void out_of_range(const char* operation, Index index) const;
  Index snapshot_index_;
  Term snapshot_term_;
  std::vector<Entry> entries_;  // entries_[i].index == snapshot_index_ + i + 1
  Index stable_;
  Index in_flight_;
};

}  // namespace raftsim::raft

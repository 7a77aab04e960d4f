// The Wing & Gong / Lowe search for one partition of a history (as in Porcupine's checkSingle).
//
// Calls and returns of the partition's operations form a doubly linked list in real-time order.
// The search walks it: at a call it tries to linearize that op now (step the model, "lift" the
// call and its return out of the list, push a frame); at a return it has met an op that had to be
// linearized before this point but was not, so it backtracks (pop, "unlift"). A memo cache of
// (set of linearized ops, model state) prunes configurations already explored.
//
// Indeterminate ops have their return at +infinity, so they never force a backtrack: the search
// may linearize them anywhere after their call, and succeeds as soon as every op with a known
// outcome is linearized, leaving the rest out ("never happened").
//
// The search is resumable: advance() runs up to a total step allowance and can be called again
// with a larger one, so partitions can be checked in rounds without redoing work.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "check/history.h"
#include "check/models.h"

namespace raftsim::check {

enum class SearchStatus : std::uint8_t {
  running,  // allowance reached, may be advanced further
  linearizable,
  not_linearizable,
  out_of_memory,  // the memory limit was reached
};

// Where the search got furthest: the longest linearizable prefix it found, and why it could not
// be extended. Indices refer to the ops vector given to the search.
struct DeepestPoint {
  std::vector<std::size_t> linearized;  // in linearization order
  std::string state;                    // model state after `linearized`
  std::vector<std::size_t> pending;     // called, not linearized, in real-time order of calls
  std::size_t stuck = 0;  // the pending op returning first: it had to take effect by then
};

class PartitionSearch {
 public:
  // ops: the partition's operations (no `fail` ones); they must outlive the search.
  PartitionSearch(std::vector<const Operation*> ops, std::unique_ptr<StateSpace> space);
  ~PartitionSearch();

  // Runs until the search ends, its total step count reaches the allowance, or the memory it
  // holds passes memory_limit_bytes (then out_of_memory, final).
  SearchStatus advance(std::uint64_t total_step_allowance, std::size_t memory_limit_bytes);

  std::uint64_t steps() const { return steps_; }
  std::size_t memory_bytes() const;
  // Meaningful once advance() returned not_linearizable.
  const DeepestPoint& deepest() const { return deepest_; }
  const std::vector<const Operation*>& ops() const { return ops_; }

 private:
  class MemoCache;
  class TransitionTable;
  struct Frame {
    std::size_t op;
    StateId state_before;
  };

  void build_entry_list();
  StateId transition(StateId state, std::size_t op);
  void lift(int call_entry);
  void unlift(int call_entry);
  void record_deepest(int return_entry);
  void set_bit(std::size_t op) { linearized_[op / 64] |= std::uint64_t{1} << (op % 64); }
  void clear_bit(std::size_t op) { linearized_[op / 64] &= ~(std::uint64_t{1} << (op % 64)); }

  std::vector<const Operation*> ops_;
  std::unique_ptr<StateSpace> space_;

  // Entry e: 0 is the list head; op i has call 2i+1 and return 2i+2.
  std::vector<int> next_;
  std::vector<int> prev_;
  std::vector<bool> memoized_;          // per op: StateSpace::memoize
  std::vector<std::uint64_t> zobrist_;  // per op, for an incremental hash of the linearized set

  std::unique_ptr<TransitionTable> transitions_;  // (state << 32 | op) -> next state
  std::unique_ptr<MemoCache> cache_;
  std::vector<std::uint64_t> linearized_;
  std::uint64_t linearized_hash_ = 0;
  std::vector<Frame> stack_;
  StateId state_ = 0;
  int entry_ = 0;
  std::size_t definite_left_ = 0;  // ops with a known outcome not yet linearized
  std::uint64_t steps_ = 0;
  bool started_ = false;
  DeepestPoint deepest_;
  bool has_deepest_ = false;
};

}  // namespace raftsim::check

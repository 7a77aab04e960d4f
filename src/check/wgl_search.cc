#include "check/wgl_search.h"

#include <algorithm>
#include <cstring>
#include <tuple>

namespace raftsim::check {
namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

bool is_call(int entry) {
  return entry % 2 == 1;
}
std::size_t op_of(int entry) {
  return static_cast<std::size_t>((entry - 1) / 2);
}
int call_of(std::size_t op) {
  return static_cast<int>(2 * op + 1);
}
int return_of(std::size_t op) {
  return static_cast<int>(2 * op + 2);
}

}  // namespace

// An open-addressing set of (linearized bitset, state) configurations. Entries live in one flat
// arena of `words` 64-bit words each (the bitset, then the state), so the memory used is exact
// enough to enforce a budget.
class PartitionSearch::MemoCache {
 public:
  explicit MemoCache(std::size_t bitset_words) : words_(bitset_words + 1), slots_(1024, 0) {}

  // Returns false when the configuration was already present.
  bool insert(const std::vector<std::uint64_t>& bits, StateId state, std::uint64_t hash) {
    if ((count_ + 1) * 2 > slots_.size()) grow();
    std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      std::uint32_t slot = slots_[i];
      if (slot == 0) {
        slots_[i] = static_cast<std::uint32_t>(count_ + 1);
        arena_.insert(arena_.end(), bits.begin(), bits.end());
        arena_.push_back(static_cast<std::uint64_t>(state));
        hashes_.push_back(hash);
        ++count_;
        return true;
      }
      if (hashes_[slot - 1] == hash && matches(slot - 1, bits, state)) return false;
    }
  }

  std::size_t memory_bytes() const {
    return arena_.capacity() * 8 + hashes_.capacity() * 8 + slots_.capacity() * 4;
  }

 private:
  bool matches(std::size_t entry, const std::vector<std::uint64_t>& bits, StateId state) const {
    const std::uint64_t* stored = arena_.data() + entry * words_;
    return stored[words_ - 1] == static_cast<std::uint64_t>(state) &&
           std::memcmp(stored, bits.data(), bits.size() * 8) == 0;
  }

  void grow() {
    std::vector<std::uint32_t> bigger(slots_.size() * 2, 0);
    std::size_t mask = bigger.size() - 1;
    for (std::size_t entry = 0; entry < count_; ++entry) {
      std::size_t i = hashes_[entry] & mask;
      while (bigger[i] != 0)
        i = (i + 1) & mask;
      bigger[i] = static_cast<std::uint32_t>(entry + 1);
    }
    slots_.swap(bigger);
  }

  std::size_t words_;
  std::size_t count_ = 0;
  std::vector<std::uint64_t> arena_;
  std::vector<std::uint64_t> hashes_;
  std::vector<std::uint32_t> slots_;  // entry + 1; 0 = empty
};

// (state, op) -> next state, memoized: stepping a model may copy and intern a long value, while
// the search asks the same transition many times. Open addressing over two flat arrays.
class PartitionSearch::TransitionTable {
 public:
  TransitionTable() : keys_(1024, kEmpty), values_(1024, kIllegal) {}

  // The slot for `key`; *found tells whether it was already filled.
  StateId* find_or_add(std::uint64_t key, bool* found) {
    if ((count_ + 1) * 2 > keys_.size()) grow();
    std::size_t mask = keys_.size() - 1;
    for (std::size_t i = splitmix64(key) & mask;; i = (i + 1) & mask) {
      if (keys_[i] == key) return *found = true, &values_[i];
      if (keys_[i] == kEmpty) {
        keys_[i] = key;
        ++count_;
        return *found = false, &values_[i];
      }
    }
  }

  std::size_t memory_bytes() const { return keys_.size() * 12; }

 private:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};

  void grow() {
    std::vector<std::uint64_t> keys(keys_.size() * 2, kEmpty);
    std::vector<StateId> values(keys.size(), kIllegal);
    std::size_t mask = keys.size() - 1;
    for (std::size_t j = 0; j < keys_.size(); ++j) {
      if (keys_[j] == kEmpty) continue;
      std::size_t i = splitmix64(keys_[j]) & mask;
      while (keys[i] != kEmpty)
        i = (i + 1) & mask;
      keys[i] = keys_[j];
      values[i] = values_[j];
    }
    keys_.swap(keys);
    values_.swap(values);
  }

  std::vector<std::uint64_t> keys_;
  std::vector<StateId> values_;
  std::size_t count_ = 0;
};

PartitionSearch::PartitionSearch(std::vector<const Operation*> ops,
                                 std::unique_ptr<StateSpace> space)
    : ops_(std::move(ops)), space_(std::move(space)) {}

PartitionSearch::~PartitionSearch() = default;

void PartitionSearch::build_entry_list() {
  const std::size_t n = ops_.size();
  // Real-time order; at equal times calls come before returns, so touching ops overlap (the
  // permissive reading: an equal timestamp does not prove one op ended before the other began).
  std::vector<std::tuple<Time, int, int>> order;
  order.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    order.emplace_back(ops_[i]->invoke, 0, call_of(i));
    order.emplace_back(std::max(ops_[i]->complete, ops_[i]->invoke), 1, return_of(i));
  }
  std::sort(order.begin(), order.end());
  next_.assign(2 * n + 1, 0);
  prev_.assign(2 * n + 1, 0);
  int last = 0;
  for (const auto& [time, kind, entry] : order) {
    next_[last] = entry;
    prev_[entry] = last;
    last = entry;
  }
  next_[last] = 0;
  prev_[0] = last;

  zobrist_.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    zobrist_[i] = splitmix64(i * 0x632be59bd9b4e019ULL + 1);
  linearized_.assign((n + 63) / 64 + 1, 0);
  cache_ = std::make_unique<MemoCache>(linearized_.size());
  transitions_ = std::make_unique<TransitionTable>();
  memoized_.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    memoized_[i] = space_->memoize(*ops_[i]);
  for (const Operation* op : ops_)
    definite_left_ += op->outcome == Outcome::ok ? 1 : 0;
  state_ = space_->initial();
  entry_ = next_[0];
}

StateId PartitionSearch::transition(StateId state, std::size_t op) {
  if (!memoized_[op]) return space_->step(state, *ops_[op]);
  std::uint64_t key = (static_cast<std::uint64_t>(state) << 32) | op;
  bool found = false;
  StateId* next = transitions_->find_or_add(key, &found);
  if (!found) *next = space_->step(state, *ops_[op]);
  return *next;
}

// Removes a call and its return from the list: the op is linearized.
void PartitionSearch::lift(int call_entry) {
  next_[prev_[call_entry]] = next_[call_entry];
  prev_[next_[call_entry]] = prev_[call_entry];
  int ret = call_entry + 1;
  next_[prev_[ret]] = next_[ret];
  prev_[next_[ret]] = prev_[ret];
}

// Exact inverse of lift (dancing links): the removed entries kept their own links.
void PartitionSearch::unlift(int call_entry) {
  int ret = call_entry + 1;
  prev_[next_[ret]] = ret;
  next_[prev_[ret]] = ret;
  prev_[next_[call_entry]] = call_entry;
  next_[prev_[call_entry]] = call_entry;
}

void PartitionSearch::record_deepest(int return_entry) {
  if (has_deepest_ && stack_.size() <= deepest_.linearized.size()) return;
  has_deepest_ = true;
  deepest_.linearized.clear();
  for (const Frame& frame : stack_)
    deepest_.linearized.push_back(frame.op);
  deepest_.state = space_->describe(state_);
  deepest_.pending.clear();
  for (int e = next_[0]; e != return_entry; e = next_[e]) {
    if (is_call(e)) deepest_.pending.push_back(op_of(e));
  }
  deepest_.stuck = op_of(return_entry);
}

std::size_t PartitionSearch::memory_bytes() const {
  if (!started_) return 0;
  std::size_t bytes = space_->memory_bytes() + transitions_->memory_bytes() +
                      stack_.capacity() * sizeof(Frame) + next_.capacity() * 8;
  return bytes + (cache_ ? cache_->memory_bytes() : 0);
}

SearchStatus PartitionSearch::advance(std::uint64_t total_step_allowance,
                                      std::size_t memory_limit_bytes) {
  if (!started_) {
    started_ = true;
    build_entry_list();
  }
  while (definite_left_ > 0) {
    if (steps_ >= total_step_allowance) return SearchStatus::running;
    if (++steps_ % 4096 == 0 && memory_bytes() > memory_limit_bytes)
      return SearchStatus::out_of_memory;
    const int entry = entry_;
    if (!is_call(entry)) {
      // An op returned before being linearized: undo the most recent choice.
      record_deepest(entry);
      if (stack_.empty()) return SearchStatus::not_linearizable;
      const Frame frame = stack_.back();
      stack_.pop_back();
      state_ = frame.state_before;
      clear_bit(frame.op);
      linearized_hash_ ^= zobrist_[frame.op];
      unlift(call_of(frame.op));
      if (ops_[frame.op]->outcome == Outcome::ok) ++definite_left_;
      entry_ = next_[call_of(frame.op)];
      continue;
    }
    const std::size_t op = op_of(entry);
    const StateId next_state = transition(state_, op);
    if (next_state != kIllegal) {
      const std::uint64_t hash = linearized_hash_ ^ zobrist_[op];
      set_bit(op);
      if (cache_->insert(linearized_, next_state, hash ^ splitmix64(next_state))) {
        stack_.push_back({op, state_});
        state_ = next_state;
        linearized_hash_ = hash;
        lift(entry);
        if (ops_[op]->outcome == Outcome::ok) --definite_left_;
        entry_ = next_[0];
        continue;
      }
      clear_bit(op);
    }
    entry_ = next_[entry];
  }
  return SearchStatus::linearizable;
}

}  // namespace raftsim::check

// Sequential specifications of the objects whose histories raftsim checks.
//
// The search never sees a model's states directly: each distinct state is interned once and named
// by a small integer, so the memo cache stores (linearized set, StateId) pairs of fixed size, and
// states with long values (appended KV strings) are compared and hashed only when first reached.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "check/history.h"

namespace raftsim::check {

using StateId = std::int32_t;
inline constexpr StateId kIllegal = -1;

class StateSpace {
 public:
  virtual ~StateSpace() = default;
  virtual StateId initial() = 0;
  // The state after `op` takes effect in `state`, or kIllegal when it cannot take effect there.
  // An op with an unknown outcome is stepped as if it succeeded (a cas swapped); that it may also
  // never have happened is handled by the search, which may leave it out.
  virtual StateId step(StateId state, const Operation& op) = 0;
  // Whether step() for this op is worth memoizing per (state, op): true when it builds and
  // interns a new state, false when it is a comparison or the states are tiny.
  virtual bool memoize(const Operation& op) const = 0;
  virtual std::string describe(StateId state) const = 0;
  // Approximate bytes held by the interned states (counted against the check's memory budget).
  virtual std::size_t memory_bytes() const = 0;
};

// The state space of one partition: a single key of a KV store, the single register, the whole
// multi-register, or the mutex.
std::unique_ptr<StateSpace> make_state_space(ModelKind model, RegisterValue initial_register);

}  // namespace raftsim::check

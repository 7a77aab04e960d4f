#include "check/models.h"

#include <fmt/format.h>

#include <map>
#include <unordered_map>
#include <vector>

namespace raftsim::check {
namespace {

// How an op acts on a state: Model::apply(const State&, const Operation&, State& out) returns
// one of these, and fills `out` only for `changed`, so reads never copy a state.
enum class Effect { illegal, unchanged, changed };

// Interns the states of one Model; Model::Index maps a state to its id.
template <class State, class Model>
class InternedSpace final : public StateSpace {
 public:
  explicit InternedSpace(State initial_state) { initial_ = intern(std::move(initial_state)); }

  StateId initial() override { return initial_; }

  StateId step(StateId state, const Operation& op) override {
    State next;
    switch (Model::apply(states_[state], op, next)) {
      case Effect::illegal:
        return kIllegal;
      case Effect::unchanged:
        return state;
      case Effect::changed:
        return intern(std::move(next));
    }
    return kIllegal;
  }

  bool memoize(const Operation& op) const override { return Model::memoize(op); }

  std::string describe(StateId state) const override { return Model::describe(states_[state]); }

  std::size_t memory_bytes() const override { return bytes_; }

 private:
  StateId intern(State state) {
    auto [it, inserted] = ids_.try_emplace(state, static_cast<StateId>(states_.size()));
    if (inserted) {
      bytes_ += 2 * (sizeof(State) + Model::heap_bytes(state)) + 48;
      states_.push_back(std::move(state));
    }
    return it->second;
  }

  typename Model::Index ids_;
  std::vector<State> states_;
  StateId initial_ = 0;
  std::size_t bytes_ = 0;
};

Effect check(bool legal) {
  return legal ? Effect::unchanged : Effect::illegal;
}

struct KvModel {
  using Index = std::unordered_map<std::string, StateId>;  // values can be long: hash, not sort

  // A key's value; a missing key reads as "".
  static Effect apply(const std::string& state, const Operation& op, std::string& out) {
    switch (op.kind) {
      case OpKind::kv_get:
        return check(state == op.value);
      case OpKind::kv_put:
        out = op.value;
        return Effect::changed;
      case OpKind::kv_append:
        out.reserve(state.size() + op.value.size());
        out = state;
        out += op.value;
        return Effect::changed;
      case OpKind::kv_cas:
        if (op.succeeded || op.outcome == Outcome::unknown) {
          if (state != op.expected) return Effect::illegal;
          out = op.value;
          return Effect::changed;
        }
        return check(state != op.expected);
      default:
        return Effect::illegal;
    }
  }
  // Reads only compare; a write interns (hashes) a value that may be long.
  static bool memoize(const Operation& op) { return op.kind != OpKind::kv_get; }
  static std::string describe(const std::string& state) { return fmt::format("\"{}\"", state); }
  static std::size_t heap_bytes(const std::string& state) { return state.capacity(); }
};

struct RegisterModel {
  using Index = std::map<RegisterValue, StateId>;

  static Effect apply(const RegisterValue& state, const Operation& op, RegisterValue& out) {
    switch (op.kind) {
      case OpKind::register_read:
        return check(state == op.register_value);
      case OpKind::register_write:
        out = op.register_value;
        return Effect::changed;
      case OpKind::register_cas:
        if (op.succeeded || op.outcome == Outcome::unknown) {
          if (state != op.register_expected) return Effect::illegal;
          out = op.register_value;
          return Effect::changed;
        }
        return check(state != op.register_expected);
      default:
        return Effect::illegal;
    }
  }
  static bool memoize(const Operation&) { return false; }  // a handful of tiny states
  static std::string describe(const RegisterValue& state) { return to_string(state); }
  static std::size_t heap_bytes(const RegisterValue&) { return 0; }
};

// Registers never written hold the initial value; the map holds only written ones.
struct MultiRegisterState {
  RegisterValue initial;
  std::map<std::string, RegisterValue> written;

  RegisterValue get(const std::string& name) const {
    auto it = written.find(name);
    return it == written.end() ? initial : it->second;
  }
  friend bool operator<(const MultiRegisterState& a, const MultiRegisterState& b) {
    return a.written < b.written;
  }
};

struct MultiRegisterModel {
  using Index = std::map<MultiRegisterState, StateId>;

  static Effect apply(const MultiRegisterState& state, const Operation& op,
                      MultiRegisterState& out) {
    if (op.kind != OpKind::txn) return Effect::illegal;
    out = state;
    for (const TxnStep& step : op.txn) {
      if (step.is_write) {
        out.written[step.register_name] = step.value;
      } else if (step.value && out.get(step.register_name) != step.value) {
        return Effect::illegal;
      }
    }
    return Effect::changed;
  }
  static bool memoize(const Operation&) { return true; }
  static std::string describe(const MultiRegisterState& state) {
    std::string out = "{";
    for (const auto& [name, value] : state.written) {
      if (out.size() > 1) out += ", ";
      out += fmt::format("{}={}", name, to_string(value));
    }
    return out + fmt::format("{}others={}}}", out.size() > 1 ? ", " : "", to_string(state.initial));
  }
  static std::size_t heap_bytes(const MultiRegisterState& state) {
    return state.written.size() * 96;
  }
};

struct MutexModel {
  using Index = std::map<bool, StateId>;

  static Effect apply(bool locked, const Operation& op, bool& out) {
    if (op.kind == OpKind::mutex_acquire && !locked) return out = true, Effect::changed;
    if (op.kind == OpKind::mutex_release && locked) return out = false, Effect::changed;
    return Effect::illegal;
  }
  static bool memoize(const Operation&) { return false; }
  static std::string describe(bool locked) { return locked ? "locked" : "free"; }
  static std::size_t heap_bytes(bool) { return 0; }
};

}  // namespace

std::unique_ptr<StateSpace> make_state_space(ModelKind model, RegisterValue initial_register) {
  switch (model) {
    case ModelKind::kv:
      return std::make_unique<InternedSpace<std::string, KvModel>>(std::string());
    case ModelKind::register_:
      return std::make_unique<InternedSpace<RegisterValue, RegisterModel>>(initial_register);
    case ModelKind::multi_register:
      return std::make_unique<InternedSpace<MultiRegisterState, MultiRegisterModel>>(
          MultiRegisterState{initial_register, {}});
    case ModelKind::mutex:
      return std::make_unique<InternedSpace<bool, MutexModel>>(false);
  }
  return nullptr;
}

}  // namespace raftsim::check

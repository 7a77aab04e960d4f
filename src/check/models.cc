#include "check/models.h"

#include <fmt/format.h>

#include <map>
#include <vector>

namespace raftsim::check {
namespace {

// Interns states of type State; Apply(const State&, const Operation&, State& out) -> bool.
template <class State, class Model>
class InternedSpace final : public StateSpace {
 public:
  explicit InternedSpace(State initial_state) { initial_ = intern(std::move(initial_state)); }

  StateId initial() override { return initial_; }

  StateId step(StateId state, const Operation& op) override {
    State next = states_[state];
    if (!Model::apply(next, op)) return kIllegal;
    return intern(std::move(next));
  }

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

  std::map<State, StateId> ids_;
  std::vector<State> states_;
  StateId initial_ = 0;
  std::size_t bytes_ = 0;
};

struct KvModel {
  // A key's value; a missing key reads as "".
  static bool apply(std::string& state, const Operation& op) {
    switch (op.kind) {
      case OpKind::kv_get:
        return state == op.value;
      case OpKind::kv_put:
        state = op.value;
        return true;
      case OpKind::kv_append:
        state += op.value;
        return true;
      case OpKind::kv_cas:
        if (op.succeeded || op.outcome == Outcome::unknown) {
          if (state != op.expected) return false;
          state = op.value;
          return true;
        }
        return state != op.expected;
      default:
        return false;
    }
  }
  static std::string describe(const std::string& state) { return fmt::format("\"{}\"", state); }
  static std::size_t heap_bytes(const std::string& state) { return state.capacity(); }
};

struct RegisterModel {
  static bool apply(RegisterValue& state, const Operation& op) {
    switch (op.kind) {
      case OpKind::register_read:
        return state == op.register_value;
      case OpKind::register_write:
        state = op.register_value;
        return true;
      case OpKind::register_cas:
        if (op.succeeded || op.outcome == Outcome::unknown) {
          if (state != op.register_expected) return false;
          state = op.register_value;
          return true;
        }
        return state != op.register_expected;
      default:
        return false;
    }
  }
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
  static bool apply(MultiRegisterState& state, const Operation& op) {
    if (op.kind != OpKind::txn) return false;
    for (const TxnStep& step : op.txn) {
      if (step.is_write) {
        state.written[step.register_name] = step.value;
      } else if (step.value && state.get(step.register_name) != step.value) {
        return false;
      }
    }
    return true;
  }
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
  static bool apply(bool& locked, const Operation& op) {
    if (op.kind == OpKind::mutex_acquire && !locked) {
      locked = true;
      return true;
    }
    if (op.kind == OpKind::mutex_release && locked) {
      locked = false;
      return true;
    }
    return false;
  }
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

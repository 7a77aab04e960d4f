#include "check/models.h"

#include <fmt/format.h>

#include <map>
#include <string_view>
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

// One key of a KV store; a missing key reads as "". Values grow by appends and can be long, so
// a state is found by a polynomial hash that an append extends in O(length of the suffix), and
// is compared (memcmp of prefix and suffix) without building the appended string unless new.
// Values live back to back in one character arena: no allocation per state.
class KvSpace final : public StateSpace {
 public:
  KvSpace() : slots_(1024, kIllegal) { initial_ = find_or_add(kIllegal, ""); }

  StateId initial() override { return initial_; }

  StateId step(StateId state, const Operation& op) override {
    switch (op.kind) {
      case OpKind::kv_get:
        return value(state) == op.value ? state : kIllegal;
      case OpKind::kv_put:
        return find_or_add(kIllegal, op.value);
      case OpKind::kv_append:
        return find_or_add(state, op.value);
      case OpKind::kv_cas:
        if (op.succeeded || op.outcome == Outcome::unknown) {
          return value(state) == op.expected ? find_or_add(kIllegal, op.value) : kIllegal;
        }
        return value(state) != op.expected ? state : kIllegal;
      default:
        return kIllegal;
    }
  }

  bool memoize(const Operation& op) const override { return op.kind != OpKind::kv_get; }

  std::string describe(StateId state) const override { return fmt::format("\"{}\"", value(state)); }

  std::size_t memory_bytes() const override {
    return arena_.capacity() + states_.capacity() * sizeof(Entry) + slots_.capacity() * 4;
  }

 private:
  static constexpr std::uint64_t kBase = 0x100000001b3ULL;

  struct Entry {
    std::size_t offset;  // value = arena_[offset, offset + length)
    std::size_t length;
    std::uint64_t hash;  // polynomial hash of the value; "" hashes to 0
  };

  std::string_view value(StateId state) const {
    return std::string_view(arena_).substr(states_[state].offset, states_[state].length);
  }

  static std::uint64_t extend(std::uint64_t hash, std::string_view suffix) {
    for (unsigned char c : suffix)
      hash = hash * kBase + c + 1;
    return hash;
  }

  bool equals(StateId id, std::uint64_t hash, StateId prefix, std::size_t prefix_length,
              std::string_view suffix) const {
    const Entry& e = states_[id];
    if (e.hash != hash || e.length != prefix_length + suffix.size()) return false;
    return (prefix_length == 0 || arena_.compare(e.offset, prefix_length, arena_,
                                                 states_[prefix].offset, prefix_length) == 0) &&
           arena_.compare(e.offset + prefix_length, suffix.size(), suffix) == 0;
  }

  // The state whose value is value(prefix) + suffix; prefix == kIllegal stands for "".
  StateId find_or_add(StateId prefix, std::string_view suffix) {
    const bool empty = prefix == kIllegal;
    const std::size_t prefix_length = empty ? 0 : states_[prefix].length;
    const std::uint64_t hash = extend(empty ? 0 : states_[prefix].hash, suffix);
    if ((states_.size() + 1) * 2 > slots_.size()) grow();
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = mix(hash) & mask;
    for (; slots_[i] != kIllegal; i = (i + 1) & mask) {
      if (equals(slots_[i], hash, prefix, prefix_length, suffix)) return slots_[i];
    }
    const std::size_t offset = arena_.size();
    arena_.reserve(offset + prefix_length + suffix.size());  // no reallocation while copying
    if (!empty) arena_.append(arena_, states_[prefix].offset, prefix_length);
    arena_.append(suffix);
    slots_[i] = static_cast<StateId>(states_.size());
    states_.push_back(Entry{offset, prefix_length + suffix.size(), hash});
    return slots_[i];
  }

  static std::uint64_t mix(std::uint64_t h) { return (h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ULL; }

  void grow() {
    std::vector<StateId> bigger(slots_.size() * 2, kIllegal);
    const std::size_t mask = bigger.size() - 1;
    for (StateId id = 0; id < static_cast<StateId>(states_.size()); ++id) {
      std::size_t i = mix(states_[id].hash) & mask;
      while (bigger[i] != kIllegal)
        i = (i + 1) & mask;
      bigger[i] = id;
    }
    slots_.swap(bigger);
  }

  std::string arena_;
  std::vector<Entry> states_;
  std::vector<StateId> slots_;  // open addressing over states_ by hash
  StateId initial_ = 0;
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
      return std::make_unique<KvSpace>();
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

// The in-memory client history that the linearizability checker consumes.
//
// A history is a list of completed (or abandoned) client operations. The simulator's clients fill
// it directly; the readers in history_io.h fill it from other tools' files. Only the order of
// times matters: virtual nanoseconds and positions in a file are both fine.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace raftsim::check {

using ClientId = std::int64_t;
using Time = std::int64_t;

// The completion time of an operation whose outcome is unknown: it may take effect at any point
// after its invoke, so it is concurrent with everything that follows.
inline constexpr Time kNeverCompleted = std::numeric_limits<Time>::max();

// A single integer register's content; std::nullopt is the distinct "no value" (nil) state.
using RegisterValue = std::optional<std::int64_t>;

enum class OpKind : std::uint8_t {
  kv_get,          // result: the key's value ("" when missing)
  kv_put,          // value: new value
  kv_append,       // value: suffix appended
  kv_cas,          // expected, value: new value; succeeded: result
  register_read,   // register_value: the value read (nullopt = no value)
  register_write,  // register_value: new value
  register_cas,    // register_expected, register_value: new value; succeeded: result
  txn,             // txn: reads and writes applied atomically in order (multi-register)
  mutex_acquire,
  mutex_release,
};

enum class Outcome : std::uint8_t {
  ok,       // happened; its result is known
  fail,     // certainly did not happen; excluded from checking
  unknown,  // timed out or crashed: took effect once after its invoke, or never
};

// One step of a multi-register transaction. A read with register_value == nullopt constrains
// nothing (Knossos: the value was not observed).
struct TxnStep {
  bool is_write = false;
  std::string register_name;
  RegisterValue value;
};

struct Operation {
  ClientId client = 0;
  OpKind kind = OpKind::kv_get;
  Outcome outcome = Outcome::ok;
  Time invoke = 0;
  Time complete = 0;  // invoke <= complete; kNeverCompleted iff outcome == unknown

  std::string key;       // kv_*: the key (one P-compositionality partition per key)
  std::string value;     // kv_put/kv_append: argument; kv_cas: new value; kv_get: result read
  std::string expected;  // kv_cas: the value compared against

  RegisterValue register_value;     // register_write/cas: new value; register_read: value read
  RegisterValue register_expected;  // register_cas: the value compared against

  // kv_cas / register_cas: whether the swap happened. A cas that returned false is still an
  // operation that happened: it observed a value different from `expected`.
  bool succeeded = true;

  std::vector<TxnStep> txn;  // kind == txn
};

// Which sequential object a history is about. All operations of a history belong to one model.
enum class ModelKind : std::uint8_t { kv, register_, multi_register, mutex };

struct History {
  std::vector<Operation> ops;
  // Initial content of the register (register_) and of every register of a multi_register.
  // Porcupine's etcd histories start with no value; Knossos' examples start at 0.
  RegisterValue initial_register;
  // Set when the model was chosen explicitly (e.g. an empty history or a --model override);
  // otherwise it is inferred from the operation kinds.
  std::optional<ModelKind> model;
};

// Builders for in-process recording. A client calls one of these when an operation completes
// (or is abandoned: pass Outcome::unknown and the complete time is ignored).
Operation kv_get(ClientId client, std::string key, std::string result, Time invoke, Time complete,
                 Outcome outcome = Outcome::ok);
Operation kv_put(ClientId client, std::string key, std::string value, Time invoke, Time complete,
                 Outcome outcome = Outcome::ok);
Operation kv_append(ClientId client, std::string key, std::string value, Time invoke, Time complete,
                    Outcome outcome = Outcome::ok);
Operation kv_cas(ClientId client, std::string key, std::string expected, std::string value,
                 bool succeeded, Time invoke, Time complete, Outcome outcome = Outcome::ok);
Operation register_read(ClientId client, RegisterValue result, Time invoke, Time complete,
                        Outcome outcome = Outcome::ok);
Operation register_write(ClientId client, RegisterValue value, Time invoke, Time complete,
                         Outcome outcome = Outcome::ok);
Operation register_cas(ClientId client, RegisterValue expected, RegisterValue value, bool succeeded,
                       Time invoke, Time complete, Outcome outcome = Outcome::ok);

ModelKind model_of(OpKind kind);
const char* to_string(OpKind kind);
const char* to_string(Outcome outcome);
const char* to_string(ModelKind model);
std::optional<ModelKind> parse_model_kind(std::string_view name);
std::string to_string(const RegisterValue& value);  // "nil" or the integer

// The history's model: the explicit one, else the one of its operations. Returns an error message
// when operations of different models are mixed, or when an explicit model disagrees with them.
struct ModelOrError {
  std::optional<ModelKind> model;
  std::string error;
};
ModelOrError resolve_model(const History& history);

// One line of readable text for an operation, e.g. `client 3 put k1 "v7" [1200, 1850] ok`.
std::string describe(const Operation& op);

}  // namespace raftsim::check

// Writers for other tools' formats, so that `raftsim run --export edn|porcupine` histories can be
// checked by Knossos or Porcupine. What each format cannot express is in docs/history-format.md.
#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "check/history_io.h"

namespace raftsim::check::detail {
namespace {

std::string edn_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return out + "\"";
}

// A Jepsen event: an invoke, or the completion of history.ops[op].
struct Event {
  Time time;
  int order;  // 0 invoke, 1 completion: at equal times invokes first (the ops overlap)
  std::size_t op;
};

std::vector<Event> events_of(const History& history) {
  std::vector<Event> events;
  for (std::size_t i = 0; i < history.ops.size(); ++i) {
    events.push_back({history.ops[i].invoke, 0, i});
    events.push_back({history.ops[i].complete, 1, i});  // unknown: kNeverCompleted, i.e. last
  }
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return std::tie(a.time, a.order, a.op) < std::tie(b.time, b.order, b.op);
  });
  return events;
}

std::string edn_register(const RegisterValue& v) {
  return to_string(v);
}

// The :value of an event in Knossos' conventions (an :ok replaces the invoke's value).
std::string edn_value(const Operation& op, bool completion) {
  switch (op.kind) {
    case OpKind::kv_get:
      return completion && op.outcome == Outcome::ok ? edn_string(op.value) : "nil";
    case OpKind::kv_put:
    case OpKind::kv_append:
      return edn_string(op.value);
    case OpKind::kv_cas:
      return fmt::format("[{} {}]", edn_string(op.expected), edn_string(op.value));
    case OpKind::register_read:
      return completion && op.outcome == Outcome::ok ? edn_register(op.register_value) : "nil";
    case OpKind::register_write:
      return edn_register(op.register_value);
    case OpKind::register_cas:
      return fmt::format("[{} {}]", edn_register(op.register_expected),
                         edn_register(op.register_value));
    case OpKind::txn: {
      std::string out = "[";
      for (const TxnStep& s : op.txn) {
        RegisterValue v = s.is_write || completion ? s.value : RegisterValue();
        out += fmt::format("{}[:{} :{} {}]", out.size() > 1 ? " " : "",
                           s.is_write ? "write" : "read", s.register_name, edn_register(v));
      }
      return out + "]";
    }
    case OpKind::mutex_acquire:
    case OpKind::mutex_release:
      return "nil";
  }
  return "nil";
}

// Jepsen has no "returned false" for cas: it is written as :fail (did not happen), which drops
// the observation that the value differed but never makes a valid history invalid.
const char* completion_type(const Operation& op) {
  if (op.outcome == Outcome::unknown) return "info";
  if (op.outcome == Outcome::fail) return "fail";
  if ((op.kind == OpKind::kv_cas || op.kind == OpKind::register_cas) && !op.succeeded)
    return "fail";
  return "ok";
}

bool is_kv(const Operation& op) {
  return model_of(op.kind) == ModelKind::kv;
}

std::string edn_event(const Operation& op, ClientId process, bool completion) {
  std::string key = is_kv(op) ? fmt::format(", :key {}", edn_string(op.key)) : "";
  return fmt::format("{{:process {}, :type :{}, :f :{}{}, :value {}}}", process,
                     completion ? completion_type(op) : "invoke", to_string(op.kind), key,
                     edn_value(op, completion));
}

}  // namespace

WriteResult write_knossos_edn(const History& history) {
  std::vector<ClientId> processes = assign_processes(history);
  std::string out = "[";
  bool first = true;
  for (const Event& e : events_of(history)) {
    const Operation& op = history.ops[e.op];
    out += first ? "" : "\n ";
    first = false;
    out += edn_event(op, processes[e.op], e.order == 1);
  }
  return {out + "]\n", ""};
}

WriteResult write_porcupine_kv(const History& history) {
  std::vector<ClientId> processes = assign_processes(history);
  std::string out;
  size_t left_out = 0;
  for (const Event& e : events_of(history)) {
    const Operation& op = history.ops[e.op];
    if (!is_kv(op) || op.kind == OpKind::kv_cas) {
      return {"", fmt::format("porcupine-kv has only get/put/append, not '{}'", describe(op))};
    }
    // No :fail in this format: a failed op never happened, so it is left out. An unknown put or
    // append is an invoke without completion: Porcupine's parser closes every call still open at
    // the end of the file with an empty output, which its model ignores for a put or an append,
    // so the write may take effect anywhere after its invoke, or never. An unknown get is left
    // out: that closing output would say it read "".
    const bool said = op.outcome != Outcome::fail &&
                      !(op.outcome == Outcome::unknown && op.kind == OpKind::kv_get);
    if (!said) {
      left_out += e.order == 0 ? 1 : 0;
      continue;
    }
    if (op.outcome == Outcome::unknown && e.order == 1) continue;  // the call stays open
    out += edn_event(op, processes[e.op], e.order == 1) + "\n";
  }
  return {out, "", left_out};
}

WriteResult write_porcupine_etcd(const History& history) {
  std::vector<ClientId> processes = assign_processes(history);
  std::string out;
  size_t left_out = 0;
  for (const Event& e : events_of(history)) {
    const Operation& op = history.ops[e.op];
    if (model_of(op.kind) != ModelKind::register_) {
      return {"", fmt::format("porcupine-etcd has only a register, not '{}'", describe(op))};
    }
    if (op.kind == OpKind::register_write && !op.register_value) {
      return {"", fmt::format("porcupine-etcd cannot write nil: '{}'", describe(op))};
    }
    if (op.outcome == Outcome::fail) {  // never happened; the format cannot say so
      left_out += e.order == 0 ? 1 : 0;
      continue;
    }
    std::string type = e.order == 0 ? "invoke" : completion_type(op);
    std::string arg = edn_value(op, e.order == 1);
    if (e.order == 1 && op.outcome == Outcome::unknown) {
      type = op.kind == OpKind::register_read ? "fail" : "info";
      arg = ":timed-out";
    }
    out += fmt::format("INFO  jepsen.util - {}\t:{}\t:{}\t{}\n", processes[e.op], type,
                       to_string(op.kind), arg);
  }
  return {out, "", left_out};
}

}  // namespace raftsim::check::detail

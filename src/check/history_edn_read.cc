// Reader for histories made of Jepsen op maps: a Knossos .edn file (one collection of maps) or a
// Porcupine kv file (one map per line). Element positions are the times (Knossos numbers ops by
// position; `:time` is informational and not monotone in several files).
#include <fmt/format.h>

#include "check/edn.h"
#include "check/history_io.h"
#include "check/jepsen_pairing.h"

namespace raftsim::check::detail {
namespace {

// An absent :value reads as nil.
bool is_int_or_nil(const edn::Value* v) {
  return v == nullptr || v->is_integer_or_nil();
}
RegisterValue register_value(const edn::Value* v) {
  return v != nullptr ? v->integer_or_nil() : std::nullopt;
}
bool is_string(const edn::Value* v) {
  return v != nullptr && v->type == edn::Type::string;
}

std::string read_txn(const edn::Value* value, std::vector<TxnStep>& steps) {
  if (value == nullptr || value->type != edn::Type::vector) return ":txn needs a vector of steps";
  steps.clear();
  for (const edn::Value& item : value->items) {
    if (item.type != edn::Type::vector || item.items.size() != 3 ||
        item.items[0].type != edn::Type::keyword ||
        (item.items[0].text != "read" && item.items[0].text != "write") ||
        !is_int_or_nil(&item.items[2])) {
      return "each :txn step must be [:read|:write register value]";
    }
    const edn::Value& name = item.items[1];
    std::string register_name =
        name.type == edn::Type::integer ? std::to_string(name.integer) : name.text;
    steps.push_back({item.items[0].text == "write", register_name, register_value(&item.items[2])});
  }
  return "";
}

// Fills op.kind and arguments from an invoke's :f, :key and :value.
std::string read_invoke(const std::string& f, const edn::Value& event, Operation& op) {
  const edn::Value* key = event.get("key");
  const edn::Value* value = event.get("value");
  if (key != nullptr && !is_string(key)) return ":key must be a string";
  if (f == "get" || f == "put" || f == "append") {
    if (key == nullptr) return fmt::format(":{} needs a :key", f);
    op.kind = f == "get" ? OpKind::kv_get : f == "put" ? OpKind::kv_put : OpKind::kv_append;
    op.key = key->text;
    if (f == "get") return "";
    if (!is_string(value)) return fmt::format(":{} needs a string :value", f);
    op.value = value->text;
    return "";
  }
  if (f == "cas" && key != nullptr) {
    if (value == nullptr || value->type != edn::Type::vector || value->items.size() != 2 ||
        !is_string(&value->items[0]) || !is_string(&value->items[1])) {
      return ":cas on a :key needs :value [\"expected\" \"new\"]";
    }
    op.kind = OpKind::kv_cas;
    op.key = key->text;
    op.expected = value->items[0].text;
    op.value = value->items[1].text;
    return "";
  }
  if (f == "read") return op.kind = OpKind::register_read, "";
  if (f == "write") {
    if (!is_int_or_nil(value)) return ":write needs an integer (or nil) :value";
    op.kind = OpKind::register_write;
    op.register_value = register_value(value);
    return "";
  }
  if (f == "cas") {
    if (value == nullptr || value->type != edn::Type::vector || value->items.size() != 2 ||
        !is_int_or_nil(&value->items[0]) || !is_int_or_nil(&value->items[1])) {
      return ":cas needs :value [expected new]";
    }
    op.kind = OpKind::register_cas;
    op.register_expected = register_value(&value->items[0]);
    op.register_value = register_value(&value->items[1]);
    return "";
  }
  if (f == "txn") return op.kind = OpKind::txn, read_txn(value, op.txn);
  if (f == "acquire") return op.kind = OpKind::mutex_acquire, "";
  if (f == "release") return op.kind = OpKind::mutex_release, "";
  return fmt::format("unknown :f :{}", f);
}

// An :ok completion's :value replaces the invoke's (the value read, the filled-in txn reads).
std::string read_ok(const edn::Value& event, Operation& op) {
  const edn::Value* value = event.get("value");
  op.outcome = Outcome::ok;
  switch (op.kind) {
    case OpKind::kv_get:
      if (!is_string(value)) return ":ok :get needs the string :value read";
      op.value = value->text;
      return "";
    case OpKind::register_read:
      if (!is_int_or_nil(value)) return ":ok :read needs an integer (or nil) :value";
      op.register_value = register_value(value);
      // Knossos: a read of nil observed nothing, so it constrains nothing.
      if (!op.register_value) op.outcome = Outcome::unknown;
      return "";
    case OpKind::txn:
      return read_txn(value, op.txn);
    default:
      return "";
  }
}

std::string read_event(Pairing& pairing, const edn::Value& event, int position) {
  if (event.type != edn::Type::map) return "expected an op map {:process .., :type .., :f ..}";
  const edn::Value* process = event.get("process");
  const edn::Value* type = event.get("type");
  const edn::Value* f = event.get("f");
  if (process != nullptr && process->is_keyword("nemesis")) return "";  // fault bookkeeping
  if (process == nullptr || process->type != edn::Type::integer) {
    return ":process must be an integer (or :nemesis)";
  }
  if (type == nullptr || type->type != edn::Type::keyword) return ":type must be a keyword";
  if (f == nullptr || f->type != edn::Type::keyword) return ":f must be a keyword";
  const ClientId client = process->integer;
  if (type->text == "invoke") {
    Operation op;
    op.invoke = position;
    if (std::string error = read_invoke(f->text, event, op); !error.empty()) return error;
    return pairing.invoke(client, std::move(op), event.line);
  }
  if (type->text != "ok" && type->text != "fail" && type->text != "info") {
    return fmt::format("unknown :type :{}", type->text);
  }
  Operation* op = pairing.open(client);
  if (op == nullptr) {
    if (type->text == "info") return "";  // an :info with no open invoke is bookkeeping
    return fmt::format("process {} completes an op it never invoked", client);
  }
  // A completion must describe the op it completes; an :info may carry anything (a timeout).
  Operation probe;
  std::string probe_error = read_invoke(f->text, event, probe);
  if (!probe_error.empty() && type->text != "info") return probe_error;
  if (probe_error.empty() && probe.kind != op->kind) {
    return fmt::format("completion of :{} but process {} invoked :{}", f->text, client,
                       to_string(op->kind));
  }
  pairing.close(client);
  if (type->text == "info") return "";  // indeterminate: stays unknown
  op->complete = position;
  if (type->text == "fail") return op->outcome = Outcome::fail, "";
  return read_ok(event, *op);
}

ReadResult finish(Pairing& pairing, const std::string& path, HistoryFormat format,
                  std::optional<ModelKind> model) {
  History history = std::move(pairing.history());
  if (format == HistoryFormat::knossos_edn) history.initial_register = 0;  // Knossos examples
  if (std::string error = settle_model(history, pairing.lines(), path, model); !error.empty()) {
    return {std::nullopt, error};
  }
  return {std::move(history), ""};
}

}  // namespace

ReadResult parse_jepsen_edn(std::string_view text, const std::string& path, HistoryFormat format,
                            std::optional<ModelKind> model) {
  edn::ParseResult parsed = edn::parse(text);
  if (!parsed.error.empty()) {
    return {std::nullopt, fmt::format("{}:{}: {}", path, parsed.error_line, parsed.error)};
  }
  std::vector<const edn::Value*> events;
  if (format == HistoryFormat::knossos_edn) {
    if (parsed.values.size() != 1 ||
        (parsed.values[0].type != edn::Type::vector && parsed.values[0].type != edn::Type::list)) {
      int line = parsed.values.size() > 1 ? parsed.values[1].line : 1;
      return {std::nullopt,
              fmt::format("{}:{}: expected exactly one vector or list of op maps", path, line)};
    }
    for (const edn::Value& v : parsed.values[0].items)
      events.push_back(&v);
  } else {
    int last_line = 0;
    for (const edn::Value& v : parsed.values) {
      if (v.line == last_line) {
        return {std::nullopt, fmt::format("{}:{}: expected one op map per line", path, v.line)};
      }
      last_line = v.line;
      events.push_back(&v);
    }
  }
  Pairing pairing;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const int position =
        format == HistoryFormat::knossos_edn ? static_cast<int>(i) : events[i]->line;
    if (std::string error = read_event(pairing, *events[i], position); !error.empty()) {
      return {std::nullopt, fmt::format("{}:{}: {}", path, events[i]->line, error)};
    }
  }
  return finish(pairing, path, format, model);
}

}  // namespace raftsim::check::detail

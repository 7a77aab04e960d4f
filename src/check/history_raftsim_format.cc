// raftsim's own history format: JSON Lines, one operation per line (docs/history-format.md).
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "check/history_io.h"

namespace raftsim::check::detail {
namespace {

using Json = nlohmann::json;

constexpr int kFormatVersion = 1;

std::optional<OpKind> kind_of(const std::string& op, bool has_key) {
  if (op == "get") return OpKind::kv_get;
  if (op == "put") return OpKind::kv_put;
  if (op == "append") return OpKind::kv_append;
  if (op == "cas") return has_key ? OpKind::kv_cas : OpKind::register_cas;
  if (op == "read") return OpKind::register_read;
  if (op == "write") return OpKind::register_write;
  if (op == "txn") return OpKind::txn;
  if (op == "acquire") return OpKind::mutex_acquire;
  if (op == "release") return OpKind::mutex_release;
  return std::nullopt;
}

// Field access that reports what is wrong instead of throwing.
class Fields {
 public:
  explicit Fields(const Json& object) : object_(object) {}

  bool has(const char* name) const { return object_.contains(name); }
  const std::string& error() const { return error_; }

  std::string string(const char* name) {
    const Json* v = find(name, "a string");
    if (v != nullptr && !v->is_string()) return complain(name, "a string"), "";
    return v != nullptr ? v->get<std::string>() : "";
  }
  std::int64_t integer(const char* name) {
    const Json* v = find(name, "an integer");
    if (v != nullptr && !v->is_number_integer()) return complain(name, "an integer"), 0;
    return v != nullptr ? v->get<std::int64_t>() : 0;
  }
  bool boolean(const char* name) {
    const Json* v = find(name, "true or false");
    if (v != nullptr && !v->is_boolean()) return complain(name, "true or false"), false;
    return v != nullptr && v->get<bool>();
  }
  RegisterValue register_value(const char* name) {
    const Json* v = find(name, "an integer or null");
    if (v != nullptr && !v->is_null() && !v->is_number_integer()) {
      return complain(name, "an integer or null"), std::nullopt;
    }
    return v != nullptr && !v->is_null() ? RegisterValue(v->get<std::int64_t>()) : std::nullopt;
  }

  void complain(const std::string& name, const char* what) {
    if (error_.empty()) error_ = fmt::format("\"{}\" must be {}", name, what);
  }

 private:
  const Json* find(const char* name, const char* what) {
    auto it = object_.find(name);
    if (it == object_.end()) {
      if (error_.empty()) error_ = fmt::format("missing \"{}\" ({})", name, what);
      return nullptr;
    }
    return &*it;
  }

  const Json& object_;
  std::string error_;
};

void read_txn_steps(const Json& steps, Operation& op, Fields& fields) {
  if (!steps.is_array())
    return fields.complain("steps", "an array of [\"read\"|\"write\", name, value]");
  for (const Json& step : steps) {
    if (!step.is_array() || step.size() != 3 || !step[0].is_string() || !step[1].is_string() ||
        (step[0] != "read" && step[0] != "write") ||
        !(step[2].is_null() || step[2].is_number_integer())) {
      return fields.complain("steps", "an array of [\"read\"|\"write\", name, value]");
    }
    op.txn.push_back(
        {step[0] == "write", step[1].get<std::string>(),
         step[2].is_null() ? RegisterValue() : RegisterValue(step[2].get<std::int64_t>())});
  }
}

void read_arguments(Fields& fields, const Json& object, Operation& op) {
  const bool ok = op.outcome == Outcome::ok;
  switch (op.kind) {
    case OpKind::kv_get:
      op.key = fields.string("key");
      if (ok) op.value = fields.string("result");
      break;
    case OpKind::kv_put:
    case OpKind::kv_append:
      op.key = fields.string("key");
      op.value = fields.string("value");
      break;
    case OpKind::kv_cas:
      op.key = fields.string("key");
      op.expected = fields.string("expected");
      op.value = fields.string("value");
      if (ok) op.succeeded = fields.boolean("result");
      break;
    case OpKind::register_read:
      if (ok) op.register_value = fields.register_value("result");
      break;
    case OpKind::register_write:
      op.register_value = fields.register_value("value");
      break;
    case OpKind::register_cas:
      op.register_expected = fields.register_value("expected");
      op.register_value = fields.register_value("value");
      if (ok) op.succeeded = fields.boolean("result");
      break;
    case OpKind::txn:
      if (!object.contains("steps")) return fields.complain("steps", "present for txn");
      read_txn_steps(object["steps"], op, fields);
      break;
    case OpKind::mutex_acquire:
    case OpKind::mutex_release:
      break;
  }
}

const std::set<std::string>& known_fields() {
  static const std::set<std::string> names = {"client", "op",    "key",    "value",    "expected",
                                              "result", "steps", "invoke", "complete", "outcome"};
  return names;
}

std::string read_operation(const Json& object, Operation& op) {
  for (const auto& [name, value] : object.items()) {
    if (known_fields().count(name) == 0) return fmt::format("unknown field \"{}\"", name);
  }
  Fields fields(object);
  op.client = fields.integer("client");
  std::string outcome = fields.string("outcome");
  std::string name = fields.string("op");
  op.invoke = fields.integer("invoke");
  if (!fields.error().empty()) return fields.error();
  if (outcome == "ok")
    op.outcome = Outcome::ok;
  else if (outcome == "fail")
    op.outcome = Outcome::fail;
  else if (outcome == "unknown")
    op.outcome = Outcome::unknown;
  else
    return fmt::format("\"outcome\" must be \"ok\", \"fail\" or \"unknown\", not \"{}\"", outcome);
  std::optional<OpKind> kind = kind_of(name, fields.has("key"));
  if (!kind) return fmt::format("unknown op \"{}\"", name);
  op.kind = *kind;
  if (op.outcome == Outcome::unknown) {
    if (fields.has("complete") && !object["complete"].is_null()) {
      return "an op with outcome \"unknown\" has no \"complete\" time";
    }
    op.complete = kNeverCompleted;
  } else {
    op.complete = fields.integer("complete");
  }
  read_arguments(fields, object, op);
  if (!fields.error().empty()) return fields.error();
  if (op.complete < op.invoke) return "\"complete\" is before \"invoke\"";
  return "";
}

// The optional first line: {"raftsim_history":1,"model":"register","initial_register":0}.
std::string read_header(const Json& object, History& history, std::optional<ModelKind>& model) {
  for (const auto& [name, value] : object.items()) {
    if (name != "raftsim_history" && name != "model" && name != "initial_register") {
      return fmt::format("unknown header field \"{}\"", name);
    }
  }
  Fields fields(object);
  if (fields.integer("raftsim_history") != kFormatVersion) {
    return fields.error().empty()
               ? fmt::format("unsupported version (this reader knows {})", kFormatVersion)
               : fields.error();
  }
  if (fields.has("model")) {
    std::string name = fields.string("model");
    std::optional<ModelKind> named = parse_model_kind(name);
    if (!named) return fmt::format("unknown model \"{}\"", name);
    if (!model) model = named;
  }
  if (fields.has("initial_register"))
    history.initial_register = fields.register_value("initial_register");
  return fields.error();
}

}  // namespace

ReadResult parse_raftsim(std::string_view text, const std::string& path,
                         std::optional<ModelKind> model) {
  History history;
  std::vector<int> lines;
  int line = 0;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view content = text.substr(start, end - start);
    start = end + 1;
    ++line;
    if (content.find_first_not_of(" \t\r") == std::string_view::npos) continue;  // blank line
    Json object = Json::parse(content, nullptr, /*allow_exceptions=*/false);
    std::string error;
    if (object.is_discarded() || !object.is_object()) {
      error = "not a JSON object";
    } else if (object.contains("raftsim_history")) {
      error = history.ops.empty() ? read_header(object, history, model)
                                  : "the header must be the first line";
    } else {
      Operation op;
      error = read_operation(object, op);
      history.ops.push_back(std::move(op));
      lines.push_back(line);
    }
    if (!error.empty()) return {std::nullopt, fmt::format("{}:{}: {}", path, line, error)};
  }
  if (std::string error = settle_model(history, lines, path, model); !error.empty()) {
    return {std::nullopt, error};
  }
  return {std::move(history), ""};
}

namespace {

using OrderedJson = nlohmann::ordered_json;  // fields written in the documented order

OrderedJson register_json(const RegisterValue& value) {
  return value ? OrderedJson(*value) : OrderedJson(nullptr);
}

OrderedJson operation_json(const Operation& op) {
  OrderedJson j = {{"client", op.client}, {"op", to_string(op.kind)}};
  const bool ok = op.outcome == Outcome::ok;
  switch (op.kind) {
    case OpKind::kv_get:
      j["key"] = op.key;
      if (ok) j["result"] = op.value;
      break;
    case OpKind::kv_put:
    case OpKind::kv_append:
      j["key"] = op.key;
      j["value"] = op.value;
      break;
    case OpKind::kv_cas:
      j["key"] = op.key;
      j["expected"] = op.expected;
      j["value"] = op.value;
      if (ok) j["result"] = op.succeeded;
      break;
    case OpKind::register_read:
      if (ok) j["result"] = register_json(op.register_value);
      break;
    case OpKind::register_write:
      j["value"] = register_json(op.register_value);
      break;
    case OpKind::register_cas:
      j["expected"] = register_json(op.register_expected);
      j["value"] = register_json(op.register_value);
      if (ok) j["result"] = op.succeeded;
      break;
    case OpKind::txn:
      j["steps"] = OrderedJson::array();
      for (const TxnStep& s : op.txn) {
        j["steps"].push_back(
            {s.is_write ? "write" : "read", s.register_name, register_json(s.value)});
      }
      break;
    case OpKind::mutex_acquire:
    case OpKind::mutex_release:
      break;
  }
  j["invoke"] = op.invoke;
  if (op.outcome != Outcome::unknown) j["complete"] = op.complete;
  j["outcome"] = to_string(op.outcome);
  return j;
}

}  // namespace

std::string write_raftsim(const History& history) {
  OrderedJson header = {{"raftsim_history", kFormatVersion},
                        {"model", to_string(resolve_model(history).model.value_or(ModelKind::kv))},
                        {"initial_register", register_json(history.initial_register)}};
  std::string out = header.dump() + "\n";
  for (const Operation& op : history.ops)
    out += operation_json(op).dump() + "\n";
  return out;
}

}  // namespace raftsim::check::detail

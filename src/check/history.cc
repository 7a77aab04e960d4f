#include "check/history.h"

#include <fmt/format.h>

#include <utility>

namespace raftsim::check {
namespace {

Operation base(ClientId client, OpKind kind, Time invoke, Time complete, Outcome outcome) {
  Operation op;
  op.client = client;
  op.kind = kind;
  op.outcome = outcome;
  op.invoke = invoke;
  op.complete = outcome == Outcome::unknown ? kNeverCompleted : complete;
  return op;
}

std::string quoted(const std::string& text) {
  return fmt::format("\"{}\"", text);
}

std::string describe_txn(const std::vector<TxnStep>& steps) {
  std::string out = "[";
  for (const TxnStep& step : steps) {
    if (out.size() > 1) out += ' ';
    out += fmt::format("{} {} {}", step.is_write ? "w" : "r", step.register_name,
                       to_string(step.value));
  }
  return out + "]";
}

std::string describe_arguments(const Operation& op) {
  switch (op.kind) {
    case OpKind::kv_get:
      return fmt::format("{} -> {}", op.key, quoted(op.value));
    case OpKind::kv_put:
    case OpKind::kv_append:
      return fmt::format("{} {}", op.key, quoted(op.value));
    case OpKind::kv_cas:
      return fmt::format("{} {} -> {} = {}", op.key, quoted(op.expected), quoted(op.value),
                         op.succeeded);
    case OpKind::register_read:
      return fmt::format("-> {}", to_string(op.register_value));
    case OpKind::register_write:
      return to_string(op.register_value);
    case OpKind::register_cas:
      return fmt::format("{} -> {} = {}", to_string(op.register_expected),
                         to_string(op.register_value), op.succeeded);
    case OpKind::txn:
      return describe_txn(op.txn);
    case OpKind::mutex_acquire:
    case OpKind::mutex_release:
      return "";
  }
  return "";
}

}  // namespace

Operation kv_get(ClientId client, std::string key, std::string result, Time invoke, Time complete,
                 Outcome outcome) {
  Operation op = base(client, OpKind::kv_get, invoke, complete, outcome);
  op.key = std::move(key);
  op.value = std::move(result);
  return op;
}

Operation kv_put(ClientId client, std::string key, std::string value, Time invoke, Time complete,
                 Outcome outcome) {
  Operation op = base(client, OpKind::kv_put, invoke, complete, outcome);
  op.key = std::move(key);
  op.value = std::move(value);
  return op;
}

Operation kv_append(ClientId client, std::string key, std::string value, Time invoke, Time complete,
                    Outcome outcome) {
  Operation op = base(client, OpKind::kv_append, invoke, complete, outcome);
  op.key = std::move(key);
  op.value = std::move(value);
  return op;
}

Operation kv_cas(ClientId client, std::string key, std::string expected, std::string value,
                 bool succeeded, Time invoke, Time complete, Outcome outcome) {
  Operation op = base(client, OpKind::kv_cas, invoke, complete, outcome);
  op.key = std::move(key);
  op.expected = std::move(expected);
  op.value = std::move(value);
  op.succeeded = succeeded;
  return op;
}

Operation register_read(ClientId client, RegisterValue result, Time invoke, Time complete,
                        Outcome outcome) {
  Operation op = base(client, OpKind::register_read, invoke, complete, outcome);
  op.register_value = result;
  return op;
}

Operation register_write(ClientId client, RegisterValue value, Time invoke, Time complete,
                         Outcome outcome) {
  Operation op = base(client, OpKind::register_write, invoke, complete, outcome);
  op.register_value = value;
  return op;
}

Operation register_cas(ClientId client, RegisterValue expected, RegisterValue value, bool succeeded,
                       Time invoke, Time complete, Outcome outcome) {
  Operation op = base(client, OpKind::register_cas, invoke, complete, outcome);
  op.register_expected = expected;
  op.register_value = value;
  op.succeeded = succeeded;
  return op;
}

ModelKind model_of(OpKind kind) {
  switch (kind) {
    case OpKind::kv_get:
    case OpKind::kv_put:
    case OpKind::kv_append:
    case OpKind::kv_cas:
      return ModelKind::kv;
    case OpKind::register_read:
    case OpKind::register_write:
    case OpKind::register_cas:
      return ModelKind::register_;
    case OpKind::txn:
      return ModelKind::multi_register;
    case OpKind::mutex_acquire:
    case OpKind::mutex_release:
      return ModelKind::mutex;
  }
  return ModelKind::kv;
}

const char* to_string(OpKind kind) {
  switch (kind) {
    case OpKind::kv_get:
      return "get";
    case OpKind::kv_put:
      return "put";
    case OpKind::kv_append:
      return "append";
    case OpKind::kv_cas:
      return "cas";
    case OpKind::register_read:
      return "read";
    case OpKind::register_write:
      return "write";
    case OpKind::register_cas:
      return "cas";
    case OpKind::txn:
      return "txn";
    case OpKind::mutex_acquire:
      return "acquire";
    case OpKind::mutex_release:
      return "release";
  }
  return "?";
}

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok:
      return "ok";
    case Outcome::fail:
      return "fail";
    case Outcome::unknown:
      return "unknown";
  }
  return "?";
}

const char* to_string(ModelKind model) {
  switch (model) {
    case ModelKind::kv:
      return "kv";
    case ModelKind::register_:
      return "register";
    case ModelKind::multi_register:
      return "multi-register";
    case ModelKind::mutex:
      return "mutex";
  }
  return "?";
}

std::optional<ModelKind> parse_model_kind(std::string_view name) {
  if (name == "kv") return ModelKind::kv;
  if (name == "register" || name == "cas-register") return ModelKind::register_;
  if (name == "multi-register") return ModelKind::multi_register;
  if (name == "mutex") return ModelKind::mutex;
  return std::nullopt;
}

std::string to_string(const RegisterValue& value) {
  return value ? std::to_string(*value) : std::string("nil");
}

ModelOrError resolve_model(const History& history) {
  std::optional<ModelKind> model = history.model;
  for (const Operation& op : history.ops) {
    ModelKind of_op = model_of(op.kind);
    if (!model) model = of_op;
    if (*model != of_op) {
      return {std::nullopt, fmt::format("operation '{}' does not belong to the {} model",
                                        describe(op), to_string(*model))};
    }
  }
  return {model.value_or(ModelKind::kv), ""};
}

std::string describe(const Operation& op) {
  std::string args = describe_arguments(op);
  std::string complete =
      op.complete == kNeverCompleted ? std::string("inf") : std::to_string(op.complete);
  return fmt::format("client {} {}{}{} [{}, {}] {}", op.client, to_string(op.kind),
                     args.empty() ? "" : " ", args, op.invoke, complete, to_string(op.outcome));
}

}  // namespace raftsim::check

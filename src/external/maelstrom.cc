#include "external/maelstrom.h"

#include <fmt/format.h>

#include <bit>

namespace raftsim::external {

namespace {

std::optional<uint64_t> unsigned_field(const Json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_number_unsigned()) return std::nullopt;
  return it->get<uint64_t>();
}

// Why `body[name]`, where present, is not a non-negative integer; "" when it is fine.
std::string check_id(const Json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_number_unsigned()) return "";
  if (it->is_number_integer() && it->get<int64_t>() >= 0) return "";
  return fmt::format("body.{} is {}, not a non-negative integer", name, it->dump());
}

std::string kind_name(KvRequestKind kind) {
  switch (kind) {
    case KvRequestKind::kRead:
      return "read";
    case KvRequestKind::kWrite:
      return "write";
    case KvRequestKind::kCas:
      return "cas";
    case KvRequestKind::kAppend:
      return "append";
  }
  return "?";
}

std::string as_text(const Json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

}  // namespace

std::optional<uint64_t> Envelope::msg_id() const {
  return unsigned_field(body, "msg_id");
}

std::optional<uint64_t> Envelope::in_reply_to() const {
  return unsigned_field(body, "in_reply_to");
}

std::string encode(const Envelope& m) {
  // Invalid UTF-8 from a node is replaced rather than thrown on: raftsim forwards what it can.
  return Json{{"src", m.src}, {"dest", m.dest}, {"body", m.body}}.dump(
      -1, ' ', false, Json::error_handler_t::replace);
}

std::variant<Envelope, std::string> decode(std::string_view line) {
  Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::string("not JSON");
  if (!j.is_object()) return fmt::format("a JSON {}, not an object", j.type_name());
  for (const char* field : {"src", "dest"}) {
    auto it = j.find(field);
    if (it == j.end()) return fmt::format("no '{}'", field);
    if (!it->is_string()) return fmt::format("'{}' is a {}, not a string", field, it->type_name());
  }
  auto body = j.find("body");
  if (body == j.end()) return std::string("no 'body'");
  if (!body->is_object()) return fmt::format("'body' is a {}, not an object", body->type_name());
  auto type = body->find("type");
  if (type == body->end()) return std::string("no 'body.type'");
  if (!type->is_string())
    return fmt::format("'body.type' is a {}, not a string", type->type_name());
  for (const char* id : {"msg_id", "in_reply_to"})
    if (std::string why = check_id(*body, id); !why.empty()) return why;
  return Envelope{j["src"].get<std::string>(), j["dest"].get<std::string>(), std::move(*body)};
}

std::string escape_bytes(std::string_view bytes, size_t max) {
  std::string out = "\"";
  for (size_t i = 0; i < bytes.size() && i < max; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (c < 0x20 || c >= 0x7f)
          out += fmt::format("\\x{:02x}", c);
        else
          out += static_cast<char>(c);
    }
  }
  out += '"';
  if (bytes.size() > max) out += fmt::format("... ({} bytes)", bytes.size());
  return out;
}

bool is_definite(int c) {
  switch (c) {
    case code::kNodeNotFound:
    case code::kNotSupported:
    case code::kTemporarilyUnavailable:
    case code::kMalformedRequest:
    case code::kAbort:
    case code::kKeyDoesNotExist:
    case code::kKeyAlreadyExists:
    case code::kPreconditionFailed:
    case code::kTxnConflict:
      return true;
    default:
      return false;
  }
}

std::string_view error_name(int c) {
  switch (c) {
    case code::kTimeout:
      return "timeout";
    case code::kNodeNotFound:
      return "node-not-found";
    case code::kNotSupported:
      return "not-supported";
    case code::kTemporarilyUnavailable:
      return "temporarily-unavailable";
    case code::kMalformedRequest:
      return "malformed-request";
    case code::kCrash:
      return "crash";
    case code::kAbort:
      return "abort";
    case code::kKeyDoesNotExist:
      return "key-does-not-exist";
    case code::kKeyAlreadyExists:
      return "key-already-exists";
    case code::kPreconditionFailed:
      return "precondition-failed";
    case code::kTxnConflict:
      return "txn-conflict";
    default:
      return "";
  }
}

Json init_body(uint64_t msg_id, const std::string& node_id,
               const std::vector<std::string>& node_ids, const Json& extension) {
  return Json{{"type", "init"},
              {"msg_id", msg_id},
              {"node_id", node_id},
              {"node_ids", node_ids},
              {"raftsim", extension}};
}

std::variant<Features, std::string> read_init_ok(const Json& body, uint64_t init_msg_id) {
  const std::string type = body.at("type").get<std::string>();
  if (type == "error") return fmt::format("answered init with an error: {}", body.dump());
  if (type != "init_ok") return fmt::format("answered init with '{}', not init_ok", type);
  if (unsigned_field(body, "in_reply_to") != init_msg_id)
    return fmt::format("init_ok's in_reply_to is not {} (init's msg_id)", init_msg_id);
  Features f;
  auto ext = body.find("raftsim");
  if (ext == body.end()) return f;
  if (!ext->is_object()) return std::string("init_ok's 'raftsim' is not an object");
  for (auto [name, flag] :
       {std::pair{"state_reports", &f.state_reports}, std::pair{"campaign", &f.campaign},
        std::pair{"transfer", &f.transfer}, std::pair{"deterministic", &f.deterministic},
        std::pair{"append", &f.append}}) {
    auto it = ext->find(name);
    if (it == ext->end()) continue;
    if (!it->is_boolean()) return fmt::format("init_ok's raftsim.{} is not true or false", name);
    *flag = it->get<bool>();
  }
  if (auto kinds = ext->find("message_kinds"); kinds != ext->end())
    if (std::string why = f.message_kinds.read(*kinds); !why.empty())
      return "init_ok's raftsim.message_kinds: " + why;
  return f;
}

std::string MessageKindMap::read(const Json& declaration) {
  constexpr sim::MessageKinds kAppendOrHeartbeat =
      sim::bit(sim::MessageKind::kAppend) | sim::bit(sim::MessageKind::kHeartbeat);
  types_.clear();
  if (!declaration.is_object()) return "not an object";
  for (const auto& [name, types] : declaration.items()) {
    const std::optional<sim::MessageKind> kind = sim::message_kind_named(name);
    if (!kind) {
      std::string known;
      for (size_t i = 0; i < sim::kMessageKinds; ++i)
        known +=
            fmt::format("{}{}", i ? ", " : "", sim::to_string(static_cast<sim::MessageKind>(i)));
      return fmt::format("'{}' is not one of Raft's kinds of message ({})", name, known);
    }
    std::vector<Json> list;
    if (types.is_array())
      list.assign(types.begin(), types.end());
    else
      list.push_back(types);
    if (list.empty()) return fmt::format("'{}' names no type", name);
    for (const Json& type : list) {
      if (!type.is_string() || type.get<std::string>().empty())
        return fmt::format("'{}' is not a type name or a list of them", name);
      sim::MessageKinds& bits = types_[type.get<std::string>()];
      bits |= sim::bit(*kind);
      if (std::popcount(bits) > 1 && bits != kAppendOrHeartbeat)
        return fmt::format(
            "type '{}' is declared for two kinds (only append and heartbeat may share one)",
            type.get<std::string>());
    }
  }
  return "";
}

sim::MessageKinds MessageKindMap::declared() const {
  sim::MessageKinds all = 0;
  for (const auto& [type, bits] : types_)
    all |= bits;
  return all;
}

std::optional<sim::MessageKind> MessageKindMap::kind_of(const Json& body) const {
  auto type = body.find("type");
  if (type == body.end() || !type->is_string()) return std::nullopt;
  auto it = types_.find(type->get<std::string>());
  if (it == types_.end()) return std::nullopt;
  if (std::popcount(it->second) == 1)
    return static_cast<sim::MessageKind>(std::countr_zero(it->second));
  auto entries = body.find("entries");
  const bool carries = entries != body.end() && entries->is_array() && !entries->empty();
  return carries ? sim::MessageKind::kAppend : sim::MessageKind::kHeartbeat;
}

Json kv_request_body(KvRequestKind kind, uint64_t msg_id, const Json& key, const Json& value,
                     const Json& from) {
  Json b{{"type", kind_name(kind)}, {"msg_id", msg_id}, {"key", key}};
  if (kind == KvRequestKind::kWrite || kind == KvRequestKind::kAppend) b["value"] = value;
  if (kind == KvRequestKind::kCas) {
    b["from"] = from;
    b["to"] = value;
  }
  return b;
}

std::variant<KvReply, std::string> read_kv_reply(const Json& body, KvRequestKind kind) {
  const std::string type = body.at("type").get<std::string>();
  KvReply r;
  if (type == "error") {
    auto c = body.find("code");
    if (c == body.end() || !c->is_number_integer())
      return std::string("an error without an integer 'code'");
    r.error_code = c->get<int>();
    auto text = body.find("text");
    if (text != body.end()) r.error_text = as_text(*text);
    r.kind =
        is_definite(r.error_code) ? KvReply::Kind::kDefiniteError : KvReply::Kind::kUnknownOutcome;
    return r;
  }
  if (type != kind_name(kind) + "_ok")
    return fmt::format("'{}' in reply to a {}", type, kind_name(kind));
  if (kind == KvRequestKind::kRead) {
    auto v = body.find("value");
    if (v == body.end()) return std::string("read_ok without 'value'");
    r.value = as_text(*v);
  }
  return r;
}

std::variant<StateReport, std::string> read_state_report(const Json& body) {
  StateReport s;
  auto text = [&](const char* name, std::string& out, bool nullable) -> std::string {
    auto it = body.find(name);
    if (it == body.end()) return fmt::format("raftsim_state without '{}'", name);
    if (nullable && it->is_null()) return "";
    if (!it->is_string()) return fmt::format("raftsim_state's '{}' is not a string", name);
    out = it->get<std::string>();
    return "";
  };
  auto number = [&](const char* name, uint64_t& out) -> std::string {
    auto it = body.find(name);
    if (it == body.end() || !it->is_number_unsigned())
      return fmt::format("raftsim_state's '{}' is missing or not a non-negative integer", name);
    out = it->get<uint64_t>();
    return "";
  };
  for (std::string why :
       {text("role", s.role, false), text("voted_for", s.voted_for, true), number("term", s.term),
        number("commit_index", s.commit_index), number("last_log_index", s.last_log_index),
        number("last_log_term", s.last_log_term)})
    if (!why.empty()) return why;
  if (s.role != "leader" && s.role != "candidate" && s.role != "follower")
    return fmt::format("raftsim_state's role '{}' is not leader, candidate or follower", s.role);
  if (auto log = body.find("log"); log != body.end()) {
    if (!log->is_array()) return std::string("raftsim_state's 'log' is not an array");
    s.log.emplace();
    for (const Json& e : *log) {
      if (!e.is_array() || e.size() != 2 || !e[0].is_number_unsigned() || !e[1].is_string())
        return fmt::format("raftsim_state's log entry {} is not [term, \"hash\"]",
                           s.log->size() + 1);
      s.log->push_back({e[0].get<uint64_t>(), e[1].get<std::string>()});
    }
    if (s.log->size() != s.last_log_index)
      return fmt::format("raftsim_state's log has {} entries, but last_log_index is {}",
                         s.log->size(), s.last_log_index);
  }
  return s;
}

}  // namespace raftsim::external

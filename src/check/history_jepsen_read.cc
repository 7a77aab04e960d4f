// Readers for Jepsen-style histories: Porcupine's etcd logs, and EDN op maps (Knossos files and
// Porcupine's kv files). Both pair each completion with the open invoke of the same process.
#include <fmt/format.h>

#include "check/edn.h"
#include "check/history_io.h"
#include "check/jepsen_pairing.h"

namespace raftsim::check::detail {
namespace {

std::vector<std::string_view> split_blanks(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
      ++i;
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
      ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

// ----- Porcupine etcd logs ------------------------------------------------------------------

bool is_int_pair(const edn::Value& v) {
  return v.type == edn::Type::vector && v.items.size() == 2 &&
         v.items[0].type == edn::Type::integer && v.items[1].type == edn::Type::integer;
}

std::string etcd_invoke(Pairing& pairing, ClientId process, std::string_view f,
                        const edn::Value& arg, int line) {
  Operation op;
  op.invoke = line;
  if (f == "read" && arg.is_integer_or_nil()) {
    op.kind = OpKind::register_read;
  } else if (f == "write" && arg.type == edn::Type::integer) {
    op.kind = OpKind::register_write;
    op.register_value = arg.integer;
  } else if (f == "cas" && is_int_pair(arg)) {
    op.kind = OpKind::register_cas;
    op.register_expected = arg.items[0].integer;
    op.register_value = arg.items[1].integer;
  } else {
    return fmt::format("unexpected invoke of :{} with this argument", f);
  }
  return pairing.invoke(process, std::move(op), line);
}

std::string etcd_complete(Pairing& pairing, ClientId process, std::string_view type,
                          std::string_view f, const edn::Value& arg, int line) {
  Operation* op = pairing.open(process);
  if (op == nullptr) return fmt::format("process {} completes an op it never invoked", process);
  if (f != to_string(op->kind)) {
    return fmt::format("completion of :{} but process {} invoked :{}", f, process,
                       to_string(op->kind));
  }
  const bool timed_out = arg.is_keyword("timed-out");
  if (type == "info" && timed_out) {
    pairing.close(process);  // indeterminate: stays unknown, never completes
    return "";
  }
  if (type == "fail" && timed_out && f == "read") {
    pairing.close(process);  // a read that timed out constrains nothing
    return "";
  }
  if (type == "ok" && f == "read" && arg.is_integer_or_nil()) {
    op->register_value = arg.integer_or_nil();
  } else if (type == "ok" && f == "write" && arg.type == edn::Type::integer) {
  } else if ((type == "ok" || type == "fail") && f == "cas" && is_int_pair(arg)) {
    op->succeeded = type == "ok";  // :fail :cas is a cas that returned false: it happened
  } else {
    return fmt::format("unexpected :{} :{} with this argument", type, f);
  }
  op->outcome = Outcome::ok;
  op->complete = line;
  pairing.close(process);
  return "";
}

std::string etcd_line(Pairing& pairing, std::string_view text, int line) {
  std::vector<std::string_view> words = split_blanks(text);
  if (words.size() < 7 || words[0] != "INFO" || words[1] != "jepsen.util" || words[2] != "-") {
    return "expected 'INFO jepsen.util - PROCESS :TYPE :F ARG'";
  }
  ClientId process = 0;
  edn::ParseResult head = edn::parse(fmt::format("{} {} {}", words[3], words[4], words[5]));
  if (!head.error.empty() || head.values.size() != 3 || head.values[0].type != edn::Type::integer ||
      head.values[1].type != edn::Type::keyword || head.values[2].type != edn::Type::keyword) {
    return "expected a process id, then :TYPE and :F keywords";
  }
  process = head.values[0].integer;
  const std::string& type = head.values[1].text;
  const std::string& f = head.values[2].text;
  std::string arg_text;
  for (std::size_t i = 6; i < words.size(); ++i)
    arg_text += fmt::format("{} ", words[i]);
  edn::ParseResult arg = edn::parse(arg_text);
  if (!arg.error.empty() || arg.values.size() != 1) return "cannot read the argument";
  if (f != "read" && f != "write" && f != "cas") return fmt::format("unknown op :{}", f);
  if (type == "invoke") return etcd_invoke(pairing, process, f, arg.values[0], line);
  if (type == "ok" || type == "fail" || type == "info") {
    return etcd_complete(pairing, process, type, f, arg.values[0], line);
  }
  return fmt::format("unknown type :{}", type);
}

}  // namespace

ReadResult parse_porcupine_etcd(std::string_view text, const std::string& path,
                                std::optional<ModelKind> model) {
  Pairing pairing;
  int line = 0;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    ++line;
    std::string error = etcd_line(pairing, text.substr(start, end - start), line);
    if (!error.empty()) return {std::nullopt, fmt::format("{}:{}: {}", path, line, error)};
    start = end + 1;
  }
  History history = std::move(pairing.history());
  history.initial_register = std::nullopt;  // etcd: the key does not exist yet
  if (std::string error = settle_model(history, pairing.lines(), path, model); !error.empty()) {
    return {std::nullopt, error};
  }
  return {std::move(history), ""};
}

}  // namespace raftsim::check::detail

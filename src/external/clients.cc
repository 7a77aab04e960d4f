#include "external/clients.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>

namespace raftsim::external {

namespace {

// How long a client waits before sending again to the next node after a definite refusal.
constexpr Host::Micros kRetryPause = 10000;

// A written integer is client * kValuesPerClient + the client's operation number: unique in the
// run, so the history can tell every write apart, and exact in a double (a JSON number).
constexpr uint64_t kValuesPerClient = 1000000000;

KvRequestKind request_kind(node::KvOp op) {
  switch (op) {
    case node::KvOp::kGet:
      return KvRequestKind::kRead;
    case node::KvOp::kCas:
      return KvRequestKind::kCas;
    case node::KvOp::kAppend:
      return KvRequestKind::kAppend;
    default:
      return KvRequestKind::kWrite;
  }
}

// The integer keys given to keys that are not the workload's k<n>.
constexpr uint64_t kOtherKeys = 1000000;

// `text` as a non-negative integer, when it is exactly one.
std::optional<uint64_t> whole_number(std::string_view text) {
  // At most 15 digits: exact in a double, as a JSON number must be. No leading zero: "07"
  // would read back "7".
  if (text.empty() || text.size() > 15 || (text.size() > 1 && text.front() == '0'))
    return std::nullopt;
  uint64_t n = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return n;
}

}  // namespace

check::History to_history(const std::vector<ClientOp>& ops) {
  check::History h;
  h.model = check::ModelKind::kv;
  for (const ClientOp& op : ops) {
    const auto client = static_cast<check::ClientId>(op.client);
    const check::Time complete = op.known ? op.complete : check::kNeverCompleted;
    const check::Outcome outcome = op.known ? check::Outcome::ok : check::Outcome::unknown;
    switch (op.op) {
      case node::KvOp::kGet:
        if (op.known)
          h.ops.push_back(check::kv_get(client, op.key, op.result.value, op.invoke, complete));
        break;
      case node::KvOp::kPut:
        h.ops.push_back(check::kv_put(client, op.key, op.value, op.invoke, complete, outcome));
        break;
      case node::KvOp::kAppend:
        h.ops.push_back(check::kv_append(client, op.key, op.value, op.invoke, complete, outcome));
        break;
      case node::KvOp::kCas:
        h.ops.push_back(check::kv_cas(client, op.key, op.expected, op.value, op.result.ok,
                                      op.invoke, complete, outcome));
        break;
    }
  }
  return h;
}

Clients::Clients(Host& cluster, const sim::WorkloadModel& workload, uint32_t nodes, uint64_t seed,
                 Encoding encoding)
    : cluster_(cluster), w_(workload), nodes_(nodes), seed_(seed), encoding_(encoding) {}

Json Clients::wire_key(const std::string& key) {
  if (encoding_ == Encoding::kStrings) return key;
  if (auto n = whole_number(std::string_view(key).substr(key.starts_with('k') ? 1 : key.size())))
    return *n;
  // The liveness probe's key: past any workload key, the same in every run.
  return other_keys_.try_emplace(key, kOtherKeys + other_keys_.size()).first->second;
}

Json Clients::wire_value(const std::string& value) const {
  if (encoding_ == Encoding::kStrings) return value;
  // What a client writes is a number; what it compares in a cas is what it read, which a node
  // that stores what it is given returns as that number.
  if (auto n = whole_number(value)) return *n;
  return value;
}

Clients::Client& Clients::add(uint32_t id, Purpose purpose) {
  const std::string name = fmt::format("c{}", id);
  Client& c = clients_[name];
  c.id = id;
  c.name = name;
  c.purpose = purpose;
  c.rng.seed(seed_ * 1000003 + id);
  c.target = 1 + static_cast<uint32_t>(c.rng() % nodes_);
  return c;
}

void Clients::start(Host::Micros stop) {
  for (uint32_t id = 1; id <= w_.clients; ++id) {
    Client& c = add(id, Purpose::kWorkload);
    c.stop = stop;
    cluster_.at(0, [this, &c] { next_op(c); });
  }
}

void Clients::probe(uint32_t id, const std::string& key, Host::Micros deadline,
                    std::optional<Host::Micros>* acked_at) {
  Client& c = add(id, Purpose::kProbe);
  c.acked_at = acked_at;
  const std::string value = encoding_ == Encoding::kIntegers ? "0" : "live";
  c.current = ClientOp{id, ++c.seq, node::KvOp::kPut, key, value, "", cluster_.now()};
  c.give_up_at = deadline;
  send_attempt(c);
}

void Clients::final_read(uint32_t id, const std::string& key, Host::Micros deadline) {
  Client& c = add(id, Purpose::kFinalRead);
  c.current = ClientOp{id, ++c.seq, node::KvOp::kGet, key, "", "", cluster_.now()};
  c.give_up_at = deadline;
  send_attempt(c);
}

void Clients::next_op(Client& c) {
  if (cluster_.now() >= c.stop) return;
  std::uniform_real_distribution<double> unit(0, 1);
  ClientOp op;
  op.client = c.id;
  op.seq = ++c.seq;
  op.key = fmt::format("k{}", static_cast<uint64_t>(unit(c.rng) * std::max<uint32_t>(w_.keys, 1)));
  const sim::OpMix& m = w_.mix;
  const double total = m.get + m.put + m.append + m.cas;
  const double draw = unit(c.rng) * (total > 0 ? total : 1);
  op.op = draw < m.get                      ? node::KvOp::kGet
          : draw < m.get + m.put            ? node::KvOp::kPut
          : draw < m.get + m.put + m.append ? node::KvOp::kAppend
                                            : node::KvOp::kCas;
  if (op.op != node::KvOp::kGet)
    op.value = encoding_ == Encoding::kIntegers
                   ? std::to_string(uint64_t{c.id} * kValuesPerClient + op.seq)
                   : node::value_token(c.id, op.seq);
  // ';' keeps appended tokens apart, as in the simulator's workload.
  if (op.op == node::KvOp::kAppend) op.value += ";";
  if (op.op == node::KvOp::kCas) {
    op.expected = c.last_seen[op.key];
    if (op.expected.empty()) op.op = node::KvOp::kPut;
  }
  op.invoke = cluster_.now();
  c.current = std::move(op);
  c.give_up_at = c.current->invoke + w_.give_up.count();
  send_attempt(c);
}

void Clients::send_attempt(Client& c) {
  const ClientOp& op = *c.current;
  c.attempt = ++next_msg_id_;
  c.sent.insert(c.attempt);
  // A node that is down takes nothing: the request certainly did not happen there.
  if (!cluster_.send_to_node(c.name, c.target,
                             kv_request_body(request_kind(op.op), c.attempt, wire_key(op.key),
                                             wire_value(op.value), wire_value(op.expected))))
    return retry_elsewhere(c);
  if (on_operation && c.purpose == Purpose::kWorkload) on_operation(op, c.target, false);
  const Host::Micros timeout = std::min(cluster_.now() + w_.attempt_timeout.count(),
                                        c.purpose == Purpose::kWorkload ? INT64_MAX : c.give_up_at);
  cluster_.at(timeout, [this, &c, attempt = c.attempt] {
    if (c.attempt != attempt) return;
    // The request may still take effect: only a probe or a read may be sent again.
    if (c.purpose != Purpose::kWorkload && cluster_.now() < c.give_up_at) return retry_elsewhere(c);
    // A node that did not answer in time may be cut off or down: the next operation asks the
    // next node, as the simulator's clients do, rather than waiting on it again and again.
    c.target = c.target % nodes_ + 1;
    finish(c, c.current->op != node::KvOp::kGet);
  });
}

void Clients::retry_elsewhere(Client& c) {
  c.attempt = 0;
  c.target = c.target % nodes_ + 1;
  if (cluster_.now() + kRetryPause >= c.give_up_at) {
    // Definitely not done (or, for probes and final reads, no answer in time).
    c.current.reset();
    if (c.purpose == Purpose::kWorkload) cluster_.at(cluster_.now(), [this, &c] { next_op(c); });
    return;
  }
  cluster_.at(cluster_.now() + kRetryPause, [this, &c] {
    if (c.current && c.attempt == 0) send_attempt(c);
  });
}

void Clients::abandon_in_flight() {
  for (auto& [name, c] : clients_) {
    if (c.purpose != Purpose::kWorkload || !c.current) continue;
    if (c.current->op != node::KvOp::kGet) ops_.push_back(std::move(*c.current));
    c.current.reset();
    c.attempt = 0;
  }
}

// " (stderr: PATH)" for a node's breach of the protocol, so the report leads to its own account.
std::string Clients::stderr_of(const std::string& node) const {
  const uint32_t id = cluster_.id_of(node);
  return id == 0 ? "" : fmt::format(" (stderr: {})", cluster_.stderr_path(id));
}

void Clients::on_message(const Envelope& m) {
  auto it = clients_.find(m.dest);
  const std::optional<uint64_t> in_reply_to = m.in_reply_to();
  if (it == clients_.end() || !in_reply_to || !it->second.sent.contains(*in_reply_to)) {
    return cluster_.fail(fmt::format("{} sent {} a message that answers no request of it: {}{}",
                                     m.src, m.dest, escape_bytes(encode(m)), stderr_of(m.src)));
  }
  Client& c = it->second;
  const std::string type = m.body.contains("type") && m.body["type"].is_string()
                               ? m.body["type"].get<std::string>()
                               : std::string();
  // One request, one answer: a second one that says otherwise (write_ok, then an error) leaves
  // the client not knowing what happened, which no node may do. The same answer again is a
  // harmless resend.
  auto [first, fresh] = c.answers.try_emplace(*in_reply_to, type);
  if (!fresh && first->second != type) {
    return cluster_.fail(fmt::format(
        "{} answered {}'s request {} twice, with {} and then {}: {}{}", m.src, m.dest, *in_reply_to,
        first->second.empty() ? "no type" : "'" + first->second + "'",
        type.empty() ? "no type" : "'" + type + "'", escape_bytes(encode(m)), stderr_of(m.src)));
  }
  if (*in_reply_to != c.attempt) return;  // an answer after the client gave up on it
  ClientOp& op = *c.current;
  auto reply = read_kv_reply(m.body, request_kind(op.op));
  if (auto* why = std::get_if<std::string>(&reply)) {
    return cluster_.fail(fmt::format("{} answered {}'s {} with {}: {}{}", m.src, m.dest,
                                     node::to_string(op.op), *why, escape_bytes(encode(m)),
                                     stderr_of(m.src)));
  }
  const KvReply& r = std::get<KvReply>(reply);
  op.complete = cluster_.now();
  switch (r.kind) {
    case KvReply::Kind::kOk:
      op.known = true;
      op.result.value = r.value;
      return finish(c, true);
    case KvReply::Kind::kUnknownOutcome:
      if (c.purpose != Purpose::kWorkload) return retry_elsewhere(c);
      return finish(c, op.op != node::KvOp::kGet);
    case KvReply::Kind::kDefiniteError:
      // A missing key is an answer: a read saw no value, a cas found none to compare.
      if (r.error_code == code::kKeyDoesNotExist && op.op != node::KvOp::kPut) {
        op.known = true;
        op.result = {op.op != node::KvOp::kCas, ""};
        return finish(c, true);
      }
      if (r.error_code == code::kPreconditionFailed && op.op == node::KvOp::kCas) {
        op.known = true;
        op.result.ok = false;
        return finish(c, true);
      }
      return retry_elsewhere(c);
  }
}

void Clients::finish(Client& c, bool record) {
  ClientOp op = std::move(*c.current);
  c.current.reset();
  c.attempt = 0;
  if (op.known) {
    if (op.op == node::KvOp::kGet) c.last_seen[op.key] = op.result.value;
    if (op.op == node::KvOp::kPut) c.last_seen[op.key] = op.value;
    // After an append this client knows only a suffix: its next cas there is a write.
    if (op.op == node::KvOp::kAppend) c.last_seen[op.key] = "";
    // A failed cas leaves the key's value unknown to this client: its next cas there is a write.
    if (op.op == node::KvOp::kCas) c.last_seen[op.key] = op.result.ok ? op.value : "";
  }
  if (c.purpose == Purpose::kProbe) {
    if (op.known && c.acked_at) *c.acked_at = op.complete;
    return;
  }
  if (c.purpose == Purpose::kFinalRead) {
    if (op.known) final_reads_.push_back(std::move(op));
    return;
  }
  if (on_operation) on_operation(op, c.target, true);
  if (record) ops_.push_back(std::move(op));
  Host::Micros next = cluster_.now();
  if (w_.rate > 0) {
    next += static_cast<Host::Micros>(1e6 / w_.rate);
  } else {
    std::uniform_real_distribution<double> unit(0, 1);
    next += static_cast<Host::Micros>(unit(c.rng) * 2 * static_cast<double>(w_.think.count()));
  }
  cluster_.at(next, [this, &c] { next_op(c); });
}

}  // namespace raftsim::external

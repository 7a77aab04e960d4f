// Message faults (`drop_messages: {type: append_response, from: n2, to: n1, count: 3}`) and the
// `when` of an event-triggered fault (`when: {event: becomes_leader, nth: 2}`).
#include <fmt/format.h>

#include <array>

#include "scenario/duration.h"
#include "scenario/sections.h"

namespace raftsim::scenario::detail {
namespace {

using std::string_view_literals::operator""sv;

constexpr std::array kMessageKindNames = {
    "vote_request"sv,    "vote_response"sv, "pre_vote_request"sv, "pre_vote_response"sv, "append"sv,
    "append_response"sv, "heartbeat"sv,     "snapshot"sv,         "timeout_now"sv,       "any"sv};
static_assert(kMessageKindNames.size() == sim::kMessageKinds + 1);
constexpr std::array kDropKeys = {"type"sv, "from"sv, "to"sv, "count"sv};
constexpr std::array kDelayKeys = {"type"sv, "from"sv, "to"sv, "count"sv, "by"sv};
constexpr std::array kDuplicateKeys = {"type"sv, "from"sv, "to"sv, "count"sv, "after"sv};
constexpr std::array kEventNames = {
    "becomes_leader"sv, "becomes_candidate"sv, "grants_vote"sv, "persisted"sv,
    "applies"sv,        "installs_snapshot"sv, "uncommitted"sv};
constexpr std::array kWhenKeys = {"event"sv, "node"sv, "nth"sv, "entries"sv, "by"sv};
constexpr uint64_t kMaxCount = 1000000;

std::optional<sim::MessageKinds> message_kinds(Reader& r, const YAML::Node& value) {
  if (!value.IsDefined()) return sim::kAnyMessage;
  sim::MessageKinds kinds = 0;
  bool ok = true;
  const auto add = [&](const YAML::Node& item) {
    const auto i = r.name_of(item, kMessageKindNames, "message type");
    if (!i) {
      ok = false;
    } else {
      kinds |=
          *i == sim::kMessageKinds ? sim::kAnyMessage : sim::bit(static_cast<sim::MessageKind>(*i));
    }
  };
  if (value.IsSequence()) {
    if (value.size() == 0) {
      r.error(value, "expected at least one message type");
      return std::nullopt;
    }
    for (const YAML::Node& item : value)
      add(item);
  } else {
    add(value);
  }
  if (!ok) return std::nullopt;
  return kinds;
}

// `delay`/`after` of a message fault: a duration, required for delay_messages.
bool message_delay(Reader& r, std::string_view name, const YAML::Node& map, Fault& f) {
  const char* key = name == "delay_messages" ? "by" : "after";
  const YAML::Node value = map[key];
  if (!value.IsDefined()) {
    if (name != "delay_messages") return true;
    r.error(map, "missing 'by' (how much later the messages arrive, e.g. by: 500ms)");
    return false;
  }
  const auto d = r.duration(value);
  if (d && name == "delay_messages" && d->count() == 0) {
    r.error(value, "delay_messages needs a positive 'by'");
    return false;
  }
  if (d) f.delay = *d;
  return d.has_value();
}

}  // namespace

std::optional<uint32_t> node_or_trigger(Reader& r, const YAML::Node& value, bool trigger_ok) {
  if (trigger_ok && value.IsScalar() && value.Scalar() == "trigger") return kTriggerNode;
  return r.node(value);  // which tells a `trigger` without `when` what it lacks
}

bool message_fault(Reader& r, std::string_view name, const YAML::Node& value, Fault& f,
                   bool trigger_ok) {
  f.kind = name == "drop_messages"    ? FaultKind::kDropMessages
           : name == "delay_messages" ? FaultKind::kDelayMessages
           : name == "hold_messages"  ? FaultKind::kHoldMessages
                                      : FaultKind::kDuplicateMessages;
  const std::span<const std::string_view> keys =
      name == "delay_messages"       ? std::span<const std::string_view>(kDelayKeys)
      : name == "duplicate_messages" ? std::span<const std::string_view>(kDuplicateKeys)
                                     : std::span<const std::string_view>(kDropKeys);
  const std::string what = fmt::format("a map {{{}}}", fmt::join(keys, ", "));
  if (!r.map(value, keys, what)) return false;
  bool ok = true;
  if (const auto kinds = message_kinds(r, value["type"])) {
    f.messages = *kinds;
  } else {
    ok = false;
  }
  for (auto [key, field] : {std::pair{"from", &f.from}, std::pair{"to", &f.to}}) {
    const YAML::Node node = value[key];
    if (!node.IsDefined()) continue;
    const auto id = node_or_trigger(r, node, trigger_ok);
    if (id) *field = *id;
    ok = ok && id.has_value();
  }
  if (ok && f.from != 0 && f.from == f.to) {
    r.error(value, "'from' and 'to' are the same node: a node sends no messages to itself");
    ok = false;
  }
  if (value["count"].IsDefined()) {
    const auto count = r.whole(value["count"], 1, kMaxCount);
    if (count) f.count = *count;
    ok = ok && count.has_value();
  }
  return message_delay(r, name, value, f) && ok;
}

bool parse_when(Reader& r, const YAML::Node& value, Trigger& t) {
  if (!r.map(value, kWhenKeys, "a map {event, node, nth, entries, by}")) return false;
  const YAML::Node event = value["event"];
  if (!event.IsDefined()) {
    r.error(value, "missing 'event' (becomes_leader, grants_vote, persisted, ...)");
    return false;
  }
  bool ok = true;
  if (const auto i = r.name_of(event, kEventNames, "event")) {
    t.event = static_cast<sim::NodeEventKind>(*i);
  } else {
    ok = false;
  }
  const YAML::Node node = value["node"];
  if (node.IsDefined() && !(node.IsScalar() && node.Scalar() == "any")) {
    const auto id = r.node(node);
    if (id) t.node = *id;
    ok = ok && id.has_value();
  }
  if (value["nth"].IsDefined()) {
    const auto nth = r.whole(value["nth"], 1, kMaxCount);
    if (nth) t.nth = *nth;
    ok = ok && nth.has_value();
  }
  const YAML::Node entries = value["entries"];
  if (entries.IsDefined()) {
    if (ok && t.event != sim::NodeEventKind::kUncommitted) {
      r.error(entries, "'entries' goes with event: uncommitted");
      ok = false;
    }
    const auto n = r.whole(entries, 1, kMaxCount);
    if (n) t.entries = *n;
    ok = ok && n.has_value();
  }
  if (value["by"].IsDefined()) {
    const auto by = r.time(value["by"]);
    if (by) t.by = *by;
    ok = ok && by.has_value();
  }
  return ok;
}

bool triggered_node_fault(Reader& r, std::string_view name, const YAML::Node& value, Fault& f) {
  f.kind = name == "crash"                 ? FaultKind::kCrash
           : name == "pause"               ? FaultKind::kPause
           : name == "reconfigure"         ? FaultKind::kReconfigure
           : name == "reconfigure_learner" ? FaultKind::kReconfigureLearner
                                           : FaultKind::kIsolate;
  const auto id = node_or_trigger(r, value, true);
  if (id) f.nodes = {*id};
  return id.has_value();
}

}  // namespace raftsim::scenario::detail

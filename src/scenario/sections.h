// Internal to the parser: one function per part of a scenario file.
#pragma once

#include <yaml-cpp/yaml.h>

#include <array>
#include <optional>
#include <string_view>
#include <vector>

#include "scenario/reader.h"
#include "scenario/scenario.h"

namespace raftsim::scenario::detail {

using std::string_view_literals::operator""sv;

inline constexpr size_t kMaxNodes = 9;

// The names of the fault kinds a nemesis (or a swarm draw) may list, in kNemesisKinds' order.
inline constexpr std::array kNemesisFaults = {"partition"sv,
                                              "crash"sv,
                                              "pause"sv,
                                              "delay"sv,
                                              "loss"sv,
                                              "duplicate"sv,
                                              "clog"sv,
                                              "wipe"sv,
                                              "clock_skew"sv,
                                              "crash_leader"sv,
                                              "isolate_leader"sv,
                                              "drop_messages"sv,
                                              "delay_messages"sv,
                                              "duplicate_messages"sv,
                                              "hold_messages"sv,
                                              "triggered_crash"sv,
                                              "triggered_pause"sv,
                                              "triggered_isolate"sv,
                                              "triggered_delay"sv,
                                              "reconfigure"sv,
                                              "triggered_reconfigure"sv,
                                              "reconfigure_learner"sv,
                                              "reconfigure_joint"sv,
                                              "triggered_reconfigure_learner"sv,
                                              "triggered_reconfigure_joint"sv};
static_assert(kNemesisFaults.size() == kNemesisKinds.size());

// `swarm:`: ranges for swarm draws (parse_swarm.cc).
void parse_swarm(Reader& r, const YAML::Node& node, SwarmRanges& swarm);

// Appends the faults of the `timeline` list; entries are sorted by `at` afterwards by the caller.
void parse_timeline(Reader& r, const YAML::Node& node, std::vector<Fault>& timeline);
// `liveness_checked`: whether the file's `liveness` section leaves the check on (a claim about
// it is refused otherwise: it would never be judged).
void parse_expectations(Reader& r, const YAML::Node& node, bool liveness_checked,
                        std::vector<Expectation>& out);

// parse_triggered.cc: message faults, `when`, and the node of an event-triggered fault, where
// `trigger` names the node the event happened on (only when `trigger_ok`).
std::optional<uint32_t> node_or_trigger(Reader& r, const YAML::Node& value, bool trigger_ok);
bool message_fault(Reader& r, std::string_view name, const YAML::Node& value, Fault& f,
                   bool trigger_ok);
bool parse_when(Reader& r, const YAML::Node& value, Trigger& t);
// crash, pause, isolate, reconfigure or reconfigure_learner of one node or `trigger`.
bool triggered_node_fault(Reader& r, std::string_view name, const YAML::Node& value, Fault& f);

}  // namespace raftsim::scenario::detail

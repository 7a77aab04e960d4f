// The writer is the parser's inverse: parse(write(s)) == s, for the full example and for random
// valid scenarios.
#include "scenario/write.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <variant>

#include "full_example.h"
#include "scenario/parse.h"

namespace raftsim::scenario {
namespace {

using Kind = Expectation::Kind;

Scenario read_scenario(std::string_view text) {
  auto result = parse_scenario_text(text, "full.yaml");
  if (auto* error = std::get_if<ParseError>(&result)) {
    ADD_FAILURE() << error->text();
    return {};
  }
  return std::get<Scenario>(std::move(result));
}

TEST(ScenarioWrite, FullExampleRoundTrips) {
  const Scenario s = read_scenario(kFullExample);
  const std::string yaml = write_scenario_yaml(s);
  const auto again = parse_scenario_text(yaml, "repro.yaml");
  ASSERT_TRUE(std::holds_alternative<Scenario>(again)) << std::get<ParseError>(again).text() << "\n"
                                                       << yaml;
  EXPECT_TRUE(std::get<Scenario>(again) == s) << yaml;
  EXPECT_EQ(write_scenario_yaml(std::get<Scenario>(again)), yaml);
}

TEST(ScenarioWrite, EqualityNoticesAChange) {
  const Scenario s = read_scenario(kFullExample);
  Scenario changed = s;
  changed.timeline[3].links.pop_back();
  EXPECT_FALSE(changed == s);
  changed = s;
  changed.world.workload.mix.cas = 0.5;
  EXPECT_FALSE(changed == s);
  changed = s;
  changed.expectations[7].group = {4};
  EXPECT_FALSE(changed == s);
  changed = s;
  changed.file = "elsewhere.yaml";
  changed.timeline[0].where.line = 99;
  EXPECT_TRUE(changed == s);  // where it was written is not what it means
}

TEST(ScenarioWrite, HeaderIsTheTeachingAndEverySectionIsExplicit) {
  Scenario s = read_scenario("# Line one.\n#\n# Line three.\ncluster: {nodes: [a, b, c]}\n");
  const std::string yaml = write_scenario_yaml(s);
  EXPECT_TRUE(yaml.starts_with("# Line one.\n#\n# Line three.\n\nname: full\n")) << yaml;
  for (const char* section : {"\ncluster:\n", "\nnetwork:\n", "\nworkload:\n", "\ntimeline: []\n",
                              "\nliveness: {quiet: 2s, within: 5s}\n", "\nexpect: []\n",
                              "  election_timeout: 150ms\n", "  stop: 30s\n"}) {
    EXPECT_NE(yaml.find(section), std::string::npos) << section << "\n" << yaml;
  }
  EXPECT_EQ(yaml.find("nemesis"), std::string::npos) << yaml;  // no faults: no nemesis
}

// A shrunk repro is the original run cut short, with the workload's stop left where it was.
// Found by the scenario fuzzer: a header closed by a bare `#` read back as a different teaching.
TEST(ScenarioWrite, AHeaderClosedByABareHashRoundTrips) {
  const Scenario s = read_scenario("# Line one.\n# Line two.\n#\ncluster: {nodes: [a, b, c]}\n");
  EXPECT_EQ(s.teaches, "Line one.\nLine two.");
  EXPECT_TRUE(read_scenario(write_scenario_yaml(s)) == s) << write_scenario_yaml(s);
}

TEST(ScenarioWrite, AStopPastAShortenedEndIsWrittenAsTheEnd) {
  Scenario s = read_scenario("duration: 10s\ncluster: {nodes: [a, b, c]}\nworkload: {stop: 8s}\n");
  s.duration = std::chrono::seconds(3);
  const std::string yaml = write_scenario_yaml(s);
  EXPECT_NE(yaml.find("  stop: 3s\n"), std::string::npos) << yaml;
  EXPECT_EQ(read_scenario(yaml).world.workload.stop_at, SimTime{std::chrono::seconds(3)});
}

TEST(ScenarioWrite, ShapesAreWrittenExpanded) {
  const Scenario s = read_scenario(
      "cluster: {nodes: [a, b, c, d, e]}\ntimeline:\n  - {at: 2s, bridge: c}\n"
      "  - {at: 1s, isolate: a}\n");
  const std::string yaml = write_scenario_yaml(s);
  EXPECT_NE(yaml.find("timeline:\n"
                      "  - {at: 1s, partition: [[a], [b, c, d, e]]}\n"
                      "  - {at: 2s, heal: true}\n"
                      "  - {at: 2s, cut: [[a, d], [a, e], [b, d], [b, e], [d, a], [d, b], [e, a], "
                      "[e, b]]}\n"),
            std::string::npos)
      << yaml;
}

// Random valid scenarios, shaped as the parser produces them.
class Gen {
 public:
  Scenario scenario() {
    Scenario s;
    const size_t n = *rc::gen::inRange<size_t>(1, 10);
    s.world.node_names = *rc::gen::unique<std::vector<std::string>>(n, node_name());
    names_ = s.world.node_names;
    s.name = *rc::gen::container<std::string>(rc::gen::inRange<char>(32, 127));
    s.teaches = teaches();
    s.seed = *rc::gen::arbitrary<uint64_t>();
    s.world.seed = s.seed;
    s.duration = Duration{*rc::gen::inRange<int64_t>(1, 200'000'000)};
    end_ = s.duration;
    cluster(s.world);
    s.world.network = link();
    workload(s.world.workload);
    timeline(s);
    nemesis(s.nemesis);
    s.liveness.enabled = *rc::gen::arbitrary<bool>();
    if (s.liveness.enabled) {
      s.liveness.quiet = duration(0, 10'000'000);
      s.liveness.within = duration(1, 10'000'000);
    }
    const size_t count = *rc::gen::inRange<size_t>(0, 8);
    for (size_t i = 0; i < count; ++i) {
      Expectation e = expectation();
      // The parser refuses claims it could not judge: about liveness with the check off, or
      // one property said to hold and to be violated.
      const bool claim = e.kind == Kind::kHolds || e.kind == Kind::kViolated;
      if (claim && e.property == Property::kLiveness && !s.liveness.enabled) continue;
      const bool contradicts =
          claim && std::any_of(s.expectations.begin(), s.expectations.end(), [&](const auto& o) {
            return (o.kind == Kind::kHolds || o.kind == Kind::kViolated) &&
                   o.property == e.property && o.kind != e.kind;
          });
      if (!contradicts) s.expectations.push_back(std::move(e));
    }
    return s;
  }

 private:
  static rc::Gen<std::string> node_name() {
    return rc::gen::map(rc::gen::pair(rc::gen::elementOf(std::string("abcnxyzNAB")),
                                      rc::gen::container<std::string>(
                                          *rc::gen::inRange<size_t>(0, 4),
                                          rc::gen::elementOf(std::string("abl1290_-NULu")))),
                        [](const std::pair<char, std::string>& p) { return p.first + p.second; });
  }

  std::string teaches() {
    const size_t lines = *rc::gen::inRange<size_t>(0, 4);
    std::string out;
    for (size_t i = 0; i < lines; ++i) {
      std::string line = *rc::gen::container<std::string>(rc::gen::inRange<char>(32, 127));
      if (i == 0 || i + 1 == lines) line = "x" + line;  // no blank first or last line
      out += (i ? "\n" : "") + line;
    }
    return out;
  }

  Duration duration(int64_t lo, int64_t hi) {
    // Mostly round values, as people write them; sometimes any microsecond.
    const int64_t scale = *rc::gen::element<int64_t>(1, 1000, 1000000);
    const int64_t v = *rc::gen::inRange<int64_t>(lo, hi + 1);
    return Duration{std::clamp(v / scale * scale, lo, hi)};
  }
  SimTime time() { return SimTime{duration(0, end_.count())}; }
  double probability() { return *rc::gen::inRange<int>(0, 1'000'001) / 1e6; }
  uint32_t node() {
    return *rc::gen::inRange<uint32_t>(1, static_cast<uint32_t>(names_.size()) + 1);
  }

  std::vector<uint32_t> some_nodes(size_t min) {
    std::vector<uint32_t> ids;
    for (uint32_t id = 1; id <= names_.size(); ++id) {
      if (*rc::gen::arbitrary<bool>()) ids.push_back(id);
    }
    while (ids.size() < min)
      ids.push_back(static_cast<uint32_t>(ids.size() + 1));
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return *rc::gen::just(ids);
  }

  std::vector<std::pair<uint32_t, uint32_t>> links(size_t max) {
    std::vector<std::pair<uint32_t, uint32_t>> out;
    if (names_.size() < 2) return out;
    const size_t count = *rc::gen::inRange<size_t>(0, max + 1);
    for (size_t i = 0; i < count; ++i) {
      const uint32_t from = node();
      uint32_t to = node();
      if (to == from) to = from % static_cast<uint32_t>(names_.size()) + 1;
      out.emplace_back(from, to);
    }
    return out;
  }

  sim::Latency latency() {
    sim::Latency l;
    l.shape = static_cast<sim::Latency::Shape>(*rc::gen::inRange(0, 4));
    l.min = duration(0, 100'000);
    l.max = l.min + duration(0, 100'000);
    l.tail_chance = probability();
    l.tail_max = duration(0, 5'000'000);
    return l;
  }

  sim::LinkModel link() {
    sim::LinkModel m;
    m.latency = latency();
    m.loss = probability();
    m.duplicate = probability();
    m.reorder = probability();
    m.extra_delay = duration(0, 1'000'000);
    return m;
  }

  void cluster(sim::WorldConfig& w) {
    w.tick = duration(1, 20'000);
    w.election_timeout_ticks = *rc::gen::inRange(2, 60);
    w.heartbeat_ticks = *rc::gen::inRange(1, w.election_timeout_ticks);
    for (bool* b : {&w.options.pre_vote, &w.options.check_quorum, &w.options.vote_lease,
                    &w.options.leadership_transfer, &w.bugs.commit_previous_term,
                    &w.bugs.vote_without_log_check, &w.bugs.forget_vote_on_restart,
                    &w.bugs.ack_before_persist, &w.bugs.stale_leader_reads}) {
      *b = *rc::gen::arbitrary<bool>();
    }
    w.disk.fsync.min = duration(0, 10'000);
    w.disk.fsync.max = w.disk.fsync.min + duration(0, 10'000);
    w.snapshot_every = *rc::gen::inRange<uint64_t>(0, 100'000);
    w.max_entries_per_append = *rc::gen::inRange<size_t>(1, 1000);
    w.max_appends_per_round = *rc::gen::inRange<size_t>(1, 1000);
  }

  void workload(sim::WorkloadModel& w) {
    w.clients = *rc::gen::inRange<uint32_t>(0, 65);
    w.keys = *rc::gen::inRange<uint32_t>(1, 1001);
    w.mix = {probability(), probability(), probability(), probability()};
    if (w.mix.get + w.mix.put + w.mix.append + w.mix.cas == 0) w.mix.cas = 1;
    w.rate = *rc::gen::inRange(0, 5000) / 10.0;
    w.think = duration(0, 100'000);
    w.attempt_timeout = duration(1, 1'000'000);
    w.give_up = duration(1, 10'000'000);
    w.latency = latency();
    w.stop_at = time();
  }

  Fault fault() {
    Fault f;
    f.at = time();
    const int kind = *rc::gen::inRange(0, 27);
    f.kind = static_cast<FaultKind>(kind);
    switch (f.kind) {
      case FaultKind::kPartition: {
        std::vector<uint32_t> ids = some_nodes(0);
        while (!ids.empty()) {
          const size_t take = *rc::gen::inRange<size_t>(1, ids.size() + 1);
          f.groups.emplace_back(ids.begin(), ids.begin() + static_cast<ptrdiff_t>(take));
          ids.erase(ids.begin(), ids.begin() + static_cast<ptrdiff_t>(take));
        }
        break;
      }
      case FaultKind::kCut:
      case FaultKind::kClog:
      case FaultKind::kUnclog:
        f.links = links(4);
        break;
      case FaultKind::kHeal:
        break;
      case FaultKind::kDelay:
      case FaultKind::kLoss:
      case FaultKind::kDuplicate:
        f.links = links(3);
        if (f.kind == FaultKind::kDelay) f.delay = duration(0, 20'000'000);
        if (f.kind != FaultKind::kDelay) f.rate = probability();
        break;
      case FaultKind::kCrash:
      case FaultKind::kRestart:
      case FaultKind::kPause:
      case FaultKind::kResume:
      case FaultKind::kWipe:
      case FaultKind::kTornWrite:
        f.nodes = some_nodes(1);
        break;
      case FaultKind::kFsyncLies:
        f.nodes = {node()};
        f.on = *rc::gen::arbitrary<bool>();
        break;
      case FaultKind::kCorrupt:
        f.nodes = {node()};
        f.record = *rc::gen::inRange<uint64_t>(0, 100);
        break;
      case FaultKind::kClockSkew:
        f.nodes = {node()};
        f.factor = *rc::gen::inRange(1, 10000) / 100.0;
        break;
      case FaultKind::kLie:
        f.nodes = {node()};
        for (bool* b : {&f.lies.inflate_log, &f.lies.vote_for_everyone, &f.lies.forge_acks,
                        &f.lies.term_inflation}) {
          *b = *rc::gen::arbitrary<bool>();
        }
        break;
      case FaultKind::kElect:
        f.nodes = {node()};
        break;
      case FaultKind::kTransfer:
        if (names_.size() < 2) return Fault{.at = f.at, .kind = FaultKind::kHeal};
        f.nodes = {1, 2};
        break;
      case FaultKind::kCrashLeader:
      case FaultKind::kIsolateLeader:
        // The undo falls within the run.
        f.length = duration(1, end_.count());
        f.at = std::min(f.at, SimTime{end_ - f.length});
        break;
      case FaultKind::kDropMessages:
      case FaultKind::kDelayMessages:
      case FaultKind::kDuplicateMessages:
      case FaultKind::kHoldMessages:
        message_fault(f);
        break;
      case FaultKind::kIsolate:  // written only with a `when`
        f.nodes = {node()};
        break;
      default:
        break;
    }
    const bool may_wait =
        f.kind == FaultKind::kIsolate || is_message_fault(f.kind) ||
        ((f.kind == FaultKind::kCrash || f.kind == FaultKind::kPause) && f.nodes.size() == 1);
    if (f.kind == FaultKind::kIsolate || (may_wait && *rc::gen::arbitrary<bool>())) trigger(f);
    return f;
  }

  void message_fault(Fault& f) {
    f.messages = *rc::gen::inRange<sim::MessageKinds>(1, sim::kAnyMessage + 1);
    f.from = *rc::gen::arbitrary<bool>() ? node() : 0;
    f.to = *rc::gen::arbitrary<bool>() ? node() : 0;
    if (f.to == f.from) f.to = 0;
    f.count = *rc::gen::inRange<uint64_t>(1, 1'000'001);
    if (f.kind == FaultKind::kDelayMessages) f.delay = duration(1, 5'000'000);
    if (f.kind == FaultKind::kDuplicateMessages) f.delay = duration(0, 5'000'000);
    if (*rc::gen::arbitrary<bool>()) {
      f.undo_after = duration(1, end_.count());
      f.at = std::min(f.at, SimTime{end_ - f.undo_after});
    }
  }

  // Makes `f` wait for an event; `trigger` may stand for its node.
  void trigger(Fault& f) {
    Trigger t;
    t.event = static_cast<sim::NodeEventKind>(*rc::gen::inRange(0, 7));
    t.node = *rc::gen::arbitrary<bool>() ? node() : 0;
    t.nth = *rc::gen::inRange<uint64_t>(1, 100);
    if (t.event == sim::NodeEventKind::kUncommitted) t.entries = *rc::gen::inRange<uint64_t>(1, 50);
    if (*rc::gen::arbitrary<bool>()) t.by = std::max(f.at, time());
    f.when = t;
    if (!f.nodes.empty() && *rc::gen::arbitrary<bool>()) f.nodes = {kTriggerNode};
    if (is_message_fault(f.kind) && f.from == 0 && *rc::gen::arbitrary<bool>()) {
      f.from = kTriggerNode;
    }
    if (*rc::gen::arbitrary<bool>()) f.undo_after = duration(1, 10'000'000);
  }

  void timeline(Scenario& s) {
    const size_t count = *rc::gen::inRange<size_t>(0, 10);
    for (size_t i = 0; i < count; ++i)
      s.timeline.push_back(fault());
    std::stable_sort(s.timeline.begin(), s.timeline.end(),
                     [](const Fault& a, const Fault& b) { return a.at < b.at; });
  }

  void nemesis(Nemesis& n) {
    static constexpr FaultKind kKinds[] = {
        FaultKind::kPartition, FaultKind::kCrash,       FaultKind::kPause,        FaultKind::kDelay,
        FaultKind::kLoss,      FaultKind::kDuplicate,   FaultKind::kClog,         FaultKind::kWipe,
        FaultKind::kClockSkew, FaultKind::kCrashLeader, FaultKind::kIsolateLeader};
    for (FaultKind kind : kKinds) {
      if (*rc::gen::inRange(0, 3) == 0) n.faults.push_back(kind);
    }
    n.every_min = duration(1, 5'000'000);
    n.every_max = n.every_min + duration(0, 5'000'000);
    n.duration_min = duration(0, 5'000'000);
    n.duration_max = n.duration_min + duration(0, 5'000'000);
    n.quiet = duration(0, end_.count());
    n.delay = duration(0, 10'000'000);
    n.loss = probability();
    n.overlap = *rc::gen::arbitrary<bool>();
  }

  Expectation expectation() {
    Expectation e;
    e.kind = static_cast<Kind>(*rc::gen::inRange(0, 11));
    const auto window = [&] {
      e.from = time();
      e.to = *rc::gen::arbitrary<bool>() ? SimTime::max() : std::max(e.from, time());
    };
    switch (e.kind) {
      case Kind::kHolds:
      case Kind::kViolated:
        e.property = static_cast<Property>(*rc::gen::inRange(0, 10));
        break;
      case Kind::kSafetyViolated:
        break;
      case Kind::kLeaderWithin:
        e.from = time();
        e.within = duration(0, (SimTime{end_} - e.from).count());
        break;
      case Kind::kNoLeader:
      case Kind::kNoElection:
      case Kind::kNoCommit:
        window();
        e.group = some_nodes(0);
        break;
      case Kind::kCommitsAtLeast:
      case Kind::kAckedWritesAtLeast:
        e.count = *rc::gen::arbitrary<uint64_t>();
        break;
      case Kind::kTermAtMost:
        window();
        e.count = *rc::gen::inRange<uint64_t>(0, 1000);
        break;
      case Kind::kTermAbove:
        e.to = *rc::gen::arbitrary<bool>() ? SimTime::max() : time();
        e.count = *rc::gen::inRange<uint64_t>(0, 1000);
        break;
    }
    e.text = describe(e, names_);
    return e;
  }

  std::vector<std::string> names_;
  Duration end_{1};
};

RC_GTEST_PROP(ScenarioWrite, RandomScenariosRoundTrip, ()) {
  const Scenario s = Gen().scenario();
  const std::string yaml = write_scenario_yaml(s);
  RC_LOG() << yaml;
  const auto again = parse_scenario_text(yaml, "repro.yaml");
  if (const auto* error = std::get_if<ParseError>(&again)) RC_FAIL(error->text());
  RC_ASSERT(std::get<Scenario>(again) == s);
  RC_ASSERT(write_scenario_yaml(std::get<Scenario>(again)) == yaml);
}

}  // namespace
}  // namespace raftsim::scenario

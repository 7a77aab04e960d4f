// Generated fault schedules for property tests: the schedule itself is the generated value, so
// RapidCheck shrinks it (fewer episodes, earlier, shorter, lower node ids) when a property fails.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "scenario/scenario.h"

namespace raftsim::test {

// One fault and its undo: a crash and restart, a pause and resume, or a partition and heal.
struct Episode {
  enum Kind : int { kCrash = 0, kPartition = 1, kPause = 2 };
  int kind = kCrash;
  int start_ms = 0;   // from the start of the run
  int length_ms = 1;  // until the undo
  uint32_t node = 1;  // crashed, paused, or cut off with `other`
  uint32_t other = 1;
};

struct Schedule {
  uint32_t nodes = 3;  // 3 to 5
  int run_ms = 5000;   // 5 to 10 simulated seconds
  std::vector<Episode> episodes;
};

std::ostream& operator<<(std::ostream& out, const Schedule& s);

// What a generator draws from.
struct ScheduleShape {
  int max_episodes = 8;
  std::vector<int> kinds = {Episode::kCrash, Episode::kPartition, Episode::kPause};
  int max_length_ms = 1500;
};

// Schedules over 3-5 nodes, 5-10 s runs, with up to `max_episodes` episodes of `kinds`.
rc::Gen<Schedule> schedules(const ScheduleShape& shape);

// The timeline faults of `s`, sorted by time. A partition puts `node` (and `other`, in a cluster of
// five) on one side; with other == node or a smaller cluster, `node` alone.
std::vector<scenario::Fault> timeline(const Schedule& s);

// A scenario that runs `s`: three clients over three keys, liveness off (a schedule may end
// mid-fault), the given bugs planted, each fsync taking `fsync` (a YAML {min, max} map).
scenario::Scenario scenario_for(const Schedule& s, const raft::PlantedBugs& bugs,
                                const std::string& fsync = "{min: 500us, max: 2ms}");

}  // namespace raftsim::test

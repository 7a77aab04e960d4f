// `real_bench stages DIR`: lines up the stage logs of a cluster's nodes (src/real/stage_log.h) and
// prints, for every stage of a put, how long after the leader received the request it was reached
// (median, 90th and 99th percentile over every put), and the median step from the stage before.
#pragma once

#include <string>

namespace raftsim::bench {

// Returns a process exit code: 0, or 2 if DIR holds no usable stage log.
int report_stages(const std::string& dir);

}  // namespace raftsim::bench

// A recorded run as Chrome trace-event JSON, which ui.perfetto.dev (and chrome://tracing) opens:
// one track per node with nested spans (term, then role inside it), each message a flow from its
// send to its delivery or drop (a unique bind_id, flow_out at the sender, flow_in at the end),
// faults as global instants, and one track per client with its operations.
#pragma once

#include <string>

#include "view/recorded_run.h"

namespace raftsim::view {

std::string perfetto_json(const RecordedRun& run);

}  // namespace raftsim::view

// Pairs each message's send with where it ended (delivered or dropped), from trace events alone.
// Messages carry no id in the trace, so an end is matched to the earliest unmatched send (or
// network duplicate) with the same sender, receiver, type, term, index, entry count and reject
// flag: identical messages on one link are interchangeable.
#pragma once

#include <cstddef>
#include <vector>

#include "sim/trace.h"

namespace raftsim::view {

struct Flight {
  size_t start = 0;  // the send or duplicate event
  size_t end = 0;    // the deliver or drop event
};

// Every completed flight, ordered by start. Sends still in flight at the end have none.
std::vector<Flight> message_flights(const std::vector<sim::TraceEvent>& events);

}  // namespace raftsim::view

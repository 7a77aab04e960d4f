#include "view/message_flights.h"

#include <algorithm>
#include <deque>
#include <map>
#include <tuple>

namespace raftsim::view {

std::vector<Flight> message_flights(const std::vector<sim::TraceEvent>& events) {
  using Key = std::tuple<uint32_t, uint32_t, uint64_t, uint64_t, uint64_t, uint64_t, bool>;
  std::map<Key, std::deque<size_t>> in_flight;
  std::vector<Flight> flights;
  for (size_t i = 0; i < events.size(); ++i) {
    const sim::TraceEvent& e = events[i];
    const Key key{e.node, e.peer, e.a, e.b, e.c, e.d, e.flag};
    switch (e.kind) {
      case sim::TraceKind::kSend:
      case sim::TraceKind::kDuplicate:
        in_flight[key].push_back(i);
        break;
      case sim::TraceKind::kDeliver:
      case sim::TraceKind::kDrop: {
        const auto it = in_flight.find(key);
        if (it == in_flight.end() || it->second.empty()) break;
        flights.push_back({it->second.front(), i});
        it->second.pop_front();
        break;
      }
      default:
        break;
    }
  }
  std::sort(flights.begin(), flights.end(),
            [](const Flight& x, const Flight& y) { return x.start < y.start; });
  return flights;
}

}  // namespace raftsim::view

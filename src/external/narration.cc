#include "external/narration.h"

#include "sim/client.h"

namespace raftsim::external {

std::unique_ptr<scenario::Narrator> narrate_from_outside(
    const scenario::Scenario& s, bool verbose, std::function<void(const std::string&)> print,
    real::ObservedTrace& trace, Clients& clients, const Host& host) {
  auto narrator = std::make_unique<scenario::Narrator>(s.world.node_names, verbose,
                                                       std::move(print), /*from_outside=*/true);
  scenario::Narrator* n = narrator.get();
  trace.on_state = [n](const sim::TraceEvent& e) { n->on_event(e); };
  if (verbose) {
    clients.on_operation = [n, &host](const ClientOp& op, uint32_t node, bool completed) {
      n->on_event(
          sim::operation_event(sim::kTimeZero + sim::Duration{host.now()}, op, node, completed));
    };
  }
  return narrator;
}

}  // namespace raftsim::external

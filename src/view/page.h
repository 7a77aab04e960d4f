// The replay page: one self-contained HTML file (the front-end in web/, embedded at build time,
// with the run's events, narration, verdict and history inlined as JSON). Opens offline in any
// browser; nothing is fetched.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "view/recorded_run.h"

namespace raftsim::view {

struct PageOptions {
  // Only the events in [from_us, to_us] travel as messages and client operations; the state
  // changes before `from_us` (roles, terms, votes, commits, faults, crashes) are kept so the page
  // starts from the right state.
  std::optional<int64_t> from_us;
  std::optional<int64_t> to_us;
  // Past this many events the page keeps the first ones and says so: a browser holds a few
  // hundred thousand events comfortably, not millions.
  size_t max_events = 300'000;
};

// The whole page, or an error message in `error`.
struct Page {
  std::string html;
  std::string error;
  size_t events = 0;   // events on the page
  std::string notice;  // what was left out, when something was
};

Page render_page(const RecordedRun& run, const PageOptions& options);

}  // namespace raftsim::view

// `raftsim view TRACE.jsonl [--history H] -o OUT.html`: the replay page of a recorded run; and
// the writers `raftsim run --html` / `--trace-format perfetto` share with it.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "view/page.h"

namespace raftsim::tools {

void add_view_command(CLI::App& app, int& exit_code);

// Reads the recorded run and writes its page to `out`. Returns "" or an error message.
std::string write_page_file(const std::string& trace, const std::string& history,
                            const std::string& out, const view::PageOptions& options, bool quiet);

// Runs a scenario file (with its own seed), quietly, and writes its page to `out`: explore's
// page beside each repro. Returns "" or an error message.
std::string write_scenario_page(const std::string& scenario_file, const std::string& out);

// Reads the recorded run and writes it as Chrome trace-event JSON. Returns "" or an error.
std::string write_perfetto_file(const std::string& trace, const std::string& out);

}  // namespace raftsim::tools

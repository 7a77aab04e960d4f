#include "view_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "scenario/duration.h"
#include "scenario/parse.h"
#include "scenario/runner.h"
#include "view/perfetto.h"

namespace raftsim::tools {

namespace {

std::string write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return fmt::format("{}: cannot open for writing", path);
  out << text;
  out.close();
  if (!out) return fmt::format("{}: cannot write", path);
  return "";
}

struct ViewFlags {
  std::string trace;
  std::string history;
  std::string out;
  std::string format = "html";
  std::string from;
  std::string to;
  bool quiet = false;
};

// "--from 3s": a duration as scenario files write it. Returns an error message or "".
std::string parse_bound(const std::string& flag, const std::string& text,
                        std::optional<int64_t>& into) {
  if (text.empty()) return "";
  const auto d = scenario::parse_duration(text);
  if (!d) return fmt::format("{} {}: not a duration (e.g. 3s, 250ms)", flag, text);
  into = d->count();
  return "";
}

int view(const ViewFlags& flags) {
  if (flags.format == "perfetto") {
    if (!flags.from.empty() || !flags.to.empty() || !flags.history.empty()) {
      fmt::print(stderr, "raftsim: --from, --to and --history apply to --format html only\n");
      return 2;
    }
    const std::string error = write_perfetto_file(flags.trace, flags.out);
    if (!error.empty()) fmt::print(stderr, "raftsim: {}\n", error);
    return error.empty() ? 0 : 2;
  }
  view::PageOptions options;
  std::string error = parse_bound("--from", flags.from, options.from_us);
  if (error.empty()) error = parse_bound("--to", flags.to, options.to_us);
  if (error.empty() && options.from_us && options.to_us && *options.from_us > *options.to_us) {
    error = "--from is after --to";
  }
  if (error.empty()) {
    error = write_page_file(flags.trace, flags.history, flags.out, options, flags.quiet);
  }
  if (!error.empty()) fmt::print(stderr, "raftsim: {}\n", error);
  return error.empty() ? 0 : 2;
}

}  // namespace

std::string write_page_file(const std::string& trace, const std::string& history,
                            const std::string& out, const view::PageOptions& options, bool quiet) {
  const view::ReadRunResult read = view::read_recorded_run(trace, history);
  if (!read.run) return read.error;
  const view::Page page = view::render_page(*read.run, options);
  if (!page.error.empty()) return fmt::format("{}: {}", trace, page.error);
  if (std::string error = write_text(out, page.html); !error.empty()) return error;
  if (!page.notice.empty()) fmt::print(stderr, "raftsim: {}\n", page.notice);
  if (!quiet) {
    fmt::print("replay page written to {} ({} events, {:.1f} MB)\n", out, page.events,
               static_cast<double>(page.html.size()) / 1e6);
  }
  return "";
}

std::string write_scenario_page(const std::string& scenario_file, const std::string& out) {
  auto parsed = scenario::parse_scenario_file(scenario_file);
  if (auto* error = std::get_if<scenario::ParseError>(&parsed)) return error->text();
  const auto temp = std::filesystem::temp_directory_path() /
                    fmt::format("raftsim-{}-{}", ::getpid(),
                                std::filesystem::path(scenario_file).stem().string());
  scenario::RunOptions options;
  options.narrate = false;
  options.trace_path = temp.string() + ".trace.jsonl";
  options.history_path = temp.string() + ".history.jsonl";
  const scenario::RunReport report =
      scenario::run_scenario(std::get<scenario::Scenario>(parsed), options);
  std::string error = !report.error.empty() ? report.error : report.output_error;
  if (error.empty())
    error = write_page_file(options.trace_path, options.history_path, out, {}, true);
  std::error_code ignored;
  std::filesystem::remove(options.trace_path, ignored);
  std::filesystem::remove(options.history_path, ignored);
  return error;
}

std::string write_perfetto_file(const std::string& trace, const std::string& out) {
  const view::ReadRunResult read = view::read_recorded_run(trace, "");
  if (!read.run) return read.error;
  return write_text(out, view::perfetto_json(*read.run));
}

void add_view_command(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<ViewFlags>();
  CLI::App* cmd = app.add_subcommand(
      "view", "Write a self-contained HTML replay (or a Perfetto trace) of a recorded run");
  cmd->add_option("trace", flags->trace, "Trace written by raftsim run --trace (JSON Lines)")
      ->required();
  cmd->add_option("--history", flags->history, "The run's client history (raftsim format)");
  cmd->add_option("-o,--out", flags->out, "The file to write")->required();
  cmd->add_option("--format", flags->format, "html (the replay page) or perfetto")
      ->check(CLI::IsMember({"html", "perfetto"}))
      ->capture_default_str();
  cmd->add_option("--from", flags->from, "Show messages and client operations from this time on");
  cmd->add_option("--to", flags->to, "... up to this time");
  cmd->add_flag("--quiet,-q", flags->quiet, "Print nothing on success");
  cmd->callback([flags, &exit_code] { exit_code = view(*flags); });
}

}  // namespace raftsim::tools

#include "check/check_history.h"

#include <fmt/format.h>

namespace raftsim::check {

CheckHistoryOutcome run_check_history(const CheckHistoryRequest& request) {
  CheckHistoryOutcome outcome;
  std::optional<HistoryFormat> format = parse_history_format(request.format);
  if (!format) {
    outcome.error = fmt::format(
        "unknown format '{}' (expected raftsim, porcupine-etcd, porcupine-kv or knossos-edn)",
        request.format);
    return outcome;
  }
  std::optional<ModelKind> model;
  if (!request.model.empty()) {
    model = parse_model_kind(request.model);
    if (!model) {
      outcome.error = fmt::format(
          "unknown model '{}' (expected kv, register, multi-register or mutex)", request.model);
      return outcome;
    }
  }
  ReadResult read = read_history_file(request.path, *format, model);
  if (!read.history) {
    outcome.error = read.error;
    return outcome;
  }
  CheckResult result = check_linearizability(*read.history, request.options);
  outcome.output =
      fmt::format("{}: {} operations, {} partitions, {} search steps\n{}", request.path,
                  read.history->ops.size(), result.partitions, result.steps, format_result(result));
  switch (result.verdict) {
    case Verdict::linearizable:
      outcome.exit_code = kExitLinearizable;
      break;
    case Verdict::not_linearizable:
      outcome.exit_code = kExitNotLinearizable;
      break;
    case Verdict::unknown:
      outcome.exit_code = kExitUnknown;
      break;
  }
  return outcome;
}

}  // namespace raftsim::check

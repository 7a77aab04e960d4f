// History files: the same bytes go to every reader (raftsim JSON Lines, Porcupine etcd logs,
// Porcupine kv lines, Jepsen/Knossos EDN), so one corpus grows inputs for all of them. Each ends
// in a history or in "path:line: what is wrong", never a crash or a hang. A history a reader
// accepts and its writer can express reads back with the same operations, less those the writer
// says it left out (ones the format cannot say and that constrain nothing).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "check/history_io.h"

namespace {

using raftsim::check::HistoryFormat;

[[noreturn]] void fail(HistoryFormat format, const char* what, std::string_view detail) {
  std::fprintf(stderr, "history_fuzzer (%s): %s\n%.*s\n", raftsim::check::to_string(format), what,
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

void read_back(const raftsim::check::History& history, HistoryFormat format) {
  const raftsim::check::WriteResult written = raftsim::check::write_history(history, format);
  if (!written.error.empty()) return;  // not every history fits every format
  const raftsim::check::ReadResult again =
      raftsim::check::parse_history(written.text, "written", format, history.model);
  if (!again.history) fail(format, "the writer's text does not read back", again.error);
  if (again.history->ops.size() + written.left_out != history.ops.size()) {
    fail(format, "the writer's text reads back with a different number of operations",
         written.text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (HistoryFormat format : {HistoryFormat::raftsim, HistoryFormat::porcupine_etcd,
                               HistoryFormat::porcupine_kv, HistoryFormat::knossos_edn}) {
    const raftsim::check::ReadResult read = raftsim::check::parse_history(text, "fuzz", format);
    if (!read.history) {
      if (read.error.rfind("fuzz:", 0) != 0)
        fail(format, "an error that does not name the place", read.error);
      continue;
    }
    read_back(*read.history, format);
  }
  return 0;
}

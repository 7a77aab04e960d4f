// Reading and writing histories as files: raftsim's own JSON Lines format (docs/history-format.md),
// Jepsen/Knossos EDN, and Porcupine's two test formats (etcd logs and kv EDN lines).
//
// Readers never throw and never skip a line they do not understand: the first problem is returned
// as "path:line: what is wrong".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check/history.h"

namespace raftsim::check {

enum class HistoryFormat : std::uint8_t {
  raftsim,         // JSON Lines, one operation per line
  porcupine_etcd,  // Porcupine test_data/jepsen/etcd_NNN.log: a single register
  porcupine_kv,    // Porcupine test_data/kv/cNN-*.txt: one EDN map per line, get/put/append
  knossos_edn,     // one EDN collection of Jepsen op maps
};

std::optional<HistoryFormat> parse_history_format(std::string_view name);
const char* to_string(HistoryFormat format);

struct ReadResult {
  std::optional<History> history;
  std::string error;  // "path:line: what is wrong" when !history
};

// `path` is used only in error messages. `model` overrides the model inferred from the ops; an
// op that does not belong to it is an error.
ReadResult parse_history(std::string_view text, const std::string& path, HistoryFormat format,
                         std::optional<ModelKind> model = std::nullopt);
ReadResult read_history_file(const std::string& path, HistoryFormat format,
                             std::optional<ModelKind> model = std::nullopt);

struct WriteResult {
  std::string text;
  std::string error;  // set when the history cannot be expressed in the format
  // Operations left out because the format cannot say them and they constrain nothing: failed
  // ones (Porcupine's formats) and gets that never returned (porcupine-kv).
  size_t left_out = 0;
};

// porcupine_etcd takes register histories, porcupine_kv KV histories without cas (Porcupine's
// formats have no "fail", and the kv one says "unknown" only by leaving a call open: see
// docs/history-format.md for what is kept).
WriteResult write_history(const History& history, HistoryFormat format);

// Jepsen-style process ids for exporting: a client keeps its id until it has an op with an
// unknown outcome (or overlapping ops); later ops then get fresh ids, because in Jepsen a process
// never invokes again after a crash. One entry per op of `history`.
std::vector<ClientId> assign_processes(const History& history);

namespace detail {
ReadResult parse_raftsim(std::string_view text, const std::string& path,
                         std::optional<ModelKind> model);
ReadResult parse_porcupine_etcd(std::string_view text, const std::string& path,
                                std::optional<ModelKind> model);
ReadResult parse_jepsen_edn(std::string_view text, const std::string& path, HistoryFormat format,
                            std::optional<ModelKind> model);
std::string write_raftsim(const History& history);
WriteResult write_knossos_edn(const History& history);
WriteResult write_porcupine_etcd(const History& history);
WriteResult write_porcupine_kv(const History& history);
// Checks ops[i] (read from lines[i]) against the model; sets history.model on success.
std::string settle_model(History& history, const std::vector<int>& lines, const std::string& path,
                         std::optional<ModelKind> model);
}  // namespace detail

}  // namespace raftsim::check

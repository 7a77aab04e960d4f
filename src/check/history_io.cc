#include "check/history_io.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

namespace raftsim::check {

std::optional<HistoryFormat> parse_history_format(std::string_view name) {
  if (name == "raftsim") return HistoryFormat::raftsim;
  if (name == "porcupine-etcd") return HistoryFormat::porcupine_etcd;
  if (name == "porcupine-kv") return HistoryFormat::porcupine_kv;
  if (name == "knossos-edn" || name == "edn") return HistoryFormat::knossos_edn;
  return std::nullopt;
}

const char* to_string(HistoryFormat format) {
  switch (format) {
    case HistoryFormat::raftsim:
      return "raftsim";
    case HistoryFormat::porcupine_etcd:
      return "porcupine-etcd";
    case HistoryFormat::porcupine_kv:
      return "porcupine-kv";
    case HistoryFormat::knossos_edn:
      return "knossos-edn";
  }
  return "?";
}

ReadResult parse_history(std::string_view text, const std::string& path, HistoryFormat format,
                         std::optional<ModelKind> model) {
  switch (format) {
    case HistoryFormat::raftsim:
      return detail::parse_raftsim(text, path, model);
    case HistoryFormat::porcupine_etcd:
      return detail::parse_porcupine_etcd(text, path, model);
    case HistoryFormat::porcupine_kv:
    case HistoryFormat::knossos_edn:
      return detail::parse_jepsen_edn(text, path, format, model);
  }
  return {std::nullopt, path + ": unknown format"};
}

ReadResult read_history_file(const std::string& path, HistoryFormat format,
                             std::optional<ModelKind> model) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {std::nullopt, fmt::format("{}: cannot open file", path)};
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return {std::nullopt, fmt::format("{}: read error", path)};
  return parse_history(text.str(), path, format, model);
}

WriteResult write_history(const History& history, HistoryFormat format) {
  switch (format) {
    case HistoryFormat::raftsim:
      return {detail::write_raftsim(history), ""};
    case HistoryFormat::knossos_edn:
      return detail::write_knossos_edn(history);
    case HistoryFormat::porcupine_etcd:
      return detail::write_porcupine_etcd(history);
    case HistoryFormat::porcupine_kv:
      return detail::write_porcupine_kv(history);
  }
  return {"", "unknown format"};
}

std::vector<ClientId> assign_processes(const History& history) {
  ClientId fresh = 0;
  for (const Operation& op : history.ops)
    fresh = std::max(fresh, op.client + 1);
  struct Current {
    ClientId process;
    Time busy_until;  // kNeverCompleted after an unknown outcome: the process is gone
  };
  std::map<ClientId, Current> current;
  std::vector<ClientId> processes(history.ops.size());
  // Ops are visited in invoke order, so "busy" means the op overlaps the client's previous one.
  std::vector<std::size_t> order(history.ops.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return history.ops[a].invoke < history.ops[b].invoke;
  });
  for (std::size_t i : order) {
    const Operation& op = history.ops[i];
    auto [it, inserted] = current.try_emplace(op.client, Current{op.client, 0});
    if (!inserted && it->second.busy_until >= op.invoke) it->second.process = fresh++;
    it->second.busy_until = op.complete;
    processes[i] = it->second.process;
  }
  return processes;
}

namespace detail {

std::string settle_model(History& history, const std::vector<int>& lines, const std::string& path,
                         std::optional<ModelKind> model) {
  for (std::size_t i = 0; i < history.ops.size(); ++i) {
    ModelKind of_op = model_of(history.ops[i].kind);
    if (!model) model = of_op;
    if (of_op != *model) {
      return fmt::format("{}:{}: a '{}' operation does not belong to the {} model", path, lines[i],
                         to_string(history.ops[i].kind), to_string(*model));
    }
  }
  history.model = model;
  return "";
}

}  // namespace detail
}  // namespace raftsim::check

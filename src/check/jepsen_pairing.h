// Pairs Jepsen-style invoke and completion events into operations (internal to the readers).
#pragma once

#include <fmt/format.h>

#include <map>
#include <string>
#include <vector>

#include "check/history.h"

namespace raftsim::check::detail {

// Ops under construction, keyed by process; an op is finished when its completion is seen, or at
// the end of the input (never completed: unknown outcome).
class Pairing {
 public:
  // Returns an error message (without location) or "".
  std::string invoke(ClientId process, Operation op, int line) {
    auto [it, inserted] = open_.try_emplace(process, history_.ops.size());
    if (!inserted) {
      return fmt::format("process {} invokes again while its op from line {} is still open",
                         process, lines_[it->second]);
    }
    op.client = process;
    op.outcome = Outcome::unknown;
    op.complete = kNeverCompleted;
    history_.ops.push_back(std::move(op));
    lines_.push_back(line);
    return "";
  }

  // The open op of `process`, or nullptr.
  Operation* open(ClientId process) {
    auto it = open_.find(process);
    return it == open_.end() ? nullptr : &history_.ops[it->second];
  }

  void close(ClientId process) { open_.erase(process); }

  History& history() { return history_; }
  const std::vector<int>& lines() const { return lines_; }

 private:
  History history_;
  std::vector<int> lines_;
  std::map<ClientId, std::size_t> open_;
};

}  // namespace raftsim::check::detail

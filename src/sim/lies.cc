// What a lying node (scenario `lie` faults) does to the messages it sends and the answers it
// forges. The lies act on messages between the core and the network, so the liar's own core stays
// honest Raft; the narrator hears of each lie through Trace::tell, which the digest never sees.
#include <fmt/format.h>

#include "sim/world.h"

namespace raftsim::sim {

namespace {

constexpr uint64_t kTermInflation = 1000000;

}  // namespace

void World::set_lies(uint32_t id, Lies lies) {
  nodes_[id - 1].lies = lies;
}

bool World::lie_in_message(uint32_t liar, raft::Message& m) {
  const Lies& lies = nodes_[liar - 1].lies;
  // A liar's honest answers are replaced by the forged ones synthesize_lies() sends.
  if ((lies.forge_acks && m.type == raft::MessageType::kAppendResponse) ||
      (lies.vote_for_everyone && (m.type == raft::MessageType::kVoteResponse ||
                                  m.type == raft::MessageType::kPreVoteResponse))) {
    return false;
  }
  if (lies.inflate_log &&
      (m.type == raft::MessageType::kVoteRequest || m.type == raft::MessageType::kPreVoteRequest)) {
    const raft::Index truth = m.last_log_index;
    m.last_log_term = m.term;
    m.last_log_index = m.last_log_index + 1000;
    tell_lie(Lie::kInflateLog, m, m.last_log_index.value, truth.value);
  }
  if (lies.term_inflation) {
    tell_lie(Lie::kTermInflation, m, m.term.value + kTermInflation, 0);
    m.term = raft::Term{m.term.value + kTermInflation};
  }
  return true;
}

void World::synthesize_lies(uint32_t liar, const raft::Message& received) {
  const Lies& lies = nodes_[liar - 1].lies;
  raft::Message r;
  r.from = raft::NodeId{liar};
  r.to = received.from;
  r.term = received.term;
  const bool vote_request = received.type == raft::MessageType::kVoteRequest ||
                            received.type == raft::MessageType::kPreVoteRequest;
  // The forged answer's own notes carry the liar, so a reader of the trace can tell them from
  // faults done to the cluster.
  const auto note_lie = [&](std::string text) {
    trace_.record({.time = now_, .kind = TraceKind::kFault, .node = liar, .text = std::move(text)});
  };
  if (lies.vote_for_everyone && vote_request) {
    r.type = received.type == raft::MessageType::kVoteRequest ? raft::MessageType::kVoteResponse
                                                              : raft::MessageType::kPreVoteResponse;
    note_lie(fmt::format("{} lies: grants {} its vote in term {}", name(liar),
                         name(received.from.value), received.term.value));
    tell_lie(Lie::kVoteForEveryone, r, 0, 0);
  } else if (lies.forge_acks && received.type == raft::MessageType::kAppendEntries) {
    r.type = raft::MessageType::kAppendResponse;
    r.round = received.round;
    r.match_index = received.prev_log_index + received.entries.size();
    if (!received.entries.empty()) {
      note_lie(fmt::format("{} lies: acknowledges entries up to {} without checking its log",
                           name(liar), r.match_index.value));
    }
    const raft::Log& log = nodes_[liar - 1].node->core().log();
    const raft::Term claimed_term =
        received.entries.empty() ? received.prev_log_term : received.entries.back().term;
    const bool holds =
        r.match_index < log.snapshot_index() || log.matches(r.match_index, claimed_term);
    tell_lie(Lie::kForgeAcks, r, r.match_index.value, holds ? 1 : 0);
  } else {
    return;
  }
  if (lies.term_inflation) {
    tell_lie(Lie::kTermInflation, r, r.term.value + kTermInflation, 0);
    r.term = raft::Term{r.term.value + kTermInflation};
  }
  route(liar, std::move(r));
}

void World::tell_lie(Lie lie, const raft::Message& m, uint64_t claim, uint64_t truth) {
  trace_.tell({.time = now_,
               .kind = TraceKind::kLie,
               .flag = m.type == raft::MessageType::kPreVoteRequest ||
                       m.type == raft::MessageType::kPreVoteResponse,
               .node = m.from.value,
               .peer = m.to.value,
               .a = static_cast<uint64_t>(lie),
               .b = m.term.value,
               .c = claim,
               .d = truth});
}

}  // namespace raftsim::sim

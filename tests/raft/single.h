// Helpers for tests that drive one Raft core by hand: build it, hand it messages, take its Ready.
#pragma once

#include <algorithm>
#include <vector>

#include "raft/raft.h"

namespace raftsim::test {

inline std::vector<raft::NodeId> voters(uint32_t n) {
  std::vector<raft::NodeId> out;
  for (uint32_t i = 1; i <= n; ++i)
    out.push_back(raft::NodeId{i});
  return out;
}

inline raft::Config config_for(uint32_t id, uint32_t n) {
  raft::Config c;
  c.id = raft::NodeId{id};
  c.voters = voters(n);
  c.election_timeout_ticks = 10;
  c.heartbeat_ticks = 1;
  c.seed = id;
  return c;
}

// Takes one Ready and advances past it, as a host with instantly durable storage would.
inline raft::Ready take(raft::Raft& r) {
  raft::Ready rd = r.ready();
  r.advance(rd);
  return rd;
}

// Every message of one Ready, in the order a host may send them.
inline std::vector<raft::Message> all_messages(const raft::Ready& rd) {
  std::vector<raft::Message> out = rd.messages;
  out.insert(out.end(), rd.after_persist.begin(), rd.after_persist.end());
  return out;
}

inline std::vector<raft::Message> of_type(const std::vector<raft::Message>& ms,
                                          raft::MessageType type) {
  std::vector<raft::Message> out;
  std::copy_if(ms.begin(), ms.end(), std::back_inserter(out),
               [&](const raft::Message& m) { return m.type == type; });
  return out;
}

inline raft::Message vote_request(uint32_t from, uint32_t to, uint64_t term, uint64_t last_index,
                                  uint64_t last_term) {
  raft::Message m;
  m.type = raft::MessageType::kVoteRequest;
  m.from = raft::NodeId{from};
  m.to = raft::NodeId{to};
  m.term = raft::Term{term};
  m.last_log_index = raft::Index{last_index};
  m.last_log_term = raft::Term{last_term};
  return m;
}

inline raft::Message vote_response(uint32_t from, uint32_t to, uint64_t term, bool granted) {
  raft::Message m;
  m.type = raft::MessageType::kVoteResponse;
  m.from = raft::NodeId{from};
  m.to = raft::NodeId{to};
  m.term = raft::Term{term};
  m.reject = !granted;
  return m;
}

inline raft::Message append(uint32_t from, uint32_t to, uint64_t term, uint64_t prev_index,
                            uint64_t prev_term, std::vector<raft::Entry> entries = {},
                            uint64_t commit = 0) {
  raft::Message m;
  m.type = raft::MessageType::kAppendEntries;
  m.from = raft::NodeId{from};
  m.to = raft::NodeId{to};
  m.term = raft::Term{term};
  m.prev_log_index = raft::Index{prev_index};
  m.prev_log_term = raft::Term{prev_term};
  m.entries = std::move(entries);
  m.leader_commit = raft::Index{commit};
  return m;
}

inline raft::Message append_ack(uint32_t from, uint32_t to, uint64_t term, uint64_t match,
                                uint64_t round = 0) {
  raft::Message m;
  m.type = raft::MessageType::kAppendResponse;
  m.from = raft::NodeId{from};
  m.to = raft::NodeId{to};
  m.term = raft::Term{term};
  m.match_index = raft::Index{match};
  m.round = round;
  return m;
}

inline raft::Message append_reject(uint32_t from, uint32_t to, uint64_t term, uint64_t rejected,
                                   uint64_t conflict_index, uint64_t conflict_term = 0,
                                   uint64_t round = 0) {
  raft::Message m;
  m.type = raft::MessageType::kAppendResponse;
  m.from = raft::NodeId{from};
  m.to = raft::NodeId{to};
  m.term = raft::Term{term};
  m.reject = true;
  m.rejected_index = raft::Index{rejected};
  m.conflict_index = raft::Index{conflict_index};
  m.conflict_term = raft::Term{conflict_term};
  m.round = round;
  return m;
}

inline raft::Entry entry(uint64_t index, uint64_t term, std::string command = "x") {
  return raft::Entry{raft::Term{term}, raft::Index{index}, raft::EntryType::kCommand,
                     std::move(command)};
}

// Makes node 1 of an n-node group leader of term+1 by campaigning and feeding it grants.
inline void win_election(raft::Raft& r, uint32_t n) {
  r.campaign();
  take(r);
  for (uint32_t peer = 2; peer <= n && r.role() != raft::Role::kLeader; ++peer)
    r.step(vote_response(peer, r.id().value, r.term().value, true));
}

}  // namespace raftsim::test

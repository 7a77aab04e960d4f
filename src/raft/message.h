// Log entries and the messages Raft nodes exchange. One flat Message type (as on the wire) whose
// fields are documented per message type; fields a type does not use stay zero.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "raft/configuration.h"
#include "raft/types.h"

namespace raftsim::raft {

enum class EntryType : uint8_t {
  kCommand,  // a client command for the replicated state machine
  kNoOp,     // appended by every new leader (§8): lets it commit entries of earlier terms
  // A new cluster configuration (thesis ch. 4), Configuration::encode()d in `command`. It takes
  // effect on each server as soon as it is in that server's log, committed or not; the state
  // machine never applies it.
  kConfiguration,
};

struct Entry {
  Term term;
  Index index;
  EntryType type = EntryType::kCommand;
  std::string command;  // opaque to the core

  bool operator==(const Entry&) const = default;
};

// A state-machine image that stands for the log through `index` (§7). The core never reads
// `data`: the host makes it from its state machine and restores its state machine from it.
struct Snapshot {
  Index index;  // the last entry it covers; Index{0}: no snapshot
  Term term;    // that entry's term
  std::string data;
  // The configuration in force at `index`; empty: the bootstrap configuration every server
  // starts with (Config::voters and Config::learners), so clusters that never change membership
  // store and send exactly what they did before membership changes existed.
  Configuration configuration{};

  bool operator==(const Snapshot&) const = default;
};

enum class MessageType : uint8_t {
  kVoteRequest,  // RequestVote RPC (§5.2)
  kVoteResponse,
  kPreVoteRequest,  // the same question asked for term+1 without disturbing anyone (§9.6)
  kPreVoteResponse,
  kAppendEntries,  // AppendEntries RPC (§5.3); with no entries it is a heartbeat
  kAppendResponse,
  kTimeoutNow,       // leadership transfer: "campaign now, I step aside" (§3.10 of the thesis)
  kInstallSnapshot,  // InstallSnapshot RPC (§7), in one piece; answered by a kAppendResponse
};

std::string_view to_string(MessageType type);

struct Message {
  MessageType type = MessageType::kAppendEntries;
  NodeId from;
  NodeId to;
  Term term;  // the sender's term (for a granted pre-vote: the term the candidate will use)

  // kVoteRequest, kPreVoteRequest: the candidate's last log position, for the up-to-date check.
  Index last_log_index;
  Term last_log_term;
  // kVoteRequest: sent because the leader handed over leadership; voters skip the vote lease.
  bool transfer = false;

  // kAppendEntries: the entry preceding `entries`, the entries, and the leader's commit index.
  Index prev_log_index;
  Term prev_log_term;
  std::vector<Entry> entries;
  Index leader_commit;
  // kAppendEntries: the leader's heartbeat round; kAppendResponse echoes it. A quorum of echoes of
  // round r proves the sender was still leader after it started round r (ReadIndex, check-quorum).
  uint64_t round = 0;

  // kInstallSnapshot: the leader's latest snapshot. Shared, so copying or duplicating the message
  // in a network does not copy the image.
  std::shared_ptr<const Snapshot> snapshot;

  // Responses: true when the vote is refused or the append did not match.
  bool reject = false;
  // kAppendResponse, success: the last index now known to match the leader's log.
  Index match_index;
  // kAppendResponse, reject: the prev_log_index that did not match, and a hint for the leader
  // (the follower's term at that index and the first index it holds of that term; or, when the
  // follower's log is too short, conflict_term 0 and conflict_index = its last index + 1).
  // rejected_index 0 answers a message of an older term: only the answer's term means anything.
  Index rejected_index;
  Index conflict_index;
  Term conflict_term;
};

}  // namespace raftsim::raft

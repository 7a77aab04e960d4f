// Conversions between the core's types and the wire (proto/raftsim.proto). Input from the network
// is never trusted: every decode checks enum values, sizes and identities, and returns either the
// value or a reason; nothing here asserts or throws on hostile bytes.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "node/kv.h"
#include "node/node.h"
#include "raft/message.h"
#include "raftsim.pb.h"
#include "sim/link.h"

namespace raftsim::real {

// Bounds far above anything a healthy node sends; past them a message is refused, not parsed.
struct WireLimits {
  size_t max_entries = 4096;            // entries in one AppendEntries
  size_t max_command_bytes = 1u << 20;  // one entry's command
  size_t max_messages = 4096;           // messages in one batch
  size_t max_key_bytes = 64u << 10;     // a client's key
  size_t max_value_bytes = 1u << 20;    // a client's value or expected value
};

void to_proto(const raft::Message& in, v1::RaftMessage& out);

// The reason is a short phrase: "unknown message type 9", "entry 3 of 5 has index 7, want 4".
std::variant<raft::Message, std::string> from_proto(const v1::RaftMessage& in,
                                                    const WireLimits& limits = {});

// The messages of a batch that may reach the core of node `self`, and what was refused.
struct DecodedBatch {
  std::vector<raft::Message> messages;
  bool wrong_cluster = false;        // the whole batch was for another cluster
  uint64_t rejected = 0;             // messages refused, wrong cluster included
  std::vector<std::string> reasons;  // the first few reasons, for the log
};
DecodedBatch decode_batch(const v1::RaftBatch& batch, const std::string& cluster_id,
                          raft::NodeId self, const std::set<raft::NodeId>& peers,
                          const WireLimits& limits = {});

// A client request as a command, or why it is refused.
std::variant<node::KvCommand, std::string> command_from_request(node::KvOp op,
                                                                const v1::KvRequest& request,
                                                                const WireLimits& limits = {});

v1::ReplyStatus to_proto(node::ClientReply::Status status);

// A link model as the control service receives it, or why it is refused: rates must lie in
// [0, 1] and every time within a minute.
void to_proto(const sim::LinkModel& in, v1::LinkModel& out);
std::variant<sim::LinkModel, std::string> from_proto(const v1::LinkModel& in);

}  // namespace raftsim::real

// Peer and client bytes off the network: the same bytes parsed as each protobuf message the
// wire decodes (a batch of Raft messages, one Raft message, a client request, a link model).
// Decoding ends in a value or a reason, never a crash; a message the wire accepts, encoded again
// and decoded again, is accepted again and encodes to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "real/wire.h"

namespace {

using raftsim::real::from_proto;
using raftsim::real::to_proto;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "wire_fuzzer: %s\n", what);
  std::abort();
}

void reencode(const raftsim::raft::Message& message) {
  raftsim::v1::RaftMessage wire;
  to_proto(message, wire);
  auto again = from_proto(wire);
  if (!std::holds_alternative<raftsim::raft::Message>(again)) {
    fail("an accepted message, encoded again, is refused");
  }
  raftsim::v1::RaftMessage wire_again;
  to_proto(std::get<raftsim::raft::Message>(again), wire_again);
  if (wire.SerializeAsString() != wire_again.SerializeAsString()) {
    fail("an accepted message does not encode to the same bytes twice");
  }
}

void batch(const uint8_t* data, size_t size) {
  raftsim::v1::RaftBatch batch;
  if (!batch.ParseFromArray(data, static_cast<int>(size))) return;
  const std::set<raftsim::raft::NodeId> peers = {raftsim::raft::NodeId{1}, raftsim::raft::NodeId{2},
                                                 raftsim::raft::NodeId{3}};
  const raftsim::real::DecodedBatch decoded =
      raftsim::real::decode_batch(batch, "fuzz", raftsim::raft::NodeId{1}, peers);
  const auto sent = static_cast<size_t>(batch.messages_size());
  if (!decoded.wrong_cluster && sent <= raftsim::real::WireLimits{}.max_messages &&
      decoded.messages.size() + decoded.rejected != sent) {
    fail("a batch's messages are neither delivered nor counted as refused");
  }
  for (const raftsim::raft::Message& message : decoded.messages)
    reencode(message);
}

void message(const uint8_t* data, size_t size) {
  raftsim::v1::RaftMessage wire;
  if (!wire.ParseFromArray(data, static_cast<int>(size))) return;
  auto decoded = from_proto(wire);
  if (const auto* m = std::get_if<raftsim::raft::Message>(&decoded)) reencode(*m);
}

void client_request(const uint8_t* data, size_t size) {
  raftsim::v1::KvRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return;
  for (auto op : {raftsim::node::KvOp::kGet, raftsim::node::KvOp::kPut,
                  raftsim::node::KvOp::kAppend, raftsim::node::KvOp::kCas}) {
    (void)raftsim::real::command_from_request(op, request);
  }
}

void link_model(const uint8_t* data, size_t size) {
  raftsim::v1::LinkModel wire;
  if (!wire.ParseFromArray(data, static_cast<int>(size))) return;
  auto decoded = from_proto(wire);
  if (const auto* model = std::get_if<raftsim::sim::LinkModel>(&decoded)) {
    raftsim::v1::LinkModel again;
    to_proto(*model, again);
    if (std::holds_alternative<std::string>(from_proto(again))) {
      fail("an accepted link model, encoded again, is refused");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  batch(data, size);
  message(data, size);
  client_request(data, size);
  link_model(data, size);
  return 0;
}

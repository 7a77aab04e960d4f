// One real Raft node: `raftsim node --id ID --cluster FILE --data DIR`.
//
// Threads: gRPC's own threads run the service handlers and the reactions of the peer streams;
// two threads run the Asio io_context. The Raft core and the host loop (node::Node), the file
// storage and the peer queues are touched only from one strand: every gRPC handler decodes and
// validates its request where it runs, then posts onto the strand; client replies are finished
// from the strand. A sync runs fdatasync on the strand and posts its completion back onto it, so
// after-persist messages and client acknowledgements leave only after the data is on disk.
#pragma once

#include <memory>
#include <string>

#include "real/cluster_file.h"
#include "real/tls.h"

namespace raftsim::real {

struct NodeProcessOptions {
  ClusterFile cluster;
  raft::NodeId self;
  std::string data_dir;
  // Mutual TLS on the peer and client port (the control port stays plaintext); none: plaintext.
  std::optional<TlsPems> tls;
};

// Runs until SIGINT or SIGTERM (then exits at once: everything acknowledged is already durable).
// Returns an exit code: 1 when storage refuses to load or a port cannot be bound.
int run_node_process(const NodeProcessOptions& options);

}  // namespace raftsim::real

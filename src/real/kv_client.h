// A key-value client for a real cluster: finds the leader, follows redirects, retries a request
// with the same (client_id, seq) until it learns the outcome or runs out of time, and says
// honestly when it cannot know whether a write happened.
#pragma once

#include <grpcpp/security/credentials.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "node/kv.h"
#include "raftsim.grpc.pb.h"
#include "real/cluster_file.h"

namespace raftsim::real {

struct KvOutcome {
  enum class Kind : uint8_t {
    kOk,       // happened; `result` holds its result
    kNotDone,  // certainly did not happen (every node answered "not leader", or none answered
               // and no request could have reached a leader)
    kUnknown,  // a write that may or may not have happened
  };
  Kind kind = Kind::kNotDone;
  node::KvResult result;
  std::string detail;  // for kNotDone / kUnknown: what went wrong last
};

struct KvClientOptions {
  std::chrono::milliseconds attempt_timeout{2000};  // one RPC
  std::chrono::milliseconds total_timeout{10000};   // one operation, every retry included
  int max_attempts = 100;
  // TLS or plaintext (null: plaintext); see real/tls.h.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
};

class KvClient {
 public:
  KvClient(ClusterFile cluster, uint64_t client_id, KvClientOptions options = {});

  // Runs one operation; numbers it with the next seq. Blocks; bounded by the options.
  KvOutcome run(node::KvOp op, const std::string& key, const std::string& value = "",
                const std::string& expected = "");

  uint64_t client_id() const { return client_id_; }

 private:
  // The node's channel and stub, made on first use and kept: a channel reconnects by itself.
  struct Peer {
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<v1::Kv::Stub> stub;
  };
  Peer& peer(size_t node);

  ClusterFile cluster_;
  uint64_t client_id_;
  uint64_t next_seq_ = 1;
  KvClientOptions options_;
  size_t target_ = 0;  // index into cluster_.nodes: where the next request goes
  std::map<size_t, Peer> peers_;
};

// A random non-zero client id (per process invocation; persisted nowhere).
uint64_t random_client_id();

}  // namespace raftsim::real

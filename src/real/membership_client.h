// Asking a real cluster for a membership change: the caller's side of the Membership service
// (membership_service.h), used by `raftsim cluster add/remove/promote` and `raftsim run --real`.
#pragma once

#include <grpcpp/security/credentials.h>

#include <chrono>
#include <memory>
#include <string>

#include "raft/configuration.h"
#include "raft/types.h"
#include "real/cluster_file.h"

namespace raftsim::real {

struct ChangeOutcome {
  enum class Kind : uint8_t {
    kCommitted,  // the leader's configuration entry committed
    kAppended,   // the leader appended it; its commit was not waited for, or not seen in time
    kRefused,    // the leader will not make it (`detail` says why), or gave up asking again
    kNoLeader,   // no node led, or none answered, in time
  };
  Kind kind = Kind::kNoLeader;
  std::string detail;
  raft::NodeId leader;  // the node that appended or refused it
  raft::Index index;    // the configuration entry, when appended
  raft::Term term;
};

struct ChangeOptions {
  std::chrono::milliseconds attempt_timeout{1000};  // one call
  std::chrono::milliseconds total_timeout{10000};   // everything, commit wait included
  bool wait_for_commit = true;
  raft::NodeId first;  // the node asked first (the leader, if known); none: the file's first
  // Of the Membership calls (TLS or plaintext; null: plaintext). Status polls go to the
  // plaintext control service.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
};

// Asks the leader for `change`: follows NOT_LEADER to the leader named, asks again after a short
// pause while the refusal is one that time lifts (a change still uncommitted, a learner behind,
// a leader yet to commit in its term), and with wait_for_commit polls the leader's Status until
// its commit index reaches the entry in the same term. Blocks, bounded by total_timeout.
ChangeOutcome change_membership(const ClusterFile& cluster, const raft::ConfChange& change,
                                const ChangeOptions& options);

}  // namespace raftsim::real

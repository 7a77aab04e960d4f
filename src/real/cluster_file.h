// The cluster file: which nodes make up a real cluster and where they listen.
//
//   cluster_id: raftsim-5f3a9c        # every peer message carries it; others are refused
//   tick_ms: 25                       # one Raft tick of wall-clock time (optional)
//   election_timeout_ticks: 10        # optional
//   heartbeat_ticks: 1                # optional
//   pre_vote: true                    # optional (§9.6)
//   check_quorum: true                # optional (§6.2 of the thesis)
//   vote_lease: false                 # optional (§4.2.3 of the thesis)
//   max_entries_per_append: 256       # optional: entries one AppendEntries carries, at most
//   max_appends_per_round: 256        # optional: appends and snapshots sent one follower in one
//                                     # heartbeat round, at most
//   start_at_ms: 0                    # optional: no node ticks before this Unix time (ms), so
//                                     # nodes started one after another begin their timers
//                                     # together; 0: at once
//   snapshot_every: 100000            # optional: a node snapshots its state machine and drops
//                                     # the log it covers after this many applied entries (§7);
//                                     # 0: never
//   tls:                              # optional: mutual TLS (src/real/tls.h); paths relative to
//     cert: certs/node.pem            # this file; every node needs its own `control` address,
//     key: certs/node.key             # which stays plaintext on loopback
//     ca: certs/ca.pem
//   nodes:
//     - id: 1                         # the Raft node id, >= 1, unique
//       name: n1                      # unique; used by `raftsim cluster` commands
//       address: 127.0.0.1:40001      # peer and client gRPC services
//       control: 127.0.0.1:40101      # optional: control service on its own loopback port;
//                                     # if absent it shares `address`, which must be loopback
//       bootstrap: spare              # optional: voter (the default), learner, or spare
//
// `bootstrap` is where the server stands in the bootstrap configuration, the one every node
// starts from until its log says otherwise (thesis ch. 4). A spare runs but is no member until a
// leader adds it. It never changes once the cluster has started: a snapshot taken in the bootstrap
// configuration stores none and means this one. The configuration in force now is in each
// node's Status (`raftsim cluster status`).
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "raft/config.h"
#include "raft/types.h"

namespace raftsim::real {

// Paths to PEM files: this process's certificate (chain) and key, and the CA that signs every
// certificate of the cluster. All three or none (plaintext).
struct TlsFiles {
  std::string cert, key, ca;
  bool enabled() const { return !cert.empty() || !key.empty() || !ca.empty(); }
};

enum class Bootstrap : uint8_t { kVoter, kLearner, kSpare };

struct ClusterMember {
  raft::NodeId id;
  std::string name;
  std::string address;
  std::string control;  // empty: served on `address`
  Bootstrap bootstrap = Bootstrap::kVoter;
};

inline constexpr uint64_t kDefaultSnapshotEvery = 100'000;

struct ClusterFile {
  std::string cluster_id;
  int tick_ms = 25;
  int election_timeout_ticks = 10;
  int heartbeat_ticks = 1;
  bool pre_vote = true;
  bool check_quorum = true;
  bool vote_lease = false;
  // Flow control, as raft::Config has it (and its defaults).
  uint64_t max_entries_per_append = raft::Config{}.max_entries_per_append;
  uint64_t max_appends_per_round = raft::Config{}.max_appends_per_round;
  int64_t start_at_ms = 0;
  // The log of a cluster that runs for hours must not grow without bound; etcd's default.
  uint64_t snapshot_every = kDefaultSnapshotEvery;
  TlsFiles tls;                      // the files of every node `raftsim cluster` starts
  std::vector<ClusterMember> nodes;  // sorted by id

  const ClusterMember* find(std::string_view id_or_name) const;
  const ClusterMember* find(raft::NodeId id) const;
  std::vector<uint32_t> ids() const {
    std::vector<uint32_t> out;
    for (const ClusterMember& m : nodes)
      out.push_back(m.id.value);
    return out;
  }
  // The bootstrap configuration's voters and learners, sorted.
  std::vector<raft::NodeId> bootstrap(Bootstrap as) const {
    std::vector<raft::NodeId> out;
    for (const ClusterMember& m : nodes)
      if (m.bootstrap == as) out.push_back(m.id);
    return out;
  }
  // Where the control service of `member` listens.
  static const std::string& control_address(const ClusterMember& member) {
    return member.control.empty() ? member.address : member.control;
  }
};

// Errors name the file and, where yaml-cpp knows it, the line and column.
std::variant<ClusterFile, std::string> read_cluster_file(const std::string& path);
std::string format_cluster_file(const ClusterFile& cluster);

// 127.0.0.0/8, localhost or [::1], followed by :port.
bool is_loopback(const std::string& address);

}  // namespace raftsim::real

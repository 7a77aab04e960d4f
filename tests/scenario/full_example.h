// A scenario file that uses every key, every fault and every expectation once.
#pragma once

#include <string_view>

namespace raftsim::scenario {

inline constexpr std::string_view kFullExample =
    R"(# yaml-language-server: $schema=./scenario.schema.json
# A leader is cut off with a minority.
#
# The majority elects a new leader.
name: full
seed: 42
duration: 30s
cluster:
  nodes: [a, b, c, d, e]
  voters: [a, b, c, d]
  learners: [e]
  tick: 5ms
  election_timeout: 100ms
  heartbeat: 20ms
  pre_vote: true
  check_quorum: true
  vote_lease: true
  leadership_transfer: false
  bugs: [commit_previous_term, stale_leader_reads]
  fsync: {min: 1ms, max: 3ms}
  snapshot_every: 500
  max_entries_per_append: 64
  max_appends_per_round: 8
  implementation: {command: [python3, "examples/raft_node.py", --reports], protocol: maelstrom}
network:
  latency: {shape: long_tail, min: 2ms, max: 8ms, tail_chance: 0.05, tail_max: 500ms}
  loss: 0.01
  duplicate: 0.02
  reorder: 0.03
  delay: 1ms
  pct: {depth: 3, messages: 500, hold: 100ms}
workload:
  clients: 4
  keys: 7
  mix: {get: 1, put: 2}
  rate: 50
  think: 5ms
  timeout: 200ms
  give_up: 2s
  latency: {shape: constant, min: 3ms}
  stop: 25s
timeline:
  - {at: 20s, heal: true}
  - {at: 1s, partition: [[a, b], [c, d]]}
  - {at: 1s, isolate: c}
  - {at: 2s, majorities_ring: true}
  - {at: 3s, bridge: c}
  - {at: 4s, cut: [a, b]}
  - {at: 4s, cut: [[a, b], [c, b]]}
  - {at: 5s, delay: 10s}
  - {at: 5s, loss: 0.2, links: [[a, b]]}
  - {at: 5s, duplicate: 0.1, links: [a, c]}
  - {at: 6s, clog: [a, b]}
  - {at: 6s, unclog: [[a, b]]}
  - {at: 7s, crash: a}
  - {at: 7s, restart: [a, b]}
  - {at: 7s, pause: b}
  - {at: 7s, resume: b}
  - {at: 7s, wipe: c}
  - {at: 7s, torn_write: [d]}
  - {at: 8s, fsync_lies: b}
  - {at: 8s, fsync_lies: {node: b, on: false}}
  - {at: 8s, corrupt: b}
  - {at: 8s, corrupt: {node: b, record: 3}}
  - {at: 9s, clock_skew: {node: e, factor: 1.5}}
  - {at: 9s, lie: {node: c, lies: [inflate_log, forge_acks]}}
  - {at: 9s, lie: {node: c, lies: []}}
  - {at: 10s, elect: d}
  - {at: 10s, transfer: {from: d, to: e}}
  - {at: 11s, crash_leader: 300ms}
  - {at: 11s, isolate_leader: 1s}
  - {at: 21s, drop_messages: {type: append_response, from: b, to: a, count: 3}}
  - {at: 21s, delay_messages: {type: [vote_request, pre_vote_request], from: a, by: 500ms}, for: 2s}
  - {at: 21s, duplicate_messages: {type: append, to: c, count: 2, after: 200ms}}
  - {at: 21s, hold_messages: {type: heartbeat}}
  - {at: 22s, when: {event: becomes_leader, nth: 2}, crash: trigger, for: 300ms}
  - {at: 22s, when: {event: uncommitted, node: b, entries: 5, by: 25s}, pause: b}
  - {at: 22s, when: {event: persisted}, drop_messages: {from: trigger, count: 2}}
  - {at: 23s, promote: e}
  - {at: 23s, add_learner: d}
  - {at: 23s, add_voter: e}
  - {at: 23s, remove: a}
  - {at: 23s, change_voters: [b, c, d]}
  - {at: 23s, reconfigure: d}
  - {at: 23s, reconfigure_learner: d}
  - {at: 23s, reconfigure_joint: [e, a]}
nemesis:
  faults: [partition, crash, pause, delay, loss, duplicate, clog, wipe, clock_skew, crash_leader,
           isolate_leader, drop_messages, delay_messages, duplicate_messages, hold_messages,
           triggered_crash, triggered_pause, triggered_isolate, triggered_delay, reconfigure,
           triggered_reconfigure, reconfigure_learner, reconfigure_joint,
           triggered_reconfigure_learner, triggered_reconfigure_joint]
  every: [1s, 4s]
  duration: [500ms, 2s]
  quiet: 3s
  delay: 2s
  loss: 0.5
  overlap: true
swarm:
  nodes: [3, 7]
  election_timeout: [80ms, 400ms]
  heartbeat: [10ms, 40ms]
  max_entries_per_append: [1, 64]
  max_appends_per_round: [2, 16]
  fsync: [100us, 30ms]
  latency: [100us, 20ms]
  reorder: [0, 0.2]
  clients: [1, 5]
  keys: 4
  think: [2ms, 50ms]
  snapshot_every: [0, 200]
  pct_depth: [0, 3]
  faults: [partition, crash, drop_messages, triggered_crash, wipe]
liveness: {quiet: 1s, within: 4s}
expect:
  - safety: violated
  - safety: holds
  - holds: election_safety
  - violated: durability
  - linearizable: false
  - holds: log_matching
  - liveness: fails
  - leader_within: {after: 20s, within: 2s}
  - no_leader: {group: [d, e], from: 6s, to: 20s}
  - no_election: {from: 1s}
  - no_commit: {group: [d]}
  - commits_at_least: 20
  - acked_writes_at_least: 10
  - term_at_most: {term: 10, from: 20s, to: 30s}
  - term_above: {term: 50, by: 30s}
)";

}  // namespace raftsim::scenario

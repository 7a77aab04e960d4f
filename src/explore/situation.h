// What a delivered message meets: the situation a receiver's rules branch on, as a small code.
//
// The abstract state (coverage.h) says where the cluster is; most bugs hide instead in how one
// message relates to the state of the node that receives it: a heartbeat whose leader commit lies
// past the entries it proved while the follower holds a stale suffix beyond them, an
// acknowledgement below what the leader already counted, a vote granted in an older term reaching
// a candidate of a newer one, a snapshot behind the receiver's commit index. Each such relation is
// legal and rare; a schedule that produces one is worth mutating, because a rule broken there
// shows only there. The code keeps the message's type, the receiver's role, the message's term
// beside the receiver's, and per type the relations that type's handler tests. It never looks at
// what the receiver would do, only at what it is about to be asked.
#pragma once

#include <cstdint>

#include "raft/message.h"
#include "sim/world.h"

namespace raftsim::explore {

// The situation `m` meets at its receiver, read just before the receiver steps it. 0 when the
// receiver is down.
uint32_t delivery_situation(const sim::World& world, const raft::Message& m);
// Today's codes fit in this many bits (type 3, role 2, term 2, detail at most 10, and a 1).
constexpr uint32_t kSituationBits = 18;

// Whether `sender`'s log holds the entry `log` holds at `i` (log.snapshot_index() < i <=
// log.last_index(), or inside log's snapshot, which always counts as held: it was committed).
// An index inside the sender's snapshot is settled at the sender's snapshot point by Log
// Matching when `log` reaches it: agreeing there, they agree before it; disagreeing there, the
// entries before it count as stale too, although some of them may not be. When `log` ends
// before that point nothing is left to compare, and the entry counts as held: the common case of
// a follower that lags behind the leader's compaction.
bool sender_holds(const raft::Log& log, const raft::Log& sender, raft::Index i);

}  // namespace raftsim::explore

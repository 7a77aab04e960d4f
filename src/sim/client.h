// A simulated client: issues key-value operations one at a time, finds the leader by following
// redirects, retries a request with the same sequence number until it learns the outcome (the
// node's session table makes the retry take effect at most once), and records what it saw.
//
// Pacing: closed loop (the next operation starts a think time after the last one finished) or
// open loop at `rate` operations per second (arrivals are a Poisson process; an arrival that finds
// the previous operation still outstanding starts when that one finishes — one operation at a
// time keeps session sequence numbers meaningful).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "node/kv.h"
#include "node/node.h"
#include "raft/random.h"
#include "sim/network.h"
#include "sim/time.h"
#include "sim/trace.h"

namespace raftsim::sim {

struct OpMix {
  double get = 0.4;
  double put = 0.3;
  double append = 0.2;
  double cas = 0.1;
};

struct WorkloadModel {
  uint32_t clients = 3;
  uint32_t keys = 5;
  OpMix mix;
  double rate = 0;                   // open loop: operations per second per client; 0 = closed
  Duration think{20000};             // closed loop: mean pause between operations
  Duration attempt_timeout{300000};  // wait this long for a node's answer before trying another
  Duration give_up{3000000};         // after this long the outcome is recorded as unknown
  Latency latency;                   // client <-> node, each way
  SimTime stop_at = SimTime::max();  // no operation starts at or after this time
};

// One operation as its client saw it. `known == false`: the client gave up; the operation may
// or may not have taken effect (at most once, at some point after `invoke`).
struct ClientOp {
  uint64_t client = 0;
  uint64_t seq = 0;
  node::KvOp op = node::KvOp::kGet;
  std::string key;
  std::string value;
  std::string expected;
  SimTime invoke;
  SimTime complete;
  bool known = false;
  node::KvResult result;
  uint32_t attempts = 0;
  // Known outcome: the node whose reply settled it (any node the client asked may answer, not
  // only the last one) and, for a write, the log entry that node committed it as (0 if unknown).
  raft::NodeId acked_by;
  raft::Index index;
  raft::Term term;
};

// An operation as the trace and the narration tell it: `put k0 "1.3"` when asked, and with its
// outcome once done (`put k0 "1.3" -> ok`, `get k2 -> ""`, `-> failed`, `-> unknown`). Shared
// with the clients of external nodes, whose fields are the same.
std::string describe_operation(node::KvOp op, std::string_view key, std::string_view expected,
                               std::string_view value, bool completed, bool known,
                               const node::KvResult& result);

// A client's operation as a trace event, asked (`completed` false) or done, sent to `node`. `Op`
// is any world's record of an operation (the simulator's ClientOp, real mode's, external nodes'):
// they share these fields.
template <typename Op>
TraceEvent operation_event(SimTime time, const Op& op, uint32_t node, bool completed) {
  TraceEvent e{.time = time,
               .kind = completed ? TraceKind::kClientComplete : TraceKind::kClientInvoke,
               .flag = completed && op.known,
               .node = static_cast<uint32_t>(op.client),
               .peer = node,
               .a = op.seq,
               .b = static_cast<uint64_t>(op.op)};
  e.text = describe_operation(op.op, op.key, op.expected, op.value, completed, op.known, op.result);
  return e;
}

// What a client needs from the world it lives in.
class ClientEnv {
 public:
  virtual ~ClientEnv() = default;
  virtual SimTime now() const = 0;
  virtual void send_request(uint32_t client, uint32_t node, const node::KvCommand& command) = 0;
  virtual void set_client_timer(uint32_t client, Duration delay, uint64_t token) = 0;
  virtual void client_event(const ClientOp& op, uint32_t node, bool completed) = 0;
};

class SimClient {
 public:
  SimClient(uint32_t id, WorkloadModel model, uint32_t nodes, uint64_t seed);

  void start(ClientEnv& env);
  void on_reply(ClientEnv& env, const node::ClientReply& reply);
  void on_timer(ClientEnv& env, uint64_t token);

  uint32_t id() const { return id_; }
  const std::vector<ClientOp>& history() const { return history_; }
  std::vector<ClientOp> take_history() { return std::move(history_); }
  // The run is over: an operation still waiting for its answer is recorded as unknown — it may
  // have taken effect (a read may even have observed it), so leaving it out would be a lie.
  void abandon_in_flight(SimTime now);
  bool busy() const { return busy_; }

 private:
  enum class Timer : uint64_t { kNextOp = 0, kAttempt = 1 };
  void arm(ClientEnv& env, Duration delay, Timer kind);
  void begin_op(ClientEnv& env);
  void send_attempt(ClientEnv& env);
  void retry_elsewhere(ClientEnv& env, uint32_t hint, Duration backoff);
  void finish(ClientEnv& env, bool known, node::KvResult result);
  void schedule_next(ClientEnv& env);
  node::KvCommand next_command();

  uint32_t id_;
  WorkloadModel model_;
  uint32_t nodes_;
  raft::Random rng_;

  uint64_t seq_ = 0;
  uint32_t target_ = 1;  // the node this client believes leads
  bool busy_ = false;
  ClientOp current_;
  node::KvCommand command_;
  uint64_t timer_serial_ = 0;  // only the latest armed timer of each kind counts
  uint64_t live_timer_[2] = {0, 0};
  SimTime next_arrival_;
  std::vector<std::string> last_seen_;  // per key: the last value this client observed
  // Nodes that let an attempt of the current operation time out: the client's own search round
  // the ring skips them (any node if all have timed out). A hint naming one is still followed —
  // its link may only have been slow once, and a node that knows the leader knows more than an
  // old timeout — but the ring then resumes from `ring_`, not from the hinted node, so a stranded
  // old leader and a follower that still believes in it cannot hold the client between them:
  // each further timeout moves the ring on to a node not yet asked.
  std::vector<bool> timed_out_;
  // Nodes that answered the current operation "not the leader": a hint naming one is followed
  // the same way, without moving the ring. A removed server keeps naming the leader that removed
  // it, which, stepped down, answers "I do not know"; were each hint to move the ring, the
  // client would go back and forth between the two until it gave up.
  std::vector<bool> said_not_leader_;
  uint32_t ring_ = 1;  // where the search round the ring continues from
  std::vector<ClientOp> history_;
};

}  // namespace raftsim::sim

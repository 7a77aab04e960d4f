// The scenario's clients c1..cM, speaking lin-kv to external nodes through the cluster's
// router. Each client runs one operation at a time: get/put/cas of the workload become
// read/write/cas (a cas whose client has seen no value of its key is sent as a write, since
// lin-kv's cas on a missing key fails where raftsim's model would compare against "").
//
// A definite error (doc/protocol.md) sends the request to the next node until `give_up`; an
// indefinite error or an attempt that times out ends the operation with an unknown outcome:
// Maelstrom nodes keep no client sessions, so a write is never sent twice.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "check/history.h"
#include "external/host.h"
#include "node/kv.h"
#include "sim/client.h"

namespace raftsim::external {

// One operation as its client saw it.
struct ClientOp {
  uint32_t client = 0;
  uint64_t seq = 0;
  node::KvOp op = node::KvOp::kGet;
  std::string key, value, expected;
  Host::Micros invoke = 0, complete = 0;
  bool known = false;
  node::KvResult result;
};

check::History to_history(const std::vector<ClientOp>& ops);

class Clients {
 public:
  // How keys and values travel. Maelstrom's lin-kv workload sends integers (key 3, value 17),
  // and a lin-kv node may decode nothing else; nodes that take `append` get strings, which an
  // append extends. Either way the history holds them as text ("k3", "17").
  enum class Encoding : uint8_t { kIntegers, kStrings };
  Clients(Host& cluster, const sim::WorkloadModel& workload, uint32_t nodes, uint64_t seed,
          Encoding encoding);

  // Starts the workload's clients at time 0; no operation starts at or after `stop`.
  void start(Host::Micros stop);
  // One extra client writes `key` until a node acknowledges it or `deadline` passes; the
  // acknowledgement's time lands in `acked_at`. Not part of the history.
  void probe(uint32_t client, const std::string& key, Host::Micros deadline,
             std::optional<Host::Micros>* acked_at);
  // One extra client reads `key` (into the history) until a node answers or `deadline` passes.
  void final_read(uint32_t client, const std::string& key, Host::Micros deadline);

  // Ends every workload operation still waiting for its answer: a write or cas with an unknown
  // outcome (in the history), a read with none (left out).
  void abandon_in_flight();

  // Routed here by the cluster.
  void on_message(const Envelope& m);

  // Told when a workload operation is sent to node `node` (completed: false; again for each node
  // it is sent on to) and when it ends (true): the narration's client lines.
  std::function<void(const ClientOp&, uint32_t node, bool completed)> on_operation;

  // The workload's operations, in completion order.
  const std::vector<ClientOp>& ops() const { return ops_; }
  // The final reads that got an answer.
  const std::vector<ClientOp>& final_reads() const { return final_reads_; }

 private:
  enum class Purpose : uint8_t { kWorkload, kProbe, kFinalRead };
  struct Client {
    uint32_t id = 0;
    std::string name;
    Purpose purpose = Purpose::kWorkload;
    std::mt19937_64 rng;
    uint32_t target = 1;
    std::map<std::string, std::string> last_seen;
    uint64_t seq = 0;
    std::optional<ClientOp> current;
    uint64_t attempt = 0;  // msg_id of the request in flight; 0: none
    std::set<uint64_t> sent;
    std::map<uint64_t, std::string> answers;  // per request answered: the first answer's type
    Host::Micros give_up_at = 0;
    Host::Micros stop = 0;
    std::optional<Host::Micros>* acked_at = nullptr;
  };

  Client& add(uint32_t id, Purpose purpose);
  std::string stderr_of(const std::string& node) const;
  Json wire_key(const std::string& key);
  Json wire_value(const std::string& value) const;
  void next_op(Client& c);
  void send_attempt(Client& c);
  void finish(Client& c, bool record);
  void retry_elsewhere(Client& c);

  Host& cluster_;
  const sim::WorkloadModel& w_;
  uint32_t nodes_;
  uint64_t seed_;
  Encoding encoding_;
  std::map<std::string, uint64_t> other_keys_;  // keys not of the form k<n>, as integers
  std::map<std::string, Client> clients_;       // by name
  uint64_t next_msg_id_ = 0;
  std::vector<ClientOp> ops_;
  std::vector<ClientOp> final_reads_;
};

}  // namespace raftsim::external

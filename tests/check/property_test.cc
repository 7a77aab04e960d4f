// Properties: a history produced by a real sequential execution of the KV model, with invoke and
// complete times stretched around each op's linearization point, is always linearizable; and
// corrupting one read of a single-client history makes it non-linearizable.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "check/history.h"
#include "check/linearizability.h"

namespace raftsim::check {
namespace {

struct Step {
  int kind;  // 0 get, 1 put, 2 append, 3 cas
  int key;
  int value;
};

rc::Gen<Step> gen_step() {
  return rc::gen::build<Step>(rc::gen::set(&Step::kind, rc::gen::inRange(0, 4)),
                              rc::gen::set(&Step::key, rc::gen::inRange(0, 3)),
                              rc::gen::set(&Step::value, rc::gen::inRange(0, 4)));
}

// Runs the steps against a real map, one at a time: op i takes effect at time 100 * (i + 1).
std::vector<Operation> execute(const std::vector<Step>& steps, int clients) {
  std::map<std::string, std::string> store;
  std::vector<Operation> ops;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    const std::string key = "k" + std::to_string(s.key);
    const std::string value = "v" + std::to_string(s.value);
    const Time at = 100 * static_cast<Time>(i + 1);
    const ClientId client = static_cast<ClientId>(i % clients);
    std::string& current = store[key];
    switch (s.kind) {
      case 0:
        ops.push_back(kv_get(client, key, current, at, at));
        break;
      case 1:
        current = value;
        ops.push_back(kv_put(client, key, value, at, at));
        break;
      case 2:
        current += value;
        ops.push_back(kv_append(client, key, value, at, at));
        break;
      default: {
        const bool swapped = current == value;
        if (swapped) current = value + "'";
        ops.push_back(kv_cas(client, key, value, value + "'", swapped, at, at));
      }
    }
  }
  return ops;
}

rc::Gen<std::vector<Step>> gen_steps(int max) {
  return rc::gen::resize(max, rc::gen::nonEmpty(rc::gen::container<std::vector<Step>>(gen_step())));
}

RC_GTEST_PROP(KvProperty, SequentialExecutionWithOverlappingTimesIsLinearizable, ()) {
  const int clients = *rc::gen::inRange(1, 6);
  std::vector<Operation> ops = execute(*gen_steps(40), clients);
  History history;
  for (Operation& op : ops) {
    // Each op's interval still contains its linearization point, so the real order is one
    // valid linearization however much the intervals overlap.
    op.invoke -= *rc::gen::inRange<Time>(0, 400);
    op.complete += *rc::gen::inRange<Time>(0, 400);
    if (*rc::gen::inRange(0, 10) == 0 && op.kind != OpKind::kv_get) {
      op.outcome = Outcome::unknown;  // a timeout after the effect: still linearizable
      op.complete = kNeverCompleted;
    }
    history.ops.push_back(op);
  }
  CheckResult result = check_linearizability(history);
  RC_ASSERT(result.verdict == Verdict::linearizable);
}

RC_GTEST_PROP(KvProperty, CorruptingOneReadOfASingleClientHistoryIsCaught, ()) {
  std::vector<Operation> ops = execute(*gen_steps(30), 1);
  std::vector<std::size_t> gets;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].kind == OpKind::kv_get) gets.push_back(i);
  }
  RC_PRE(!gets.empty());
  // Sequential ops of one client (complete < next invoke) leave only one order; a read that
  // returns anything but the true value cannot fit it.
  for (std::size_t i = 0; i < ops.size(); ++i) {
    ops[i].invoke = 10 * static_cast<Time>(i);
    ops[i].complete = ops[i].invoke + 5;
  }
  Operation& victim = ops[*rc::gen::elementOf(gets)];
  victim.value += *rc::gen::element<std::string>("v0", "x", "'");
  History history;
  history.ops = ops;
  CheckResult result = check_linearizability(history);
  RC_ASSERT(result.verdict == Verdict::not_linearizable);
  RC_ASSERT(result.violation->stuck.value == victim.value);
}

}  // namespace
}  // namespace raftsim::check

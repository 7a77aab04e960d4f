#include "sim/client.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace raftsim::sim {

namespace {

// `"text"` exactly as fmt's {:?} writes it, without its per-character escaping machinery for the
// common case (a key, a value token) that needs none.
void append_quoted(std::string& out, std::string_view s) {
  const bool plain = std::all_of(
      s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'; });
  if (!plain) {
    out += fmt::format("{:?}", s);
    return;
  }
  out += '"';
  out += s;
  out += '"';
}

}  // namespace

std::string describe_operation(node::KvOp op, std::string_view key, std::string_view expected,
                               std::string_view value, bool completed, bool known,
                               const node::KvResult& result) {
  std::string text;
  text.reserve(32);
  text += to_string(op);
  text += ' ';
  text += key;
  if (op == node::KvOp::kCas) {
    text += ' ';
    append_quoted(text, expected);
  }
  if (!value.empty()) {
    text += ' ';
    append_quoted(text, value);
  }
  if (completed) {
    if (!known) {
      text += " -> unknown";
    } else if (op == node::KvOp::kCas && !result.ok) {
      text += " -> failed";
    } else if (op == node::KvOp::kGet || op == node::KvOp::kCas) {
      text += " -> ";
      append_quoted(text, result.value);
    } else {
      text += " -> ok";
    }
  }
  return text;
}

SimClient::SimClient(uint32_t id, WorkloadModel model, uint32_t nodes, uint64_t seed)
    : id_(id),
      model_(std::move(model)),
      nodes_(nodes),
      rng_(seed),
      last_seen_(std::max<uint32_t>(model_.keys, 1)),
      timed_out_(nodes + 1, false),
      said_not_leader_(nodes + 1, false) {
  target_ = 1 + static_cast<uint32_t>(rng_.uniform(nodes_));
}

void SimClient::arm(ClientEnv& env, Duration delay, Timer kind) {
  const uint64_t token = (++timer_serial_ << 1) | static_cast<uint64_t>(kind);
  live_timer_[static_cast<uint64_t>(kind)] = token;
  env.set_client_timer(id_, delay, token);
}

void SimClient::start(ClientEnv& env) {
  next_arrival_ = env.now();
  schedule_next(env);
}

void SimClient::schedule_next(ClientEnv& env) {
  Duration delay{0};
  if (model_.rate > 0) {
    const double gap_us = -std::log(1.0 - rng_.unit()) * 1e6 / model_.rate;
    next_arrival_ += Duration{static_cast<int64_t>(gap_us)};
    if (next_arrival_ > env.now()) delay = next_arrival_ - env.now();
  } else {
    // Uniform in [think/2, 3*think/2]: the mean is `think`, without lockstep between clients.
    const int64_t think = model_.think.count();
    delay = Duration{rng_.between(think / 2, think + think / 2)};
  }
  if (env.now() + delay >= model_.stop_at) return;
  arm(env, delay, Timer::kNextOp);
}

node::KvCommand SimClient::next_command() {
  node::KvCommand c;
  c.client_id = id_;
  c.seq = ++seq_;
  const uint64_t key = rng_.uniform(std::max<uint32_t>(model_.keys, 1));
  c.key = fmt::format("k{}", key);
  const OpMix& m = model_.mix;
  const double total = m.get + m.put + m.append + m.cas;
  const double draw = rng_.unit() * (total > 0 ? total : 1);
  if (draw < m.get) {
    c.op = node::KvOp::kGet;
  } else if (draw < m.get + m.put) {
    c.op = node::KvOp::kPut;
    c.value = node::value_token(id_, c.seq);
  } else if (draw < m.get + m.put + m.append) {
    c.op = node::KvOp::kAppend;
    c.value = node::value_token(id_, c.seq) + ";";  // ';' keeps appended tokens apart
  } else {
    c.op = node::KvOp::kCas;
    c.expected = last_seen_[key];
    c.value = node::value_token(id_, c.seq);
  }
  return c;
}

void SimClient::begin_op(ClientEnv& env) {
  command_ = next_command();
  current_ = ClientOp{};
  current_.client = id_;
  current_.seq = command_.seq;
  current_.op = command_.op;
  current_.key = command_.key;
  current_.value = command_.value;
  current_.expected = command_.expected;
  current_.invoke = env.now();
  std::fill(timed_out_.begin(), timed_out_.end(), false);
  std::fill(said_not_leader_.begin(), said_not_leader_.end(), false);
  ring_ = target_;
  busy_ = true;
  env.client_event(current_, target_, /*completed=*/false);
  send_attempt(env);
}

void SimClient::send_attempt(ClientEnv& env) {
  ++current_.attempts;
  env.send_request(id_, target_, command_);
  arm(env, model_.attempt_timeout, Timer::kAttempt);
}

void SimClient::retry_elsewhere(ClientEnv& env, uint32_t hint, Duration backoff) {
  if (env.now() - current_.invoke >= model_.give_up) return finish(env, false, {});
  if (hint >= 1 && hint <= nodes_ && hint != target_) {
    // A hint at a node that timed out or said it does not lead is followed without moving the
    // ring (see timed_out_ and said_not_leader_).
    if (!timed_out_[hint] && !said_not_leader_[hint]) ring_ = hint;
    target_ = hint;
  } else {
    // The next node round the ring that has not timed out on us (any node if all have).
    uint32_t next = ring_;
    for (uint32_t step = 0; step < nodes_; ++step) {
      next = next % nodes_ + 1;
      if (!timed_out_[next]) break;
    }
    target_ = ring_ = next;
  }
  if (backoff.count() == 0) return send_attempt(env);
  // Asking the next node at once would spin while no leader exists; wait a little first.
  live_timer_[static_cast<uint64_t>(Timer::kAttempt)] = 0;
  arm(env, backoff, Timer::kNextOp);
}

void SimClient::on_reply(ClientEnv& env, const node::ClientReply& reply) {
  if (!busy_ || reply.seq != current_.seq) return;  // an answer to an earlier attempt
  switch (reply.status) {
    case node::ClientReply::Status::kOk:
      current_.acked_by = reply.from;
      current_.index = reply.index;
      current_.term = reply.term;
      return finish(env, true, reply.result);
    case node::ClientReply::Status::kNotLeader:
      if (reply.from.value >= 1 && reply.from.value <= nodes_)
        said_not_leader_[reply.from.value] = true;
      return retry_elsewhere(env, reply.leader.value,
                             reply.leader.is_none() ? Duration{20000} : Duration{0});
    case node::ClientReply::Status::kRetry:
      return retry_elsewhere(env, 0, Duration{20000});
  }
}

void SimClient::on_timer(ClientEnv& env, uint64_t token) {
  const auto kind = static_cast<Timer>(token & 1);
  if (live_timer_[static_cast<uint64_t>(kind)] != token) return;  // superseded
  live_timer_[static_cast<uint64_t>(kind)] = 0;
  if (kind == Timer::kAttempt) {
    timed_out_[target_] = true;
    return retry_elsewhere(env, 0, Duration{0});
  }
  if (busy_) return send_attempt(env);  // a backoff before retrying the current operation
  begin_op(env);
}

void SimClient::abandon_in_flight(SimTime now) {
  if (!busy_) return;
  busy_ = false;
  live_timer_[0] = live_timer_[1] = 0;
  current_.complete = now;
  current_.known = false;
  history_.push_back(std::move(current_));
}

void SimClient::finish(ClientEnv& env, bool known, node::KvResult result) {
  live_timer_[0] = live_timer_[1] = 0;
  current_.complete = env.now();
  current_.known = known;
  current_.result = std::move(result);
  if (known && (current_.op == node::KvOp::kGet || current_.op == node::KvOp::kCas)) {
    last_seen_[std::stoul(current_.key.substr(1))] =
        current_.op == node::KvOp::kCas && current_.result.ok ? current_.value
                                                              : current_.result.value;
  }
  busy_ = false;
  env.client_event(current_, target_, /*completed=*/true);
  history_.push_back(std::move(current_));
  schedule_next(env);
}

}  // namespace raftsim::sim

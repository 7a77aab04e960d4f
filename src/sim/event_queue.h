// The discrete-event queue: the simulation jumps from one event to the next, never polling.
// Events are ordered by (virtual time, sequence number), so two events at the same instant run
// in the order they were scheduled — the tie-break that makes runs reproducible.
#pragma once

#include <cstdint>
#include <queue>
#include <vector>

#include "sim/time.h"

namespace raftsim::sim {

enum class EventKind : uint8_t {
  kTick,           // target: node; slot: the node's life when scheduled
  kDeliver,        // slot: a message in the network's pool
  kClientRequest,  // slot: a request in the world's pool
  kClientReply,    // slot: a reply in the world's pool
  kClientTimer,    // target: client; slot: the timer's token
  kNodeCallback,   // slot: a callback owned by one node life (e.g. a disk sync completing)
  kScheduled,      // slot: a callback from whoever drives the world (faults on a timeline)
};

struct Event {
  SimTime time;
  uint64_t seq = 0;
  EventKind kind = EventKind::kTick;
  uint32_t target = 0;
  uint64_t slot = 0;

  bool operator>(const Event& other) const {
    return time != other.time ? time > other.time : seq > other.seq;
  }
};

class EventQueue {
 public:
  void push(SimTime time, EventKind kind, uint32_t target, uint64_t slot) {
    queue_.push(Event{time, next_seq_++, kind, target, slot});
  }
  // Re-queues an event that was held back (a paused node), keeping its original sequence number
  // so held events replay in their original order.
  void requeue(Event event, SimTime time) {
    event.time = time;
    queue_.push(event);
  }
  bool empty() const { return queue_.empty(); }
  const Event& top() const { return queue_.top(); }
  Event pop() {
    Event e = queue_.top();
    queue_.pop();
    return e;
  }
  size_t size() const { return queue_.size(); }

 private:
  std::priority_queue<Event, std::vector<Event>, std::greater<>> queue_;
  uint64_t next_seq_ = 0;
};

// A slot pool: payloads stay put while their events wait in the queue; freed slots are reused.
template <class T>
class Pool {
 public:
  uint64_t put(T value) {
    if (free_.empty()) {
      items_.push_back(std::move(value));
      return items_.size() - 1;
    }
    const uint64_t slot = free_.back();
    free_.pop_back();
    items_[slot] = std::move(value);
    return slot;
  }
  T take(uint64_t slot) {
    T value = std::move(items_[slot]);
    free_.push_back(slot);
    return value;
  }
  T& at(uint64_t slot) { return items_[slot]; }

 private:
  std::vector<T> items_;
  std::vector<uint64_t> free_;
};

}  // namespace raftsim::sim

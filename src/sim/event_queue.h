// The discrete-event queue: the simulation jumps from one event to the next, never polling.
// Events are ordered by (virtual time, sequence number), so two events at the same instant run
// in the order they were scheduled — the tie-break that makes runs reproducible.
#pragma once

#include <algorithm>
#include <cstdint>
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

// A 4-ary min-heap on (time, seq). (time, seq) is a total order, so any correct heap pops events
// in one order; four children per node halve the depth of a binary heap, and a pop's sift-down
// is most of what the event loop does besides the events themselves.
class EventQueue {
 public:
  void push(SimTime time, EventKind kind, uint32_t target, uint64_t slot) {
    sift_up(Event{time, next_seq_++, kind, target, slot});
  }
  // Re-queues an event that was held back (a paused node), keeping its original sequence number
  // so held events replay in their original order.
  void requeue(Event event, SimTime time) {
    event.time = time;
    sift_up(event);
  }
  bool empty() const { return heap_.empty(); }
  const Event& top() const { return heap_.front(); }
  Event pop() {
    Event first = heap_.front();
    Event last = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(last);
    return first;
  }
  size_t size() const { return heap_.size(); }

 private:
  static constexpr size_t kArity = 4;

  void sift_up(Event e) {
    size_t i = heap_.size();
    heap_.push_back(e);
    while (i > 0) {
      const size_t parent = (i - 1) / kArity;
      if (!(heap_[parent] > e)) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = e;
  }

  // Places `e` at the root's hole and moves it down to where it belongs.
  void sift_down(Event e) {
    const size_t n = heap_.size();
    size_t i = 0;
    while (true) {
      const size_t first = i * kArity + 1;
      if (first >= n) break;
      size_t best = first;
      const size_t end = std::min(first + kArity, n);
      for (size_t c = first + 1; c < end; ++c)
        if (heap_[best] > heap_[c]) best = c;
      if (!(e > heap_[best])) break;
      heap_[i] = heap_[best];
      i = best;
    }
    heap_[i] = e;
  }

  std::vector<Event> heap_;
  uint64_t next_seq_ = 0;
};

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
  size_t live() const { return items_.size() - free_.size(); }

 private:
  std::vector<T> items_;
  std::vector<uint64_t> free_;
};

}  // namespace raftsim::sim

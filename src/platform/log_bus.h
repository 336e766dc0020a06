// LogBus: pushes each new action log line to its live subscribers (the SSE log tail).
//
// A subscriber drains its own bounded queue from memory, so a live tail never polls the
// database, and an I/O thread can drain it without blocking. It is the platform's event
// bus for log lines; across nodes it is the part pub/sub would extend.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "platform/log_entry.h"

namespace wa::platform {

class LogSubscription {
 public:
  explicit LogSubscription(size_t capacity) : capacity_(capacity) {}

  struct Drained {
    std::vector<LogEntry> lines;  // oldest first
    size_t dropped = 0;           // lines lost to the capacity since the last drain
    bool closed = false;          // the action is gone: no more lines will come
  };
  // Quick and non-blocking apart from a short lock: safe on an I/O thread.
  Drained drain();

 private:
  friend class LogBus;
  void push(const LogEntry& entry);
  void close();

  const size_t capacity_;
  std::mutex mutex_;
  std::deque<LogEntry> lines_;
  size_t dropped_ = 0;
  bool closed_ = false;
};

class LogBus {
 public:
  // Lines of `action_id` appended from now on reach the subscription until it is
  // destroyed or the action is closed; at most `capacity` wait undrained (the oldest go).
  std::shared_ptr<LogSubscription> subscribe(int64_t action_id, size_t capacity = 1000);
  void publish(const LogEntry& entry);
  void close(int64_t action_id);  // the action was deleted

 private:
  std::mutex mutex_;
  std::multimap<int64_t, std::weak_ptr<LogSubscription>> subscribers_;
};

}  // namespace wa::platform

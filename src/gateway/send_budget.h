// SendBudget: bounds the memory held by responses that are written but not yet sent.
//
// A client that stops reading keeps its whole response in memory until the write times
// out; enough of them exhaust the server. Every response reserves its size before it is
// written; when the total would exceed the budget, the connections whose client has
// stalled longest (no bytes taken since the longest time; then fewest bytes per second)
// are dropped first to make room. A response that has only just begun has not stalled:
// ranking by rate alone would drop it first (0 bytes sent yet), not the idle readers.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace wa::gateway {

struct SendBudgetLimits {
  uint64_t max_total_bytes = 256ull << 20;
  uint64_t max_connection_bytes = 32ull << 20;  // one response larger than this: refused
};

class SendBudget {
 public:
  using Clock = std::chrono::steady_clock;
  explicit SendBudget(SendBudgetLimits limits) : limits_(limits) {}

  // Reserves `bytes` for one response. `drop` closes that connection; it is called
  // (without the lock held) if the response is later chosen to make room. Returns the
  // reservation id, or an error message when the response cannot be buffered at all
  // (over the per-connection cap, or over the total even with every other one dropped).
  struct Reserved {
    uint64_t id = 0;
    std::string error;  // set when refused
  };
  Reserved reserve(uint64_t bytes, std::function<void()> drop,
                   Clock::time_point now = Clock::now());
  // Bytes of the response sent so far (its progress decides who is dropped first).
  void progress(uint64_t id, uint64_t sent_bytes, Clock::time_point now = Clock::now());
  void release(uint64_t id);

  uint64_t reserved_bytes() const;  // including responses already being dropped
  const SendBudgetLimits& limits() const { return limits_; }

 private:
  struct Entry {
    uint64_t bytes = 0;
    uint64_t sent = 0;
    Clock::time_point started;
    Clock::time_point last_progress;  // when the client last took bytes (or the start)
    std::function<void()> drop;
    bool dropping = false;
  };

  SendBudgetLimits limits_;
  mutable std::mutex mutex_;
  std::map<uint64_t, Entry> entries_;
  uint64_t next_id_ = 1;
  uint64_t reserved_ = 0;  // all entries
  uint64_t dropping_ = 0;  // entries already told to drop (freed soon)
};

}  // namespace wa::gateway

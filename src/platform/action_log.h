// ActionLog: each action's recent log lines (guest stderr, errors, timeouts).
//
// Kept in an in-memory ring per action for fast reads and persisted in the database, where
// lines older than the retention window (or beyond the per-action cap) are pruned.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "platform/clock.h"
#include "platform/database.h"
#include "platform/log_bus.h"
#include "platform/log_entry.h"
#include "support/expected.h"

namespace wa::platform {

struct LogConfig {
  size_t ring_capacity = 500;               // lines per action kept in memory
  std::chrono::hours retention{24 * 7};     // persisted lines older than this are pruned
  size_t max_persisted_per_action = 10000;  // and beyond this many per action
  size_t max_line_bytes = 4096;             // longer lines are cut (marked with "…")
  size_t max_lines_per_request = 100;       // stderr beyond this is summarised in one line
  // append_batched stores its lines together at most this much later (0: at once).
  std::chrono::milliseconds batch_interval{50};
};

// A log line with the name of the action that wrote it (a request's lines span actions).
struct LogEntryWithAction {
  LogEntry entry;
  std::string action;
};

class ActionLog {
 public:
  ActionLog(Database& db, LogConfig config = {});
  ~ActionLog();  // stores what append_batched still holds
  ActionLog(const ActionLog&) = delete;
  ActionLog& operator=(const ActionLog&) = delete;

  // Appends one line (stored at once). Cuts over-long messages.
  Status append(LogEntry entry);
  // Splits a guest's stderr into lines (level info), at most max_lines_per_request of them,
  // all in one transaction.
  Status append_stderr(int64_t action_id, const std::string& request_id, const std::string& outcome,
                       std::string_view stderr_text, TimePoint now = Clock::now());

  // For lines written on every request of a kind (a chained call's "called by" line):
  // queued and stored with the others of the next batch_interval in one transaction, so
  // they do not cost a commit each. Reads (recent, for_request) store the queue first.
  // A line lost to a failing database is counted in spdlog's output, not returned.
  void append_batched(LogEntry entry);
  // Stores the queued lines now.
  void flush_batched();

  // Lines with time >= since_ms (or all), oldest first, the newest `limit` of them.
  // Served from memory when the ring covers the range, else from the database.
  Expected<std::vector<LogEntry>> recent(int64_t action_id, std::optional<int64_t> since_ms,
                                         size_t limit = 200);

  // Every persisted line of `owner_id`'s actions that belongs to the request `request_id`
  // or to a call chained from it (ids "<id>.<n>...", any depth), oldest first, the
  // oldest `limit` of them. Another owner's lines never come back, even for their ids.
  Expected<std::vector<LogEntryWithAction>> for_request(int64_t owner_id,
                                                        std::string_view request_id,
                                                        size_t limit = 500);
  // The statement for_request runs (parameters: id, id + ".", id + "/", owner, limit), so a
  // test can check its query plan uses the request_id index.
  static std::string_view for_request_sql();

  // Deletes persisted lines outside the window/cap. Returns how many.
  Expected<int64_t> prune(TimePoint now = Clock::now());
  void forget(int64_t action_id);  // drops the ring (the rows go with the action)

  const LogConfig& config() const { return config_; }
  // Every appended line is published here once stored (live tails subscribe).
  LogBus& bus() { return bus_; }

 private:
  struct Ring {
    std::deque<LogEntry> lines;
    bool complete = false;  // the ring holds every persisted line of the action
  };
  Ring& ring_locked(int64_t action_id);
  void push_locked(Ring& ring, LogEntry entry);
  // Stores and rings the line; adds it to `published` for the bus (sent once the
  // caller's transaction, if any, has committed).
  Status append_locked(LogEntry entry, std::vector<LogEntry>& published);

  Database& db_;
  LogConfig config_;
  std::mutex mutex_;
  std::map<int64_t, Ring> rings_;
  LogBus bus_;

  // append_batched's queue and the thread that stores it every batch_interval.
  void batch_loop();
  std::mutex batch_mutex_;
  std::condition_variable batch_wake_;
  std::vector<LogEntry> batch_;
  bool stopping_ = false;
  std::thread batch_thread_;
};

}  // namespace wa::platform

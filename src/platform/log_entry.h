// LogEntry: one line of an action's log (guest stderr, an error, a timeout).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace wa::platform {

enum class LogLevel { kInfo, kWarn, kError };
std::string_view log_level_name(LogLevel level);  // "info", "warn", "error"

// The id of the request that made a chained call: a chained call's id is "<parent>.<n>"
// (the gateway's 16 hex digits for the root), so the parent is everything before the
// last '.'. Empty for a root id (no '.').
std::string_view parent_request_id(std::string_view request_id);

struct LogEntry {
  int64_t id = 0;  // increasing; assigned when appended
  int64_t action_id = 0;
  int64_t time_ms = 0;
  std::string request_id;
  LogLevel level = LogLevel::kInfo;
  std::string outcome;  // "ok", "timeout", a trap kind, "bad_gateway", ... ("" if n/a)
  std::string message;

  // {id, time, request_id, parent_request_id (only for a chained call's id), level, outcome,
  //  message}
  nlohmann::json to_json() const;
};

}  // namespace wa::platform

// LogEntry: one line of an action's log (guest stderr, an error, a timeout).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace wa::platform {

enum class LogLevel { kInfo, kWarn, kError };
std::string_view log_level_name(LogLevel level);  // "info", "warn", "error"

struct LogEntry {
  int64_t id = 0;  // increasing; assigned when appended
  int64_t action_id = 0;
  int64_t time_ms = 0;
  std::string request_id;
  LogLevel level = LogLevel::kInfo;
  std::string outcome;  // "ok", "timeout", a trap kind, "bad_gateway", ... ("" if n/a)
  std::string message;

  nlohmann::json to_json() const;  // {id, time, request_id, level, outcome, message}
};

}  // namespace wa::platform

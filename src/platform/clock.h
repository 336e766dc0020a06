// Wall-clock time as the platform stores it: Unix milliseconds (persisted timestamps).
#pragma once

#include <chrono>
#include <cstdint>

namespace wa::platform {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

inline int64_t to_unix_ms(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
inline TimePoint from_unix_ms(int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }
inline int64_t now_unix_ms() { return to_unix_ms(Clock::now()); }

}  // namespace wa::platform

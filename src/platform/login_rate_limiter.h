// LoginRateLimiter: counts failed logins per key (username, remote address) in a sliding window.
#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "platform/clock.h"

namespace wa::platform {

struct RateLimitConfig {
  unsigned max_failures = 5;                    // failures allowed inside the window...
  std::chrono::seconds window{std::chrono::minutes(5)};  // ...after which the key is blocked
};

class LoginRateLimiter {
 public:
  explicit LoginRateLimiter(RateLimitConfig config = {});

  // How long `key` must wait before trying again; nullopt when it may try now.
  // Always at least one second when blocked (for a Retry-After header).
  std::optional<std::chrono::seconds> retry_after(const std::string& key,
                                                  TimePoint now = Clock::now());
  void record_failure(const std::string& key, TimePoint now = Clock::now());
  void reset(const std::string& key);

 private:
  void forget_old(std::deque<TimePoint>& failures, TimePoint now) const;

  RateLimitConfig config_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<TimePoint>> failures_;
};

}  // namespace wa::platform

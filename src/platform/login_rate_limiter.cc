#include "platform/login_rate_limiter.h"

namespace wa::platform {

namespace {
constexpr size_t kSweepThreshold = 10000;
}  // namespace

LoginRateLimiter::LoginRateLimiter(RateLimitConfig config) : config_(config) {}

void LoginRateLimiter::forget_old(std::deque<TimePoint>& failures, TimePoint now) const {
  while (!failures.empty() && failures.front() + config_.window <= now) failures.pop_front();
}

std::optional<std::chrono::seconds> LoginRateLimiter::retry_after(const std::string& key,
                                                                  TimePoint now) {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return std::nullopt;
  forget_old(it->second, now);
  if (it->second.size() < config_.max_failures) {
    if (it->second.empty()) failures_.erase(it);
    return std::nullopt;
  }
  // Blocked until enough failures leave the window to drop below the limit.
  const auto unblock = it->second[it->second.size() - config_.max_failures] + config_.window;
  auto wait = std::chrono::ceil<std::chrono::seconds>(unblock - now);
  return std::max(wait, std::chrono::seconds(1));
}

void LoginRateLimiter::record_failure(const std::string& key, TimePoint now) {
  std::lock_guard lock(mutex_);
  // Many distinct keys (a username spray): sweep those whose failures all expired.
  if (failures_.size() >= kSweepThreshold) {
    for (auto it = failures_.begin(); it != failures_.end();) {
      forget_old(it->second, now);
      it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
  }
  auto& failures = failures_[key];
  forget_old(failures, now);
  failures.push_back(now);
  // Keep memory bounded per key: older entries no longer affect the answer.
  while (failures.size() > config_.max_failures) failures.pop_front();
}

void LoginRateLimiter::reset(const std::string& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

}  // namespace wa::platform

// TokenBucket: a rate limit that allows bursts (`burst` at once, refilled at `rate` per
// second). Not thread-safe: its owner locks.
#pragma once

#include <algorithm>
#include <chrono>

namespace wa {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBucket(double rate_per_second, double burst, Clock::time_point now = Clock::now())
      : rate_(rate_per_second), burst_(burst), tokens_(burst), last_(now) {}

  // Takes `n` tokens if there are that many now; false (nothing taken) otherwise.
  bool take(double n = 1, Clock::time_point now = Clock::now()) {
    const std::chrono::duration<double> elapsed = now - last_;
    if (elapsed.count() > 0) {
      tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
      last_ = now;
    }
    if (tokens_ < n) return false;
    tokens_ -= n;
    return true;
  }

 private:
  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace wa

// LatencyHistogram: request durations in fixed log-scale buckets, with percentiles.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

namespace wa::platform {

// Not thread-safe by itself (ActionMetrics guards it).
class LatencyHistogram {
 public:
  // Upper bounds in microseconds: 50 µs, 100, 250, 500, 1 ms, 2.5, 5, 10, ... 60 s, then +Inf.
  // A 1-2.5-5 series keeps every bucket within ~2.5x, fine for p50/p95/p99 at a glance.
  static constexpr std::array<uint64_t, 22> kBoundsMicros = {
      50,       100,      250,      500,      1000,     2500,    5000,    10000,
      25000,    50000,    100000,   250000,   500000,   1000000, 2500000, 5000000,
      10000000, 15000000, 20000000, 30000000, 45000000, 60000000};
  static constexpr size_t kBuckets = kBoundsMicros.size() + 1;  // the last one is +Inf

  void record(std::chrono::nanoseconds duration);
  // Adds another histogram's samples (e.g. per-minute histograms into one for the hour).
  void merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  std::chrono::nanoseconds sum() const { return std::chrono::nanoseconds(sum_ns_); }
  std::chrono::nanoseconds average() const;
  // Estimated by linear interpolation inside the bucket holding the q-th sample;
  // clamped to the largest sample seen. 0 when empty. q in [0, 1].
  std::chrono::nanoseconds percentile(double q) const;
  std::chrono::nanoseconds max() const { return std::chrono::nanoseconds(max_ns_); }
  const std::array<uint64_t, kBuckets>& bucket_counts() const { return buckets_; }

 private:
  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
  uint64_t sum_ns_ = 0;
  uint64_t max_ns_ = 0;
};

}  // namespace wa::platform

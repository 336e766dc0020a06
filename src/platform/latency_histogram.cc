#include "platform/latency_histogram.h"

#include <algorithm>
#include <cmath>

namespace wa::platform {

void LatencyHistogram::record(std::chrono::nanoseconds duration) {
  const uint64_t ns = static_cast<uint64_t>(std::max<int64_t>(duration.count(), 0));
  const uint64_t micros = ns / 1000;
  auto it = std::lower_bound(kBoundsMicros.begin(), kBoundsMicros.end(), micros);
  // A duration exactly on a bound belongs to that bucket ("le" semantics); lower_bound
  // finds the first bound >= micros.
  ++buckets_[static_cast<size_t>(it - kBoundsMicros.begin())];
  ++count_;
  sum_ns_ += ns;
  max_ns_ = std::max(max_ns_, ns);
}

std::chrono::nanoseconds LatencyHistogram::average() const {
  return std::chrono::nanoseconds(count_ == 0 ? 0 : sum_ns_ / count_);
}

std::chrono::nanoseconds LatencyHistogram::percentile(double q) const {
  if (count_ == 0) return std::chrono::nanoseconds(0);
  q = std::clamp(q, 0.0, 1.0);
  // The rank of the sample we want, 1-based (nearest-rank definition).
  const uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * count_)));
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    if (buckets_[i] == 0 || seen + buckets_[i] < rank) {
      seen += buckets_[i];
      continue;
    }
    const double lower = i == 0 ? 0.0 : static_cast<double>(kBoundsMicros[i - 1]) * 1000.0;
    const double upper = i < kBoundsMicros.size() ? static_cast<double>(kBoundsMicros[i]) * 1000.0
                                                  : static_cast<double>(max_ns_);
    const double fraction = static_cast<double>(rank - seen) / static_cast<double>(buckets_[i]);
    const double estimate = lower + (upper - lower) * fraction;
    return std::chrono::nanoseconds(
        static_cast<int64_t>(std::min(estimate, static_cast<double>(max_ns_))));
  }
  return max();
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_ns_ += other.sum_ns_;
  if (other.max_ns_ > max_ns_) max_ns_ = other.max_ns_;
}

}  // namespace wa::platform

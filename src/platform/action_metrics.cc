#include "platform/action_metrics.h"

namespace wa::platform {

namespace {

constexpr int64_t kMinuteMs = 60'000;

double to_ms(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e6; }

}  // namespace

MinutePoint& ActionMetrics::minute_slot_locked(TimePoint now) {
  const int64_t minute_start = to_unix_ms(now) / kMinuteMs * kMinuteMs;
  auto& slot = minutes_[static_cast<size_t>(minute_start / kMinuteMs) % kMinutes];
  if (slot.minute_start_ms != minute_start) slot = MinutePoint{minute_start, 0, 0, {}};
  return slot;
}

void ActionMetrics::record_request(std::chrono::nanoseconds duration, const std::string& error_kind,
                                   TimePoint now) {
  std::lock_guard lock(mutex_);
  ++requests_;
  latency_.record(duration);
  auto& slot = minute_slot_locked(now);
  ++slot.requests;
  slot.latency.record(duration);
  if (!error_kind.empty()) {
    ++errors_;
    ++errors_by_kind_[error_kind];
    ++slot.errors;
  }
  last_request_ms_ = to_unix_ms(now);
}

void ActionMetrics::record_error(const std::string& error_kind, bool counts_as_request,
                                 TimePoint now) {
  std::lock_guard lock(mutex_);
  auto& slot = minute_slot_locked(now);
  if (counts_as_request) {
    ++requests_;
    ++slot.requests;
    last_request_ms_ = to_unix_ms(now);
  }
  ++errors_;
  ++errors_by_kind_[error_kind];
  ++slot.errors;
}

void ActionMetrics::record_chained_call() {
  std::lock_guard lock(mutex_);
  ++chained_calls_;
}

ActionMetricsSnapshot ActionMetrics::snapshot(TimePoint now) const {
  std::lock_guard lock(mutex_);
  ActionMetricsSnapshot s;
  s.requests = requests_;
  s.errors = errors_;
  s.chained_calls = chained_calls_;
  s.errors_by_kind = errors_by_kind_;
  s.latency = latency_;
  s.last_request_ms = last_request_ms_;
  const int64_t this_minute = to_unix_ms(now) / kMinuteMs * kMinuteMs;
  for (int64_t i = kMinutes - 1; i >= 0; --i) {
    const int64_t start = this_minute - i * kMinuteMs;
    const auto& slot = minutes_[static_cast<size_t>(start / kMinuteMs) % kMinutes];
    s.per_minute.push_back(slot.minute_start_ms == start ? slot : MinutePoint{start, 0, 0, {}});
  }
  return s;
}

MinutePoint ActionMetricsSnapshot::last_hour() const {
  MinutePoint hour;
  for (const auto& m : per_minute) {
    hour.requests += m.requests;
    hour.errors += m.errors;
    hour.latency.merge(m.latency);
  }
  return hour;
}

nlohmann::json latency_to_json(const LatencyHistogram& latency) {
  return {{"p50", to_ms(latency.percentile(0.50))},
          {"p95", to_ms(latency.percentile(0.95))},
          {"p99", to_ms(latency.percentile(0.99))},
          {"avg", to_ms(latency.average())},
          {"max", to_ms(latency.max())}};
}

nlohmann::json ActionMetricsSnapshot::to_json() const {
  nlohmann::json minutes = nlohmann::json::array();
  for (const auto& m : per_minute) {
    minutes.push_back({{"t", m.minute_start_ms},
                       {"requests", m.requests},
                       {"errors", m.errors},
                       {"latency_ms", latency_to_json(m.latency)}});
  }
  const MinutePoint hour = last_hour();
  return {{"requests", requests},
          {"errors", errors},
          {"chained_calls", chained_calls},
          {"errors_by_kind", errors_by_kind},
          {"latency_ms", latency_to_json(latency)},
          {"last_hour",
           {{"requests", hour.requests},
            {"errors", hour.errors},
            {"latency_ms", latency_to_json(hour.latency)}}},
          {"per_minute", minutes},
          {"last_request_at", last_request_ms}};
}

}  // namespace wa::platform

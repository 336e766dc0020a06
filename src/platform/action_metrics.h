// ActionMetrics: one action's request counters, errors by kind, latency and per-minute rate.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "platform/clock.h"
#include "platform/latency_histogram.h"

namespace wa::platform {

struct MinutePoint {
  int64_t minute_start_ms = 0;
  uint64_t requests = 0;
  uint64_t errors = 0;
  LatencyHistogram latency;  // durations of this minute's guest calls
};

struct ActionMetricsSnapshot {
  uint64_t requests = 0;
  uint64_t errors = 0;
  uint64_t chained_calls = 0;  // requests that came from another action (also in `requests`)
  std::map<std::string, uint64_t> errors_by_kind;  // "timeout", "out_of_bounds", "bad_gateway"...
  LatencyHistogram latency;
  std::vector<MinutePoint> per_minute;  // the last 60 minutes, oldest first, gaps as zeros
  int64_t last_request_ms = 0;

  // The last 60 minutes taken together (what the actions list shows).
  MinutePoint last_hour() const;

  // {requests, errors, chained_calls, errors_by_kind, latency_ms:{p50,p95,p99,avg,max},
  //  last_hour:{requests, errors, latency_ms}, per_minute:[{t, requests, errors, latency_ms}]}
  nlohmann::json to_json() const;
};

// {p50, p95, p99, avg, max} in milliseconds.
nlohmann::json latency_to_json(const LatencyHistogram& latency);

class ActionMetrics {
 public:
  static constexpr size_t kMinutes = 60;

  // A finished guest call. `error_kind` empty for success.
  void record_request(std::chrono::nanoseconds duration, const std::string& error_kind,
                      TimePoint now = Clock::now());
  // An error found after the call (e.g. bad_gateway) for a request already recorded,
  // or with counts_as_request a request rejected before running (no duration).
  void record_error(const std::string& error_kind, bool counts_as_request,
                    TimePoint now = Clock::now());

  // The request being recorded arrived through a chained call
  // (http://<action>.actions.internal/...) rather than from a client. Counted on top of
  // record_request/record_error, which count it as a request like any other.
  void record_chained_call();

  ActionMetricsSnapshot snapshot(TimePoint now = Clock::now()) const;

 private:
  MinutePoint& minute_slot_locked(TimePoint now);

  mutable std::mutex mutex_;
  uint64_t requests_ = 0;
  uint64_t errors_ = 0;
  uint64_t chained_calls_ = 0;
  std::map<std::string, uint64_t> errors_by_kind_;
  LatencyHistogram latency_;
  std::array<MinutePoint, kMinutes> minutes_{};  // ring indexed by minute number % 60
  int64_t last_request_ms_ = 0;
};

}  // namespace wa::platform

#include <gtest/gtest.h>

#include "platform/action_metrics.h"
#include "platform/latency_histogram.h"
#include "platform/metrics_registry.h"

namespace wa::platform {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;

TEST(LatencyHistogramTest, PercentilesFallInTheRightBuckets) {
  LatencyHistogram h;
  // 90 fast requests (~0.8 ms), 9 slow (~20 ms), 1 very slow (2 s).
  for (int i = 0; i < 90; ++i) h.record(microseconds(800));
  for (int i = 0; i < 9; ++i) h.record(milliseconds(20));
  h.record(milliseconds(2000));
  EXPECT_EQ(h.count(), 100u);
  auto p50 = h.percentile(0.50);
  EXPECT_GT(p50, microseconds(500));
  EXPECT_LE(p50, microseconds(1000));
  auto p95 = h.percentile(0.95);
  EXPECT_GT(p95, milliseconds(10));
  EXPECT_LE(p95, milliseconds(25));
  auto p99 = h.percentile(0.99);
  EXPECT_GT(p99, milliseconds(10));
  EXPECT_LE(p99, milliseconds(25));
  EXPECT_EQ(h.percentile(1.0), milliseconds(2000));  // clamped to the max sample
  EXPECT_EQ(h.average(), microseconds((90 * 800 + 9 * 20000 + 2000000) / 100));
}

TEST(LatencyHistogramTest, EmptyAndOverflowingHistograms) {
  LatencyHistogram h;
  EXPECT_EQ(h.percentile(0.5).count(), 0);
  EXPECT_EQ(h.average().count(), 0);
  h.record(std::chrono::seconds(100));  // beyond the last bound: the +Inf bucket
  EXPECT_EQ(h.bucket_counts().back(), 1u);
  EXPECT_EQ(h.percentile(0.5), std::chrono::seconds(100));
  h.record(microseconds(50));  // exactly on the first bound belongs to it
  EXPECT_EQ(h.bucket_counts().front(), 1u);
}

TEST(ActionMetricsTest, CountsRequestsErrorsAndMinutes) {
  ActionMetrics m;
  const TimePoint t0 = from_unix_ms(1'700'000'000'000 / 60'000 * 60'000);  // a minute start
  m.record_request(milliseconds(3), "", t0);
  m.record_request(milliseconds(5000), "timeout", t0 + std::chrono::seconds(10));
  m.record_error("bad_gateway", false, t0 + minutes(2));
  m.record_error("overloaded", true, t0 + minutes(2));
  auto s = m.snapshot(t0 + minutes(2));
  EXPECT_EQ(s.requests, 3u);
  EXPECT_EQ(s.errors, 3u);
  EXPECT_EQ(s.errors_by_kind.at("timeout"), 1u);
  EXPECT_EQ(s.errors_by_kind.at("bad_gateway"), 1u);
  EXPECT_EQ(s.latency.count(), 2u);
  ASSERT_EQ(s.per_minute.size(), 60u);
  EXPECT_EQ(s.per_minute.back().minute_start_ms, to_unix_ms(t0 + minutes(2)));
  EXPECT_EQ(s.per_minute.back().requests, 1u);
  EXPECT_EQ(s.per_minute.back().errors, 2u);
  EXPECT_EQ(s.per_minute[57].requests, 2u);  // t0, two minutes before the last point
  EXPECT_EQ(s.per_minute[58].requests, 0u);
  // An hour later the old minutes have left the window.
  auto later = m.snapshot(t0 + minutes(90));
  uint64_t total = 0;
  for (const auto& p : later.per_minute) total += p.requests;
  EXPECT_EQ(total, 0u);
  auto json = s.to_json();
  EXPECT_EQ(json["requests"], 3);
  EXPECT_TRUE(json["latency_ms"].contains("p99"));
}

TEST(ActionMetricsTest, MinutesCarryTheirOwnLatencyAndAddUpToTheLastHour) {
  ActionMetrics m;
  const TimePoint t0 = from_unix_ms(1'700'000'000'000 / 60'000 * 60'000);
  for (int i = 0; i < 10; ++i) m.record_request(milliseconds(2), "", t0);
  m.record_request(milliseconds(800), "", t0 + minutes(1));
  m.record_request(milliseconds(5), "", t0 - minutes(70));  // outside the hour
  auto s = m.snapshot(t0 + minutes(1));
  const auto& early = s.per_minute[58];
  const auto& late = s.per_minute[59];
  EXPECT_EQ(early.latency.count(), 10u);
  EXPECT_LT(early.latency.percentile(0.99), milliseconds(3));
  EXPECT_EQ(late.latency.count(), 1u);
  EXPECT_GT(late.latency.percentile(0.5), milliseconds(500));

  MinutePoint hour = s.last_hour();
  EXPECT_EQ(hour.requests, 11u);
  EXPECT_EQ(hour.latency.count(), 11u);
  EXPECT_EQ(hour.latency.max(), milliseconds(800));
  auto json = s.to_json();
  EXPECT_EQ(json["last_hour"]["requests"], 11);
  EXPECT_GT(json["per_minute"][59]["latency_ms"]["p50"].get<double>(), 500.0);
  EXPECT_EQ(json["per_minute"][0]["latency_ms"]["p50"].get<double>(), 0.0);
}

TEST(MetricsRegistryTest, PrometheusTextHasCountersHistogramAndCache) {
  MetricsRegistry registry;
  auto m = registry.for_action(7, {"ann/hello", "/hello"});
  m->record_request(milliseconds(2), "");
  m->record_request(milliseconds(40), "out_of_bounds");
  ModuleCacheStats cache;
  cache.hits = 5;
  cache.modules = 2;
  const std::string text = registry.prometheus_text(cache);
  auto has = [&](const std::string& line) { return text.find(line) != std::string::npos; };
  EXPECT_TRUE(has("# TYPE wa_action_requests_total counter\n"));
  EXPECT_TRUE(has("wa_action_requests_total{action=\"ann/hello\",route=\"/hello\"} 2\n"));
  EXPECT_TRUE(has(
      "wa_action_errors_total{action=\"ann/hello\",route=\"/hello\",kind=\"out_of_bounds\"} 1\n"));
  EXPECT_TRUE(has(
      "wa_action_duration_seconds_bucket{action=\"ann/hello\",route=\"/hello\",le=\"+Inf\"} 2\n"));
  EXPECT_TRUE(has("wa_action_duration_seconds_count{action=\"ann/hello\",route=\"/hello\"} 2\n"));
  EXPECT_TRUE(has("wa_module_cache_hits_total 5\n"));
  EXPECT_TRUE(has("wa_module_cache_modules 2\n"));
  registry.remove(7);
  EXPECT_EQ(registry.prometheus_text(cache).find("ann/hello"), std::string::npos);
}

// Issue 8, item 13: anonymous readers get totals only; a user sees their own actions.
TEST(MetricsRegistryTest, ViewsHideOtherUsersActions) {
  MetricsRegistry registry;
  registry.for_action(1, {"ann/hello", "/hello"})->record_request(milliseconds(1), "");
  registry.for_action(2, {"bob/secret-shop", "/shop/..."})->record_request(milliseconds(1), "trap");
  registry.for_action(3, {"annex/x", "/x"})->record_request(milliseconds(1), "");
  const std::string anonymous = registry.prometheus_text({}, MetricsView{});
  EXPECT_EQ(anonymous.find("hello"), std::string::npos) << anonymous;
  EXPECT_EQ(anonymous.find("secret-shop"), std::string::npos);
  EXPECT_EQ(anonymous.find("/shop"), std::string::npos);
  EXPECT_NE(anonymous.find("wa_requests_total 3\n"), std::string::npos) << anonymous;
  EXPECT_NE(anonymous.find("wa_errors_total{kind=\"trap\"} 1\n"), std::string::npos);
  const std::string ann = registry.prometheus_text({}, MetricsView{false, "ann"});
  EXPECT_NE(ann.find("action=\"ann/hello\""), std::string::npos);
  EXPECT_EQ(ann.find("secret-shop"), std::string::npos);
  EXPECT_EQ(ann.find("annex/x"), std::string::npos) << "prefix of another name";
  const std::string all = registry.prometheus_text({}, MetricsView::everything());
  EXPECT_NE(all.find("bob/secret-shop"), std::string::npos);
}

TEST(MetricsRegistryTest, LabelValuesAreEscaped) {
  MetricsRegistry registry;
  registry.for_action(1, {"a\"b\\c", "/x"})->record_request(milliseconds(1), "");
  const std::string text = registry.prometheus_text({});
  EXPECT_NE(text.find("action=\"a\\\"b\\\\c\""), std::string::npos);
}

// Issue 10: calls that came through a chain are counted apart, and still as requests.
TEST(ActionMetricsTest, ChainedCallsAreCountedBesideRequests) {
  ActionMetrics m;
  m.record_request(milliseconds(1), "");  // a client's request
  m.record_request(milliseconds(1), "");  // two chained ones, one of them failing
  m.record_chained_call();
  m.record_request(milliseconds(1), "timeout");
  m.record_chained_call();
  const auto s = m.snapshot();
  EXPECT_EQ(s.requests, 3u);
  EXPECT_EQ(s.chained_calls, 2u);
  EXPECT_EQ(s.errors, 1u);
  EXPECT_EQ(s.to_json()["chained_calls"].get<uint64_t>(), 2u);
  EXPECT_EQ(s.to_json()["requests"].get<uint64_t>(), 3u);
  EXPECT_EQ(ActionMetrics().snapshot().to_json()["chained_calls"].get<uint64_t>(), 0u)
      << "present (as 0) before any chained call";
}

TEST(MetricsRegistryTest, PrometheusTextHasChainedCallsPerAction) {
  MetricsRegistry registry;
  auto front = registry.for_action(1, {"ann/front", "/front"});
  auto back = registry.for_action(2, {"ann/back", "/back"});
  front->record_request(milliseconds(1), "");
  back->record_request(milliseconds(1), "");
  back->record_chained_call();
  registry.for_action(3, {"bob/other", "/other"})->record_chained_call();
  const std::string text = registry.prometheus_text({}, MetricsView{false, "ann"});
  auto has = [&](const std::string& line) { return text.find(line) != std::string::npos; };
  EXPECT_TRUE(has("# TYPE wa_action_chained_calls_total counter\n")) << text;
  EXPECT_TRUE(has("wa_action_chained_calls_total{action=\"ann/back\",route=\"/back\"} 1\n"));
  EXPECT_TRUE(has("wa_action_chained_calls_total{action=\"ann/front\",route=\"/front\"} 0\n"));
  EXPECT_FALSE(has("bob/other")) << "another user's series stay hidden";
  EXPECT_TRUE(has("wa_action_requests_total{action=\"ann/back\",route=\"/back\"} 1\n"));
}

}  // namespace
}  // namespace wa::platform

// MetricsRegistry: every action's metrics plus server counters, and the /metrics text.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "platform/action_metrics.h"
#include "platform/module_cache.h"

namespace wa::platform {

// How an action is labelled in /metrics.
struct ActionLabels {
  std::string action;  // "owner/name"
  std::string route;
};

// Which per-action series a /metrics reader may see. Server-wide totals are always
// shown; per-action series name users' actions and routes, so only an admin (or the
// configured metrics token) sees all of them, and a user only their own.
struct MetricsView {
  bool all_actions = false;
  std::string owner;  // when not all_actions: show the actions "owner/..." (empty: none)

  static MetricsView everything() { return {true, {}}; }
};

class MetricsRegistry {
 public:
  // Creates the action's metrics on first use; the labels are refreshed each call.
  std::shared_ptr<ActionMetrics> for_action(int64_t action_id, const ActionLabels& labels);
  std::shared_ptr<ActionMetrics> find(int64_t action_id) const;  // nullptr if none yet
  void remove(int64_t action_id);

  // Prometheus text format 0.0.4: wa_action_requests_total, wa_action_chained_calls_total,
  // wa_action_errors_total{kind},
  // wa_action_duration_seconds (histogram), wa_module_cache_* counters and gauges.
  // Plus wa_requests_total and wa_errors_total{kind}: sums over every action.
  std::string prometheus_text(const ModuleCacheStats& cache,
                              const MetricsView& view = MetricsView::everything()) const;

 private:
  struct Entry {
    ActionLabels labels;
    std::shared_ptr<ActionMetrics> metrics;
  };
  mutable std::mutex mutex_;
  std::map<int64_t, Entry> actions_;
};

}  // namespace wa::platform

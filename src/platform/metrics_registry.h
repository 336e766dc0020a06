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

class MetricsRegistry {
 public:
  // Creates the action's metrics on first use; the labels are refreshed each call.
  std::shared_ptr<ActionMetrics> for_action(int64_t action_id, const ActionLabels& labels);
  std::shared_ptr<ActionMetrics> find(int64_t action_id) const;  // nullptr if none yet
  void remove(int64_t action_id);

  // Prometheus text format 0.0.4: wa_action_requests_total, wa_action_errors_total{kind},
  // wa_action_duration_seconds (histogram), wa_module_cache_* counters and gauges.
  std::string prometheus_text(const ModuleCacheStats& cache) const;

 private:
  struct Entry {
    ActionLabels labels;
    std::shared_ptr<ActionMetrics> metrics;
  };
  mutable std::mutex mutex_;
  std::map<int64_t, Entry> actions_;
};

}  // namespace wa::platform

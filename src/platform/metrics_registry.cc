#include "platform/metrics_registry.h"

#include <sstream>

namespace wa::platform {

namespace {

// Label values escape backslash, double quote and newline (exposition format 0.0.4).
std::string escape_label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string labels_of(const ActionLabels& labels) {
  return "action=\"" + escape_label(labels.action) + "\",route=\"" + escape_label(labels.route) +
         "\"";
}

void write_histogram(std::ostream& out, const std::string& labels, const LatencyHistogram& h) {
  uint64_t cumulative = 0;
  const auto& counts = h.bucket_counts();
  for (size_t i = 0; i < LatencyHistogram::kBoundsMicros.size(); ++i) {
    cumulative += counts[i];
    out << "wa_action_duration_seconds_bucket{" << labels << ",le=\""
        << static_cast<double>(LatencyHistogram::kBoundsMicros[i]) / 1e6 << "\"} " << cumulative
        << "\n";
  }
  out << "wa_action_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} " << h.count() << "\n";
  out << "wa_action_duration_seconds_sum{" << labels << "} "
      << static_cast<double>(h.sum().count()) / 1e9 << "\n";
  out << "wa_action_duration_seconds_count{" << labels << "} " << h.count() << "\n";
}

}  // namespace

std::shared_ptr<ActionMetrics> MetricsRegistry::for_action(int64_t action_id,
                                                           const ActionLabels& labels) {
  std::lock_guard lock(mutex_);
  auto& entry = actions_[action_id];
  if (!entry.metrics) entry.metrics = std::make_shared<ActionMetrics>();
  entry.labels = labels;
  return entry.metrics;
}

std::shared_ptr<ActionMetrics> MetricsRegistry::find(int64_t action_id) const {
  std::lock_guard lock(mutex_);
  auto it = actions_.find(action_id);
  return it == actions_.end() ? nullptr : it->second.metrics;
}

void MetricsRegistry::remove(int64_t action_id) {
  std::lock_guard lock(mutex_);
  actions_.erase(action_id);
}

std::string MetricsRegistry::prometheus_text(const ModuleCacheStats& cache,
                                             const MetricsView& view) const {
  std::map<int64_t, Entry> actions;
  {
    std::lock_guard lock(mutex_);
    actions = actions_;
  }
  std::vector<std::pair<std::string, ActionMetricsSnapshot>> snapshots;
  uint64_t total_requests = 0;
  std::map<std::string, uint64_t> total_errors;
  const std::string owner_prefix = view.owner + "/";  // usernames cannot contain '/'
  for (const auto& [id, entry] : actions) {
    ActionMetricsSnapshot snapshot = entry.metrics->snapshot();
    total_requests += snapshot.requests;
    for (const auto& [kind, count] : snapshot.errors_by_kind) total_errors[kind] += count;
    const bool visible =
        view.all_actions || (!view.owner.empty() && entry.labels.action.starts_with(owner_prefix));
    if (visible) snapshots.emplace_back(labels_of(entry.labels), std::move(snapshot));
  }
  std::ostringstream out;
  out << "# HELP wa_requests_total Requests handled by all actions.\n"
      << "# TYPE wa_requests_total counter\n"
      << "wa_requests_total " << total_requests << "\n";
  out << "# HELP wa_errors_total Failed requests of all actions by kind.\n"
      << "# TYPE wa_errors_total counter\n";
  for (const auto& [kind, count] : total_errors) {
    out << "wa_errors_total{kind=\"" << escape_label(kind) << "\"} " << count << "\n";
  }
  out << "# HELP wa_action_requests_total Requests handled by the action.\n"
      << "# TYPE wa_action_requests_total counter\n";
  for (const auto& [labels, s] : snapshots) {
    out << "wa_action_requests_total{" << labels << "} " << s.requests << "\n";
  }
  out << "# HELP wa_action_chained_calls_total Requests that came from another action "
         "(chained calls; also counted in wa_action_requests_total).\n"
      << "# TYPE wa_action_chained_calls_total counter\n";
  for (const auto& [labels, s] : snapshots) {
    out << "wa_action_chained_calls_total{" << labels << "} " << s.chained_calls << "\n";
  }
  out << "# HELP wa_action_errors_total Failed requests by kind (timeout, trap kinds, "
         "bad_gateway, ...).\n"
      << "# TYPE wa_action_errors_total counter\n";
  for (const auto& [labels, s] : snapshots) {
    for (const auto& [kind, count] : s.errors_by_kind) {
      out << "wa_action_errors_total{" << labels << ",kind=\"" << escape_label(kind) << "\"} "
          << count << "\n";
    }
  }
  out << "# HELP wa_action_duration_seconds Guest call duration.\n"
      << "# TYPE wa_action_duration_seconds histogram\n";
  for (const auto& [labels, s] : snapshots) write_histogram(out, labels, s.latency);

  auto counter = [&](const char* name, const char* help, uint64_t value) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n"
        << name << " " << value << "\n";
  };
  auto gauge = [&](const char* name, const char* help, uint64_t value) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n"
        << name << " " << value << "\n";
  };
  counter("wa_module_cache_hits_total", "Compiled-module cache hits.", cache.hits);
  counter("wa_module_cache_misses_total", "Compiled-module cache misses.", cache.misses);
  counter("wa_module_cache_evictions_total", "Modules evicted for capacity.", cache.evictions);
  counter("wa_module_cache_idle_drops_total", "Modules dropped after idling.", cache.idle_drops);
  counter("wa_module_cache_loads_total", "Modules loaded on demand.", cache.loads);
  gauge("wa_module_cache_modules", "Modules in the cache.", cache.modules);
  gauge("wa_module_cache_bytes", "Module bytes in the cache.", cache.bytes);
  return out.str();
}

}  // namespace wa::platform

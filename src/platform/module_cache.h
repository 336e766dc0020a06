// CompiledModuleCache: the loaded (compiled) modules kept in memory, LRU by last request.
//
// Bounded by count and by bytes (module size as a proxy for the compiled code). An evicted
// module is only dropped from the cache: calls holding its shared_ptr keep it alive, and it
// is unloaded when the last one ends. It comes back on demand through the loader (the
// engine then finds its artifact in the on-disk cache). Modules idle longer than idle_ttl
// are dropped by drop_idle() (down-scaling).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "platform/clock.h"
#include "runtime/module.h"
#include "support/expected.h"

namespace wa::platform {

struct ModuleCacheConfig {
  size_t max_modules = 256;
  uint64_t max_bytes = 1ull << 30;
  std::chrono::seconds idle_ttl{std::chrono::minutes(15)};
};

struct ModuleCacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t evictions = 0;   // capacity evictions
  uint64_t idle_drops = 0;  // dropped by drop_idle()
  uint64_t loads = 0;       // successful loader calls
  size_t modules = 0;
  uint64_t bytes = 0;
};

class CompiledModuleCache {
 public:
  // `owner`: on whose behalf a compile would run (the engine shares compiles fairly
  // between owners); empty when nobody in particular asked.
  using Loader = std::function<Expected<std::shared_ptr<runtime::Module>>(
      const std::string& sha256, const std::string& owner)>;

  CompiledModuleCache(ModuleCacheConfig config, Loader loader);

  // The cached module (a hit refreshes its recency), or loads it (a miss). Loader errors
  // are passed on and nothing is cached.
  Expected<std::shared_ptr<runtime::Module>> acquire(const std::string& sha256,
                                                     TimePoint now = Clock::now(),
                                                     const std::string& owner = {});
  // Adds a module loaded elsewhere (a deploy), as most recently used.
  void insert(const std::string& sha256, std::shared_ptr<runtime::Module> module,
              TimePoint now = Clock::now());
  bool contains(const std::string& sha256) const;
  void erase(const std::string& sha256);
  // Drops modules not requested since now - idle_ttl. Returns how many.
  size_t drop_idle(TimePoint now = Clock::now());

  // Most recent first.
  std::vector<std::string> keys_by_recency() const;
  ModuleCacheStats stats() const;
  const ModuleCacheConfig& config() const { return config_; }

 private:
  struct Entry {
    std::string sha256;
    std::shared_ptr<runtime::Module> module;
    uint64_t bytes = 0;
    TimePoint last_used;
  };
  void insert_locked(const std::string& sha256, std::shared_ptr<runtime::Module> module,
                     TimePoint now);
  void evict_over_capacity_locked();
  void remove_locked(std::list<Entry>::iterator it);

  ModuleCacheConfig config_;
  Loader loader_;
  mutable std::mutex mutex_;
  std::list<Entry> lru_;  // front = most recently used
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  ModuleCacheStats stats_;
};

}  // namespace wa::platform

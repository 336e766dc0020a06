#include "platform/module_cache.h"

namespace wa::platform {

namespace {

uint64_t size_of(const std::shared_ptr<runtime::Module>& module) {
  return module ? module->info().size_bytes : 0;
}

}  // namespace

CompiledModuleCache::CompiledModuleCache(ModuleCacheConfig config, Loader loader)
    : config_(config), loader_(std::move(loader)) {}

Expected<std::shared_ptr<runtime::Module>> CompiledModuleCache::acquire(const std::string& sha256,
                                                                        TimePoint now,
                                                                        const std::string& owner) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = index_.find(sha256); it != index_.end()) {
      ++stats_.hits;
      it->second->last_used = now;
      lru_.splice(lru_.begin(), lru_, it->second);
      return it->second->module;
    }
    ++stats_.misses;
  }
  // Load without the lock: validation and artifact loading take milliseconds and must not
  // stall hits on other modules.
  auto loaded = loader_(sha256, owner);
  if (!loaded) return loaded.error();
  std::lock_guard lock(mutex_);
  ++stats_.loads;
  if (auto it = index_.find(sha256); it != index_.end()) {
    // Another thread loaded it meanwhile: share theirs so there is one copy.
    it->second->last_used = now;
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->module;
  }
  insert_locked(sha256, *loaded, now);
  return std::move(loaded).value();
}

void CompiledModuleCache::insert(const std::string& sha256, std::shared_ptr<runtime::Module> module,
                                 TimePoint now) {
  std::lock_guard lock(mutex_);
  if (auto it = index_.find(sha256); it != index_.end()) remove_locked(it->second);
  insert_locked(sha256, std::move(module), now);
}

void CompiledModuleCache::insert_locked(const std::string& sha256,
                                        std::shared_ptr<runtime::Module> module, TimePoint now) {
  const uint64_t bytes = size_of(module);
  lru_.push_front(Entry{sha256, std::move(module), bytes, now});
  index_[sha256] = lru_.begin();
  stats_.bytes += bytes;
  evict_over_capacity_locked();
}

void CompiledModuleCache::evict_over_capacity_locked() {
  // The newest entry always stays, even if it alone exceeds max_bytes: it is about to be used.
  while (lru_.size() > 1 &&
         (lru_.size() > config_.max_modules || stats_.bytes > config_.max_bytes)) {
    remove_locked(std::prev(lru_.end()));
    ++stats_.evictions;
  }
}

void CompiledModuleCache::remove_locked(std::list<Entry>::iterator it) {
  stats_.bytes -= it->bytes;
  index_.erase(it->sha256);
  lru_.erase(it);  // calls still holding the module keep it alive until they finish
}

bool CompiledModuleCache::contains(const std::string& sha256) const {
  std::lock_guard lock(mutex_);
  return index_.contains(sha256);
}

void CompiledModuleCache::erase(const std::string& sha256) {
  std::lock_guard lock(mutex_);
  if (auto it = index_.find(sha256); it != index_.end()) remove_locked(it->second);
}

size_t CompiledModuleCache::drop_idle(TimePoint now) {
  std::lock_guard lock(mutex_);
  size_t dropped = 0;
  // The list is ordered by recency, so the idle ones are all at the back.
  while (!lru_.empty() && lru_.back().last_used + config_.idle_ttl <= now) {
    remove_locked(std::prev(lru_.end()));
    ++dropped;
  }
  stats_.idle_drops += dropped;
  return dropped;
}

std::vector<std::string> CompiledModuleCache::keys_by_recency() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> keys;
  for (const auto& entry : lru_) keys.push_back(entry.sha256);
  return keys;
}

ModuleCacheStats CompiledModuleCache::stats() const {
  std::lock_guard lock(mutex_);
  ModuleCacheStats s = stats_;
  s.modules = lru_.size();
  return s;
}

}  // namespace wa::platform

#include "platform/module_cache.h"

#include <gtest/gtest.h>

#include <map>

namespace wa::platform {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

// Builds module objects directly (no engine): the cache only looks at identity and size.
class ModuleCacheTest : public ::testing::Test {
 protected:
  CompiledModuleCache make_cache(ModuleCacheConfig config) {
    return CompiledModuleCache(
        config,
        [this](const std::string& sha,
               const std::string&) -> Expected<std::shared_ptr<runtime::Module>> {
          ++load_calls_[sha];
          if (sha == "missing") return make_error("not_found", "no such module");
          runtime::ModuleInfo info;
          info.sha256 = sha;
          info.size_bytes = sizes_.contains(sha) ? sizes_[sha] : 10;
          return std::make_shared<runtime::Module>(info);
        });
  }

  std::map<std::string, int> load_calls_;
  std::map<std::string, uint64_t> sizes_;
  const TimePoint t0_ = Clock::now();
};

TEST_F(ModuleCacheTest, HitReturnsTheSameModuleWithoutLoading) {
  auto cache = make_cache({});
  auto first = cache.acquire("a", t0_);
  auto second = cache.acquire("a", t0_ + seconds(1));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->get(), second->get());
  EXPECT_EQ(load_calls_["a"], 1);
  auto stats = cache.stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.loads, 1u);
}

TEST_F(ModuleCacheTest, EvictsLeastRecentlyUsedByCount) {
  auto cache = make_cache({.max_modules = 3, .max_bytes = 1 << 20, .idle_ttl = minutes(15)});
  (void)cache.acquire("a", t0_);
  (void)cache.acquire("b", t0_ + seconds(1));
  (void)cache.acquire("c", t0_ + seconds(2));
  (void)cache.acquire("a", t0_ + seconds(3));  // a is now the most recent; b the least
  (void)cache.acquire("d", t0_ + seconds(4));
  EXPECT_EQ(cache.keys_by_recency(), (std::vector<std::string>{"d", "a", "c"}));
  EXPECT_EQ(cache.stats().evictions, 1u);
  (void)cache.acquire("b", t0_ + seconds(5));  // comes back on demand
  EXPECT_EQ(load_calls_["b"], 2);
  EXPECT_EQ(cache.keys_by_recency(), (std::vector<std::string>{"b", "d", "a"}));
}

TEST_F(ModuleCacheTest, EvictsByBytesButKeepsTheNewest) {
  sizes_ = {{"a", 40}, {"b", 40}, {"c", 40}, {"huge", 500}};
  auto cache = make_cache({.max_modules = 100, .max_bytes = 100, .idle_ttl = minutes(15)});
  (void)cache.acquire("a", t0_);
  (void)cache.acquire("b", t0_ + seconds(1));
  (void)cache.acquire("c", t0_ + seconds(2));
  EXPECT_EQ(cache.keys_by_recency(), (std::vector<std::string>{"c", "b"}));
  EXPECT_EQ(cache.stats().bytes, 80u);
  (void)cache.acquire("huge", t0_ + seconds(3));
  EXPECT_EQ(cache.keys_by_recency(), (std::vector<std::string>{"huge"}));
}

TEST_F(ModuleCacheTest, EvictedModuleStaysAliveWhileHeld) {
  auto cache = make_cache({.max_modules = 1, .max_bytes = 1 << 20, .idle_ttl = minutes(15)});
  auto held = cache.acquire("a", t0_);
  ASSERT_TRUE(held.ok());
  std::weak_ptr<runtime::Module> watch = *held;
  (void)cache.acquire("b", t0_ + seconds(1));
  EXPECT_FALSE(cache.contains("a"));
  EXPECT_FALSE(watch.expired());  // an in-flight call keeps it
  held = make_error("done", "released");
  EXPECT_TRUE(watch.expired());  // unloaded with the last user
}

TEST_F(ModuleCacheTest, DropsModulesIdleLongerThanTheTtl) {
  auto cache = make_cache({.max_modules = 10, .max_bytes = 1 << 20, .idle_ttl = minutes(10)});
  (void)cache.acquire("old", t0_);
  (void)cache.acquire("recent", t0_ + minutes(8));
  EXPECT_EQ(cache.drop_idle(t0_ + minutes(9)), 0u);
  EXPECT_EQ(cache.drop_idle(t0_ + minutes(11)), 1u);
  EXPECT_EQ(cache.keys_by_recency(), (std::vector<std::string>{"recent"}));
  EXPECT_EQ(cache.stats().idle_drops, 1u);
  EXPECT_EQ(cache.drop_idle(t0_ + minutes(30)), 1u);
  EXPECT_EQ(cache.stats().modules, 0u);
}

TEST_F(ModuleCacheTest, LoaderErrorsPassThroughAndAreNotCached) {
  auto cache = make_cache({});
  auto missing = cache.acquire("missing", t0_);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, "not_found");
  EXPECT_FALSE(cache.contains("missing"));
  (void)cache.acquire("missing", t0_);
  EXPECT_EQ(load_calls_["missing"], 2);
}

TEST_F(ModuleCacheTest, InsertReplacesAndCountsAsMostRecent) {
  auto cache = make_cache({});
  (void)cache.acquire("a", t0_);
  runtime::ModuleInfo info;
  info.sha256 = "b";
  info.size_bytes = 7;
  cache.insert("b", std::make_shared<runtime::Module>(info), t0_ + seconds(1));
  EXPECT_EQ(cache.keys_by_recency(), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(cache.stats().bytes, 17u);
  cache.erase("a");
  EXPECT_EQ(cache.stats().bytes, 7u);
  EXPECT_EQ(load_calls_.count("b"), 0u);
}

}  // namespace
}  // namespace wa::platform

#include "platform/kv/sqlite_kv_backend.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

#include "platform/test_support.h"

namespace wa::platform {
namespace {

using capabilities::KvDeadline;
using capabilities::KvLimits;
using capabilities::KvStoreId;
using namespace std::string_literals;

SqliteKvOptions options_for(const std::filesystem::path& file, const KvLimits& limits = {}) {
  SqliteKvOptions options;
  options.file = file;
  options.limits = limits;
  return options;
}

KvLimits limits_with(void (*edit)(KvLimits&)) {
  KvLimits limits;
  edit(limits);
  return limits;
}

KvDeadline soon() { return std::chrono::steady_clock::now() + std::chrono::seconds(30); }

class SqliteKvTest : public ::testing::Test {
 protected:
  void SetUp() override { open_backend(); }

  void open_backend(KvLimits limits = {}) {
    kv_.reset();
    auto kv = SqliteKvBackend::open(options_for(dir_.path() / "kv.db", limits));
    ASSERT_TRUE(kv) << kv.error().message;
    kv_ = std::move(kv).value();
    auto store = kv_->find_store(1, "default");
    ASSERT_TRUE(store) << store.error().message;
    store_ = store->id;
  }

  std::optional<std::string> get(std::string_view key) {
    auto v = kv_->get(store_, key, soon());
    EXPECT_TRUE(v) << v.error().message;
    return v ? *v : std::nullopt;
  }
  void set(std::string_view key, std::string_view value) {
    auto st = kv_->set(store_, key, value, soon());
    ASSERT_TRUE(st) << st.error().message;
  }
  std::vector<std::string> keys(std::string_view prefix, std::string_view after = {},
                                size_t limit = 1000, bool* more = nullptr) {
    auto page = kv_->keys(store_, prefix, after, limit, soon());
    EXPECT_TRUE(page) << page.error().message;
    if (!page) return {};
    if (more) *more = page->more;
    return page->keys;
  }

  testing::TempDir dir_;
  std::unique_ptr<SqliteKvBackend> kv_;
  KvStoreId store_ = 0;
};

TEST_F(SqliteKvTest, SetGetExistsRemove) {
  EXPECT_EQ(get("a"), std::nullopt);
  set("a", "1");
  EXPECT_EQ(get("a"), "1");
  set("a", "two");
  EXPECT_EQ(get("a"), "two");
  set("empty", "");
  EXPECT_EQ(get("empty"), "");  // an empty value is a value, not an absent key
  EXPECT_TRUE(kv_->exists(store_, "empty", soon()).value());
  EXPECT_FALSE(kv_->exists(store_, "nope", soon()).value());
  ASSERT_TRUE(kv_->remove(store_, "a", soon()));
  EXPECT_EQ(get("a"), std::nullopt);
  EXPECT_TRUE(kv_->remove(store_, "a", soon()));  // absent is fine
}

TEST_F(SqliteKvTest, BinaryKeysAndValues) {
  const std::string k1 = "\x00"s, k2 = "\x00\x00"s, k3 = "a\x00z"s, k4 = "\xff\xff"s;
  const std::string value = "\x00\x01\xfe\xff"s;
  for (const auto& k : {k1, k2, k3, k4}) set(k, value + k);
  for (const auto& k : {k1, k2, k3, k4}) EXPECT_EQ(get(k), value + k);
  EXPECT_EQ(get("a"), std::nullopt);  // "a\0z" is not "a"
  EXPECT_EQ(keys(""), (std::vector<std::string>{k1, k2, k3, k4}));
}

TEST_F(SqliteKvTest, KeyValidationAndLimitsExactlyAtAndOneOver) {
  open_backend(limits_with([](KvLimits& l) {
    l.max_key_bytes = 8;
    l.max_value_bytes = 16;
  }));
  auto empty = kv_->set(store_, "", "v", soon());
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().kind, "invalid_argument");
  EXPECT_EQ(kv_->get(store_, "", soon()).error().kind, "invalid_argument");
  EXPECT_TRUE(kv_->set(store_, std::string(8, 'k'), std::string(16, 'v'), soon()));
  auto long_key = kv_->set(store_, std::string(9, 'k'), "v", soon());
  ASSERT_FALSE(long_key);
  EXPECT_EQ(long_key.error().kind, "too_large");
  auto long_value = kv_->set(store_, "k", std::string(17, 'v'), soon());
  ASSERT_FALSE(long_value);
  EXPECT_EQ(long_value.error().kind, "too_large");
  auto cas = kv_->compare_and_swap(store_, "k", std::nullopt, std::string(17, 'v'), soon());
  ASSERT_FALSE(cas);
  EXPECT_EQ(cas.error().kind, "too_large");
  EXPECT_EQ(get("k"), std::nullopt);
}

TEST_F(SqliteKvTest, PrefixScansAtTheByteEdges) {
  const std::vector<std::string> all = {"a"s,         "a\x00"s, "a\x00\x01"s, "a\x7f"s,
                                        "a\xfe\xff"s, "a\xff"s, "a\xff\x00"s, "a\xff\xff"s,
                                        "b"s,         "\xff"s,  "\xff\xff"s,  "\xff\xff\x01"s};
  for (const auto& k : all) set(k, "v");
  EXPECT_EQ(keys("a"), std::vector<std::string>(all.begin(), all.begin() + 8));
  EXPECT_EQ(keys("a\x00"s), (std::vector<std::string>{"a\x00"s, "a\x00\x01"s}));
  EXPECT_EQ(keys("a\xff"s), (std::vector<std::string>{"a\xff"s, "a\xff\x00"s, "a\xff\xff"s}));
  // An all-0xFF prefix has no successor: the scan is open-ended above.
  EXPECT_EQ(keys("\xff"s), (std::vector<std::string>{"\xff"s, "\xff\xff"s, "\xff\xff\x01"s}));
  EXPECT_EQ(keys("\xff\xff"s), (std::vector<std::string>{"\xff\xff"s, "\xff\xff\x01"s}));
  EXPECT_EQ(keys("b"), std::vector<std::string>{"b"});
  EXPECT_TRUE(keys("c").empty());
  EXPECT_EQ(keys("").size(), all.size());
  // `after` strictly after, also when it is not itself a key.
  EXPECT_EQ(keys("a", "a\xff"s), (std::vector<std::string>{"a\xff\x00"s, "a\xff\xff"s}));
  EXPECT_EQ(keys("a", "a\x80"s),
            (std::vector<std::string>{"a\xfe\xff"s, "a\xff"s, "a\xff\x00"s, "a\xff\xff"s}));
  EXPECT_TRUE(keys("a", "a\xff\xff"s).empty());
  EXPECT_EQ(keys("a", "0"), std::vector<std::string>(all.begin(), all.begin() + 8));
}

TEST_F(SqliteKvTest, PagingWithAfter) {
  std::vector<std::string> expected;
  for (int i = 0; i < 25; ++i) {
    char key[16];
    snprintf(key, sizeof key, "k%03d", i);
    expected.push_back(key);
    set(key, "v");
  }
  set("other", "v");
  std::vector<std::string> seen;
  std::string after;
  for (int pages = 0;; ++pages) {
    ASSERT_LT(pages, 10);
    bool more = false;
    auto page = keys("k", after, 10, &more);
    seen.insert(seen.end(), page.begin(), page.end());
    if (!more) break;
    EXPECT_EQ(page.size(), 10u);
    after = page.back();
  }
  EXPECT_EQ(seen, expected);
  bool more = true;
  EXPECT_EQ(keys("k", "", 25, &more).size(), 25u);
  EXPECT_FALSE(more);  // exactly the number of keys: no more
  EXPECT_EQ(keys("k", "", 24, &more).size(), 24u);
  EXPECT_TRUE(more);
  EXPECT_TRUE(keys("k", "", 0, &more).empty());
  EXPECT_TRUE(more);
}

TEST_F(SqliteKvTest, QuotaCountsKeysAndValuesAndWritesNothingWhenExceeded) {
  open_backend(limits_with([](KvLimits& l) { l.store_quota_bytes = 100; }));
  set("k1", std::string(48, 'a'));  // 50 bytes
  set("k2", std::string(48, 'b'));  // 100 bytes: exactly at the quota
  auto info = kv_->find_store(1, "default");
  EXPECT_EQ(info->bytes, 100u);
  EXPECT_EQ(info->key_count, 2u);
  auto over = kv_->set(store_, "k3", "", soon());  // 102
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().kind, "quota_exceeded");
  EXPECT_EQ(get("k3"), std::nullopt);
  auto grow = kv_->set(store_, "k1", std::string(49, 'a'), soon());
  ASSERT_FALSE(grow);
  EXPECT_EQ(grow.error().kind, "quota_exceeded");
  EXPECT_EQ(get("k1"), std::string(48, 'a'));
  set("k1", "x");  // shrinking replaces count the difference: 2+1 + 50
  EXPECT_EQ(kv_->find_store(1, "default")->bytes, 53u);
  ASSERT_TRUE(kv_->remove(store_, "k2", soon()));
  EXPECT_EQ(kv_->find_store(1, "default")->bytes, 3u);
  EXPECT_EQ(kv_->find_store(1, "default")->key_count, 1u);
  set("k2", std::string(95, 'c'));
  // The counts are persisted, not only cached.
  open_backend(limits_with([](KvLimits& l) { l.store_quota_bytes = 100; }));
  auto listed = kv_->list_stores(1);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->at(0).bytes, 100u);
  EXPECT_EQ(listed->at(0).key_count, 2u);
}

TEST_F(SqliteKvTest, Increment) {
  EXPECT_EQ(kv_->increment(store_, "n", 5, soon()).value(), 5);  // absent counts as 0
  EXPECT_EQ(get("n"), "5");
  EXPECT_EQ(kv_->increment(store_, "n", -12, soon()).value(), -7);
  EXPECT_EQ(get("n"), "-7");
  set("m", "-0041");
  EXPECT_EQ(kv_->increment(store_, "m", 1, soon()).value(), -40);
  for (std::string bad :
       {"", "abc", "+1", " 1", "1 ", "1.5", "-", "--1", "1e3", "0x10", "99999999999999999999"}) {
    set("bad", bad);
    auto r = kv_->increment(store_, "bad", 1, soon());
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind, "invalid_argument") << bad;
    EXPECT_EQ(get("bad"), bad);
  }
  set("big", std::to_string(INT64_MAX));
  auto overflow = kv_->increment(store_, "big", 1, soon());
  ASSERT_FALSE(overflow);
  EXPECT_EQ(overflow.error().kind, "invalid_argument");
  set("small", std::to_string(INT64_MIN));
  EXPECT_FALSE(kv_->increment(store_, "small", -1, soon()));
  EXPECT_EQ(kv_->increment(store_, "small", INT64_MAX, soon()).value(), -1);
}

TEST_F(SqliteKvTest, CompareAndSwap) {
  // Expect absent, key absent: swaps.
  EXPECT_TRUE(kv_->compare_and_swap(store_, "c", std::nullopt, "1", soon()).value());
  EXPECT_EQ(get("c"), "1");
  // Expect absent, key present: no swap.
  EXPECT_FALSE(kv_->compare_and_swap(store_, "c", std::nullopt, "2", soon()).value());
  EXPECT_EQ(get("c"), "1");
  // Expected value matches.
  EXPECT_TRUE(kv_->compare_and_swap(store_, "c", "1", "3", soon()).value());
  EXPECT_EQ(get("c"), "3");
  // Mismatch.
  EXPECT_FALSE(kv_->compare_and_swap(store_, "c", "1", "4", soon()).value());
  EXPECT_EQ(get("c"), "3");
  // Expected a value, key absent: no swap, no error (also for an empty expected value).
  EXPECT_FALSE(kv_->compare_and_swap(store_, "d", "x", "5", soon()).value());
  EXPECT_FALSE(kv_->compare_and_swap(store_, "d", std::string_view(""), "5", soon()).value());
  EXPECT_EQ(get("d"), std::nullopt);
  set("e", "");
  EXPECT_TRUE(kv_->compare_and_swap(store_, "e", std::string_view(""), "6", soon()).value());
  EXPECT_EQ(get("e"), "6");
}

TEST_F(SqliteKvTest, StoresDefaultCreateDeleteAndIsolation) {
  auto listed = kv_->list_stores(2);  // default auto-created for a new owner
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->at(0).name, "default");
  EXPECT_GT(listed->at(0).created_at_ms, 0);

  auto created = kv_->create_store(1, "sessions");
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->name, "sessions");
  EXPECT_EQ(created->owner_id, 1);
  EXPECT_EQ(kv_->create_store(1, "sessions").error().kind, "conflict");
  EXPECT_EQ(kv_->create_store(1, "default").error().kind, "conflict");
  for (const std::string& bad :
       std::vector<std::string>{"", "-x", ".x", "a/b", "a b", std::string(65, 'a'), "é"}) {
    EXPECT_EQ(kv_->create_store(1, bad).error().kind, "invalid_argument") << bad;
  }
  EXPECT_TRUE(kv_->create_store(1, std::string(64, 'a')));

  // Owner 2 cannot reach owner 1's store by name, and its default is another store.
  EXPECT_EQ(kv_->find_store(2, "sessions").error().kind, "not_found");
  EXPECT_NE(kv_->find_store(2, "default")->id, store_);
  ASSERT_TRUE(kv_->set(created->id, "k", "v", soon()));
  EXPECT_TRUE(kv_->create_store(2, "sessions"));  // same name, other owner: its own
  EXPECT_EQ(kv_->get(kv_->find_store(2, "sessions")->id, "k", soon()).value(), std::nullopt);

  EXPECT_EQ(kv_->delete_store(1, "default").error().kind, "invalid_argument");
  EXPECT_EQ(kv_->delete_store(1, "nope").error().kind, "not_found");
  ASSERT_TRUE(kv_->delete_store(1, "sessions"));
  EXPECT_EQ(kv_->find_store(1, "sessions").error().kind, "not_found");
  // A handle from before the delete reaches nothing, and writes through it fail.
  EXPECT_EQ(kv_->get(created->id, "k", soon()).value(), std::nullopt);
  EXPECT_EQ(kv_->set(created->id, "k", "v", soon()).error().kind, "not_found");
  // The name is free again, under a new id.
  auto again = kv_->create_store(1, "sessions");
  ASSERT_TRUE(again);
  EXPECT_NE(again->id, created->id);
  EXPECT_EQ(kv_->get(again->id, "k", soon()).value(), std::nullopt);
  EXPECT_TRUE(kv_->find_store(2, "sessions"));
}

TEST_F(SqliteKvTest, StoreIdsAreNeverReusedAfterDeletingTheNewest) {
  auto a = kv_->create_store(1, "a");
  ASSERT_TRUE(a);
  ASSERT_TRUE(kv_->delete_store(1, "a"));
  open_backend();
  auto b = kv_->create_store(2, "b");
  ASSERT_TRUE(b);
  EXPECT_GT(b->id, a->id);
}

TEST_F(SqliteKvTest, MaxStoresPerOwnerCountsDefault) {
  open_backend(limits_with([](KvLimits& l) { l.max_stores_per_owner = 3; }));
  EXPECT_TRUE(kv_->create_store(1, "s1"));
  EXPECT_TRUE(kv_->create_store(1, "s2"));
  EXPECT_EQ(kv_->create_store(1, "s3").error().kind, "quota_exceeded");
  EXPECT_TRUE(kv_->create_store(2, "s1"));  // per owner
  ASSERT_TRUE(kv_->delete_store(1, "s1"));
  EXPECT_TRUE(kv_->create_store(1, "s3"));
}

TEST_F(SqliteKvTest, ConcurrentIncrementsAreExact) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (!kv_->increment(store_, "counter", 1, soon())) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(get("counter"), "4000");
}

TEST_F(SqliteKvTest, CompareAndSwapContentionAppendsEachOnce) {
  constexpr int kThreads = 4, kAppends = 100;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppends; ++i) {
        const std::string item = std::to_string(t) + ":" + std::to_string(i) + ",";
        for (int attempt = 0;; ++attempt) {
          auto current = kv_->get(store_, "list", soon());
          if (!current || attempt > 100000) {
            ++failures;
            break;
          }
          std::optional<std::string_view> expected;
          if (*current) expected = **current;
          auto swapped = kv_->compare_and_swap(store_, "list", expected,
                                               (*current ? **current : "") + item, soon());
          if (!swapped) {
            ++failures;
            break;
          }
          if (*swapped) break;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);
  auto list = *get("list");
  std::multiset<std::string> items;
  for (size_t start = 0; start < list.size();) {
    auto comma = list.find(',', start);
    items.insert(list.substr(start, comma - start));
    start = comma + 1;
  }
  EXPECT_EQ(items.size(), static_cast<size_t>(kThreads * kAppends));
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kAppends; ++i) {
      EXPECT_EQ(items.count(std::to_string(t) + ":" + std::to_string(i)), 1u);
    }
  }
}

TEST_F(SqliteKvTest, PastDeadlineWhileAnotherConnectionHoldsTheWriteLockIsUnavailable) {
  set("k", "before");
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() / "kv.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  const auto past = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  auto st = kv_->set(store_, "k", "after", past);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind, "unavailable");
  EXPECT_EQ(kv_->increment(store_, "n", 1, past).error().kind, "unavailable");
  EXPECT_EQ(kv_->compare_and_swap(store_, "k", std::nullopt, "x", past).error().kind,
            "unavailable");
  EXPECT_EQ(kv_->remove(store_, "k", past).error().kind, "unavailable");
  // Readers are not blocked by the writer (WAL).
  EXPECT_EQ(get("k"), "before");
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  set("k", "after");  // the backend recovered: its writer is not stuck in a transaction
  EXPECT_EQ(get("k"), "after");
}

TEST_F(SqliteKvTest, ReopeningTheFileKeepsEverything) {
  set("persist", "yes");
  ASSERT_TRUE(kv_->create_store(1, "other"));
  const KvStoreId before = store_;
  open_backend();
  EXPECT_EQ(store_, before);
  EXPECT_EQ(get("persist"), "yes");
  auto stores = kv_->list_stores(1);
  ASSERT_TRUE(stores);
  ASSERT_EQ(stores->size(), 2u);
  EXPECT_EQ(stores->at(0).name, "default");
  EXPECT_EQ(stores->at(1).name, "other");
}

// decisions.md: a kill -9 after acknowledged SQLite sets loses none. The child acknowledges
// each key on a pipe only after set() returned; the parent kills it after N acknowledgements
// (no timing involved), reopens the file and finds every acknowledged key.
TEST(SqliteKvCrashTest, KillNineAfterAcknowledgedSetsLosesNone) {
  testing::TempDir dir;
  const auto file = dir.path() / "kv.db";
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(pipe_fds[0]);
    auto kv = SqliteKvBackend::open(options_for(file));
    if (!kv) _exit(2);
    auto store = (*kv)->find_store(7, "default");
    if (!store) _exit(3);
    const auto deadline = std::chrono::steady_clock::time_point::max();
    for (uint32_t i = 0;; ++i) {
      const std::string key = "key-" + std::to_string(i);
      if (!(*kv)->set(store->id, key, "value-" + std::to_string(i) + std::string(100, 'x'),
                      deadline)) {
        _exit(4);
      }
      if (write(pipe_fds[1], &i, sizeof i) != sizeof i) _exit(5);
    }
  }
  close(pipe_fds[1]);
  constexpr uint32_t kKillAfter = 300;
  uint32_t acked = 0;
  std::vector<uint32_t> acknowledged;
  while (acknowledged.size() < kKillAfter &&
         read(pipe_fds[0], &acked, sizeof acked) == sizeof acked) {
    acknowledged.push_back(acked);
  }
  kill(child, SIGKILL);
  // Acknowledgements already in the pipe were sent after their set returned: they count.
  while (read(pipe_fds[0], &acked, sizeof acked) == sizeof acked) acknowledged.push_back(acked);
  close(pipe_fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child ended on its own with " << WEXITSTATUS(status);
  ASSERT_GE(acknowledged.size(), kKillAfter);

  auto kv = SqliteKvBackend::open(options_for(file));
  ASSERT_TRUE(kv) << kv.error().message;
  auto store = (*kv)->find_store(7, "default");
  ASSERT_TRUE(store);
  for (uint32_t i : acknowledged) {
    auto v = (*kv)->get(store->id, "key-" + std::to_string(i), soon());
    ASSERT_TRUE(v);
    ASSERT_TRUE(v->has_value()) << "acknowledged key-" << i << " lost";
    EXPECT_EQ(**v, "value-" + std::to_string(i) + std::string(100, 'x'));
  }
  EXPECT_GE(store->key_count, acknowledged.size());
}

}  // namespace
}  // namespace wa::platform

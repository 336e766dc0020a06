// SqliteKvBackend: the embedded KvBackend, developers' stores in their own SQLite file
// (<data_dir>/kv.db, apart from the metadata database so KV traffic never contends with it).
//
//   auto kv = SqliteKvBackend::open({.file = dir / "kv.db"});
//   auto store = (*kv)->find_store(owner_id, "default");     // cached after the first call
//   (*kv)->set(store->id, "k", "v", deadline);               // committed when it returns
//
// Durability: WAL journal; synchronous=NORMAL survives kill -9 of the process (a commit is
// in the WAL, in the OS, when set returns), synchronous=FULL also survives power loss.
// Concurrency: one writer connection behind a mutex (short BEGIN IMMEDIATE transactions)
// and a pool of reader connections, so reads never wait for writes.
// Deadlines: waiting for the writer mutex, for a lock held by another connection (busy
// handler) and long statements (progress handler) all give up at the caller's deadline
// with "unavailable".
// Store ids are never reused (AUTOINCREMENT): a handle resolved before a store was deleted
// can never reach a store created later under the same or another owner.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "capabilities/kv_backend.h"

namespace wa::platform {

struct SqliteKvOptions {
  std::filesystem::path file;
  capabilities::KvLimits limits;
  // false: synchronous=NORMAL (survives process crashes); true: FULL (also power loss).
  bool synchronous_full = false;
  // Reader connections kept open for reuse (more are opened when all are busy).
  size_t max_idle_readers = 8;
};

class SqliteKvBackend final : public capabilities::KvBackend {
 public:
  static Expected<std::unique_ptr<SqliteKvBackend>> open(SqliteKvOptions options);
  ~SqliteKvBackend() override;
  SqliteKvBackend(const SqliteKvBackend&) = delete;
  SqliteKvBackend& operator=(const SqliteKvBackend&) = delete;

  Expected<std::vector<capabilities::KvStoreInfo>> list_stores(int64_t owner_id) override;
  Expected<capabilities::KvStoreInfo> create_store(int64_t owner_id,
                                                   std::string_view name) override;
  Status delete_store(int64_t owner_id, std::string_view name) override;
  Expected<capabilities::KvStoreInfo> find_store(int64_t owner_id, std::string_view name) override;

  Expected<std::optional<std::string>> get(capabilities::KvStoreId store, std::string_view key,
                                           capabilities::KvDeadline deadline) override;
  Status set(capabilities::KvStoreId store, std::string_view key, std::string_view value,
             capabilities::KvDeadline deadline) override;
  Status remove(capabilities::KvStoreId store, std::string_view key,
                capabilities::KvDeadline deadline) override;
  Expected<bool> exists(capabilities::KvStoreId store, std::string_view key,
                        capabilities::KvDeadline deadline) override;
  Expected<capabilities::KvKeyPage> keys(capabilities::KvStoreId store, std::string_view prefix,
                                         std::string_view after, size_t limit,
                                         capabilities::KvDeadline deadline) override;
  Expected<int64_t> increment(capabilities::KvStoreId store, std::string_view key, int64_t delta,
                              capabilities::KvDeadline deadline) override;
  Expected<bool> compare_and_swap(capabilities::KvStoreId store, std::string_view key,
                                  std::optional<std::string_view> expected,
                                  std::string_view desired,
                                  capabilities::KvDeadline deadline) override;

  const capabilities::KvLimits& limits() const override { return options_.limits; }

  // 1-64 of [A-Za-z0-9_.-], starting with a letter or digit.
  static bool valid_store_name(std::string_view name);

  struct Connection;  // one sqlite3 handle with its prepared statements

 private:
  explicit SqliteKvBackend(SqliteKvOptions options);
  class ReaderLease;
  Expected<std::unique_ptr<Connection>> open_connection(bool writer);
  Expected<std::unique_ptr<Connection>> acquire_reader();
  void release_reader(std::unique_ptr<Connection> connection);

  // Runs `body` in a BEGIN IMMEDIATE transaction on the writer (committed when it returns
  // ok). The writer mutex is awaited only until the deadline.
  template <typename Body>
  std::invoke_result_t<Body&, Connection&> write(capabilities::KvDeadline deadline, Body&& body);
  // The new entry (key, value) replacing one of `old_size` value bytes (nullopt: absent):
  // checks and updates the store's bytes and key count. In a write transaction.
  Status put_entry(Connection& c, capabilities::KvStoreId store, std::string_view key,
                   std::string_view value, std::optional<size_t> old_size);
  Expected<std::optional<capabilities::KvStoreInfo>> load_store(Connection& c, int64_t owner_id,
                                                                std::string_view name);
  Expected<capabilities::KvStoreInfo> ensure_default(Connection& c, int64_t owner_id);
  Status check_key(std::string_view key) const;
  void note_counts(capabilities::KvStoreId store, uint64_t bytes, uint64_t key_count);

  SqliteKvOptions options_;
  std::timed_mutex writer_mutex_;
  std::unique_ptr<Connection> writer_;
  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;

  // find_store's cache: (owner, name) → store. Filled on the writer (under its mutex) so a
  // concurrent delete cannot leave a stale entry; counts kept current by every write.
  struct CacheKey {
    int64_t owner_id;
    std::string name;
    bool operator==(const CacheKey&) const = default;
  };
  struct CacheKeyHash {
    size_t operator()(const CacheKey& k) const;
  };
  std::shared_mutex cache_mutex_;
  std::unordered_map<CacheKey, capabilities::KvStoreInfo, CacheKeyHash> cache_;
  std::unordered_map<capabilities::KvStoreId, CacheKey> cache_by_id_;
  uint64_t cache_generation_ = 0;  // bumped by every delete_store
};

}  // namespace wa::platform

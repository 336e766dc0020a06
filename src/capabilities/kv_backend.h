// KvBackend: where developers' key-value stores live (SQLite embedded; Redis later).
//
// Stores belong to an owner (a user id) and are named; `default` exists for every owner
// (created on first use). Entries are scoped by store id, so a guest can only reach a
// store whose id the platform resolved for its own owner and grant.
//
// What `set` guarantees (every backend must document where it differs):
// - SQLite (embedded default): a `set`/`remove`/`increment`/`compare_and_swap` that
//   returned ok is committed: visible to every later read on this server, and it survives
//   a crash of the process (kill -9). Against power loss it survives with synchronous=FULL.
// - Redis write-behind (scale-out): read-your-writes on the same node at once; other nodes
//   within the flush interval; increment and compare-and-swap are ordered after that node's
//   pending sets of the key; a full queue answers "unavailable".
//
// Errors are wa::Error kinds: not_found, conflict (store exists), too_large (key, value),
// quota_exceeded (store bytes, stores per owner), invalid_argument (empty or bad key/name,
// value not an integer, increment overflow), unavailable (busy past the deadline, I/O).
// Every entry operation takes the caller's deadline: past it the backend gives up with
// "unavailable" instead of blocking (a guest's host call counts against its time limit).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/expected.h"

namespace wa::capabilities {

using KvDeadline = std::chrono::steady_clock::time_point;
using KvStoreId = int64_t;

inline constexpr std::string_view kDefaultStore = "default";

// Configurable limits (host-abi.md defaults).
struct KvLimits {
  size_t max_key_bytes = 1024;
  size_t max_value_bytes = 1u << 20;
  size_t max_page_bytes = 64u << 10;         // one kv_keys answer
  uint64_t store_quota_bytes = 64ull << 20;  // keys + values per store
  size_t max_stores_per_owner = 32;
};

struct KvStoreInfo {
  KvStoreId id = 0;
  int64_t owner_id = 0;
  std::string name;  // 1-64 of [A-Za-z0-9_.-], starting alnum (like action names)
  uint64_t key_count = 0;
  uint64_t bytes = 0;  // sum of key and value lengths, what the quota counts
  int64_t created_at_ms = 0;
};

struct KvKeyPage {
  std::vector<std::string> keys;  // in byte order, each strictly after the previous
  bool more = false;              // more keys with the prefix follow the last one
};

class KvBackend {
 public:
  virtual ~KvBackend() = default;

  // --- stores ---
  // All stores of the owner (`default` included, created if missing), by name.
  virtual Expected<std::vector<KvStoreInfo>> list_stores(int64_t owner_id) = 0;
  // conflict if it exists; invalid_argument for a bad name; quota_exceeded past
  // max_stores_per_owner.
  virtual Expected<KvStoreInfo> create_store(int64_t owner_id, std::string_view name) = 0;
  // Deletes the store and every entry in it; not_found if absent; invalid_argument for
  // `default` (it always exists).
  virtual Status delete_store(int64_t owner_id, std::string_view name) = 0;
  // not_found if absent (`default` is created on first use). Cheap: called on every
  // kv_open, so implementations cache it.
  virtual Expected<KvStoreInfo> find_store(int64_t owner_id, std::string_view name) = 0;

  // --- entries (keys and values are bytes) ---
  // nullopt when the key is absent.
  virtual Expected<std::optional<std::string>> get(KvStoreId store, std::string_view key,
                                                   KvDeadline deadline) = 0;
  virtual Status set(KvStoreId store, std::string_view key, std::string_view value,
                     KvDeadline deadline) = 0;
  // ok also when the key was absent.
  virtual Status remove(KvStoreId store, std::string_view key, KvDeadline deadline) = 0;
  virtual Expected<bool> exists(KvStoreId store, std::string_view key, KvDeadline deadline) = 0;
  // Up to `limit` keys starting with `prefix`, strictly after `after` (empty: from the
  // start), in byte order.
  virtual Expected<KvKeyPage> keys(KvStoreId store, std::string_view prefix, std::string_view after,
                                   size_t limit, KvDeadline deadline) = 0;
  // Atomic. The value is decimal ASCII (optional '-', digits; absent counts as 0); returns
  // the new value. invalid_argument if the value is not such an integer or the sum
  // overflows int64.
  virtual Expected<int64_t> increment(KvStoreId store, std::string_view key, int64_t delta,
                                      KvDeadline deadline) = 0;
  // Atomic. `expected` nullopt: swap only if the key is absent; otherwise only if the
  // current value equals it (an absent key never equals). Returns whether it swapped.
  virtual Expected<bool> compare_and_swap(KvStoreId store, std::string_view key,
                                          std::optional<std::string_view> expected,
                                          std::string_view desired, KvDeadline deadline) = 0;

  virtual const KvLimits& limits() const = 0;
};

}  // namespace wa::capabilities

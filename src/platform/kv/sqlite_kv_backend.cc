#include "platform/kv/sqlite_kv_backend.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <functional>
#include <thread>

#include "platform/clock.h"
#include "platform/error_kinds.h"

namespace wa::platform {

using capabilities::KvDeadline;
using capabilities::KvKeyPage;
using capabilities::KvStoreId;
using capabilities::KvStoreInfo;
using Steady = std::chrono::steady_clock;
namespace ek = error_kind;

namespace {

constexpr int kSchemaVersion = 1;
// Store management has no caller deadline; it still must not hang behind a stuck writer.
constexpr auto kManagementTimeout = std::chrono::seconds(5);
// VM instructions between deadline checks: cheap (one clock read) and fine-grained enough
// that a long scan stops within microseconds of the deadline.
constexpr int kProgressOps = 1000;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS stores (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  owner_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  bytes INTEGER NOT NULL DEFAULT 0,
  key_count INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  UNIQUE (owner_id, name)
);
CREATE TABLE IF NOT EXISTS entries (
  store_id INTEGER NOT NULL,
  key BLOB NOT NULL,
  value BLOB NOT NULL,
  PRIMARY KEY (store_id, key)
) WITHOUT ROWID;
)sql";

enum Stmt : size_t {
  kBegin,
  kCommit,
  kRollback,
  kValue,
  kValueSize,
  kExists,
  kUpsert,
  kDelete,
  kStoreCounts,
  kUpdateCounts,
  kKeysBounded,
  kKeysOpen,
  kLoadStore,
  kEnsureStore,
  kInsertStore,
  kListStores,
  kCountStores,
  kDeleteEntries,
  kDeleteStore,
  kStmtCount,
};

constexpr std::array<const char*, kStmtCount> kSql = {
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    "SELECT value FROM entries WHERE store_id = ?1 AND key = ?2",
    "SELECT length(value) FROM entries WHERE store_id = ?1 AND key = ?2",
    "SELECT 1 FROM entries WHERE store_id = ?1 AND key = ?2",
    "INSERT INTO entries (store_id, key, value) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (store_id, key) DO UPDATE SET value = excluded.value",
    "DELETE FROM entries WHERE store_id = ?1 AND key = ?2",
    "SELECT bytes, key_count FROM stores WHERE id = ?1",
    "UPDATE stores SET bytes = ?2, key_count = ?3 WHERE id = ?1",
    "SELECT key FROM entries WHERE store_id = ?1 AND key > ?2 AND key >= ?3 AND key < ?4 "
    "ORDER BY key LIMIT ?5",
    "SELECT key FROM entries WHERE store_id = ?1 AND key > ?2 AND key >= ?3 "
    "ORDER BY key LIMIT ?4",
    "SELECT id, owner_id, name, bytes, key_count, created_at FROM stores "
    "WHERE owner_id = ?1 AND name = ?2",
    "INSERT OR IGNORE INTO stores (owner_id, name, created_at) VALUES (?1, ?2, ?3)",
    "INSERT INTO stores (owner_id, name, created_at) VALUES (?1, ?2, ?3)",
    "SELECT id, owner_id, name, bytes, key_count, created_at FROM stores "
    "WHERE owner_id = ?1 ORDER BY name",
    "SELECT count(*) FROM stores WHERE owner_id = ?1",
    "DELETE FROM entries WHERE store_id = ?1",
    "DELETE FROM stores WHERE id = ?1",
};

Error unavailable(std::string message) {
  return make_error("unavailable", "key-value store: " + std::move(message));
}

int busy_handler(void* arg, int count);
int progress_handler(void* arg);

}  // namespace

struct SqliteKvBackend::Connection {
  sqlite3* db = nullptr;
  std::array<sqlite3_stmt*, kStmtCount> statements{};
  // What the busy and progress handlers give up at (max: never).
  KvDeadline deadline = KvDeadline::max();
  // Counts a write transaction produced, published to the cache after it commits.
  KvStoreId pending_store = 0;
  uint64_t pending_bytes = 0;
  uint64_t pending_keys = 0;

  ~Connection() {
    for (auto* s : statements) sqlite3_finalize(s);
    sqlite3_close(db);
  }

  Error error(int rc, std::string_view what) const {
    const int primary = rc & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
      return unavailable(std::string(what) + ": busy past the deadline");
    }
    if (primary == SQLITE_INTERRUPT) return unavailable(std::string(what) + ": past the deadline");
    return unavailable(std::string(what) + ": " + sqlite3_errmsg(db));
  }

  Expected<sqlite3_stmt*> statement(Stmt which) {
    if (auto* s = statements[which]) return s;
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v3(db, kSql[which], -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr);
    if (rc != SQLITE_OK) return error(rc, "prepare");
    statements[which] = s;
    return s;
  }

  Status exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message ? message : sqlite3_errmsg(db);
      sqlite3_free(message);
      return unavailable(text);
    }
    return ok_status();
  }
};

namespace {

using Connection = SqliteKvBackend::Connection;

int busy_handler(void* arg, int count) {
  auto* c = static_cast<Connection*>(arg);
  auto now = Steady::now();
  if (now >= c->deadline) return 0;
  std::chrono::nanoseconds left = c->deadline - now;
  std::chrono::nanoseconds step = std::chrono::microseconds(50) * (1 << std::min(count, 7));
  std::this_thread::sleep_for(std::min(left, step));
  return 1;
}

int progress_handler(void* arg) {
  auto* c = static_cast<Connection*>(arg);
  return Steady::now() >= c->deadline ? 1 : 0;
}

// One use of a prepared statement: binds, steps, and resets it when it goes out of scope
// (so a statement never holds a read snapshot open between calls).
class Query {
 public:
  Query(Connection& c, sqlite3_stmt* s) : c_(c), s_(s) {}
  ~Query() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  // Bytes as a BLOB (never NULL, also when empty: a NULL pointer would bind NULL). The
  // caller's bytes outlive the statement's use of them, so SQLITE_STATIC is safe.
  Query& blob(int i, std::string_view bytes) {
    static const char kEmpty = 0;
    sqlite3_bind_blob(s_, i, bytes.empty() ? &kEmpty : bytes.data(), static_cast<int>(bytes.size()),
                      SQLITE_STATIC);
    return *this;
  }
  Query& text(int i, std::string_view text) {
    sqlite3_bind_text(s_, i, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
    return *this;
  }
  Query& integer(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(s_); }
  int64_t column_int(int i) const { return sqlite3_column_int64(s_, i); }
  std::string column_bytes(int i) const {
    auto* p = static_cast<const char*>(sqlite3_column_blob(s_, i));
    const int n = sqlite3_column_bytes(s_, i);
    return p ? std::string(p, static_cast<size_t>(n)) : std::string();
  }
  std::string_view column_view(int i) const {
    auto* p = static_cast<const char*>(sqlite3_column_blob(s_, i));
    const int n = sqlite3_column_bytes(s_, i);
    return p ? std::string_view(p, static_cast<size_t>(n)) : std::string_view();
  }

 private:
  Connection& c_;
  sqlite3_stmt* s_;
};

// Runs a statement that returns no rows.
Status run(Connection& c, Stmt which, const std::function<void(Query&)>& bind,
           std::string_view what) {
  auto s = c.statement(which);
  if (!s) return s.error();
  Query q(c, *s);
  bind(q);
  int rc = q.step();
  if (rc != SQLITE_DONE) return c.error(rc, what);
  return ok_status();
}

KvStoreInfo store_from_row(const Query& q) {
  KvStoreInfo info;
  info.id = q.column_int(0);
  info.owner_id = q.column_int(1);
  info.name = std::string(q.column_view(2));
  info.bytes = static_cast<uint64_t>(q.column_int(3));
  info.key_count = static_cast<uint64_t>(q.column_int(4));
  info.created_at_ms = q.column_int(5);
  return info;
}

// Decimal ASCII int64: optional '-', then digits only.
std::optional<int64_t> parse_decimal(std::string_view text) {
  size_t i = !text.empty() && text[0] == '-' ? 1 : 0;
  if (i == text.size()) return std::nullopt;
  for (size_t j = i; j < text.size(); ++j) {
    if (text[j] < '0' || text[j] > '9') return std::nullopt;
  }
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The smallest byte string greater than every string starting with `prefix`, or nullopt
// when there is none (prefix empty or all 0xFF).
std::optional<std::string> prefix_successor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty() && static_cast<unsigned char>(s.back()) == 0xFF) s.pop_back();
  if (s.empty()) return std::nullopt;
  s.back() = static_cast<char>(static_cast<unsigned char>(s.back()) + 1);
  return s;
}

// A store's byte and key counts, read and written in the writer's transaction.
struct StoreCounts {
  uint64_t bytes = 0;
  uint64_t keys = 0;
};

// nullopt when the store no longer exists.
Expected<std::optional<StoreCounts>> read_counts(Connection& c, KvStoreId store) {
  auto s = c.statement(kStoreCounts);
  if (!s) return s.error();
  Query q(c, *s);
  q.integer(1, store);
  int rc = q.step();
  if (rc == SQLITE_DONE) return std::optional<StoreCounts>();
  if (rc != SQLITE_ROW) return c.error(rc, "read the store");
  return std::optional<StoreCounts>(
      StoreCounts{static_cast<uint64_t>(q.column_int(0)), static_cast<uint64_t>(q.column_int(1))});
}

// Writes the counts and notes them for the cache, which takes them once the commit lands.
Status save_counts(Connection& c, KvStoreId store, StoreCounts counts) {
  if (auto st = run(
          c, kUpdateCounts,
          [&](Query& q) {
            q.integer(1, store)
                .integer(2, static_cast<int64_t>(counts.bytes))
                .integer(3, static_cast<int64_t>(counts.keys));
          },
          "update the store");
      !st) {
    return st;
  }
  c.pending_store = store;
  c.pending_bytes = counts.bytes;
  c.pending_keys = counts.keys;
  return ok_status();
}

}  // namespace

size_t SqliteKvBackend::CacheKeyHash::operator()(const CacheKey& k) const {
  return std::hash<std::string>()(k.name) ^
         (std::hash<int64_t>()(k.owner_id) * 0x9e3779b97f4a7c15ull);
}

class SqliteKvBackend::ReaderLease {
 public:
  ReaderLease(SqliteKvBackend& backend, std::unique_ptr<Connection> c)
      : backend_(backend), c_(std::move(c)) {}
  ~ReaderLease() { backend_.release_reader(std::move(c_)); }
  ReaderLease(const ReaderLease&) = delete;
  ReaderLease& operator=(const ReaderLease&) = delete;
  Connection& operator*() { return *c_; }

 private:
  SqliteKvBackend& backend_;
  std::unique_ptr<Connection> c_;
};

SqliteKvBackend::SqliteKvBackend(SqliteKvOptions options) : options_(std::move(options)) {}

SqliteKvBackend::~SqliteKvBackend() = default;

bool SqliteKvBackend::valid_store_name(std::string_view name) {
  auto allowed = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  };
  return !name.empty() && name.size() <= 64 && std::isalnum(static_cast<unsigned char>(name[0])) &&
         std::all_of(name.begin(), name.end(), allowed);
}

Expected<std::unique_ptr<SqliteKvBackend>> SqliteKvBackend::open(SqliteKvOptions options) {
  std::error_code ec;
  if (options.file.has_parent_path())
    std::filesystem::create_directories(options.file.parent_path(), ec);
  auto backend = std::unique_ptr<SqliteKvBackend>(new SqliteKvBackend(std::move(options)));
  auto writer = backend->open_connection(true);
  if (!writer) return writer.error();
  backend->writer_ = std::move(writer).value();
  Connection& c = *backend->writer_;
  // Another process holding the file (a second server on the same data dir) must not hang
  // the start: give up after a while with the reason.
  c.deadline = Steady::now() + std::chrono::seconds(30);
  if (auto st = c.exec("PRAGMA journal_mode = WAL"); !st) return st.error();
  if (auto st = c.exec(backend->options_.synchronous_full ? "PRAGMA synchronous = FULL"
                                                          : "PRAGMA synchronous = NORMAL");
      !st) {
    return st.error();
  }
  // Versioned schema in user_version: 0 = fresh file.
  if (auto st = c.exec("BEGIN IMMEDIATE"); !st) return st.error();
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(c.db, "PRAGMA user_version", -1, &s, nullptr);
  int version = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
  sqlite3_finalize(s);
  Status migrated = ok_status();
  if (version < 0) {
    migrated = unavailable("cannot read the schema version");
  } else if (version > kSchemaVersion) {
    migrated = unavailable("the file " + backend->options_.file.string() + " has schema version " +
                           std::to_string(version) + ", newer than this server's " +
                           std::to_string(kSchemaVersion));
  } else if (version == 0) {
    migrated = c.exec(kSchema);
    if (migrated) migrated = c.exec("PRAGMA user_version = 1");
  }
  if (!migrated) {
    (void)c.exec("ROLLBACK");
    return migrated.error();
  }
  if (auto st = c.exec("COMMIT"); !st) return st.error();
  c.deadline = KvDeadline::max();
  return backend;
}

Expected<std::unique_ptr<Connection>> SqliteKvBackend::open_connection(bool writer) {
  auto c = std::make_unique<Connection>();
  // NOMUTEX: each connection is used by one thread at a time (writer mutex, reader pool).
  int rc =
      sqlite3_open_v2(options_.file.c_str(), &c->db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    return unavailable("cannot open " + options_.file.string() + ": " +
                       (c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(c->db, 1);
  sqlite3_busy_handler(c->db, busy_handler, c.get());
  sqlite3_progress_handler(c->db, kProgressOps, progress_handler, c.get());
  if (!writer) {
    if (auto st = c->exec("PRAGMA query_only = 1"); !st) return st.error();
  }
  return c;
}

Expected<std::unique_ptr<Connection>> SqliteKvBackend::acquire_reader() {
  {
    std::lock_guard lock(readers_mutex_);
    if (!idle_readers_.empty()) {
      auto c = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return c;
    }
  }
  return open_connection(false);
}

void SqliteKvBackend::release_reader(std::unique_ptr<Connection> c) {
  if (!c) return;
  c->deadline = KvDeadline::max();
  std::lock_guard lock(readers_mutex_);
  if (idle_readers_.size() < options_.max_idle_readers) idle_readers_.push_back(std::move(c));
}

template <typename Body>
std::invoke_result_t<Body&, Connection&> SqliteKvBackend::write(KvDeadline deadline, Body&& body) {
  std::unique_lock lock(writer_mutex_, std::defer_lock);
  if (!lock.try_lock_until(deadline)) return unavailable("busy past the deadline");
  Connection& c = *writer_;
  c.deadline = deadline;
  c.pending_store = 0;
  auto begin = run(
      c, kBegin, [](Query&) {}, "begin");
  if (!begin) {
    c.deadline = KvDeadline::max();
    return begin.error();
  }
  auto result = body(c);
  // COMMIT and ROLLBACK are never interrupted: the transaction must end either way.
  c.deadline = KvDeadline::max();
  if (result) {
    auto commit = run(
        c, kCommit, [](Query&) {}, "commit");
    if (commit) {
      if (c.pending_store != 0) note_counts(c.pending_store, c.pending_bytes, c.pending_keys);
      return result;
    }
    result = commit.error();
  }
  if (!sqlite3_get_autocommit(c.db))
    (void)run(
        c, kRollback, [](Query&) {}, "rollback");
  return result;
}

Status SqliteKvBackend::check_key(std::string_view key) const {
  if (key.empty()) return make_error(std::string(ek::kInvalidArgument), "the key is empty");
  if (key.size() > options_.limits.max_key_bytes) {
    return make_error("too_large", "the key has " + std::to_string(key.size()) +
                                       " bytes, more than the limit of " +
                                       std::to_string(options_.limits.max_key_bytes));
  }
  return ok_status();
}

void SqliteKvBackend::note_counts(KvStoreId store, uint64_t bytes, uint64_t key_count) {
  std::unique_lock lock(cache_mutex_);
  auto it = cache_by_id_.find(store);
  if (it == cache_by_id_.end()) return;
  auto entry = cache_.find(it->second);
  if (entry == cache_.end()) return;
  entry->second.bytes = bytes;
  entry->second.key_count = key_count;
}

Status SqliteKvBackend::put_entry(Connection& c, KvStoreId store, std::string_view key,
                                  std::string_view value, std::optional<size_t> old_size) {
  auto counts = read_counts(c, store);
  if (!counts) return counts.error();
  if (!*counts) return make_error(std::string(ek::kNotFound), "the store no longer exists");
  uint64_t bytes = (*counts)->bytes;
  uint64_t keys = (*counts)->keys;
  const uint64_t old_total = old_size ? key.size() + *old_size : 0;
  const uint64_t new_total = key.size() + value.size();
  bytes = bytes - std::min(bytes, old_total) + new_total;
  if (!old_size) ++keys;
  // A write that shrinks the store is always allowed (also over a lowered quota).
  if (new_total > old_total && bytes > options_.limits.store_quota_bytes) {
    return make_error(std::string(ek::kQuotaExceeded),
                      "the store would hold " + std::to_string(bytes) +
                          " bytes, more than its quota of " +
                          std::to_string(options_.limits.store_quota_bytes));
  }
  if (auto st = run(
          c, kUpsert, [&](Query& q) { q.integer(1, store).blob(2, key).blob(3, value); }, "write");
      !st) {
    return st;
  }
  return save_counts(c, store, {bytes, keys});
}

namespace {

// The current value's size (nullopt: absent), in the writer's transaction.
Expected<std::optional<size_t>> value_size(Connection& c, KvStoreId store, std::string_view key) {
  auto s = c.statement(kValueSize);
  if (!s) return s.error();
  Query q(c, *s);
  q.integer(1, store).blob(2, key);
  int rc = q.step();
  if (rc == SQLITE_DONE) return std::optional<size_t>();
  if (rc != SQLITE_ROW) return c.error(rc, "read");
  return std::optional<size_t>(static_cast<size_t>(q.column_int(0)));
}

Expected<std::optional<std::string>> read_value(Connection& c, KvStoreId store,
                                                std::string_view key) {
  auto s = c.statement(kValue);
  if (!s) return s.error();
  Query q(c, *s);
  q.integer(1, store).blob(2, key);
  int rc = q.step();
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return c.error(rc, "read");
  return std::optional<std::string>(q.column_bytes(0));
}

}  // namespace

// --- stores ---

Expected<std::optional<KvStoreInfo>> SqliteKvBackend::load_store(Connection& c, int64_t owner_id,
                                                                 std::string_view name) {
  auto s = c.statement(kLoadStore);
  if (!s) return s.error();
  Query q(c, *s);
  q.integer(1, owner_id).text(2, name);
  int rc = q.step();
  if (rc == SQLITE_DONE) return std::optional<KvStoreInfo>();
  if (rc != SQLITE_ROW) return c.error(rc, "read the store");
  return std::optional<KvStoreInfo>(store_from_row(q));
}

Expected<KvStoreInfo> SqliteKvBackend::ensure_default(Connection& c, int64_t owner_id) {
  if (auto st = run(
          c, kEnsureStore,
          [&](Query& q) {
            q.integer(1, owner_id).text(2, capabilities::kDefaultStore).integer(3, now_unix_ms());
          },
          "create the default store");
      !st) {
    return st.error();
  }
  auto loaded = load_store(c, owner_id, capabilities::kDefaultStore);
  if (!loaded) return loaded.error();
  if (!*loaded) return unavailable("the default store vanished");
  return std::move(**loaded);
}

Expected<KvStoreInfo> SqliteKvBackend::find_store(int64_t owner_id, std::string_view name) {
  if (!valid_store_name(name)) {
    return make_error(std::string(ek::kInvalidArgument),
                      "bad store name (1-64 of A-Z a-z 0-9 _ . -, starting with a letter or "
                      "digit)");
  }
  CacheKey key{owner_id, std::string(name)};
  uint64_t generation = 0;
  {
    std::shared_lock lock(cache_mutex_);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    generation = cache_generation_;
  }
  std::optional<KvStoreInfo> found;
  if (name == capabilities::kDefaultStore) {
    auto info = write(Steady::now() + kManagementTimeout,
                      [&](Connection& c) { return ensure_default(c, owner_id); });
    if (!info) return info.error();
    found = std::move(*info);
  } else {
    auto reader = acquire_reader();
    if (!reader) return reader.error();
    ReaderLease lease(*this, std::move(*reader));
    (*lease).deadline = Steady::now() + kManagementTimeout;
    auto loaded = load_store(*lease, owner_id, name);
    if (!loaded) return loaded.error();
    if (!*loaded) {
      return make_error(std::string(ek::kNotFound),
                        "no key-value store \"" + std::string(name) + "\"");
    }
    found = std::move(*loaded);
  }
  std::unique_lock lock(cache_mutex_);
  // A delete since the lookup began may have removed what was read: do not cache it.
  if (generation == cache_generation_) {
    cache_by_id_[found->id] = key;
    cache_.emplace(std::move(key), *found);
  }
  return std::move(*found);
}

Expected<std::vector<KvStoreInfo>> SqliteKvBackend::list_stores(int64_t owner_id) {
  if (auto def = find_store(owner_id, capabilities::kDefaultStore); !def) return def.error();
  auto reader = acquire_reader();
  if (!reader) return reader.error();
  ReaderLease lease(*this, std::move(*reader));
  Connection& c = *lease;
  c.deadline = Steady::now() + kManagementTimeout;
  auto s = c.statement(kListStores);
  if (!s) return s.error();
  Query q(c, *s);
  q.integer(1, owner_id);
  std::vector<KvStoreInfo> out;
  for (;;) {
    int rc = q.step();
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return c.error(rc, "list stores");
    out.push_back(store_from_row(q));
  }
  return out;
}

Expected<KvStoreInfo> SqliteKvBackend::create_store(int64_t owner_id, std::string_view name) {
  if (!valid_store_name(name)) {
    return make_error(std::string(ek::kInvalidArgument),
                      "bad store name \"" + std::string(name) +
                          "\" (1-64 of A-Z a-z 0-9 _ . -, starting with a letter or digit)");
  }
  auto exists = [&] {
    return make_error(std::string(ek::kConflict),
                      "a key-value store named \"" + std::string(name) + "\" already exists");
  };
  if (name == capabilities::kDefaultStore) return exists();
  return write(Steady::now() + kManagementTimeout, [&](Connection& c) -> Expected<KvStoreInfo> {
    if (auto def = ensure_default(c, owner_id); !def) return def.error();
    auto count_stmt = c.statement(kCountStores);
    if (!count_stmt) return count_stmt.error();
    {
      Query q(c, *count_stmt);
      q.integer(1, owner_id);
      int rc = q.step();
      if (rc != SQLITE_ROW) return c.error(rc, "count stores");
      if (static_cast<uint64_t>(q.column_int(0)) >= options_.limits.max_stores_per_owner) {
        return make_error(std::string(ek::kQuotaExceeded),
                          "at most " + std::to_string(options_.limits.max_stores_per_owner) +
                              " key-value stores per user (default included)");
      }
    }
    auto s = c.statement(kInsertStore);
    if (!s) return s.error();
    {
      Query q(c, *s);
      q.integer(1, owner_id).text(2, name).integer(3, now_unix_ms());
      int rc = q.step();
      if ((rc & 0xff) == SQLITE_CONSTRAINT) return exists();
      if (rc != SQLITE_DONE) return c.error(rc, "create the store");
    }
    auto loaded = load_store(c, owner_id, name);
    if (!loaded) return loaded.error();
    if (!*loaded) return unavailable("the new store vanished");
    return std::move(**loaded);
  });
}

Status SqliteKvBackend::delete_store(int64_t owner_id, std::string_view name) {
  if (name == capabilities::kDefaultStore) {
    return make_error(std::string(ek::kInvalidArgument),
                      "the default store always exists and cannot be deleted");
  }
  if (!valid_store_name(name)) {
    return make_error(std::string(ek::kNotFound),
                      "no key-value store \"" + std::string(name) + "\"");
  }
  // No deadline: dropping a big store takes as long as it takes, and must finish.
  auto deleted = write(KvDeadline::max(), [&](Connection& c) -> Status {
    auto loaded = load_store(c, owner_id, name);
    if (!loaded) return loaded.error();
    if (!*loaded) {
      return make_error(std::string(ek::kNotFound),
                        "no key-value store \"" + std::string(name) + "\"");
    }
    const KvStoreId id = (*loaded)->id;
    if (auto st = run(
            c, kDeleteEntries, [&](Query& q) { q.integer(1, id); }, "delete entries");
        !st) {
      return st;
    }
    return run(
        c, kDeleteStore, [&](Query& q) { q.integer(1, id); }, "delete the store");
  });
  if (!deleted) return deleted;
  std::unique_lock lock(cache_mutex_);
  ++cache_generation_;
  CacheKey key{owner_id, std::string(name)};
  if (auto it = cache_.find(key); it != cache_.end()) {
    cache_by_id_.erase(it->second.id);
    cache_.erase(it);
  }
  return ok_status();
}

// --- entries ---

Expected<std::optional<std::string>> SqliteKvBackend::get(KvStoreId store, std::string_view key,
                                                          KvDeadline deadline) {
  if (auto st = check_key(key); !st) return st.error();
  auto reader = acquire_reader();
  if (!reader) return reader.error();
  ReaderLease lease(*this, std::move(*reader));
  (*lease).deadline = deadline;
  return read_value(*lease, store, key);
}

Expected<bool> SqliteKvBackend::exists(KvStoreId store, std::string_view key, KvDeadline deadline) {
  if (auto st = check_key(key); !st) return st.error();
  auto reader = acquire_reader();
  if (!reader) return reader.error();
  ReaderLease lease(*this, std::move(*reader));
  Connection& c = *lease;
  c.deadline = deadline;
  auto s = c.statement(kExists);
  if (!s) return s.error();
  Query q(c, *s);
  q.integer(1, store).blob(2, key);
  int rc = q.step();
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return c.error(rc, "read");
}

Expected<KvKeyPage> SqliteKvBackend::keys(KvStoreId store, std::string_view prefix,
                                          std::string_view after, size_t limit,
                                          KvDeadline deadline) {
  const size_t max_key = options_.limits.max_key_bytes;
  if (prefix.size() > max_key || after.size() > max_key) {
    return make_error("too_large",
                      "the prefix or the key to list after is longer than the key "
                      "limit of " +
                          std::to_string(max_key) + " bytes");
  }
  auto reader = acquire_reader();
  if (!reader) return reader.error();
  ReaderLease lease(*this, std::move(*reader));
  Connection& c = *lease;
  c.deadline = deadline;
  const auto upper = prefix_successor(prefix);
  auto s = c.statement(upper ? kKeysBounded : kKeysOpen);
  if (!s) return s.error();
  // One more than asked for tells whether more follow.
  const int64_t fetch = static_cast<int64_t>(std::min<size_t>(limit, 1u << 30)) + 1;
  Query q(c, *s);
  q.integer(1, store).blob(2, after).blob(3, prefix);
  if (upper) {
    q.blob(4, *upper).integer(5, fetch);
  } else {
    q.integer(4, fetch);
  }
  KvKeyPage page;
  for (;;) {
    int rc = q.step();
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return c.error(rc, "list keys");
    if (page.keys.size() == limit) {
      page.more = true;
      break;
    }
    page.keys.push_back(q.column_bytes(0));
  }
  return page;
}

Expected<std::vector<std::optional<uint64_t>>> SqliteKvBackend::value_sizes(
    KvStoreId store, const std::vector<std::string>& keys, KvDeadline deadline) {
  auto reader = acquire_reader();
  if (!reader) return reader.error();
  ReaderLease lease(*this, std::move(*reader));
  (*lease).deadline = deadline;
  std::vector<std::optional<uint64_t>> sizes;
  sizes.reserve(keys.size());
  for (const auto& key : keys) {
    auto size = value_size(*lease, store, key);
    if (!size) return size.error();
    sizes.push_back(*size ? std::optional<uint64_t>(**size) : std::nullopt);
  }
  return sizes;
}

Status SqliteKvBackend::set(KvStoreId store, std::string_view key, std::string_view value,
                            KvDeadline deadline) {
  if (auto st = check_key(key); !st) return st;
  if (value.size() > options_.limits.max_value_bytes) {
    return make_error("too_large", "the value has " + std::to_string(value.size()) +
                                       " bytes, more than the limit of " +
                                       std::to_string(options_.limits.max_value_bytes));
  }
  return write(deadline, [&](Connection& c) -> Status {
    auto old = value_size(c, store, key);
    if (!old) return old.error();
    return put_entry(c, store, key, value, *old);
  });
}

Status SqliteKvBackend::remove(KvStoreId store, std::string_view key, KvDeadline deadline) {
  if (auto st = check_key(key); !st) return st;
  return write(deadline, [&](Connection& c) -> Status {
    auto old = value_size(c, store, key);
    if (!old) return old.error();
    if (!*old) return ok_status();
    auto counts = read_counts(c, store);
    if (!counts) return counts.error();
    StoreCounts now = counts->value_or(StoreCounts{});
    if (auto st = run(
            c, kDelete, [&](Query& q) { q.integer(1, store).blob(2, key); }, "delete");
        !st) {
      return st;
    }
    now.bytes -= std::min<uint64_t>(now.bytes, key.size() + **old);
    now.keys -= now.keys > 0 ? 1 : 0;
    return save_counts(c, store, now);
  });
}

Expected<int64_t> SqliteKvBackend::increment(KvStoreId store, std::string_view key, int64_t delta,
                                             KvDeadline deadline) {
  if (auto st = check_key(key); !st) return st.error();
  return write(deadline, [&](Connection& c) -> Expected<int64_t> {
    auto current = read_value(c, store, key);
    if (!current) return current.error();
    int64_t value = 0;
    if (*current) {
      auto parsed = parse_decimal(**current);
      if (!parsed) {
        return make_error(std::string(ek::kInvalidArgument),
                          "the value is not a decimal integer, so it cannot be incremented");
      }
      value = *parsed;
    }
    int64_t sum = 0;
    if (__builtin_add_overflow(value, delta, &sum)) {
      return make_error(std::string(ek::kInvalidArgument),
                        "the increment overflows a 64-bit integer");
    }
    const std::string text = std::to_string(sum);
    std::optional<size_t> old_size;
    if (*current) old_size = (*current)->size();
    if (auto st = put_entry(c, store, key, text, old_size); !st) return st.error();
    return sum;
  });
}

Expected<bool> SqliteKvBackend::compare_and_swap(KvStoreId store, std::string_view key,
                                                 std::optional<std::string_view> expected,
                                                 std::string_view desired, KvDeadline deadline) {
  if (auto st = check_key(key); !st) return st.error();
  if (desired.size() > options_.limits.max_value_bytes) {
    return make_error("too_large", "the value has " + std::to_string(desired.size()) +
                                       " bytes, more than the limit of " +
                                       std::to_string(options_.limits.max_value_bytes));
  }
  return write(deadline, [&](Connection& c) -> Expected<bool> {
    auto current = read_value(c, store, key);
    if (!current) return current.error();
    const bool matches = expected ? (*current && **current == *expected) : !*current;
    if (!matches) return false;
    std::optional<size_t> old_size;
    if (*current) old_size = (*current)->size();
    if (auto st = put_entry(c, store, key, desired, old_size); !st) return st.error();
    return true;
  });
}

}  // namespace wa::platform

#include "platform/database.h"

#include <sqlite3.h>

#include <mutex>
#include <thread>
#include <unordered_map>

#include "platform/error_kinds.h"
#include "platform/schema.h"

namespace wa::platform {

int64_t SqlRow::integer(size_t i) const {
  const auto& v = values.at(i);
  if (auto p = std::get_if<int64_t>(&v)) return *p;
  if (auto p = std::get_if<double>(&v)) return static_cast<int64_t>(*p);
  return 0;
}

double SqlRow::real(size_t i) const {
  const auto& v = values.at(i);
  if (auto p = std::get_if<double>(&v)) return *p;
  if (auto p = std::get_if<int64_t>(&v)) return static_cast<double>(*p);
  return 0;
}

std::string SqlRow::text(size_t i) const {
  const auto& v = values.at(i);
  if (auto p = std::get_if<std::string>(&v)) return *p;
  if (auto p = std::get_if<int64_t>(&v)) return std::to_string(*p);
  return "";
}

std::optional<int64_t> SqlRow::optional_integer(size_t i) const {
  if (is_null(i)) return std::nullopt;
  return integer(i);
}

namespace {

// One connection shared by all threads; a recursive mutex serialises statements and lets a
// transaction's body run its own statements on the same thread.
class SqliteDatabase final : public Database {
 public:
  explicit SqliteDatabase(sqlite3* handle) : db_(handle) {}
  ~SqliteDatabase() override {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close(db_);
  }

  Expected<SqlResult> query(std::string_view sql, std::vector<SqlValue> params) override {
    std::lock_guard lock(mutex_);
    auto stmt = prepare(sql);
    if (!stmt) return stmt.error();
    auto result = run(*stmt, params);
    sqlite3_reset(*stmt);
    sqlite3_clear_bindings(*stmt);
    return result;
  }

  Status transaction(const std::function<Status()>& body) override {
    std::lock_guard lock(mutex_);
    const bool outer = depth_ == 0;
    const std::string savepoint = "sp" + std::to_string(depth_);
    auto begin = exec(outer ? "BEGIN IMMEDIATE" : "SAVEPOINT " + savepoint);
    if (!begin.ok()) return begin;
    ++depth_;
    Status result = body();
    --depth_;
    if (result.ok()) {
      auto end = exec(outer ? "COMMIT" : "RELEASE " + savepoint);
      if (end.ok()) return result;
      result = end;
    }
    if (outer) {
      (void)exec("ROLLBACK");
    } else {
      (void)exec("ROLLBACK TO " + savepoint);
      (void)exec("RELEASE " + savepoint);
    }
    return result;
  }

  Expected<int> schema_version() override {
    auto exists = query(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'", {});
    if (!exists) return exists.error();
    if (exists->rows.at(0).integer(0) == 0) return 0;
    auto version = query("SELECT max(version) FROM schema_version", {});
    if (!version) return version.error();
    return static_cast<int>(version->rows.at(0).integer(0));
  }

  std::string_view backend_name() const override { return "sqlite"; }

  Status exec(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message ? message : sqlite3_errmsg(db_);
      sqlite3_free(message);
      return make_error(std::string(error_kind::kStorage), "database: " + text + " (" + sql + ")");
    }
    return ok_status();
  }

 private:
  Expected<sqlite3_stmt*> prepare(std::string_view sql) {
    std::string key(sql);
    if (auto it = statements_.find(key); it != statements_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, key.c_str(), static_cast<int>(key.size()), &stmt, nullptr) !=
        SQLITE_OK) {
      return make_error(std::string(error_kind::kStorage),
                        std::string("database: ") + sqlite3_errmsg(db_) + " in: " + key);
    }
    statements_.emplace(std::move(key), stmt);
    return stmt;
  }

  Status bind(sqlite3_stmt* stmt, const std::vector<SqlValue>& params) {
    for (size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i + 1);
      int rc = std::visit(
          [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::nullptr_t>) {
              return sqlite3_bind_null(stmt, index);
            } else if constexpr (std::is_same_v<T, int64_t>) {
              return sqlite3_bind_int64(stmt, index, v);
            } else if constexpr (std::is_same_v<T, double>) {
              return sqlite3_bind_double(stmt, index, v);
            } else {
              return sqlite3_bind_text(stmt, index, v.data(), static_cast<int>(v.size()),
                                       SQLITE_TRANSIENT);
            }
          },
          params[i]);
      if (rc != SQLITE_OK) {
        return make_error(std::string(error_kind::kStorage),
                          std::string("database: cannot bind: ") + sqlite3_errmsg(db_));
      }
    }
    return ok_status();
  }

  static SqlValue column(sqlite3_stmt* stmt, int i) {
    switch (sqlite3_column_type(stmt, i)) {
      case SQLITE_INTEGER:
        return static_cast<int64_t>(sqlite3_column_int64(stmt, i));
      case SQLITE_FLOAT:
        return sqlite3_column_double(stmt, i);
      case SQLITE_NULL:
        return nullptr;
      default: {
        auto text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
        return std::string(text ? text : "", static_cast<size_t>(sqlite3_column_bytes(stmt, i)));
      }
    }
  }

  Expected<SqlResult> run(sqlite3_stmt* stmt, const std::vector<SqlValue>& params) {
    if (auto bound = bind(stmt, params); !bound) return bound.error();
    SqlResult result;
    const int columns = sqlite3_column_count(stmt);
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return step_error(rc);
      SqlRow row;
      row.values.reserve(static_cast<size_t>(columns));
      for (int i = 0; i < columns; ++i) row.values.push_back(column(stmt, i));
      result.rows.push_back(std::move(row));
    }
    result.changes = sqlite3_changes64(db_);
    result.last_insert_id = sqlite3_last_insert_rowid(db_);
    return result;
  }

  Error step_error(int rc) {
    const bool conflict = (rc & 0xff) == SQLITE_CONSTRAINT &&
                          (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY);
    return make_error(std::string(conflict ? error_kind::kConflict : error_kind::kStorage),
                      std::string("database: ") + sqlite3_errmsg(db_));
  }

  sqlite3* db_;
  std::recursive_mutex mutex_;
  int depth_ = 0;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace

Expected<std::unique_ptr<Database>> open_sqlite_database(const std::filesystem::path& file,
                                                         const SqliteOptions& options) {
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  sqlite3* handle = nullptr;
  int rc = sqlite3_open_v2(file.c_str(), &handle,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string message = handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
    sqlite3_close(handle);
    return make_error(std::string(error_kind::kStorage),
                      "cannot open database " + file.string() + ": " + message);
  }
  sqlite3_extended_result_codes(handle, 1);
  auto db = std::make_unique<SqliteDatabase>(handle);
  sqlite3_busy_timeout(handle, static_cast<int>(options.busy_timeout.count()));
  // NORMAL is durable across process crashes in WAL mode; only a power loss can drop the
  // last commits, which is acceptable for metadata the next deploy rewrites.
  for (std::string pragma : {std::string(options.wal ? "PRAGMA journal_mode = WAL" : ""),
                             std::string("PRAGMA synchronous = NORMAL"),
                             std::string("PRAGMA foreign_keys = ON")}) {
    if (pragma.empty()) continue;
    if (auto st = db->exec(pragma); !st) return st.error();
  }
  if (auto st = migrate_schema(*db); !st) return st.error();
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace wa::platform

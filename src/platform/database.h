// Database: the SQL storage interface the platform's stores are written against.
//
// The stores use portable SQL with `?` placeholders, so another backend (PostgreSQL) can
// implement this interface by translating placeholders. SQLite is the default backend.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "support/expected.h"

namespace wa::platform {

using SqlValue = std::variant<std::nullptr_t, int64_t, double, std::string>;

struct SqlRow {
  std::vector<SqlValue> values;

  bool is_null(size_t i) const { return std::holds_alternative<std::nullptr_t>(values.at(i)); }
  int64_t integer(size_t i) const;          // 0 for NULL
  double real(size_t i) const;              // 0 for NULL
  std::string text(size_t i) const;         // "" for NULL
  std::optional<int64_t> optional_integer(size_t i) const;
};

struct SqlResult {
  std::vector<SqlRow> rows;
  int64_t changes = 0;         // rows changed by an INSERT/UPDATE/DELETE
  int64_t last_insert_id = 0;  // rowid of the last INSERT
};

class Database {
 public:
  virtual ~Database() = default;

  // Runs one statement. Errors: kind "conflict" for a UNIQUE/PRIMARY KEY violation,
  // "storage" for anything else (the message includes the database's text).
  virtual Expected<SqlResult> query(std::string_view sql, std::vector<SqlValue> params = {}) = 0;

  // Runs `body` in a transaction on the calling thread: committed if it returns ok,
  // rolled back if it returns an error (which is passed on). Nested calls join the outer one.
  // Other threads' statements wait until it ends.
  virtual Status transaction(const std::function<Status()>& body) = 0;

  // Current schema version (0 for a fresh database).
  virtual Expected<int> schema_version() = 0;

  virtual std::string_view backend_name() const = 0;
};

struct SqliteOptions {
  std::chrono::milliseconds busy_timeout{5000};  // wait this long for another process's lock
  bool wal = true;                                // readers never block the writer
};

// Opens (creating if needed) the SQLite file and brings its schema up to date.
Expected<std::unique_ptr<Database>> open_sqlite_database(const std::filesystem::path& file,
                                                         const SqliteOptions& options = {});

}  // namespace wa::platform

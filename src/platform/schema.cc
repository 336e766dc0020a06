#include "platform/schema.h"

#include <string>
#include <vector>

#include "platform/error_kinds.h"

namespace wa::platform {

namespace {

// Each entry is one schema version; never edit a released entry, append a new one.
const std::vector<std::vector<std::string>>& migrations() {
  static const std::vector<std::vector<std::string>> steps = {
      // 1: users, tokens, invites, settings, actions, versions, logs.
      {
          "CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE COLLATE "
          "NOCASE, password_hash TEXT NOT NULL, is_admin INTEGER NOT NULL DEFAULT 0, "
          "created_at INTEGER NOT NULL)",
          "CREATE TABLE api_tokens (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL "
          "REFERENCES users(id) ON DELETE CASCADE, name TEXT NOT NULL, token_hash TEXT NOT "
          "NULL UNIQUE, created_at INTEGER NOT NULL, last_used_at INTEGER, revoked_at INTEGER)",
          "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
          "CREATE TABLE invites (code_hash TEXT PRIMARY KEY, created_by INTEGER NOT NULL "
          "REFERENCES users(id), created_at INTEGER NOT NULL, used_by INTEGER REFERENCES "
          "users(id), used_at INTEGER)",
          "CREATE TABLE actions (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL REFERENCES "
          "users(id) ON DELETE CASCADE, name TEXT NOT NULL, route TEXT NOT NULL UNIQUE, "
          "settings TEXT NOT NULL, current_version_id INTEGER, created_at INTEGER NOT NULL, "
          "updated_at INTEGER NOT NULL, UNIQUE (owner_id, name))",
          "CREATE TABLE action_versions (id INTEGER PRIMARY KEY, action_id INTEGER NOT NULL "
          "REFERENCES actions(id) ON DELETE CASCADE, number INTEGER NOT NULL, module_sha256 "
          "TEXT NOT NULL, module_size INTEGER NOT NULL, status TEXT NOT NULL, error TEXT NOT "
          "NULL DEFAULT '', created_at INTEGER NOT NULL, UNIQUE (action_id, number))",
          "CREATE INDEX action_versions_by_module ON action_versions (module_sha256)",
          "CREATE TABLE action_logs (id INTEGER PRIMARY KEY, action_id INTEGER NOT NULL "
          "REFERENCES actions(id) ON DELETE CASCADE, time_ms INTEGER NOT NULL, request_id "
          "TEXT NOT NULL, level TEXT NOT NULL, outcome TEXT NOT NULL, message TEXT NOT NULL)",
          "CREATE INDEX action_logs_by_action ON action_logs (action_id, id)",
          "CREATE INDEX action_logs_by_time ON action_logs (time_ms)",
      },
      // 2: revocable sessions (a JWT names its row; logout revokes it) and API token scopes
      // (tokens from before scopes keep what they could do: read and deploy).
      {
          "CREATE TABLE sessions (id TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES "
          "users(id) ON DELETE CASCADE, created_at INTEGER NOT NULL, expires_at INTEGER NOT "
          "NULL, revoked_at INTEGER)",
          "CREATE INDEX sessions_by_expiry ON sessions (expires_at)",
          "ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT 'read deploy'",
      },
      // 3: developers' volumes (files under <data_dir>/volumes/<id>/).
      {
          "CREATE TABLE volumes (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL REFERENCES "
          "users(id) ON DELETE CASCADE, name TEXT NOT NULL, quota_bytes INTEGER NOT NULL, "
          "created_at INTEGER NOT NULL, UNIQUE (owner_id, name))",
      },
      // 4: a request's lines, and those of the calls chained from it ("<id>.<n>"), found by
      // an index range on request_id (GET /api/v1/requests/ID).
      {
          "CREATE INDEX action_logs_by_request ON action_logs (request_id)",
      },
  };
  return steps;
}

}  // namespace

int latest_schema_version() { return static_cast<int>(migrations().size()); }

Status migrate_schema(Database& db) {
  auto current = db.schema_version();
  if (!current) return current.error();
  if (*current > latest_schema_version()) {
    return make_error(std::string(error_kind::kStorage),
                      "the database has schema version " + std::to_string(*current) +
                          ", newer than this build knows (" +
                          std::to_string(latest_schema_version()) + "): upgrade wasm-actions");
  }
  if (*current == 0) {
    auto created = db.query(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, "
        "applied_at INTEGER NOT NULL DEFAULT (strftime('%s','now')))");
    if (!created) return created.error();
  }
  for (int version = *current + 1; version <= latest_schema_version(); ++version) {
    auto applied = db.transaction([&]() -> Status {
      for (const auto& sql : migrations()[static_cast<size_t>(version - 1)]) {
        auto r = db.query(sql);
        if (!r) return r.error();
      }
      auto r = db.query("INSERT INTO schema_version (version) VALUES (?)", {int64_t{version}});
      if (!r) return r.error();
      return ok_status();
    });
    if (!applied) return applied;
  }
  return ok_status();
}

}  // namespace wa::platform

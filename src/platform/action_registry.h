// ActionRegistry: actions and their versions in the database, plus the live route table.
//
// Every method takes the owner's user id: another user's action is "not_found".
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/action.h"
#include "platform/database.h"
#include "platform/route_table.h"
#include "platform/user_quota.h"
#include "support/expected.h"

namespace wa::platform {

struct NewVersion {
  std::string module_sha256;
  uint64_t module_size_bytes = 0;
};

class ActionRegistry {
 public:
  // `db` must outlive this object. Loads the route table.
  static Expected<std::unique_ptr<ActionRegistry>> open(Database& db, ActionLimits limits = {});

  // Creates the action with its first version (made current). Errors: invalid_argument,
  // invalid_route, reserved_route, conflict (name exists for this owner, route taken, or
  // route inside / over another user's routes: see check_route_free).
  Expected<Action> create(int64_t owner_id, std::string_view name, std::string_view route,
                          const ActionSettings& settings, const NewVersion& version);
  // Adds a version and makes it current; older versions are kept.
  Expected<Action> add_version(int64_t owner_id, std::string_view name, const NewVersion& version);
  // Makes the newest older version that did not fail current again; conflict if none.
  // With `to_number`, that version instead.
  Expected<Action> rollback(int64_t owner_id, std::string_view name,
                            std::optional<int> to_number = std::nullopt);

  Expected<Action> get(int64_t owner_id, std::string_view name);
  Expected<Action> get_by_id(int64_t action_id);  // any owner: for internal use
  Expected<std::vector<Action>> list(int64_t owner_id);
  Expected<std::vector<Action>> list_all();
  Expected<std::vector<ActionVersion>> versions(int64_t owner_id, std::string_view name);

  Expected<Action> update_settings(int64_t owner_id, std::string_view name,
                                   const ActionSettings& settings);
  Expected<Action> update_route(int64_t owner_id, std::string_view name, std::string_view route);
  // Removes the action, its versions and its logs. Module files stay in the store (the
  // platform's garbage collector frees those no version references any more).
  Status remove(int64_t owner_id, std::string_view name);

  // Routes nest freely within one user's actions, but never across users: a route inside
  // another user's prefix route (exact "/shop/checkout" under "/shop/...") would take
  // those requests over, and so would a prefix over another user's routes. Both are
  // conflict. (The same route text twice is the UNIQUE constraint's conflict.) create and
  // update_route check this inside their transaction; deploy calls it early too.
  Status check_route_free(int64_t owner_id, const Route& route);

  Expected<StorageUsage> usage(int64_t owner_id);
  // True if some version of the owner's actions already uses the module.
  Expected<bool> owner_has_module(int64_t owner_id, std::string_view module_sha256);
  // Every module some version of some action references (what the store must keep).
  Expected<std::vector<std::string>> referenced_modules();
  // True if some version of some action (any owner) uses the module.
  Expected<bool> module_referenced(std::string_view module_sha256);

  // Compile progress: sets the status of every version of `module_sha256` not yet in a
  // later state (compiling → ready → optimized; failed is final for that load).
  Status set_module_status(std::string_view module_sha256, VersionStatus status,
                           std::string_view error = {});

  // Versions that are current and still "compiling" (e.g. after a restart).
  Expected<std::vector<ActionVersion>> current_versions_compiling();

  std::optional<RouteMatch> match(std::string_view path) const { return routes_.match(path); }
  std::shared_ptr<const Action> snapshot(int64_t owner_id, std::string_view name) const {
    return routes_.find(owner_id, name);
  }
  const RouteTable& routes() const { return routes_; }
  const ActionLimits& limits() const { return limits_; }

 private:
  ActionRegistry(Database& db, ActionLimits limits);
  Status reload_routes();
  Expected<std::optional<Action>> find(int64_t owner_id, std::string_view name);
  Expected<std::vector<Action>> select_actions(std::string_view where,
                                               std::vector<SqlValue> params);
  Expected<Action> require(int64_t owner_id, std::string_view name);

  Database& db_;
  ActionLimits limits_;
  std::mutex reload_mutex_;  // list + rebuild as one step, so a stale list never wins
  RouteTable routes_;
};

}  // namespace wa::platform

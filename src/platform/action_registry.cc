#include "platform/action_registry.h"

#include "platform/clock.h"
#include "platform/error_kinds.h"

namespace wa::platform {

namespace {

constexpr std::string_view kSelectActions =
    "SELECT a.id, a.owner_id, u.username, a.name, a.route, a.settings, a.created_at, "
    "a.updated_at, v.id, v.number, v.module_sha256, v.module_size, v.status, v.error, "
    "v.created_at FROM actions a JOIN users u ON u.id = a.owner_id "
    "LEFT JOIN action_versions v ON v.id = a.current_version_id ";

constexpr std::string_view kSelectVersions =
    "SELECT id, action_id, number, module_sha256, module_size, status, error, created_at "
    "FROM action_versions ";

Error not_found(std::string_view name) {
  return make_error(std::string(error_kind::kNotFound),
                    "no action named '" + std::string(name) + "'");
}

// Turns a UNIQUE violation into a message naming what is taken.
Error explain_conflict(const Error& error, std::string_view name, const Route& route) {
  if (error.kind != error_kind::kConflict) return error;
  if (error.message.find("actions.route") != std::string::npos) {
    return make_error(std::string(error_kind::kConflict),
                      "route '" + route.text() + "' is already taken by another action");
  }
  return make_error(std::string(error_kind::kConflict),
                    "you already have an action named '" + std::string(name) + "'");
}

// The prefix routes whose tree holds `path`: "/a/b" → "/a/...", "/a/b/...".
std::vector<std::string> enclosing_prefix_routes(std::string_view path) {
  std::vector<std::string> out;
  for (size_t slash = path.find('/', 1); slash != std::string_view::npos;
       slash = path.find('/', slash + 1)) {
    out.push_back(std::string(path.substr(0, slash)) + "/...");
  }
  out.push_back(std::string(path) + "/...");
  return out;
}

ActionVersion version_from_row(const SqlRow& row, size_t first) {
  ActionVersion v;
  v.id = row.integer(first);
  v.action_id = row.integer(first + 1);
  v.number = static_cast<int>(row.integer(first + 2));
  v.module_sha256 = row.text(first + 3);
  v.module_size_bytes = static_cast<uint64_t>(row.integer(first + 4));
  v.status = parse_version_status(row.text(first + 5));
  v.error = row.text(first + 6);
  v.created_at_ms = row.integer(first + 7);
  return v;
}

}  // namespace

ActionRegistry::ActionRegistry(Database& db, ActionLimits limits) : db_(db), limits_(limits) {}

Expected<std::unique_ptr<ActionRegistry>> ActionRegistry::open(Database& db, ActionLimits limits) {
  auto registry = std::unique_ptr<ActionRegistry>(new ActionRegistry(db, limits));
  if (auto st = registry->reload_routes(); !st) return st.error();
  return registry;
}

Status ActionRegistry::reload_routes() {
  std::lock_guard lock(reload_mutex_);
  auto all = list_all();
  if (!all) return all.error();
  routes_.rebuild(*all);
  return ok_status();
}

Status ActionRegistry::check_route_free(int64_t owner_id, const Route& route) {
  const std::string text = route.text();
  // Another user's prefix route above this one (or on the same path: "/shop/..." also
  // answers "/shop").
  std::string sql = "SELECT route FROM actions WHERE owner_id != ? AND route != ? AND route IN (";
  std::vector<SqlValue> params = {owner_id, text};
  bool first = true;
  for (auto& enclosing : enclosing_prefix_routes(route.path)) {
    sql += first ? "?" : ", ?";
    first = false;
    params.emplace_back(std::move(enclosing));
  }
  auto above = db_.query(sql + ") ORDER BY length(route) LIMIT 1", std::move(params));
  if (!above) return above.error();
  if (!above->rows.empty()) {
    return make_error(std::string(error_kind::kConflict),
                      "route '" + text + "' lies inside the prefix route '" +
                          above->rows[0].text(0) + "' of another user");
  }
  if (!route.prefix) return ok_status();
  // Another user's routes below this prefix: "/shop" itself, or anything from "/shop/" up
  // to (not including) "/shop0" ('0' follows '/'), which the route index answers.
  auto below = db_.query(
      "SELECT route FROM actions WHERE owner_id != ? AND route != ? AND "
      "(route = ? OR (route >= ? AND route < ?)) ORDER BY route LIMIT 1",
      {owner_id, text, route.path, route.path + "/", route.path + "0"});
  if (!below) return below.error();
  if (!below->rows.empty()) {
    return make_error(std::string(error_kind::kConflict),
                      "prefix route '" + text + "' would take over '" + below->rows[0].text(0) +
                          "', another user's route");
  }
  return ok_status();
}

Expected<StorageUsage> ActionRegistry::usage(int64_t owner_id) {
  auto count = db_.query("SELECT count(*) FROM actions WHERE owner_id = ?", {owner_id});
  if (!count) return count.error();
  auto bytes = db_.query(
      "SELECT coalesce(sum(size), 0) FROM (SELECT max(v.module_size) AS size FROM "
      "action_versions v JOIN actions a ON a.id = v.action_id WHERE a.owner_id = ? "
      "GROUP BY v.module_sha256)",
      {owner_id});
  if (!bytes) return bytes.error();
  return StorageUsage{static_cast<size_t>(count->rows.at(0).integer(0)),
                      static_cast<uint64_t>(bytes->rows.at(0).integer(0))};
}

Expected<bool> ActionRegistry::owner_has_module(int64_t owner_id, std::string_view module_sha256) {
  auto found = db_.query(
      "SELECT 1 FROM action_versions v JOIN actions a ON a.id = v.action_id "
      "WHERE a.owner_id = ? AND v.module_sha256 = ? LIMIT 1",
      {owner_id, std::string(module_sha256)});
  if (!found) return found.error();
  return !found->rows.empty();
}

Expected<std::vector<std::string>> ActionRegistry::referenced_modules() {
  auto found = db_.query("SELECT DISTINCT module_sha256 FROM action_versions");
  if (!found) return found.error();
  std::vector<std::string> out;
  out.reserve(found->rows.size());
  for (const auto& row : found->rows) out.push_back(row.text(0));
  return out;
}

Expected<bool> ActionRegistry::module_referenced(std::string_view module_sha256) {
  auto found = db_.query("SELECT 1 FROM action_versions WHERE module_sha256 = ? LIMIT 1",
                         {std::string(module_sha256)});
  if (!found) return found.error();
  return !found->rows.empty();
}

Expected<std::vector<Action>> ActionRegistry::select_actions(std::string_view where,
                                                             std::vector<SqlValue> params) {
  auto found =
      db_.query(std::string(kSelectActions) + std::string(where) + " ORDER BY a.name, a.id",
                std::move(params));
  if (!found) return found.error();
  std::vector<Action> actions;
  for (const auto& row : found->rows) {
    Action a;
    a.id = row.integer(0);
    a.owner_id = row.integer(1);
    a.owner_name = row.text(2);
    a.name = row.text(3);
    auto route = parse_route(row.text(4));
    a.route = route ? *route : Route{row.text(4), false};
    auto json = nlohmann::json::parse(row.text(5), nullptr, false);
    auto settings = apply_settings_json(json, ActionSettings::defaults(limits_));
    a.settings = settings ? *settings : ActionSettings::defaults(limits_);
    a.created_at_ms = row.integer(6);
    a.updated_at_ms = row.integer(7);
    if (!row.is_null(8)) {
      ActionVersion v;
      v.id = row.integer(8);
      v.action_id = a.id;
      v.number = static_cast<int>(row.integer(9));
      v.module_sha256 = row.text(10);
      v.module_size_bytes = static_cast<uint64_t>(row.integer(11));
      v.status = parse_version_status(row.text(12));
      v.error = row.text(13);
      v.created_at_ms = row.integer(14);
      a.current = v;
    }
    actions.push_back(std::move(a));
  }
  return actions;
}

Expected<std::optional<Action>> ActionRegistry::find(int64_t owner_id, std::string_view name) {
  auto found = select_actions("WHERE a.owner_id = ? AND a.name = ?", {owner_id, std::string(name)});
  if (!found) return found.error();
  if (found->empty()) return std::optional<Action>();
  return std::optional<Action>(std::move(found->front()));
}

Expected<Action> ActionRegistry::require(int64_t owner_id, std::string_view name) {
  auto found = find(owner_id, name);
  if (!found) return found.error();
  if (!*found) return not_found(name);
  return std::move(**found);
}

Expected<Action> ActionRegistry::create(int64_t owner_id, std::string_view name,
                                        std::string_view route_text, const ActionSettings& settings,
                                        const NewVersion& version) {
  if (auto st = validate_action_name(name); !st) return st.error();
  auto route = parse_route(route_text);
  if (!route) return route.error();
  if (auto st = validate_settings(settings, limits_); !st) return st.error();
  const int64_t now = now_unix_ms();
  auto done = db_.transaction([&]() -> Status {
    // Inside the transaction, so two users racing for nested routes cannot both win.
    if (auto st = check_route_free(owner_id, *route); !st) return st;
    auto inserted = db_.query(
        "INSERT INTO actions (owner_id, name, route, settings, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        {owner_id, std::string(name), route->text(), settings_to_json(settings).dump(), now, now});
    if (!inserted) return explain_conflict(inserted.error(), name, *route);
    const int64_t action_id = inserted->last_insert_id;
    auto v = db_.query(
        "INSERT INTO action_versions (action_id, number, module_sha256, module_size, status, "
        "created_at) VALUES (?, 1, ?, ?, 'compiling', ?)",
        {action_id, version.module_sha256, static_cast<int64_t>(version.module_size_bytes), now});
    if (!v) return v.error();
    auto current = db_.query("UPDATE actions SET current_version_id = ? WHERE id = ?",
                             {v->last_insert_id, action_id});
    if (!current) return current.error();
    return ok_status();
  });
  if (!done) return done.error();
  if (auto st = reload_routes(); !st) return st.error();
  return require(owner_id, name);
}

Expected<Action> ActionRegistry::add_version(int64_t owner_id, std::string_view name,
                                             const NewVersion& version) {
  auto done = db_.transaction([&]() -> Status {
    auto action = require(owner_id, name);
    if (!action) return action.error();
    auto next = db_.query(
        "SELECT coalesce(max(number), 0) + 1 FROM action_versions "
        "WHERE action_id = ?",
        {action->id});
    if (!next) return next.error();
    const int64_t now = now_unix_ms();
    auto v = db_.query(
        "INSERT INTO action_versions (action_id, number, module_sha256, module_size, status, "
        "created_at) VALUES (?, ?, ?, ?, 'compiling', ?)",
        {action->id, next->rows.at(0).integer(0), version.module_sha256,
         static_cast<int64_t>(version.module_size_bytes), now});
    if (!v) return v.error();
    auto current =
        db_.query("UPDATE actions SET current_version_id = ?, updated_at = ? WHERE id = ?",
                  {v->last_insert_id, now, action->id});
    if (!current) return current.error();
    return ok_status();
  });
  if (!done) return done.error();
  if (auto st = reload_routes(); !st) return st.error();
  return require(owner_id, name);
}

Expected<Action> ActionRegistry::rollback(int64_t owner_id, std::string_view name,
                                          std::optional<int> to_number) {
  auto action = require(owner_id, name);
  if (!action) return action.error();
  if (!action->current) {
    return make_error(std::string(error_kind::kConflict), "the action has no version");
  }
  auto found = to_number
                   ? db_.query(std::string(kSelectVersions) + "WHERE action_id = ? AND number = ?",
                               {action->id, int64_t{*to_number}})
                   : db_.query(std::string(kSelectVersions) +
                                   "WHERE action_id = ? AND number < ? AND status != 'failed' "
                                   "ORDER BY number DESC LIMIT 1",
                               {action->id, int64_t{action->current->number}});
  if (!found) return found.error();
  if (found->rows.empty()) {
    return make_error(std::string(to_number ? error_kind::kNotFound : error_kind::kConflict),
                      to_number ? "no version " + std::to_string(*to_number)
                                : "no earlier working version to roll back to");
  }
  ActionVersion target = version_from_row(found->rows[0], 0);
  if (target.status == VersionStatus::kFailed) {
    return make_error(std::string(error_kind::kConflict),
                      "version " + std::to_string(target.number) + " failed to compile");
  }
  auto updated = db_.query("UPDATE actions SET current_version_id = ?, updated_at = ? WHERE id = ?",
                           {target.id, now_unix_ms(), action->id});
  if (!updated) return updated.error();
  if (auto st = reload_routes(); !st) return st.error();
  return require(owner_id, name);
}

Expected<Action> ActionRegistry::get(int64_t owner_id, std::string_view name) {
  return require(owner_id, name);
}

Expected<Action> ActionRegistry::get_by_id(int64_t action_id) {
  auto found = select_actions("WHERE a.id = ?", {action_id});
  if (!found) return found.error();
  if (found->empty()) return make_error(std::string(error_kind::kNotFound), "no such action");
  return std::move(found->front());
}

Expected<std::vector<Action>> ActionRegistry::list(int64_t owner_id) {
  return select_actions("WHERE a.owner_id = ?", {owner_id});
}

Expected<std::vector<Action>> ActionRegistry::list_all() { return select_actions("", {}); }

Expected<std::vector<ActionVersion>> ActionRegistry::versions(int64_t owner_id,
                                                              std::string_view name) {
  auto action = require(owner_id, name);
  if (!action) return action.error();
  auto found =
      db_.query(std::string(kSelectVersions) + "WHERE action_id = ? ORDER BY number", {action->id});
  if (!found) return found.error();
  std::vector<ActionVersion> out;
  for (const auto& row : found->rows) out.push_back(version_from_row(row, 0));
  return out;
}

Expected<Action> ActionRegistry::update_settings(int64_t owner_id, std::string_view name,
                                                 const ActionSettings& settings) {
  if (auto st = validate_settings(settings, limits_); !st) return st.error();
  auto updated =
      db_.query("UPDATE actions SET settings = ?, updated_at = ? WHERE owner_id = ? AND name = ?",
                {settings_to_json(settings).dump(), now_unix_ms(), owner_id, std::string(name)});
  if (!updated) return updated.error();
  if (updated->changes == 0) return not_found(name);
  if (auto st = reload_routes(); !st) return st.error();
  return require(owner_id, name);
}

Expected<Action> ActionRegistry::update_route(int64_t owner_id, std::string_view name,
                                              std::string_view route_text) {
  auto route = parse_route(route_text);
  if (!route) return route.error();
  auto done = db_.transaction([&]() -> Status {
    if (auto st = check_route_free(owner_id, *route); !st) return st;
    auto updated =
        db_.query("UPDATE actions SET route = ?, updated_at = ? WHERE owner_id = ? AND name = ?",
                  {route->text(), now_unix_ms(), owner_id, std::string(name)});
    if (!updated) return explain_conflict(updated.error(), name, *route);
    if (updated->changes == 0) return not_found(name);
    return ok_status();
  });
  if (!done) return done.error();
  if (auto st = reload_routes(); !st) return st.error();
  return require(owner_id, name);
}

Status ActionRegistry::remove(int64_t owner_id, std::string_view name) {
  auto removed = db_.query("DELETE FROM actions WHERE owner_id = ? AND name = ?",
                           {owner_id, std::string(name)});
  if (!removed) return removed.error();
  if (removed->changes == 0) return not_found(name);
  return reload_routes();
}

Status ActionRegistry::set_module_status(std::string_view module_sha256, VersionStatus status,
                                         std::string_view error) {
  // Only move forward: a late "ready" must not undo "optimized"; a failure only hits
  // versions still compiling.
  std::string_view from;
  switch (status) {
    case VersionStatus::kCompiling:
      return ok_status();
    case VersionStatus::kReady:
      from = "('compiling', 'failed')";
      break;
    case VersionStatus::kOptimized:
      from = "('compiling', 'ready', 'failed')";
      break;
    case VersionStatus::kFailed:
      from = "('compiling')";
      break;
  }
  auto updated = db_.query(
      "UPDATE action_versions SET status = ?, error = ? "
      "WHERE module_sha256 = ? AND status IN " +
          std::string(from),
      {std::string(version_status_name(status)), std::string(error), std::string(module_sha256)});
  if (!updated) return updated.error();
  if (updated->changes == 0) return ok_status();
  return reload_routes();
}

Expected<std::vector<ActionVersion>> ActionRegistry::current_versions_compiling() {
  auto found = db_.query(
      "SELECT v.id, v.action_id, v.number, v.module_sha256, v.module_size, v.status, v.error, "
      "v.created_at FROM actions a JOIN action_versions v ON v.id = a.current_version_id "
      "WHERE v.status = 'compiling'");
  if (!found) return found.error();
  std::vector<ActionVersion> out;
  for (const auto& row : found->rows) out.push_back(version_from_row(row, 0));
  return out;
}

}  // namespace wa::platform

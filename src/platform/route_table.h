// RouteTable: in-memory map from request path to action; longest match wins.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "platform/action.h"

namespace wa::platform {

struct RouteMatch {
  std::shared_ptr<const Action> action;  // a snapshot taken when the table was built
  std::string route;                     // the route as written ("/api/...")
  std::string script_name;               // the matched part of the path ("/api")
  std::string path_info;                 // the rest ("/x/y"; "" for an exact match)
};

class RouteTable {
 public:
  // Replaces the whole table (called by the registry after every change).
  void rebuild(const std::vector<Action>& actions);

  // `path` is the decoded request path without the query. An exact route beats a
  // prefix route of the same path; a longer prefix beats a shorter one. Disabled
  // actions are matched too (the caller decides what to answer).
  std::optional<RouteMatch> match(std::string_view path) const;

  // The owner's action of that name (a snapshot like match's), or nullptr: chained calls
  // look their callee up here, without a database query.
  std::shared_ptr<const Action> find(int64_t owner_id, std::string_view name) const;

  size_t size() const;

 private:
  static std::string owner_name_key(int64_t owner_id, std::string_view name);
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const Action>> exact_;
  std::unordered_map<std::string, std::shared_ptr<const Action>> prefix_;
  std::unordered_map<std::string, std::shared_ptr<const Action>> by_name_;  // "<owner>/<name>"
};

}  // namespace wa::platform

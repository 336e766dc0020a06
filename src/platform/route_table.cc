#include "platform/route_table.h"

#include <mutex>

namespace wa::platform {

void RouteTable::rebuild(const std::vector<Action>& actions) {
  std::unordered_map<std::string, std::shared_ptr<const Action>> exact;
  std::unordered_map<std::string, std::shared_ptr<const Action>> prefix;
  std::unordered_map<std::string, std::shared_ptr<const Action>> by_name;
  for (const auto& action : actions) {
    auto snapshot = std::make_shared<const Action>(action);
    by_name[owner_name_key(action.owner_id, action.name)] = snapshot;
    (action.route.prefix ? prefix : exact)[action.route.path] = std::move(snapshot);
  }
  std::unique_lock lock(mutex_);
  exact_.swap(exact);
  prefix_.swap(prefix);
  by_name_.swap(by_name);
}

std::string RouteTable::owner_name_key(int64_t owner_id, std::string_view name) {
  std::string key = std::to_string(owner_id);
  key += '/';
  key += name;
  return key;
}

std::shared_ptr<const Action> RouteTable::find(int64_t owner_id, std::string_view name) const {
  std::shared_lock lock(mutex_);
  auto it = by_name_.find(owner_name_key(owner_id, name));
  return it == by_name_.end() ? nullptr : it->second;
}

std::optional<RouteMatch> RouteTable::match(std::string_view path) const {
  if (path.empty() || path.front() != '/') return std::nullopt;
  std::shared_lock lock(mutex_);
  if (auto it = exact_.find(std::string(path)); it != exact_.end()) {
    return RouteMatch{it->second, it->second->route.text(), std::string(path), ""};
  }
  // Try the path itself, then each shorter "/a/b" boundary: the first hit is the longest.
  std::string_view candidate = path;
  while (candidate.size() > 1 && candidate.back() == '/') candidate.remove_suffix(1);
  for (;;) {
    if (auto it = prefix_.find(std::string(candidate)); it != prefix_.end()) {
      return RouteMatch{it->second, it->second->route.text(), std::string(candidate),
                        std::string(path.substr(candidate.size()))};
    }
    const size_t slash = candidate.rfind('/');
    if (slash == 0 || slash == std::string_view::npos) return std::nullopt;
    candidate = candidate.substr(0, slash);
  }
}

size_t RouteTable::size() const {
  std::shared_lock lock(mutex_);
  return exact_.size() + prefix_.size();
}

}  // namespace wa::platform

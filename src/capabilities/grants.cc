#include "capabilities/grants.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string>

namespace wa::capabilities {

namespace {

// Bounds that keep a settings document small; far above what an action needs.
constexpr size_t kMaxStoreGrants = 16;
constexpr size_t kMaxVolumeGrants = 16;
constexpr size_t kMaxHostPatterns = 64;
constexpr size_t kMaxActionGrants = 64;
constexpr size_t kMaxGuestPathBytes = 256;

Error invalid(std::string message) {
  return make_error("invalid_argument", "settings.capabilities: " + std::move(message));
}

std::string quoted(const nlohmann::json& value) {
  std::string text = value.dump();
  return text.size() > 80 ? text.substr(0, 77) + "..." : text;
}

Expected<Access> parse_access(const nlohmann::json& entry, const std::string& where) {
  auto it = entry.find("access");
  if (it == entry.end()) return Access::kReadOnly;
  if (it->is_string()) {
    if (*it == "read-only") return Access::kReadOnly;
    if (*it == "read-write") return Access::kReadWrite;
  }
  return invalid(where + ": access must be \"read-only\" or \"read-write\", not " + quoted(*it));
}

Status check_keys(const nlohmann::json& entry, const std::string& where,
                  std::initializer_list<std::string_view> allowed) {
  if (!entry.is_object()) return invalid(where + " must be an object, not " + quoted(entry));
  for (const auto& [key, value] : entry.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      return invalid(where + ": unknown key \"" + key + "\"");
  }
  return ok_status();
}

Expected<std::string> required_string(const nlohmann::json& entry, const char* key,
                                      const std::string& where) {
  auto it = entry.find(key);
  if (it == entry.end() || !it->is_string())
    return invalid(where + ": \"" + key + "\" must be a string");
  return it->get<std::string>();
}

// Absolute, normalised: no empty, "." or ".." component, no trailing slash (except "/").
bool is_guest_path(std::string_view path) {
  if (path.empty() || path[0] != '/' || path.size() > kMaxGuestPathBytes) return false;
  if (path == "/") return true;
  if (path.back() == '/') return false;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    for (unsigned char c : part)
      if (c < 0x20 || c == 0x7f || c == '\\') return false;
    start = end + 1;
  }
  return true;
}

bool is_host_label_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

}  // namespace

std::string_view access_name(Access access) {
  return access == Access::kReadWrite ? "read-write" : "read-only";
}

const KvGrant* CapabilityGrants::find_store(std::string_view store) const {
  for (const KvGrant& g : key_value_stores)
    if (g.store == store) return &g;
  return nullptr;
}

nlohmann::json grants_to_json(const CapabilityGrants& grants) {
  nlohmann::json out = nlohmann::json::object();
  if (!grants.key_value_stores.empty()) {
    auto& list = out["key_value_stores"] = nlohmann::json::array();
    for (const KvGrant& g : grants.key_value_stores)
      list.push_back({{"store", g.store}, {"access", access_name(g.access)}});
  }
  if (!grants.volumes.empty()) {
    auto& list = out["volumes"] = nlohmann::json::array();
    for (const VolumeGrant& g : grants.volumes)
      list.push_back({{"volume", g.volume}, {"path", g.path}, {"access", access_name(g.access)}});
  }
  if (!grants.allowed_outbound_hosts.empty())
    out["allowed_outbound_hosts"] = grants.allowed_outbound_hosts;
  if (!grants.actions.empty()) out["actions"] = grants.actions;
  if (grants.rooms) out["rooms"] = true;
  return out;
}

Status validate_host_pattern(std::string_view pattern) {
  auto bad = [&](const std::string& why) {
    return make_error("invalid_argument",
                      "allowed_outbound_hosts: \"" + std::string(pattern) + "\" " + why +
                          " (expected scheme://host[:port], e.g. "
                          "https://api.example.com or https://*.example.com:*)");
  };
  size_t scheme_end = pattern.find("://");
  if (scheme_end == std::string_view::npos) return bad("has no scheme");
  std::string_view scheme = pattern.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https" && scheme != "*")
    return bad("has scheme \"" + std::string(scheme) + "\"; only http, https or * are allowed");
  std::string_view rest = pattern.substr(scheme_end + 3);
  if (rest.empty()) return bad("has no host");
  if (rest.find_first_of("/?#@") != std::string_view::npos)
    return bad("must name only a host and port (no path, query or user)");
  std::string_view host = rest, port;
  if (rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad("has an unclosed IPv6 bracket");
    host = rest.substr(0, close + 1);
    std::string_view tail = rest.substr(close + 1);
    if (!tail.empty()) {
      if (tail.front() != ':') return bad("has text after the IPv6 address");
      port = tail.substr(1);
      if (port.empty()) return bad("has an empty port");
    }
    std::string_view inside = host.substr(1, host.size() - 2);
    if (inside.empty() ||
        inside.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos)
      return bad("has a bad IPv6 address");
  } else {
    size_t colon = rest.rfind(':');
    if (colon != std::string_view::npos) {
      host = rest.substr(0, colon);
      port = rest.substr(colon + 1);
      if (port.empty()) return bad("has an empty port");
    }
    if (host.empty()) return bad("has no host");
    if (host != "*") {
      std::string_view name = host;
      if (name.starts_with("*.")) name.remove_prefix(2);
      if (name.empty() || name.size() > 253) return bad("has a bad host name");
      size_t start = 0;
      while (start <= name.size()) {
        size_t end = name.find('.', start);
        if (end == std::string_view::npos) end = name.size();
        std::string_view label = name.substr(start, end - start);
        if (label.empty() || label.size() > 63 ||
            !std::all_of(label.begin(), label.end(), is_host_label_char))
          return bad(
              "has a bad host name (a '*' may only stand for the whole host or lead as "
              "\"*.\")");
        start = end + 1;
      }
    }
  }
  if (!port.empty() && port != "*") {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos)
      return bad("has a bad port");
    int value = std::stoi(std::string(port));
    if (value < 1 || value > 65535) return bad("has a port outside 1-65535");
  }
  return ok_status();
}

Expected<CapabilityGrants> grants_from_json(const nlohmann::json& json) {
  CapabilityGrants grants;
  if (json.is_null()) return grants;
  if (!json.is_object()) return invalid("must be an object, not " + quoted(json));
  for (const auto& [key, value] : json.items()) {
    if (key == "key_value_stores") {
      if (!value.is_array()) return invalid("key_value_stores must be a list");
      if (value.size() > kMaxStoreGrants)
        return invalid("at most " + std::to_string(kMaxStoreGrants) + " stores may be granted");
      std::set<std::string> seen;
      for (size_t i = 0; i < value.size(); ++i) {
        const std::string where = "key_value_stores[" + std::to_string(i) + "]";
        if (auto s = check_keys(value[i], where, {"store", "access"}); !s) return s.error();
        auto store = required_string(value[i], "store", where);
        if (!store) return store.error();
        if (!is_resource_name(*store))
          return invalid(where + ": \"" + *store +
                         "\" is not a store name (1-64 of letters, digits, _ . -)");
        if (!seen.insert(*store).second)
          return invalid(where + ": store \"" + *store + "\" is granted twice");
        auto access = parse_access(value[i], where);
        if (!access) return access.error();
        grants.key_value_stores.push_back({*store, *access});
      }
    } else if (key == "volumes") {
      if (!value.is_array()) return invalid("volumes must be a list");
      if (value.size() > kMaxVolumeGrants)
        return invalid("at most " + std::to_string(kMaxVolumeGrants) + " volumes may be granted");
      std::set<std::string> paths;
      for (size_t i = 0; i < value.size(); ++i) {
        const std::string where = "volumes[" + std::to_string(i) + "]";
        if (auto s = check_keys(value[i], where, {"volume", "path", "access"}); !s)
          return s.error();
        auto volume = required_string(value[i], "volume", where);
        if (!volume) return volume.error();
        if (!is_resource_name(*volume))
          return invalid(where + ": \"" + *volume +
                         "\" is not a volume name (1-64 of letters, digits, _ . -)");
        auto path = required_string(value[i], "path", where);
        if (!path) return path.error();
        if (!is_guest_path(*path))
          return invalid(where + ": path \"" + *path +
                         "\" must be an absolute, normalised guest path such as /site (no "
                         "'.', '..', '//' or trailing '/')");
        if (!paths.insert(*path).second)
          return invalid(where + ": guest path \"" + *path + "\" is used twice");
        auto access = parse_access(value[i], where);
        if (!access) return access.error();
        grants.volumes.push_back({*volume, *path, *access});
      }
    } else if (key == "allowed_outbound_hosts") {
      if (!value.is_array()) return invalid("allowed_outbound_hosts must be a list of strings");
      if (value.size() > kMaxHostPatterns)
        return invalid("at most " + std::to_string(kMaxHostPatterns) +
                       " host patterns are allowed");
      for (const auto& entry : value) {
        if (!entry.is_string()) return invalid("allowed_outbound_hosts must be a list of strings");
        std::string pattern = entry.get<std::string>();
        if (auto s = validate_host_pattern(pattern); !s) return invalid(s.error().message);
        grants.allowed_outbound_hosts.push_back(std::move(pattern));
      }
    } else if (key == "actions") {
      if (!value.is_array()) return invalid("actions must be a list of action names");
      if (value.size() > kMaxActionGrants)
        return invalid("at most " + std::to_string(kMaxActionGrants) + " actions may be granted");
      for (const auto& entry : value) {
        if (!entry.is_string() || (entry != "*" && !is_resource_name(entry.get<std::string>())))
          return invalid("actions: " + quoted(entry) + " is not an action name or \"*\"");
        grants.actions.push_back(entry.get<std::string>());
      }
    } else if (key == "rooms") {
      if (!value.is_boolean()) return invalid("rooms must be true or false");
      grants.rooms = value.get<bool>();
    } else {
      return invalid("unknown key \"" + key +
                     "\" (known: key_value_stores, volumes, allowed_outbound_hosts, actions, "
                     "rooms)");
    }
  }
  return grants;
}

bool is_resource_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  if (!std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

}  // namespace wa::capabilities

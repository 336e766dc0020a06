#include "platform/route.h"

#include <array>
#include <cctype>

#include "platform/error_kinds.h"

namespace wa::platform {

namespace {

constexpr size_t kMaxRouteBytes = 256;
constexpr std::string_view kPrefixSuffix = "/...";
// Paths the server answers itself; "/" is reserved as an exact path (the landing page).
// "/rooms" is the WebSocket rooms endpoint (decisions.md, "Names and paths").
constexpr std::array<std::string_view, 6> kReservedTrees = {"/api/v1",  "/dashboard", "/healthz",
                                                            "/metrics", "/rooms",     "/static"};

bool is_segment_char(char c) {
  // RFC 3986 pchar minus '*', which people would read as a wildcard (prefixes are "/...").
  static constexpr std::string_view kExtra = "-._~!$&'()+,;=:@%";
  return std::isalnum(static_cast<unsigned char>(c)) || kExtra.find(c) != std::string_view::npos;
}

bool within(std::string_view path, std::string_view tree) {
  return path == tree || (path.starts_with(tree) && path[tree.size()] == '/');
}

Error invalid(std::string_view text, const std::string& why) {
  return make_error(std::string(error_kind::kInvalidRoute),
                    "route '" + std::string(text) + "' " + why);
}

Status check_segments(std::string_view text, std::string_view path) {
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(start, end - start);
    if (segment.empty()) return invalid(text, "has an empty segment or a trailing '/'");
    if (segment == "." || segment == "..") return invalid(text, "has a '.' or '..' segment");
    for (char c : segment) {
      if (!is_segment_char(c)) {
        return invalid(text, std::string("has the character '") + c +
                                 "' (allowed: letters, digits and -._~!$&'()+,;=:@%; a prefix "
                                 "route ends with /...)");
      }
    }
    start = end + 1;
  }
  return ok_status();
}

}  // namespace

bool route_path_within(std::string_view path, std::string_view tree) { return within(path, tree); }

bool is_reserved_path(std::string_view path) {
  if (path == "/") return true;
  for (auto tree : kReservedTrees) {
    if (within(path, tree)) return true;
  }
  return false;
}

Expected<Route> parse_route(std::string_view text) {
  if (text.empty() || text.front() != '/') return invalid(text, "must start with '/'");
  if (text.size() > kMaxRouteBytes) return invalid(text, "is longer than 256 bytes");
  Route route;
  std::string_view path = text;
  if (text.ends_with(kPrefixSuffix)) {
    route.prefix = true;
    path = text.substr(0, text.size() - kPrefixSuffix.size());
    if (path.empty()) {
      return make_error(std::string(error_kind::kReservedRoute),
                        "route '/...' would take every path, including the server's own");
    }
  }
  if (path != "/") {
    if (auto st = check_segments(text, path); !st) return st.error();
  }
  if (is_reserved_path(path)) {
    return make_error(
        std::string(error_kind::kReservedRoute),
        "route '" + std::string(text) +
            "' is reserved (/, /api/v1, /dashboard, /healthz, /metrics, /rooms, /static)");
  }
  route.path = std::string(path);
  return route;
}

}  // namespace wa::platform

// Route: the URL path an action answers on — exact ("/hello") or prefix ("/api/...").
//
// Syntax: an exact route is a path; a prefix route is a path followed by "/...".
// "/api/..." matches "/api" and everything below it ("/api/x/y"), not "/apix".
// Paths are made of segments of [A-Za-z0-9._~!$&'()+,;=:@%-], no empty, "." or ".."
// segment, no trailing slash, at most 256 bytes. Reserved (refused, with anything below
// them): "/", "/api/v1", "/dashboard", "/healthz", "/metrics", "/rooms", "/static".
#pragma once

#include <string>
#include <string_view>

#include "support/expected.h"

namespace wa::platform {

struct Route {
  std::string path;  // without the "/..." suffix
  bool prefix = false;

  std::string text() const { return prefix ? (path == "/" ? "/..." : path + "/...") : path; }
  bool operator==(const Route&) const = default;
};

// kinds invalid_route (malformed) and reserved_route (on a reserved path).
Expected<Route> parse_route(std::string_view text);

// True when `path` is served by the platform itself (the gateway checks it first).
bool is_reserved_path(std::string_view path);

// True when `path` is `tree` or below it ("/shop/x" and "/shop" are within "/shop",
// "/shopping" is not): the paths a prefix route on `tree` would answer.
bool route_path_within(std::string_view path, std::string_view tree);

}  // namespace wa::platform

#include "platform/route.h"

#include <gtest/gtest.h>

#include "platform/route_table.h"

namespace wa::platform {
namespace {

TEST(RouteTest, ParsesExactAndPrefixRoutes) {
  auto exact = parse_route("/hello");
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->path, "/hello");
  EXPECT_FALSE(exact->prefix);
  auto prefix = parse_route("/api/...");
  ASSERT_TRUE(prefix.ok()) << prefix.error().message;
  EXPECT_EQ(prefix->path, "/api");
  EXPECT_TRUE(prefix->prefix);
  EXPECT_EQ(prefix->text(), "/api/...");
}

TEST(RouteTest, RejectsMalformedRoutes) {
  for (const char* bad : {"", "hello", "/hello/", "//x", "/a//b", "/a/../b", "/a/./b", "/a b",
                          "/a?x", "/a#x", "/api/*"}) {
    auto r = parse_route(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().kind, "invalid_route") << bad;
  }
  EXPECT_FALSE(parse_route("/" + std::string(300, 'a')).ok());
}

TEST(RouteTest, RefusesReservedPaths) {
  for (const char* reserved : {"/", "/...", "/api/v1", "/api/v1/things", "/api/v1/...",
                               "/dashboard", "/dashboard/x", "/healthz", "/metrics", "/static/...",
                               "/static/app.js", "/rooms", "/rooms/...", "/rooms/lobby"}) {
    auto r = parse_route(reserved);
    ASSERT_FALSE(r.ok()) << reserved;
    EXPECT_EQ(r.error().kind, "reserved_route") << reserved;
  }
  // Near misses are fine.
  for (const char* ok :
       {"/api/...", "/api/v2", "/metricsx", "/dashboards", "/healthz2", "/roomsx"}) {
    EXPECT_TRUE(parse_route(ok).ok()) << ok;
  }
}

TEST(RouteTest, PathWithinTree) {
  EXPECT_TRUE(route_path_within("/shop", "/shop"));
  EXPECT_TRUE(route_path_within("/shop/checkout", "/shop"));
  EXPECT_TRUE(route_path_within("/shop/a/b", "/shop/a"));
  EXPECT_FALSE(route_path_within("/shopping", "/shop"));
  EXPECT_FALSE(route_path_within("/sho", "/shop"));
  EXPECT_FALSE(route_path_within("/other/shop", "/shop"));
}

Action action_on(int64_t id, const std::string& route) {
  Action a;
  a.id = id;
  a.name = "a" + std::to_string(id);
  a.route = parse_route(route).value();
  return a;
}

TEST(RouteTableTest, LongestMatchWinsAndExactBeatsPrefix) {
  RouteTable table;
  table.rebuild({action_on(1, "/api/..."), action_on(2, "/api/users/..."),
                 action_on(3, "/api/users"), action_on(4, "/hello")});
  EXPECT_EQ(table.size(), 4u);

  auto m = table.match("/api/users/42/posts");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->action->id, 2);
  EXPECT_EQ(m->route, "/api/users/...");
  EXPECT_EQ(m->script_name, "/api/users");
  EXPECT_EQ(m->path_info, "/42/posts");

  m = table.match("/api/users");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->action->id, 3);  // exact beats the prefix on the same path
  EXPECT_EQ(m->path_info, "");

  m = table.match("/api/other");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->action->id, 1);
  EXPECT_EQ(m->path_info, "/other");

  m = table.match("/api");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->action->id, 1);
  EXPECT_EQ(m->path_info, "");

  m = table.match("/api/");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->action->id, 1);
  EXPECT_EQ(m->path_info, "/");
}

TEST(RouteTableTest, ExactRoutesMatchOnlyThemselves) {
  RouteTable table;
  table.rebuild({action_on(4, "/hello")});
  EXPECT_TRUE(table.match("/hello").has_value());
  EXPECT_FALSE(table.match("/hello/x").has_value());
  EXPECT_FALSE(table.match("/hellox").has_value());
  EXPECT_FALSE(table.match("/").has_value());
  EXPECT_FALSE(table.match("").has_value());
  table.rebuild({});
  EXPECT_FALSE(table.match("/hello").has_value());
}

TEST(RouteTableTest, PrefixDoesNotMatchAPartialSegment) {
  RouteTable table;
  table.rebuild({action_on(1, "/api/...")});
  EXPECT_FALSE(table.match("/apix").has_value());
  EXPECT_FALSE(table.match("/ap").has_value());
}

}  // namespace
}  // namespace wa::platform

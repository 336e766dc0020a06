// Issue 8 (items 8, 11-14) end to end: the real server with its two origins, real HTTP.
// Origins and CSP, logout, scopes, stream tickets instead of ?token=, /metrics views, and
// the login / registration limits as a client sees them.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "gateway/http_client.h"
#include "server_process.h"
#include "support/files.h"
#include "test_api.h"

namespace wa::testing {
namespace {

namespace fs = std::filesystem;
using gateway::ClientRequest;
using nlohmann::json;

const std::string kPassword = "correct-horse";

class AuthIntegration : public ServerTest {
 protected:
  AuthIntegration() : ServerTest("wa-auth-it") {}
  void SetUp() override {
    ServerTest::SetUp();
    web_ = make_temp_dir("wa-auth-web");
    std::ofstream(web_ / "index.html") << "<!doctype html><title>dashboard</title>";
  }
  void TearDown() override {
    ServerTest::TearDown();
    fs::remove_all(web_);
  }
  // Starts the server with the dashboard origin serving web_.
  ServerProcess& start(std::vector<std::string> args = {}) {
    args.insert(args.end(), {"--web-root", web_.string()});
    return ServerTest::start(std::move(args));
  }

  fs::path web_;
};

// Item 8: actions and the dashboard never share an origin.
TEST_F(AuthIntegration, DashboardHasItsOwnOriginWithCspAndNoActions) {
  auto& server = start();
  ASSERT_FALSE(server.dashboard_url().empty()) << "the port file names the dashboard listener";
  ASSERT_NE(server.dashboard_url(), server.url());
  auto main = client_for(server.url());
  auto dash = client_for(server.dashboard_url());
  const std::string dashboard_origin = server.dashboard_url();

  // The main origin's "/" and old dashboard paths lead to the dashboard's origin.
  auto root = send_request(main, "GET", "/");
  EXPECT_EQ(root.status, 302u);
  EXPECT_EQ(root.header("Location"), dashboard_origin + "/");
  EXPECT_EQ(send_request(main, "GET", "/dashboard/actions?x=1").header("Location"),
            dashboard_origin + "/dashboard/actions?x=1");

  auto page = send_request(dash, "GET", "/dashboard/actions");
  EXPECT_EQ(page.status, 200u);
  EXPECT_NE(page.body.find("<title>dashboard</title>"), std::string::npos);
  const std::string csp = page.header("Content-Security-Policy");
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("connect-src 'self' " + server.url()), std::string::npos) << csp;
  EXPECT_EQ(page.header("X-Frame-Options"), "DENY");
  EXPECT_EQ(page.header("X-Content-Type-Options"), "nosniff");

  // The API answers on both; the dashboard learns where the actions are.
  std::string token = register_user(dash, "ann");
  ASSERT_FALSE(token.empty());
  auto origins = body_json(send_request(dash, "GET", "/api/v1/origins"));
  EXPECT_EQ(origins.value("actions", ""), server.url());
  EXPECT_EQ(origins.value("dashboard", ""), dashboard_origin);
  EXPECT_EQ(send_request(main, "GET", "/api/v1/me", token).status, 200u);
  EXPECT_NE(send_request(dash, "GET", "/api/v1/me", token).header("Content-Security-Policy"), "");

  // Actions run on the main origin only.
  ASSERT_EQ(deploy_hello(dash, token, "hello", "/hello").status, 201u);
  auto called = call_until_ok_with_headers(main, "/hello", {{"Origin", dashboard_origin}});
  ASSERT_EQ(called.status, 200u) << called.body;
  // The dashboard's request tester may read action answers (no credentials exist)...
  EXPECT_EQ(called.header("Access-Control-Allow-Origin"), dashboard_origin);
  EXPECT_EQ(send_request(main, "GET", "/hello", {}, {}, {{"Origin", "http://evil.example"}})
                .header("Access-Control-Allow-Origin"),
            "");
  auto preflight = send_request(main, "OPTIONS", "/hello", {}, {},
                                {{"Origin", dashboard_origin},
                                 {"Access-Control-Request-Method", "PUT"},
                                 {"Access-Control-Request-Headers", "x-test, content-type"}});
  EXPECT_EQ(preflight.status, 204u);
  EXPECT_EQ(preflight.header("Access-Control-Allow-Origin"), dashboard_origin);
  // ...but no origin is ever let read the API cross-origin.
  EXPECT_EQ(send_request(main, "GET", "/api/v1/me", token, {}, {{"Origin", dashboard_origin}})
                .header("Access-Control-Allow-Origin"),
            "");
  auto on_dashboard = send_request(dash, "GET", "/hello");
  EXPECT_EQ(on_dashboard.status, 404u);
  EXPECT_EQ(on_dashboard.body.find("Hello from WebAssembly"), std::string::npos);
}

// Item 8: logout revokes the session on the server.
TEST_F(AuthIntegration, LogoutRevokesTheSessionEverywhere) {
  auto& server = start();
  auto main = client_for(server.url());
  std::string first = register_user(main, "ann");
  auto second = send_request(main, "POST", "/api/v1/auth/login", {},
                             json{{"username", "ann"}, {"password", kPassword}}.dump());
  ASSERT_EQ(second.status, 200u);
  std::string other = body_json(second).value("token", "");
  EXPECT_EQ(send_request(main, "POST", "/api/v1/auth/logout", first).status, 200u);
  auto refused = send_request(main, "GET", "/api/v1/me", first);
  EXPECT_EQ(refused.status, 401u);
  EXPECT_NE(refused.body.find("signed out"), std::string::npos) << refused.body;
  EXPECT_EQ(send_request(main, "GET", "/api/v1/me", other).status, 200u)
      << "other sessions live on";
  // A restart does not bring the session back.
  server_->stop();
  auto& again = start();
  auto client = client_for(again.url());
  EXPECT_EQ(send_request(client, "GET", "/api/v1/me", first).status, 401u);
  EXPECT_EQ(send_request(client, "GET", "/api/v1/me", other).status, 200u);
}

// Item 14: ?token= authenticates nothing; a stream ticket opens one stream once.
TEST_F(AuthIntegration, TokensInUrlsAreRefusedAndStreamTicketsAreSingleUse) {
  auto& server = start();
  auto main = client_for(server.url());
  std::string token = register_user(main, "ann");
  ASSERT_EQ(deploy_hello(main, token, "hello", "/hello").status, 201u);
  ASSERT_EQ(deploy_hello(main, token, "other", "/other").status, 201u);
  ASSERT_EQ(call_until_ok(main, "/hello").status, 200u);

  auto in_url = send_request(main, "GET", "/api/v1/actions?token=" + token);
  EXPECT_EQ(in_url.status, 401u);
  EXPECT_NE(in_url.body.find("ticket"), std::string::npos) << in_url.body;
  EXPECT_EQ(send_request(main, "GET", "/api/v1/actions/hello/logs/stream?token=" + token).status,
            401u);
  EXPECT_EQ(send_request(main, "POST", "/api/v1/tokens?token=" + token).status, 401u);

  auto minted = send_request(main, "POST", "/api/v1/actions/hello/logs/ticket", token);
  ASSERT_EQ(minted.status, 201u) << minted.body;
  const std::string ticket = body_json(minted).value("ticket", "");
  const std::string url = body_json(minted).value("stream", "");
  ASSERT_FALSE(ticket.empty());
  EXPECT_EQ(url, "/api/v1/actions/hello/logs/stream?ticket=" + ticket);
  EXPECT_EQ(send_request(main, "GET", "/api/v1/actions?ticket=" + ticket).status, 401u)
      << "a ticket is no API credential";
  EXPECT_EQ(send_request(main, "GET", "/api/v1/actions/other/logs/stream?ticket=" + ticket).status,
            401u)
      << "nor a ticket for another stream (and that use burnt it)";

  auto fresh = body_json(send_request(main, "POST", "/api/v1/actions/hello/logs/ticket", token));
  ClientRequest stream;
  stream.target = fresh.value("stream", "");
  auto data = main.read_event_stream(stream, std::chrono::seconds(10), [](const std::string& d) {
    return d.find("text/event-stream") != std::string::npos;  // the stream opened
  });
  ASSERT_TRUE(data) << data.error().message;
  EXPECT_NE(data->find("text/event-stream"), std::string::npos) << *data;
  auto reused = send_request(main, "GET", stream.target);
  EXPECT_EQ(reused.status, 401u) << "single use";
  EXPECT_EQ(send_request(main, "POST", "/api/v1/actions/nope/logs/ticket", token).status, 404u);
}

// The token scopes of decisions.md.
TEST_F(AuthIntegration, ApiTokensAreLimitedToTheirScopes) {
  auto& server = start();
  auto main = client_for(server.url());
  std::string admin = register_user(main, "admin");
  auto reader = send_request(main, "POST", "/api/v1/tokens", admin,
                             json{{"name", "dash"}, {"scopes", {"read"}}}.dump());
  ASSERT_EQ(reader.status, 201u) << reader.body;
  std::string read_only = body_json(reader).value("token", "");
  EXPECT_EQ(body_json(reader)["scopes"], json({"read"}));
  auto plain = send_request(main, "POST", "/api/v1/tokens", admin, json{{"name", "cli"}}.dump());
  std::string cli = body_json(plain).value("token", "");
  EXPECT_EQ(body_json(plain)["scopes"], json({"read", "deploy"}));

  EXPECT_EQ(send_request(main, "GET", "/api/v1/actions", read_only).status, 200u);
  EXPECT_EQ(deploy_hello(main, read_only, "hello", "/hello").status, 403u);
  EXPECT_EQ(deploy_hello(main, cli, "hello", "/hello").status, 201u) << "the CLI's default";
  EXPECT_EQ(send_request(main, "DELETE", "/api/v1/actions/hello", read_only).status, 403u);
  EXPECT_EQ(send_request(main, "GET", "/api/v1/admin/users", cli).status, 403u);
  EXPECT_EQ(send_request(main, "GET", "/api/v1/admin/users", admin).status, 200u);
  // A token cannot mint tokens (a leaked one must not breed), nor ask for unknown scopes.
  EXPECT_EQ(send_request(main, "POST", "/api/v1/tokens", cli, "{}").status, 403u);
  EXPECT_EQ(
      send_request(main, "POST", "/api/v1/tokens", admin, json{{"scopes", {"root"}}}.dump()).status,
      400u);
  auto me = body_json(send_request(main, "GET", "/api/v1/me", read_only));
  EXPECT_EQ(me["scopes"], json({"read"}));
}

// Item 13: /metrics lists action names and routes only to their owner or an admin.
TEST_F(AuthIntegration, MetricsShowOnlyTotalsToStrangers) {
  auto& server = start({"--metrics-token", "scraper-secret-123"});
  auto main = client_for(server.url());
  std::string admin = register_user(main, "admin");
  std::string bob = register_user(main, "bob");
  ASSERT_EQ(deploy_hello(main, bob, "secret-shop", "/shop-4711").status, 201u);
  ASSERT_EQ(deploy_hello(main, admin, "status", "/status").status, 201u);
  ASSERT_EQ(call_until_ok(main, "/shop-4711").status, 200u);

  auto anonymous = send_request(main, "GET", "/metrics");
  ASSERT_EQ(anonymous.status, 200u);
  EXPECT_EQ(anonymous.body.find("secret-shop"), std::string::npos) << anonymous.body;
  EXPECT_EQ(anonymous.body.find("shop-4711"), std::string::npos);
  EXPECT_NE(anonymous.body.find("wa_requests_total "), std::string::npos);
  EXPECT_NE(anonymous.body.find("wa_module_cache_hits_total"), std::string::npos);

  auto own = send_request(main, "GET", "/metrics", bob).body;
  EXPECT_NE(own.find("action=\"bob/secret-shop\""), std::string::npos) << own;
  EXPECT_EQ(own.find("admin/status"), std::string::npos);
  for (const std::string& full :
       {send_request(main, "GET", "/metrics", admin).body,
        send_request(main, "GET", "/metrics", "scraper-secret-123").body}) {
    EXPECT_NE(full.find("bob/secret-shop"), std::string::npos);
  }
  EXPECT_EQ(send_request(main, "GET", "/metrics", "wrong-token").status, 401u);
}

// Item 11: a stranger's bad logins slow down only that (address, user) pair.
TEST_F(AuthIntegration, BadLoginsForOneUserDoNotLockTheAddressOut) {
  auto& server = start();
  auto main = client_for(server.url());
  register_user(main, "ann");
  register_user(main, "bob");
  auto login = [&](const std::string& user, const std::string& password) {
    return send_request(main, "POST", "/api/v1/auth/login", {},
                        json{{"username", user}, {"password", password}}.dump());
  };
  for (int i = 0; i < 5; ++i) EXPECT_EQ(login("ann", "wrong-password").status, 401u);
  auto blocked = login("ann", kPassword);
  EXPECT_EQ(blocked.status, 429u);
  EXPECT_FALSE(blocked.header("Retry-After").empty());
  EXPECT_EQ(login("bob", kPassword).status, 200u) << "another user from the same address";
}

// Item 12: registrations are limited per address; a closed server refuses at once.
TEST_F(AuthIntegration, RegistrationIsRateLimitedPerAddress) {
  auto& server = start({"--registrations-per-address", "2"});
  auto main = client_for(server.url());
  register_user(main, "ann");
  register_user(main, "bob");
  auto third = send_request(main, "POST", "/api/v1/auth/register", {},
                            json{{"username", "carol"}, {"password", kPassword}}.dump());
  EXPECT_EQ(third.status, 429u) << third.body;
  EXPECT_FALSE(third.header("Retry-After").empty());
}

}  // namespace
}  // namespace wa::testing

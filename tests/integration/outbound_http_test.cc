// `wasi_experimental_http` as a guest calls it, through a real server over real HTTP, to
// a real HTTP server the test starts: GET/POST with headers and bodies, bodies in pieces,
// every error code a guest can reach, the allowlist (hits, misses, a name that resolves
// to 127.0.0.1), redirects, a slow server against the guest's deadline; and calls between
// actions (chaining): a pipeline, the grant, depth and cycle limits, a saturated pool.
//
// Guests: tests/guests/http_probe.c (a script of raw calls, one answer line per call) and
// tests/guests/chain_relay.c (one link of a chain, configured by env vars).
#include <gtest/gtest.h>

#include <atomic>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "test_api.h"
#include "test_http_server.h"

namespace wa::testing {
namespace {

using gateway::HttpClient;
using nlohmann::json;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

json outbound_grant(std::vector<std::string> hosts, int timeout_ms = 5000) {
  return {{"timeout_ms", timeout_ms}, {"capabilities", {{"allowed_outbound_hosts", hosts}}}};
}

uint32_t fnv1a(const std::string& bytes) {
  uint32_t hash = 2166136261u;
  for (unsigned char c : bytes) hash = (hash ^ c) * 16777619u;
  return hash;
}

std::string hex8(uint32_t value) {
  char text[9];
  std::snprintf(text, sizeof text, "%08x", value);
  return text;
}

// An echo server: status 201, the method and the x-probe header echoed back in
// headers, two Set-Cookie headers, body "echo:" + the request body.
TestHttpServer::Response echo(const TestHttpServer::Request& request) {
  return {201,
          {{"X-Echo-Method", request.method},
           {"X-Echo-Header", request.header("x-probe")},
           {"Set-Cookie", "a=1"},
           {"Set-Cookie", "b=2"}},
          "echo:" + request.body};
}

class OutboundHttpTest : public ServerTest {
 protected:
  OutboundHttpTest() : ServerTest("wa-outbound") {}

  void start_server(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--fast-password-hashing"};
    args.insert(args.end(), extra.begin(), extra.end());
    start(args);
    client_ = std::make_unique<HttpClient>(client_for(*server_));
    ann_ = register_user(*client_, "ann");
    ASSERT_FALSE(ann_.empty());
  }

  void deploy_guest(const std::string& guest, const std::string& name, const json& settings,
                    const std::string& route = "") {
    deploy_or_fail(*client_, ann_, name, route.empty() ? "/" + name : route, read_guest(guest),
                   settings);
    wait_until_ready_or_fail(*client_, ann_, name);
  }

  std::vector<std::string> run(const std::string& route, const std::string& script) {
    auto response =
        send_request(*client_, "POST", route, "", script, {{"Content-Type", "text/plain"}});
    EXPECT_EQ(response.status, 200u) << response.body;
    return lines_of(response.body);
  }

  std::string logs(const std::string& name) { return action_logs(*client_, ann_, name); }

  std::unique_ptr<HttpClient> client_;
  std::string ann_;
};

TEST_F(OutboundHttpTest, GetAndPostWithHeadersAndBodies) {
  TestHttpServer remote(echo);
  start_server();
  deploy_guest("http_probe", "probe",
               outbound_grant({"http://127.0.0.1:" + std::to_string(remote.port())}));
  const std::string url = remote.url("/echo?q=1");
  auto out = run("/probe",
                 "req GET " + url +
                     " x-probe:one%0A -\n"       // 0
                     "get 0 x-echo-method 64\n"  // 1
                     "get 0 X-ECHO-METHOD 64\n"  // 2: any case
                     "get 0 x-echo-method 1\n"   // 3: too small, needs 3
                     "get 0 missing 64\n"        // 4
                     "all 0 4096\n"              // 5
                     "all 0 2\n"                 // 6
                     "body 0\n"                  // 7
                     "req POST " +
                     url +
                     " content-type:text/plain%0Ax-probe:two%0A hello%20world\n"  // 8
                     "body 1\n"                                                   // 9
                     "close 0\n"                                                  // 10
                     "get 0 x-echo-method 64\n"                                   // 11: closed
                     "req DELETE " +
                     url + " - -\n");  // 12: reuses handle 0
  ASSERT_EQ(out.size(), 13u) << ::testing::PrintToString(out);
  EXPECT_EQ(out[0], "0 201 0");
  EXPECT_EQ(out[1], "0 GET");
  EXPECT_EQ(out[2], "0 GET");
  EXPECT_EQ(out[3], "4 3");
  EXPECT_EQ(out[4].substr(0, 2), "5 ");
  EXPECT_NE(out[5].find("x-echo-header:one|"), std::string::npos) << out[5];
  EXPECT_NE(out[5].find("set-cookie:a=1|"), std::string::npos) << out[5];
  EXPECT_NE(out[5].find("set-cookie:b=2|"), std::string::npos) << out[5];
  EXPECT_EQ(out[6].substr(0, 2), "4 ");
  EXPECT_GT(std::stoul(out[6].substr(2)), 2u);
  EXPECT_EQ(out[7], "0 echo:");
  EXPECT_EQ(out[8], "0 201 1");
  EXPECT_EQ(out[9], "0 echo:hello world");
  EXPECT_EQ(out[10], "0");
  EXPECT_EQ(out[11].substr(0, 2), "1 ");
  EXPECT_EQ(out[12], "0 201 0");

  auto seen = remote.requests();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].target, "/echo?q=1");
  EXPECT_EQ(seen[0].header("x-probe"), "one");
  EXPECT_EQ(seen[1].method, "POST");
  EXPECT_EQ(seen[1].header("content-type"), "text/plain");
  EXPECT_EQ(seen[1].body, "hello world");
  EXPECT_EQ(seen[2].method, "DELETE");
}

TEST_F(OutboundHttpTest, LargeBodiesBothWaysInPieces) {
  std::string big(3u << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 23);
  TestHttpServer remote([&](const TestHttpServer::Request& r) {
    return TestHttpServer::Response{200, {{"X-Got", std::to_string(r.body.size())}}, big};
  });
  start_server();
  deploy_guest("http_probe", "probe", outbound_grant({"http://127.0.0.1:*"}));
  auto out = run("/probe", "big PUT " + remote.url("/big") +
                               " 1048576\n"
                               "get 0 x-got 32\n"
                               "read 0 65536\n"
                               "read 0 65536\n");
  ASSERT_EQ(out.size(), 4u) << ::testing::PrintToString(out);
  EXPECT_EQ(out[0], "0 200 0");
  EXPECT_EQ(out[1], "0 1048576");
  EXPECT_EQ(out[2], "0 3145728 48 " + hex8(fnv1a(big)));
  EXPECT_EQ(out[3], "0 0 0 811c9dc5");  // read to the end already: nothing more
}

TEST_F(OutboundHttpTest, EveryErrorCodeAGuestCanReach) {
  TestHttpServer remote(echo);
  start_server();
  const std::string port = std::to_string(remote.port());
  deploy_guest("http_probe", "probe",
               outbound_grant({"http://127.0.0.1:" + port, "http://127.0.0.1:1"}));
  auto out = run("/probe",
                 "oob req\n"              // 0: 3
                 "oob req_out\n"          // 1: 3
                 "oob header_get\n"       // 2: 3
                 "oob headers_get_all\n"  // 3: 3
                 "oob body_read\n"        // 4: 3
                 "badutf8\n"              // 5: 6
                 "req G(T " +
                     remote.url() +
                     " - -\n"  // 6: 8
                     "req GET " +
                     remote.url() +
                     " no-colon-here -\n"                 // 7: 9
                     "req GET not%20a%20url - -\n"        // 8: 10
                     "req GET http://example.com/ - -\n"  // 9: 7
                     "req GET http://127.0.0.1:1/ - -\n"  // 10: 11 (refused)
                     "get 9 x 8\n"                        // 11: 1
                     "read 9 8\n"                         // 12: 1
                     "many " +
                     remote.url() + " 40\n");  // 13: 13 after 16
  ASSERT_EQ(out.size(), 14u) << ::testing::PrintToString(out);
  for (int i = 0; i <= 4; ++i) EXPECT_EQ(out[i], "3") << i;
  EXPECT_EQ(out[5], "6");
  EXPECT_EQ(out[6].substr(0, 2), "8 ");
  EXPECT_EQ(out[7].substr(0, 2), "9 ");
  EXPECT_EQ(out[8].substr(0, 3), "10 ");
  EXPECT_EQ(out[9].substr(0, 2), "7 ");
  EXPECT_EQ(out[10].substr(0, 3), "11 ");
  EXPECT_EQ(out[11].substr(0, 2), "1 ");
  EXPECT_EQ(out[12].substr(0, 2), "1 ");
  EXPECT_EQ(out[13], "13 16");
  EXPECT_NE(logs("probe").find("example.com"), std::string::npos);
}

TEST_F(OutboundHttpTest, AllowlistAndThePrivateAddressRule) {
  TestHttpServer remote(echo);
  start_server();
  const std::string port = std::to_string(remote.port());
  // Named by name only: localhost resolves to 127.0.0.1, which no entry names.
  deploy_guest("http_probe", "byname", outbound_grant({"http://localhost:" + port}));
  auto out = run("/byname", "req GET http://localhost:" + port + "/ - -\n");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].substr(0, 2), "7 ");
  std::string log = logs("byname");
  EXPECT_NE(log.find("127.0.0.1"), std::string::npos) << log;
  EXPECT_NE(log.find("loopback"), std::string::npos) << log;
  EXPECT_EQ(remote.requests().size(), 0u);

  // The address itself named: allowed; another port of it: not.
  deploy_guest("http_probe", "literal", outbound_grant({"http://127.0.0.1:" + port}));
  out = run("/literal", "req GET http://127.0.0.1:" + port +
                            "/ - -\n"
                            "req GET http://127.0.0.1:" +
                            std::to_string(remote.port() + 1) + "/ - -\n");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], "0 201 0");
  EXPECT_EQ(out[1].substr(0, 2), "7 ");

  // A public wildcard does not open private addresses.
  deploy_guest("http_probe", "wild", outbound_grant({"http://*:" + port}));
  out = run("/wild", "req GET http://127.0.0.1:" + port + "/ - -\n");
  EXPECT_EQ(out[0].substr(0, 2), "7 ");

  // No grant at all: refused, and the log says why.
  deploy_guest("http_probe", "none", json::object());
  out = run("/none", "req GET http://127.0.0.1:" + port + "/ - -\n");
  EXPECT_EQ(out[0].substr(0, 2), "7 ");
  EXPECT_NE(logs("none").find("allowed_outbound_hosts"), std::string::npos);
  EXPECT_EQ(remote.requests().size(), 1u);
}

TEST_F(OutboundHttpTest, RedirectsOnlyToAllowedHosts) {
  TestHttpServer other(echo);
  TestHttpServer remote([&](const TestHttpServer::Request& r) {
    if (r.target == "/here") return TestHttpServer::Response{302, {{"Location", "/echo"}}, ""};
    if (r.target == "/away")
      return TestHttpServer::Response{302, {{"Location", other.url("/stolen")}}, ""};
    return echo(r);
  });
  start_server();
  deploy_guest("http_probe", "probe",
               outbound_grant({"http://127.0.0.1:" + std::to_string(remote.port())}));
  auto out = run("/probe", "req GET " + remote.url("/here") +
                               " - -\n"
                               "req GET " +
                               remote.url("/away") + " - -\n");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], "0 201 0");
  EXPECT_EQ(out[1].substr(0, 2), "7 ");
  EXPECT_EQ(other.requests().size(), 0u);
}

TEST_F(OutboundHttpTest, ASlowServerNeverHoldsTheGuestPastItsDeadline) {
  TestHttpServer slow([](const TestHttpServer::Request&) {
    return TestHttpServer::Response{200, {}, "late", std::chrono::seconds(30)};
  });
  start_server();
  deploy_guest("http_probe", "probe",
               outbound_grant({"http://127.0.0.1:" + std::to_string(slow.port())}, 1000));
  auto response =
      send_request(*client_, "POST", "/probe", "", "req GET " + slow.url("/") + " - -\n",
                   {{"Content-Type", "text/plain"}});
  EXPECT_EQ(response.status, 504u) << response.body;
  EXPECT_NE(logs("probe").find("timeout"), std::string::npos);
}

// --- chaining ---------------------------------------------------------------------

json relay(const std::string& name, const std::string& next,
           std::vector<std::string> callable = {}) {
  json settings = {{"env", {{"NAME", name}}}};
  if (!next.empty()) settings["env"]["NEXT"] = next;
  if (!callable.empty()) settings["capabilities"] = {{"actions", callable}};
  return settings;
}

TEST_F(OutboundHttpTest, APipelineOfThreeActions) {
  start_server();
  deploy_guest("chain_relay", "a", relay("a", "b", {"b"}), "/a/...");
  deploy_guest("chain_relay", "b", relay("b", "c", {"*"}), "/b/...");
  deploy_guest("chain_relay", "c", relay("c", ""), "/c/...");
  auto response = send_request(*client_, "POST", "/a/x/y?z=1", "", "hi",
                               {{"Content-Type", "text/plain"}, {"X-Trace", "t"}});
  ASSERT_EQ(response.status, 200u) << response.body;
  EXPECT_EQ(response.body, "a -> 0 200\nb -> 0 200\nleaf c POST /x/y z=1 trace=t,a,b body=hi\n");
  // The callee's log names its caller and the parent request.
  std::string log = logs("c");
  EXPECT_NE(log.find("called by \\\"b\\\""), std::string::npos) << log;
}

TEST_F(OutboundHttpTest, ACallNeedsTheActionsGrant) {
  start_server();
  deploy_guest("chain_relay", "a", relay("a", "b", {"other"}));
  deploy_guest("chain_relay", "b", relay("b", ""));
  deploy_guest("chain_relay", "c", relay("c", "b"));  // no grant at all
  EXPECT_EQ(call_until_ok(*client_, "/a").body, "a -> 7 0\n");
  EXPECT_EQ(call_until_ok(*client_, "/c").body, "c -> 7 0\n");
  // Another developer's action of that name is out of reach, granted or not.
  std::string bob = register_user(*client_, "bob");
  deploy_or_fail(*client_, bob, "d", "/d", read_guest("chain_relay"), relay("d", "b", {"*"}));
  wait_until_ready_or_fail(*client_, bob, "d");
  EXPECT_EQ(call_until_ok(*client_, "/d").body, "d -> 7 0\n");
}

TEST_F(OutboundHttpTest, DepthAndCycleLimits) {
  start_server();
  for (int i = 0; i <= 9; ++i) {
    std::string name = "d" + std::to_string(i);
    std::string next = i < 9 ? "d" + std::to_string(i + 1) : "";
    deploy_guest("chain_relay", name,
                 relay(name, next,
                       next.empty() ? std::vector<std::string>{} : std::vector<std::string>{next}));
  }
  // d0 → ... → d8 is 8 calls deep; d8's call to d9 would be the 9th.
  auto body = call_until_ok(*client_, "/d0").body;
  auto lines = lines_of(body);
  ASSERT_EQ(lines.size(), 9u) << body;
  for (int i = 0; i < 8; ++i) EXPECT_EQ(lines[i], "d" + std::to_string(i) + " -> 0 200");
  EXPECT_EQ(lines[8], "d8 -> 12 0");
  std::string log = logs("d8");
  EXPECT_NE(log.find("d0 → d1 → d2"), std::string::npos) << log;
  EXPECT_NE(log.find("chain_refused"), std::string::npos) << log;

  deploy_guest("chain_relay", "ping", relay("ping", "pong", {"pong"}));
  deploy_guest("chain_relay", "pong", relay("pong", "ping", {"ping"}));
  EXPECT_EQ(call_until_ok(*client_, "/ping").body, "ping -> 0 200\npong -> 12 0\n");
  EXPECT_NE(logs("pong").find("ping → pong → ping"), std::string::npos);
}

// A callee that traps or runs out of time ends as it would over HTTP (500, 504); the
// caller, nested around it on the same thread, carries on with its own memory and time.
TEST_F(OutboundHttpTest, ACalleeThatFailsLeavesItsCallerRunning) {
  start_server();
  deploy_guest("chain_relay", "to_trap", relay("to_trap", "trap", {"trap"}));
  deploy_guest("chain_relay", "to_loop", relay("to_loop", "spin", {"spin"}));
  deploy_or_fail(*client_, ann_, "trap", "/trap", read_guest("oob"));
  wait_until_ready_or_fail(*client_, ann_, "trap");
  deploy_or_fail(*client_, ann_, "spin", "/spin", read_guest("loop"), {{"timeout_ms", 300}});
  wait_until_ready_or_fail(*client_, ann_, "spin");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(lines_of(call_until_ok(*client_, "/to_trap").body)[0], "to_trap -> 0 500");
    EXPECT_EQ(lines_of(call_until_ok(*client_, "/to_loop").body)[0], "to_loop -> 0 504");
  }
}

TEST_F(OutboundHttpTest, ChainsNeverDeadlockASaturatedPool) {
  start_server({"--workers", "2"});
  for (int i = 0; i <= 8; ++i) {
    std::string name = "s" + std::to_string(i);
    std::string next = i < 8 ? "s" + std::to_string(i + 1) : "";
    deploy_guest("chain_relay", name,
                 relay(name, next,
                       next.empty() ? std::vector<std::string>{} : std::vector<std::string>{next}));
  }
  call_until_ok(*client_, "/s0");
  std::atomic<int> ok{0};
  std::vector<std::thread> chains;
  for (int c = 0; c < 4; ++c) {
    chains.emplace_back([&] {
      for (int round = 0; round < 5; ++round) {
        HttpClient client = client_for(*server_);
        auto response = send_request(client, "GET", "/s0");
        if (response.status == 200 && lines_of(response.body).size() == 9) ++ok;
      }
    });
  }
  for (auto& t : chains) t.join();
  EXPECT_EQ(ok.load(), 20);
}

}  // namespace
}  // namespace wa::testing

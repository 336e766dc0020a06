// The Rust SDK's outbound HTTP (sdk/rust/src/http.rs) through its example guest
// sdk/rust/examples/fetch.rs (→ rust_fetch.wasm, built by Debian's rustc for wasm32-wasi),
// deployed on the real server and calling a real HTTP server the test starts: what that
// server received (method, target, headers, body), what the guest answered (status,
// headers, body), headers that need the buffer_too_small retry, a 1 MiB body read in
// pieces, refused destinations, and a chained call to another action.
//
// Skips only when CMake found no rustc with the wasm32-wasi std (WA_HAVE_RUST_GUESTS
// unset); with it, a missing rust_fetch.wasm fails.
#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

#include "test_api.h"
#include "test_http_server.h"

namespace wa::testing {
namespace {

using gateway::HttpClient;
using nlohmann::json;

const std::string kGreeting = "Hello from a Rust guest on WASM Actions.";

std::string repeated(size_t n) {
  std::string text;
  for (size_t i = 0; i < n; ++i) text += static_cast<char>('a' + i % 26);
  return text;
}

// Every byte value, not periodic in the guest's 64 KiB pieces: a dropped, repeated or
// reordered piece changes the body.
std::string big_body() {
  std::string body(1u << 20, '\0');
  uint32_t x = 7;
  for (auto& c : body) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 16);
  }
  return body;
}

// The guest's answer split up: the lines before "body N", and the body after that line.
struct Shown {
  std::vector<std::string> lines;
  size_t body_len = 0;
  std::string body;
  bool parsed = false;
};

Shown parse_shown(const std::string& text) {
  Shown shown;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) break;
    std::string line = text.substr(at, end - at);
    at = end + 1;
    if (line.starts_with("body ")) {
      shown.body_len = std::stoul(line.substr(5));
      shown.body = text.substr(at);
      shown.parsed = true;
      break;
    }
    shown.lines.push_back(line);
  }
  return shown;
}

bool has_line(const Shown& shown, const std::string& line) {
  for (const auto& l : shown.lines)
    if (l == line) return true;
  return false;
}

TestHttpServer::Response upstream(const TestHttpServer::Request& r) {
  std::string path = r.target.substr(0, r.target.find('?'));
  if (path == "/long") {
    return {200,
            {{"Content-Type", "text/plain; x=" + repeated(5000)}, {"X-Long", repeated(6000)}},
            big_body()};
  }
  return {201,
          {{"Content-Type", "text/plain; charset=utf-8"},
           {"X-Reply", "r1"},
           {"Set-Cookie", "a=1"},
           {"Set-Cookie", "b=2"}},
          "echo:" + r.body};
}

class SdkRustHttpTest : public ServerTest {
 protected:
  SdkRustHttpTest() : ServerTest("wa-sdk-rust-http"), upstream_(upstream) {}

  void SetUp() override {
    ServerTest::SetUp();
#ifndef WA_HAVE_RUST_GUESTS
    GTEST_SKIP() << "no /usr/bin/rustc with the wasm32-wasi std (libstd-rust-dev-wasm32): "
                    "rust_fetch.wasm is not built";
#endif
    start({"--fast-password-hashing"});
    client_ = std::make_unique<HttpClient>(client_for(*server_));
    token_ = register_user(*client_, "ann");
    ASSERT_FALSE(token_.empty());
  }

  // Deploys rust_fetch as `name` at /name with `capabilities`.
  void deploy_fetch(const std::string& name, const json& capabilities) {
    json settings = json::object();
    if (!capabilities.empty()) settings["capabilities"] = capabilities;
    deploy_or_fail(*client_, token_, name, "/" + name, read_guest("rust_fetch"), settings);
    wait_until_ready_or_fail(*client_, token_, name);
  }

  json upstream_grant() const {
    return {{"allowed_outbound_hosts", {"http://127.0.0.1:" + std::to_string(upstream_.port())}}};
  }

  gateway::ClientResponse fetch(const std::string& action, const std::string& query,
                                const std::string& method = "GET", const std::string& body = "") {
    return send_request(*client_, method, "/" + action + "?" + query, "", body,
                        {{"Content-Type", "application/octet-stream"}});
  }

  std::string url_query(const std::string& path) const {
    return "url=" + gateway::url_segment(upstream_.url(path));
  }

  TestHttpServer upstream_;
  std::unique_ptr<HttpClient> client_;
  std::string token_;
};

TEST_F(SdkRustHttpTest, PostsTheBodyWithItsHeadersAndShowsTheAnswer) {
  deploy_fetch("fetch", upstream_grant());
  const std::string body = "hello from the test\n\x01\x02 binary too";
  auto response = fetch("fetch", url_query("/in/a?x=1&y=two"), "POST", body);
  ASSERT_EQ(response.status, 200u) << response.body << action_logs(*client_, token_, "fetch");

  // What went over the wire to the upstream.
  auto seen = upstream_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/in/a?x=1&y=two");
  EXPECT_EQ(seen[0].header("Content-Type"), "text/plain");
  EXPECT_EQ(seen[0].header("X-Example"), "rust-fetch");
  EXPECT_EQ(seen[0].body, body);

  // What the guest made of the upstream's answer.
  EXPECT_EQ(response.header("X-Upstream-Status"), "201");
  EXPECT_EQ(response.header("Content-Type"), "text/plain; charset=utf-8");
  Shown shown = parse_shown(response.body);
  ASSERT_TRUE(shown.parsed) << response.body;
  ASSERT_GE(shown.lines.size(), 2u) << response.body;
  EXPECT_EQ(shown.lines[0], "status 201");
  EXPECT_EQ(shown.lines[1], "content-type text/plain; charset=utf-8");
  EXPECT_TRUE(has_line(shown, "header x-reply: r1")) << response.body;
  EXPECT_TRUE(has_line(shown, "header content-type: text/plain; charset=utf-8")) << response.body;
  // Repeated headers both, in order (names lowercase, as the host gives them).
  auto a = response.body.find("header set-cookie: a=1\n");
  auto b = response.body.find("header set-cookie: b=2\n");
  ASSERT_NE(a, std::string::npos) << response.body;
  ASSERT_NE(b, std::string::npos) << response.body;
  EXPECT_LT(a, b);
  EXPECT_EQ(shown.body_len, 5 + body.size());
  EXPECT_EQ(shown.body, "echo:" + body);
}

TEST_F(SdkRustHttpTest, WithoutABodyItSendsTheGreeting) {
  deploy_fetch("fetch", upstream_grant());
  auto response = fetch("fetch", url_query("/"));
  ASSERT_EQ(response.status, 200u) << response.body;
  auto seen = upstream_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].body, kGreeting);
  EXPECT_EQ(parse_shown(response.body).body, "echo:" + kGreeting);
}

// 5000- and 6000-byte headers do not fit the SDK's first buffers (256 and 1024 bytes): it
// must retry with the length the host asks for. The 1 MiB body comes in 64 KiB pieces.
TEST_F(SdkRustHttpTest, LongHeadersAndABigBodyArriveWhole) {
  deploy_fetch("fetch", upstream_grant());
  auto response = fetch("fetch", url_query("/long"));
  ASSERT_EQ(response.status, 200u) << response.body.substr(0, 2000);
  Shown shown = parse_shown(response.body);
  ASSERT_TRUE(shown.parsed);
  ASSERT_GE(shown.lines.size(), 2u);
  EXPECT_EQ(shown.lines[0], "status 200");
  EXPECT_EQ(shown.lines[1], "content-type text/plain; x=" + repeated(5000));
  EXPECT_TRUE(has_line(shown, "header x-long: " + repeated(6000)));
  EXPECT_EQ(shown.body_len, 1u << 20);
  EXPECT_TRUE(shown.body == big_body()) << "the body differs (" << shown.body.size() << " bytes)";
}

TEST_F(SdkRustHttpTest, ARefusedHostIsDestinationNotAllowed) {
  TestHttpServer other(upstream);
  deploy_fetch("fetch", upstream_grant());
  // Another port of the same address: not in the list.
  auto response =
      fetch("fetch", "url=" + gateway::url_segment(other.url("/stolen")), "POST", "secret");
  EXPECT_EQ(response.status, 502u) << response.body;
  EXPECT_EQ(response.body, "error 7 destination_not_allowed\n");
  EXPECT_EQ(response.header("X-Fetch-Error"), "destination_not_allowed");
  EXPECT_EQ(other.requests().size(), 0u);
  std::string log = action_logs(*client_, token_, "fetch");
  EXPECT_NE(log.find("destination_not_allowed (7)"), std::string::npos) << log;

  // No grant at all: the same refusal, and the granted upstream is out of reach too.
  deploy_fetch("nogrant", json::object());
  response = fetch("nogrant", url_query("/"));
  EXPECT_EQ(response.status, 502u) << response.body;
  EXPECT_EQ(response.body, "error 7 destination_not_allowed\n");
  EXPECT_EQ(upstream_.requests().size(), 0u);

  // Not an http(s) URL.
  response = fetch("fetch", "url=" + gateway::url_segment("ftp://127.0.0.1/x"));
  EXPECT_EQ(response.status, 502u) << response.body;
  EXPECT_EQ(response.body, "error 10 invalid_url\n");
}

TEST_F(SdkRustHttpTest, CallsAnotherActionByName) {
  deploy_or_fail(*client_, token_, "leaf", "/leaf", read_guest("chain_relay"),
                 {{"env", {{"NAME", "leaf"}}}});
  wait_until_ready_or_fail(*client_, token_, "leaf");
  deploy_fetch("fetch", {{"actions", {"leaf"}}});
  auto response =
      fetch("fetch", "action=leaf&path=" + gateway::url_segment("/x/y?z=1"), "POST", "hi");
  ASSERT_EQ(response.status, 200u) << response.body << action_logs(*client_, token_, "fetch");
  EXPECT_EQ(response.header("X-Upstream-Status"), "200");
  Shown shown = parse_shown(response.body);
  ASSERT_TRUE(shown.parsed) << response.body;
  EXPECT_EQ(shown.lines[1], "content-type text/plain");
  EXPECT_EQ(shown.body, "leaf leaf POST /x/y z=1 trace= body=hi\n");

  // An action the grant does not list; a name that is not an action name (the SDK refuses
  // it before the host sees a URL whose host part it would change).
  deploy_or_fail(*client_, token_, "other", "/other", read_guest("chain_relay"),
                 {{"env", {{"NAME", "other"}}}});
  wait_until_ready_or_fail(*client_, token_, "other");
  response = fetch("fetch", "action=other");
  EXPECT_EQ(response.status, 502u) << response.body;
  EXPECT_EQ(response.body, "error 7 destination_not_allowed\n");
  response = fetch("fetch", "action=" + gateway::url_segment("127.0.0.1:1/leaf"));
  EXPECT_EQ(response.status, 502u) << response.body;
  EXPECT_EQ(response.body, "error 10 invalid_url\n");
}

}  // namespace
}  // namespace wa::testing

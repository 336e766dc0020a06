// The outbound-HTTP and chaining wrappers of both SDKs (sdk/c/wasm_actions_http.h,
// sdk/assemblyscript/assembly/http.ts) against the real server and a real HTTP server
// (TestHttpServer): GET with a header, POST with a body, a 1 MiB body read in pieces, a
// header that needs a retry on buffer_too_small, a refused host, and a chained call.
//
// The guests are tests/guests/sdk_http.c and sdk/assemblyscript/tests/guests/sdkas_http.ts:
// one query (`case=...`) per scenario, answered as `key=value` lines (status 200 whatever
// the SDK reported), so every check below reads what the SDK returned.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "test_api.h"
#include "test_http_server.h"

namespace wa::testing {
namespace {

using gateway::HttpClient;
using nlohmann::json;

constexpr size_t kBigBody = 1u << 20;
constexpr size_t kLongHeader = 5000;

uint32_t fnv1a(const std::string& bytes) {
  uint32_t h = 2166136261u;
  for (unsigned char c : bytes) h = (h ^ c) * 16777619u;
  return h;
}

std::string hex8(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

// Bytes that change every position and are not periodic in 4000 (the guests' piece
// size), so a dropped, repeated or reordered piece changes the hash.
std::string big_body() {
  std::string body(kBigBody, '\0');
  uint32_t x = 12345;
  for (auto& c : body) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 16);
  }
  return body;
}

std::string long_header_value() {
  std::string v;
  for (size_t i = 0; i < kLongHeader; ++i) v += static_cast<char>('a' + i % 26);
  return v;
}

std::map<std::string, std::string> fields_of(const std::string& text) {
  std::map<std::string, std::string> values;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    auto eq = line.find('=');
    if (eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return values;
}

// What the upstream answers, by path.
TestHttpServer::Response upstream(const TestHttpServer::Request& r) {
  std::string path = r.target.substr(0, r.target.find('?'));
  if (path == "/hello") {
    return {200,
            {{"Content-Type", "text/plain; charset=utf-8"}},
            "hi " + r.header("x-test") + " accept=" + r.header("accept")};
  }
  if (path == "/echo") return {200, {{"Content-Type", "text/plain"}}, r.method + ":" + r.body};
  if (path == "/big") return {200, {{"Content-Type", "application/octet-stream"}}, big_body()};
  if (path == "/long") return {200, {{"X-Long", long_header_value()}}, "long"};
  return {404, {{"Content-Type", "text/plain"}}, "no such path"};
}

class SdkHttpTest : public ServerTest, public ::testing::WithParamInterface<std::string> {
 protected:
  SdkHttpTest() : ServerTest("wa-sdk-http"), upstream_(upstream) {}

  // Starts the server and deploys the SDK guest as `sdkhttp` (granted the upstream, by
  // its IP literal as the private-address rule wants, and the action `echo-callee`).
  void SetUp() override {
    ServerTest::SetUp();
    start({"--fast-password-hashing"});
    client_ = std::make_unique<HttpClient>(client_for(*server_));
    token_ = register_user(*client_, "ann");
    ASSERT_FALSE(token_.empty());
    json grants = {{"capabilities",
                    {{"allowed_outbound_hosts", {"http://127.0.0.1:" + port_text()}},
                     {"actions", {"echo-callee"}}}}};
    deploy_or_fail(*client_, token_, "sdkhttp", "/sdkhttp", read_guest(GetParam()), grants);
    wait_until_ready_or_fail(*client_, token_, "sdkhttp");
  }

  std::string port_text() const { return std::to_string(upstream_.port()); }

  // Runs case `which` with `query` (already encoded) and `body`; the answer's lines.
  std::map<std::string, std::string> run(const std::string& which, const std::string& query,
                                         const std::string& method = "GET",
                                         const std::string& body = "") {
    auto response = send_request(*client_, method, "/sdkhttp?case=" + which + "&" + query, "", body,
                                 {{"Content-Type", "text/plain"}});
    EXPECT_EQ(response.status, 200u) << response.body;
    auto values = fields_of(response.body);
    EXPECT_EQ(values["done"], "1") << response.body << action_logs(*client_, token_, "sdkhttp");
    return values;
  }

  std::string url_query(const std::string& path) {
    return "url=" + gateway::url_segment(upstream_.url(path));
  }

  TestHttpServer upstream_;
  std::unique_ptr<HttpClient> client_;
  std::string token_;
};

TEST_P(SdkHttpTest, GetSendsHeadersAndReadsTheResponse) {
  auto v = run("get", url_query("/hello"));
  EXPECT_EQ(v["builder_refuses_crlf"], "yes");
  EXPECT_EQ(v["fetch_err"], "0") << v["fetch_name"];
  EXPECT_EQ(v["status"], "200");
  EXPECT_EQ(v["content_type"], "text/plain; charset=utf-8");
  EXPECT_EQ(v["content_type_len"], "25");
  EXPECT_EQ(v["missing_header_err"], "5");
  EXPECT_EQ(v["missing_header_name"], "header_not_found");
  EXPECT_EQ(v["headers_all_has_type"], "yes");
  EXPECT_EQ(v["body_err"], "0");
  EXPECT_EQ(v["body"], "hi hello-sdk accept=text/plain");
  EXPECT_EQ(v["after_end"], "0/0");
  EXPECT_EQ(v["close_err"], "0");
  EXPECT_EQ(v["close_again_err"], "0");
  // Exactly one request reached the upstream (the CRLF one never left the guest).
  auto requests = upstream_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, "/hello");
  EXPECT_EQ(requests[0].header("X-Test"), "hello-sdk");
  EXPECT_EQ(requests[0].header("x-forged"), "");
}

TEST_P(SdkHttpTest, PostSendsTheBody) {
  const std::string body = "posted body: 1 2 3";
  auto v = run("post", url_query("/echo"), "POST", body);
  EXPECT_EQ(v["fetch_err"], "0") << v["fetch_name"];
  EXPECT_EQ(v["status"], "200");
  EXPECT_EQ(v["body"], "POST:" + body);
  auto requests = upstream_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].body, body);
  EXPECT_EQ(requests[0].header("content-type"), "text/plain");
}

TEST_P(SdkHttpTest, OneMebibyteBodyReadInPieces) {
  auto v = run("big", url_query("/big"));
  EXPECT_EQ(v["fetch_err"], "0") << v["fetch_name"];
  EXPECT_EQ(v["read_err"], "0") << v["read_name"];
  EXPECT_EQ(v["status"], "200");
  EXPECT_EQ(v["total"], std::to_string(kBigBody));
  EXPECT_EQ(v["pieces_ok"], "yes");
  EXPECT_EQ(v["fnv"], hex8(fnv1a(big_body())));
}

TEST_P(SdkHttpTest, LongHeaderIsRetriedWithTheNeededLength) {
  auto v = run("longheader", url_query("/long"));
  EXPECT_EQ(v["fetch_err"], "0") << v["fetch_name"];
  if (GetParam() == "sdk_http") {
    // The C guest also shows the raw answer: 4 and the needed length (our extension),
    // and wa_http_header passing it on.
    EXPECT_EQ(v["raw_err"], "4");
    EXPECT_EQ(v["raw_needed"], std::to_string(kLongHeader));
    EXPECT_EQ(v["small_err"], "4");
    EXPECT_EQ(v["small_len"], std::to_string(kLongHeader));
  }
  EXPECT_EQ(v["alloc_err"], "0") << v["alloc_name"];
  EXPECT_EQ(v["alloc_len"], std::to_string(kLongHeader));
  EXPECT_EQ(v["alloc_fnv"], hex8(fnv1a(long_header_value())));
}

TEST_P(SdkHttpTest, HostOutsideTheGrantIsRefused) {
  TestHttpServer other([](const TestHttpServer::Request&) {
    return TestHttpServer::Response{200, {}, "should not be reached"};
  });
  for (const std::string& url : {other.url("/x"), std::string("http://example.com/")}) {
    SCOPED_TRACE(url);
    auto v = run("refused", "url=" + gateway::url_segment(url));
    EXPECT_EQ(v["fetch_err"], "7");
    EXPECT_EQ(v["fetch_name"], "destination_not_allowed");
    EXPECT_EQ(v["open"], "no");
  }
  EXPECT_TRUE(other.requests().empty());
  EXPECT_EQ(other.connections_accepted(), 0u);
}

TEST_P(SdkHttpTest, ChainedCallReachesTheCallee) {
  deploy_or_fail(*client_, token_, "echo-callee", "/echo-callee", read_guest(GetParam()));
  wait_until_ready_or_fail(*client_, token_, "echo-callee");
  auto v = run("chain", "action=echo-callee&path=" + gateway::url_segment("/some/path?x=1&y=two"));
  EXPECT_EQ(v["call_err"], "0") << v["call_name"];
  EXPECT_EQ(v["status"], "200");
  EXPECT_EQ(v["x_callee"], "/some/path");
  EXPECT_EQ(v["callee.method"], "PUT");
  EXPECT_EQ(v["callee.path"], "/some/path");
  EXPECT_EQ(v["callee.query"], "x=1&y=two");
  EXPECT_EQ(v["callee.body"], "chain-body");
  EXPECT_EQ(v["callee.x_chain"], "from-caller");
  EXPECT_TRUE(upstream_.requests().empty());  // in process, not over the network
}

TEST_P(SdkHttpTest, ChainToAnActionOutsideTheGrantIsRefused) {
  deploy_or_fail(*client_, token_, "other", "/other", read_guest(GetParam()));
  auto v = run("chain", "action=other&path=%2F");
  EXPECT_EQ(v["call_err"], "7");
  EXPECT_EQ(v["call_name"], "destination_not_allowed");
}

// examples/fetch_summary.c and the chain examples (chain_front.c → chain_render.c).
class SdkHttpExamplesTest : public ServerTest {
 protected:
  SdkHttpExamplesTest() : ServerTest("wa-sdk-http-examples"), upstream_(upstream) {}

  void SetUp() override {
    ServerTest::SetUp();
    start({"--fast-password-hashing"});
    client_ = std::make_unique<HttpClient>(client_for(*server_));
    token_ = register_user(*client_, "ann");
    ASSERT_FALSE(token_.empty());
  }

  void deploy_ready(const std::string& name, const std::string& guest, const json& settings) {
    deploy_or_fail(*client_, token_, name, "/" + name, read_guest(guest), settings);
    wait_until_ready_or_fail(*client_, token_, name);
  }

  TestHttpServer upstream_;
  std::unique_ptr<HttpClient> client_;
  std::string token_;
};

TEST_F(SdkHttpExamplesTest, FetchSummarySummarisesAGrantedUrlAndRefusesOthers) {
  deploy_ready(
      "summary", "fetch_summary",
      {{"capabilities",
        {{"allowed_outbound_hosts", {"http://127.0.0.1:" + std::to_string(upstream_.port())}}}}});
  auto ok = send_request(*client_, "GET",
                         "/summary?url=" + gateway::url_segment(upstream_.url("/hello")));
  EXPECT_EQ(ok.status, 200u) << ok.body;
  json summary = body_json(ok);
  EXPECT_EQ(summary["status"], 200) << ok.body;
  EXPECT_EQ(summary["content_type"], "text/plain; charset=utf-8") << ok.body;
  EXPECT_EQ(summary["first_line"], "hi  accept=*/*") << ok.body;
  auto refused =
      send_request(*client_, "GET", "/summary?url=" + gateway::url_segment("http://example.com/"));
  EXPECT_EQ(refused.status, 403u) << refused.body;
  EXPECT_EQ(body_json(refused)["error"], "destination_not_allowed") << refused.body;
  EXPECT_EQ(send_request(*client_, "GET", "/summary").status, 400u);
}

TEST_F(SdkHttpExamplesTest, ChainFrontEmbedsRender) {
  deploy_ready("render", "chain_render", json::object());
  deploy_ready("front", "chain_front", {{"capabilities", {{"actions", {"render"}}}}});
  auto page = send_request(*client_, "GET", "/front?name=" + gateway::url_segment("Ann & <b>"));
  EXPECT_EQ(page.status, 200u) << page.body;
  EXPECT_NE(page.body.find("<main><p class=\"greet\">Hello, Ann &amp; &lt;b&gt;!</p>"
                           "<!-- for front -->\n</main>"),
            std::string::npos)
      << page.body;
  // Without the grant the call is refused, and the page says so.
  deploy_ready("front2", "chain_front", json::object());
  auto refused = send_request(*client_, "GET", "/front2?name=x");
  EXPECT_EQ(refused.status, 403u) << refused.body;
  EXPECT_NE(refused.body.find("destination_not_allowed"), std::string::npos) << refused.body;
}

std::vector<std::string> guests() {
  std::vector<std::string> names = {"sdk_http"};
#ifdef WA_HAVE_AS_GUESTS
  names.push_back("sdkas_http");
#endif
  return names;
}

INSTANTIATE_TEST_SUITE_P(Sdks, SdkHttpTest, ::testing::ValuesIn(guests()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace wa::testing

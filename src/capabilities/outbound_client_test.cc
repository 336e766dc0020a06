// OutboundClient against a real HTTP server on 127.0.0.1 (TestHttpServer). The server's own
// record of requests and connections is the evidence of what went over the wire.
#include "capabilities/outbound_client.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>

#include "test_http_server.h"

namespace wa::capabilities {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using wa::testing::TestHttpServer;
using Reply = TestHttpServer::Response;

HostAllowlist allow(const std::vector<std::string>& patterns) {
  auto parsed = HostAllowlist::parse(patterns);
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? parsed.value() : HostAllowlist{};
}

HostAllowlist allow(const TestHttpServer& server) {
  return allow({"http://127.0.0.1:" + std::to_string(server.port())});
}

steady_clock::time_point later() { return steady_clock::now() + std::chrono::seconds(30); }

// How many connections the server had accepted before now. Accepting is asynchronous, so
// the count alone could miss a connection just made; a control request, answered only after
// its connection was accepted (in order, after any earlier one), makes the count exact.
size_t connections_before_control(const TestHttpServer& server) {
  OutboundClient control;
  auto response = control.fetch({"GET", server.url("/control"), {}, ""}, allow(server), later());
  EXPECT_TRUE(response) << response.error().message;
  return server.connections_accepted() - 1;
}

std::string header(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [key, value] : headers)
    if (key == name) return value;
  return "<absent>";
}

TEST(OutboundClient, GetWithHeaders) {
  TestHttpServer server([](const TestHttpServer::Request& r) {
    return Reply{
        200, {{"Content-Type", "text/plain"}, {"X-Reply", "yes"}}, "hello " + r.header("x-custom")};
  });
  OutboundClient client;
  auto response =
      client.fetch({"GET", server.url("/x?y=1"), {{"X-Custom", "v1"}}, ""}, allow(server), later());
  ASSERT_TRUE(response) << response.error().kind << ": " << response.error().message;
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(response->body, "hello v1");
  EXPECT_EQ(header(response->headers, "x-reply"), "yes");
  EXPECT_EQ(header(response->headers, "content-type"), "text/plain");
  EXPECT_EQ(response->url, server.url("/x?y=1"));
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].target, "/x?y=1");
  EXPECT_EQ(seen[0].header("x-custom"), "v1");
  EXPECT_EQ(seen[0].header("accept-encoding"), "");
  EXPECT_EQ(seen[0].body, "");
}

TEST(OutboundClient, PostSendsBodyAndHeadersBothWays) {
  TestHttpServer server([](const TestHttpServer::Request& r) {
    return Reply{201, {{"X-Got-Type", r.header("content-type")}}, "got " + r.body};
  });
  OutboundClient client;
  std::string body = std::string("{\"a\":1}") + '\0' + "binary";
  auto response = client.fetch(
      {"POST", server.url("/post"), {{"Content-Type", "application/json"}, {"X-Empty", ""}}, body},
      allow(server), later());
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 201u);
  EXPECT_EQ(response->body, "got " + body);
  EXPECT_EQ(header(response->headers, "x-got-type"), "application/json");
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].body, body);
  EXPECT_EQ(seen[0].header("expect"), "");
  bool empty_header_sent = false;
  for (const auto& [name, value] : seen[0].headers)
    if (name == "X-Empty" && value.empty()) empty_header_sent = true;
  EXPECT_TRUE(empty_header_sent);
}

TEST(OutboundClient, BodyWithoutContentTypeGetsNoneAdded) {
  TestHttpServer server([](const TestHttpServer::Request&) { return Reply{200, {}, ""}; });
  OutboundClient client;
  auto response = client.fetch({"PUT", server.url("/put"), {}, "raw"}, allow(server), later());
  ASSERT_TRUE(response) << response.error().message;
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "PUT");
  EXPECT_EQ(seen[0].body, "raw");
  EXPECT_EQ(seen[0].header("content-type"), "");
}

TEST(OutboundClient, GuestCannotSetFramingHeaders) {
  TestHttpServer server([](const TestHttpServer::Request&) { return Reply{200, {}, "ok"}; });
  OutboundClient client;
  auto response = client.fetch({"POST",
                                server.url("/"),
                                {{"Host", "evil.example"},
                                 {"Content-Length", "999"},
                                 {"Transfer-Encoding", "chunked"},
                                 {"connection", "close"},
                                 {"Expect", "100-continue"}},
                                "12345"},
                               allow(server), later());
  ASSERT_TRUE(response) << response.error().message;
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].header("host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(seen[0].header("content-length"), "5");
  EXPECT_EQ(seen[0].header("transfer-encoding"), "");
  EXPECT_EQ(seen[0].header("expect"), "");
  EXPECT_EQ(seen[0].body, "12345");
}

TEST(OutboundClient, BadMethodOrHeaderIsRefusedBeforeSending) {
  TestHttpServer server([](const TestHttpServer::Request&) { return Reply{200, {}, ""}; });
  OutboundClient client;
  auto method =
      client.fetch({"GET /x HTTP/1.1\r\n", server.url("/"), {}, ""}, allow(server), later());
  ASSERT_FALSE(method);
  EXPECT_EQ(method.error().kind, outbound_error::kInvalidMethod);
  auto empty = client.fetch({"", server.url("/"), {}, ""}, allow(server), later());
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().kind, outbound_error::kInvalidMethod);
  auto value = client.fetch({"GET", server.url("/"), {{"X-A", "a\r\nX-Injected: 1"}}, ""},
                            allow(server), later());
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().kind, outbound_error::kInvalidEncoding);
  auto name = client.fetch({"GET", server.url("/"), {{"X A", "a"}}, ""}, allow(server), later());
  ASSERT_FALSE(name);
  EXPECT_EQ(name.error().kind, outbound_error::kInvalidEncoding);
  EXPECT_EQ(connections_before_control(server), 0u);
}

TEST(OutboundClient, OtherMethodsAreSentAsWritten) {
  TestHttpServer server([](const TestHttpServer::Request& r) { return Reply{200, {}, r.method}; });
  OutboundClient client;
  for (std::string method : {"DELETE", "OPTIONS", "PATCH", "PROPFIND"}) {
    auto response = client.fetch({method, server.url("/"), {}, ""}, allow(server), later());
    ASSERT_TRUE(response) << method << ": " << response.error().message;
    EXPECT_EQ(response->body, method);
  }
}

TEST(OutboundClient, LargeResponseBody) {
  std::string big(3u << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  TestHttpServer server([&](const TestHttpServer::Request&) { return Reply{200, {}, big}; });
  OutboundClient client;
  auto response = client.fetch({"GET", server.url("/big"), {}, ""}, allow(server), later());
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->body.size(), big.size());
  EXPECT_TRUE(response->body == big);
}

TEST(OutboundClient, RepeatedResponseHeadersKeptInOrder) {
  TestHttpServer server([](const TestHttpServer::Request&) {
    return Reply{200, {{"Set-Cookie", "a=1"}, {"X-Mid", "m"}, {"Set-Cookie", "b=2"}}, ""};
  });
  OutboundClient client;
  auto response = client.fetch({"GET", server.url("/"), {}, ""}, allow(server), later());
  ASSERT_TRUE(response) << response.error().message;
  // (Beast writes repeats of a name next to each other, so only their own order is tested.)
  std::vector<std::string> cookies;
  for (const auto& [name, value] : response->headers)
    if (name == "set-cookie") cookies.push_back(value);
  EXPECT_EQ(cookies, (std::vector<std::string>{"a=1", "b=2"}));
  EXPECT_EQ(header(response->headers, "x-mid"), "m");
}

TEST(OutboundClient, Head) {
  TestHttpServer server([](const TestHttpServer::Request&) { return Reply{200, {}, "12345678"}; });
  OutboundClient client;
  auto response = client.fetch({"HEAD", server.url("/"), {}, ""}, allow(server), later());
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(response->body, "");
  EXPECT_EQ(header(response->headers, "content-length"), "8");
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].method, "HEAD");
  // The connection is still usable after a bodiless answer.
  auto again = client.fetch({"GET", server.url("/"), {}, ""}, allow(server), later());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->body, "12345678");
}

TEST(OutboundClient, ErrorStatusesAreResponses) {
  TestHttpServer server([](const TestHttpServer::Request& r) {
    return Reply{r.target == "/404" ? 404u : 500u, {}, "nope"};
  });
  OutboundClient client;
  for (unsigned status : {404u, 500u}) {
    auto response = client.fetch({"GET", server.url("/" + std::to_string(status)), {}, ""},
                                 allow(server), later());
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, status);
    EXPECT_EQ(response->body, "nope");
  }
}

TEST(OutboundClient, AllowlistMissMakesNoConnection) {
  TestHttpServer server([](const TestHttpServer::Request&) { return Reply{200, {}, ""}; });
  OutboundClient client;
  for (const auto& patterns :
       std::vector<std::vector<std::string>>{{},
                                             {"http://example.com"},
                                             {"https://127.0.0.1:" + std::to_string(server.port())},
                                             {"http://127.0.0.1"}}) {
    auto response = client.fetch({"GET", server.url("/"), {}, ""}, allow(patterns), later());
    ASSERT_FALSE(response);
    EXPECT_EQ(response.error().kind, outbound_error::kDestinationNotAllowed);
    EXPECT_NE(response.error().message.find("127.0.0.1:" + std::to_string(server.port())),
              std::string::npos)
        << response.error().message;
  }
  EXPECT_TRUE(server.requests().empty());
  EXPECT_EQ(connections_before_control(server), 0u);
}

TEST(OutboundClient, AllowedNameResolvingToLoopbackIsRefused) {
  TestHttpServer server([](const TestHttpServer::Request&) { return Reply{200, {}, ""}; });
  OutboundClient client;
  std::string port = std::to_string(server.port());
  auto response = client.fetch({"GET", "http://localhost:" + port + "/", {}, ""},
                               allow({"http://localhost:" + port}), later());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, outbound_error::kDestinationNotAllowed);
  const std::string& message = response.error().message;
  EXPECT_NE(message.find("localhost"), std::string::npos) << message;
  EXPECT_NE(message.find("(loopback)"), std::string::npos) << message;
  EXPECT_TRUE(message.find("127.0.0.1") != std::string::npos ||
              message.find("::1") != std::string::npos)
      << message;
  // A wildcard entry does not name the address either.
  OutboundClient fresh;  // no cached connection to 127.0.0.1
  auto wildcard = fresh.fetch({"GET", server.url("/"), {}, ""}, allow({"http://*:*"}), later());
  ASSERT_FALSE(wildcard);
  EXPECT_EQ(wildcard.error().kind, outbound_error::kDestinationNotAllowed);
  EXPECT_EQ(connections_before_control(server), 0u);
}

TEST(OutboundClient, ReusedConnectionIsCheckedUnderTheNewAllowlist) {
  TestHttpServer server([](const TestHttpServer::Request&) { return Reply{200, {}, "ok"}; });
  OutboundClient client;
  auto first = client.fetch({"GET", server.url("/"), {}, ""}, allow(server), later());
  ASSERT_TRUE(first) << first.error().message;
  // Same URL, a cached connection, but an allowlist that does not name 127.0.0.1.
  auto second = client.fetch({"GET", server.url("/"), {}, ""}, allow({"http://*:*"}), later());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, outbound_error::kDestinationNotAllowed);
  EXPECT_NE(second.error().message.find("127.0.0.1 (loopback)"), std::string::npos)
      << second.error().message;
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(OutboundClient, ConnectionReuse) {
  TestHttpServer server([](const TestHttpServer::Request&) { return Reply{200, {}, "ok"}; });
  OutboundClient client;
  for (int i = 0; i < 2; ++i) {
    auto response = client.fetch({"GET", server.url("/"), {}, ""}, allow(server), later());
    ASSERT_TRUE(response) << response.error().message;
  }
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST(OutboundClient, RedirectToAllowedPathIsFollowed) {
  TestHttpServer server([](const TestHttpServer::Request& r) {
    if (r.target == "/start")
      return Reply{302, {{"Location", "/end?x=1"}, {"X-Hop", "first"}}, "moved"};
    return Reply{200, {{"X-Final", "yes"}}, "end " + r.method};
  });
  OutboundClient client;
  auto response = client.fetch({"GET", server.url("/start"), {}, ""}, allow(server), later());
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(response->body, "end GET");
  EXPECT_EQ(response->url, server.url("/end?x=1"));
  EXPECT_EQ(header(response->headers, "x-hop"), "<absent>");
  EXPECT_EQ(header(response->headers, "x-final"), "yes");
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].target, "/end?x=1");
}

TEST(OutboundClient, RedirectToHostNotAllowedIsRefused) {
  TestHttpServer other([](const TestHttpServer::Request&) { return Reply{200, {}, "other"}; });
  TestHttpServer server([&](const TestHttpServer::Request&) {
    return Reply{301, {{"Location", other.url("/stolen")}}, ""};
  });
  OutboundClient client;
  auto response = client.fetch({"GET", server.url("/"), {}, ""}, allow(server), later());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, outbound_error::kDestinationNotAllowed);
  EXPECT_NE(response.error().message.find("redirect"), std::string::npos)
      << response.error().message;
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(connections_before_control(other), 0u);
}

TEST(OutboundClient, RedirectToOtherSchemeIsRefused) {
  TestHttpServer server([](const TestHttpServer::Request&) {
    return Reply{302, {{"Location", "file:///etc/passwd"}}, ""};
  });
  OutboundClient client;
  auto response = client.fetch({"GET", server.url("/"), {}, ""}, allow(server), later());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, outbound_error::kInvalidUrl);
}

TEST(OutboundClient, CredentialsAreNotForwardedToAnotherOrigin) {
  TestHttpServer other([](const TestHttpServer::Request&) { return Reply{200, {}, "other"}; });
  TestHttpServer server([&](const TestHttpServer::Request& r) {
    if (r.target == "/same") return Reply{307, {{"Location", "/again"}}, ""};
    if (r.target == "/again") return Reply{307, {{"Location", other.url("/x")}}, ""};
    return Reply{500, {}, ""};
  });
  OutboundClient client;
  auto response = client.fetch(
      {"GET", server.url("/same"), {{"Authorization", "Bearer secret"}, {"X-Keep", "k"}}, ""},
      allow({"http://127.0.0.1:*"}), later());
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->body, "other");
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].header("authorization"), "Bearer secret");  // same origin keeps it
  auto moved = other.requests();
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].header("authorization"), "");
  EXPECT_EQ(moved[0].header("x-keep"), "k");
}

TEST(OutboundClient, RedirectLoopIsCapped) {
  TestHttpServer server([](const TestHttpServer::Request&) {
    return Reply{302, {{"Location", "/loop"}}, ""};
  });
  OutboundClient client(OutboundLimits{.max_redirects = 3});
  auto response = client.fetch({"GET", server.url("/loop"), {}, ""}, allow(server), later());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, outbound_error::kRequestFailed);
  EXPECT_NE(response.error().message.find("redirects"), std::string::npos);
  EXPECT_EQ(server.requests().size(), 4u);  // the request and 3 redirects
}

TEST(OutboundClient, SeeOtherAfterPostBecomesGet) {
  TestHttpServer server([](const TestHttpServer::Request& r) {
    if (r.target == "/form") return Reply{303, {{"Location", "/result"}}, ""};
    return Reply{200, {}, r.method + ":" + r.body};
  });
  OutboundClient client;
  auto response =
      client.fetch({"POST", server.url("/form"), {{"Content-Type", "text/plain"}}, "payload"},
                   allow(server), later());
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->body, "GET:");
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].body, "payload");
  EXPECT_EQ(seen[1].method, "GET");
  EXPECT_EQ(seen[1].header("content-type"), "");
  EXPECT_EQ(seen[1].header("content-length"), "");
}

TEST(OutboundClient, TemporaryRedirectKeepsMethodAndBody) {
  TestHttpServer server([](const TestHttpServer::Request& r) {
    if (r.target == "/a") return Reply{307, {{"Location", "/b"}}, ""};
    return Reply{200, {}, r.method + ":" + r.body};
  });
  OutboundClient client;
  auto response = client.fetch({"POST", server.url("/a"), {}, "payload"}, allow(server), later());
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->body, "POST:payload");
}

TEST(OutboundClient, SlowServerPastTheDeadlineIsATimeout) {
  TestHttpServer server([](const TestHttpServer::Request&) {
    return Reply{200, {}, "late", milliseconds(5000)};
  });
  OutboundClient client;
  auto response = client.fetch({"GET", server.url("/"), {}, ""}, allow(server),
                               steady_clock::now() + milliseconds(200));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, outbound_error::kTimeout);
}

TEST(OutboundClient, DeadlineAlreadyPassed) {
  TestHttpServer server([](const TestHttpServer::Request&) { return Reply{200, {}, ""}; });
  OutboundClient client;
  auto response = client.fetch({"GET", server.url("/"), {}, ""}, allow(server),
                               steady_clock::now() - milliseconds(1));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, outbound_error::kTimeout);
  EXPECT_EQ(connections_before_control(server), 0u);
}

TEST(OutboundClient, InterruptionAbortsTheTransfer) {
  TestHttpServer server([](const TestHttpServer::Request&) {
    return Reply{200, {}, "late", milliseconds(5000)};
  });
  OutboundClient client;
  // False for the check before the transfer starts, then true: the progress callback
  // must be what stops it (the deadline is far away).
  int calls = 0;
  auto response = client.fetch({"GET", server.url("/"), {}, ""}, allow(server), later(),
                               [&] { return ++calls > 1; });
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, outbound_error::kTimeout);
  EXPECT_NE(response.error().message.find("interrupted"), std::string::npos);
  EXPECT_GT(calls, 1);
}

TEST(OutboundClient, ResponseOverTheLimitIsTooLarge) {
  TestHttpServer server([](const TestHttpServer::Request& r) {
    Reply reply{200, {}, std::string(5000, 'x')};
    if (r.target == "/chunked") reply.headers.push_back({"Transfer-Encoding", "chunked"});
    return reply;
  });
  OutboundClient client(OutboundLimits{.max_response_bytes = 4096});
  for (std::string path : {"/sized", "/chunked"}) {
    auto response = client.fetch({"GET", server.url(path), {}, ""}, allow(server), later());
    ASSERT_FALSE(response) << path;
    EXPECT_EQ(response.error().kind, outbound_error::kTooLarge) << path;
  }
  auto fits = OutboundClient(OutboundLimits{.max_response_bytes = 5000})
                  .fetch({"GET", server.url("/chunked"), {}, ""}, allow(server), later());
  ASSERT_TRUE(fits) << fits.error().message;
  EXPECT_EQ(fits->body.size(), 5000u);
}

TEST(OutboundClient, InvalidUrls) {
  OutboundClient client;
  auto any = allow({"*://*:*"});
  for (const std::string& url : std::vector<std::string>{
           "", "not a url", "ftp://example.com/", "http://", "javascript:alert(1)",
           "/relative/path", "http://exa mple.com/", "file:///etc/passwd",
           std::string("http://a\0b/", 11), "http://[::1/", "http://a:99999/", "http://./b"}) {
    auto response = client.fetch({"GET", url, {}, ""}, any, later());
    ASSERT_FALSE(response) << url;
    EXPECT_EQ(response.error().kind, outbound_error::kInvalidUrl)
        << url << ": " << response.error().message;
  }
}

TEST(OutboundClient, ConnectionRefused) {
  // A bound socket that never listens: connecting to it is refused, and the port stays ours.
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket holder(io);
  holder.open(boost::asio::ip::tcp::v4());
  holder.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
  std::string port = std::to_string(holder.local_endpoint().port());
  OutboundClient client;
  auto response = client.fetch({"GET", "http://127.0.0.1:" + port + "/", {}, ""},
                               allow({"http://127.0.0.1:" + port}), later());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, outbound_error::kRequestFailed) << response.error().message;
}

TEST(OutboundClient, HttpsToAPlainHttpServerFailsCleanly) {
  TestHttpServer server([](const TestHttpServer::Request&) { return Reply{200, {}, ""}; });
  OutboundClient client;
  std::string origin = "https://127.0.0.1:" + std::to_string(server.port());
  auto response = client.fetch({"GET", origin + "/", {}, ""}, allow({origin}), later());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, outbound_error::kRequestFailed) << response.error().message;
  EXPECT_TRUE(server.requests().empty());
}

TEST(ParseHttpUrl, Parts) {
  auto a = parse_http_url("HTTPS://User@API.Example.COM/a/b?c=d#frag");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->scheme, "https");
  EXPECT_EQ(a->host, "api.example.com");
  EXPECT_EQ(a->port, 443);
  EXPECT_EQ(a->path_and_query, "/a/b?c=d");
  auto b = parse_http_url("http://[::1]:8080");
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, 8080);
  EXPECT_EQ(b->path_and_query, "/");
  auto c = parse_http_url("http://127.0.0.1");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->port, 80);
  EXPECT_FALSE(parse_http_url("mailto:a@b.c"));
  EXPECT_EQ(parse_http_url("gopher://x/").error().kind, outbound_error::kInvalidUrl);
}

}  // namespace
}  // namespace wa::capabilities

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "gateway/cgi_request.h"
#include "gateway/cgi_response.h"
#include "gateway/guest_reply.h"

namespace wa::gateway {
namespace {

std::map<std::string, std::string> env_map(const CgiInvocation& call) {
  std::map<std::string, std::string> env;
  for (const auto& [k, v] : call.env) env[k] = v;
  return env;
}

CgiRequest sample_request() {
  CgiRequest r;
  r.method = "POST";
  r.target = "/api/users/42%20x?name=J%C3%BCrgen+K&flag&empty=";
  r.headers = {{"Host", "example.test:8080"}, {"Content-Type", "application/json"},
               {"X-Custom-Thing", "one"},     {"x-custom-thing", "two"},
               {"Bad_Name", "smuggled"},      {"Authorization", "Bearer abc"}};
  r.body_size = 17;
  r.remote_addr = "10.1.2.3";
  r.server_name = "example.test";
  r.server_port = 8080;
  r.matched_route = "/api/...";
  return r;
}

TEST(CgiRequest, BuildsAllWagiVariables) {
  auto env = env_map(build_cgi_invocation(sample_request(), {}));
  EXPECT_EQ(env["REQUEST_METHOD"], "POST");
  EXPECT_EQ(env["QUERY_STRING"], "name=J%C3%BCrgen+K&flag&empty=");
  EXPECT_EQ(env["SCRIPT_NAME"], "/api");
  EXPECT_EQ(env["PATH_INFO"], "/users/42 x");
  EXPECT_EQ(env["PATH_TRANSLATED"], "/users/42 x");
  EXPECT_EQ(env["SERVER_NAME"], "example.test");
  EXPECT_EQ(env["SERVER_PORT"], "8080");
  EXPECT_EQ(env["SERVER_PROTOCOL"], "HTTP/1.1");
  EXPECT_EQ(env["SERVER_SOFTWARE"], std::string(kServerSoftware));
  EXPECT_EQ(env["GATEWAY_INTERFACE"], "CGI/1.1");
  EXPECT_EQ(env["REMOTE_ADDR"], "10.1.2.3");
  EXPECT_EQ(env["REMOTE_HOST"], "10.1.2.3");
  EXPECT_EQ(env["CONTENT_TYPE"], "application/json");
  EXPECT_EQ(env["CONTENT_LENGTH"], "17");
  EXPECT_TRUE(env.count("AUTH_TYPE"));
  EXPECT_TRUE(env.count("REMOTE_USER"));
  EXPECT_EQ(env["X_MATCHED_ROUTE"], "/api/...");
  EXPECT_EQ(env["X_FULL_URL"],
            "http://example.test:8080/api/users/42%20x?name=J%C3%BCrgen+K&flag&empty=");
}

TEST(CgiRequest, HeadersBecomeSanitisedHttpVariables) {
  auto env = env_map(build_cgi_invocation(sample_request(), {}));
  EXPECT_EQ(env["HTTP_HOST"], "example.test:8080");
  EXPECT_EQ(env["HTTP_X_CUSTOM_THING"], "one, two");
  EXPECT_EQ(env["HTTP_AUTHORIZATION"], "Bearer abc");
  EXPECT_FALSE(env.count("HTTP_BAD_NAME")) << "underscore names could smuggle values";
  EXPECT_FALSE(env.count("HTTP_CONTENT_TYPE"));
  EXPECT_EQ(cgi_header_variable("Accept-Language"), "HTTP_ACCEPT_LANGUAGE");
  EXPECT_EQ(cgi_header_variable("X.Dot"), "");
  EXPECT_EQ(cgi_header_variable("Content-Length"), "");
}

TEST(CgiRequest, QueryParametersBecomeArgv) {
  auto call = build_cgi_invocation(sample_request(), {});
  std::vector<std::string> expected = {"/api", "name=Jürgen K", "flag", "empty="};
  EXPECT_EQ(call.args, expected);
}

TEST(CgiRequest, ExactRouteHasEmptyPathInfo) {
  CgiRequest r;
  r.method = "GET";
  r.target = "/hello";
  r.matched_route = "/hello";
  r.server_name = "localhost";
  r.server_port = 80;
  auto env = env_map(build_cgi_invocation(r, {}));
  EXPECT_EQ(env["SCRIPT_NAME"], "/hello");
  EXPECT_EQ(env["PATH_INFO"], "");
  EXPECT_EQ(env["QUERY_STRING"], "");
  EXPECT_EQ(env["CONTENT_LENGTH"], "");
  EXPECT_EQ(env["X_FULL_URL"], "http://localhost/hello");
}

TEST(CgiRequest, ActionEnvIsAddedButCannotOverrideCgiVariables) {
  auto env = env_map(
      build_cgi_invocation(sample_request(), {{"GREETING", "hi"}, {"REQUEST_METHOD", "DELETE"}}));
  EXPECT_EQ(env["GREETING"], "hi");
  EXPECT_EQ(env["REQUEST_METHOD"], "POST");
}

TEST(CgiRequest, PercentDecodingKeepsInvalidEscapes) {
  EXPECT_EQ(decode_query_component("a%2Fb+c%zz%4"), "a/b c%zz%4");
  EXPECT_EQ(percent_decode("a+b%20", false), "a+b ");
}

TEST(CgiResponse, ParsesHeadersAndBodyWithCrlf) {
  auto r = parse_cgi_response("Content-Type: text/plain\r\nX-A: 1\r\n\r\nhello\r\nworld");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200u);
  ASSERT_EQ(r->headers.size(), 2u);
  EXPECT_EQ(r->headers[0].first, "Content-Type");
  EXPECT_EQ(r->headers[0].second, "text/plain");
  EXPECT_EQ(r->body, "hello\r\nworld");
}

TEST(CgiResponse, ParsesLfAndStatus) {
  auto r = parse_cgi_response("Status: 404 Not Here\nContent-Type: text/html\n\n<p>x</p>\n");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 404u);
  EXPECT_EQ(r->reason, "Not Here");
  EXPECT_EQ(r->body, "<p>x</p>\n");
  EXPECT_EQ(r->headers.size(), 1u);
}

TEST(CgiResponse, LocationWithoutStatusIsRedirect) {
  auto r = parse_cgi_response("Location: https://example.test/\n\n");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 302u);
  auto with_status = parse_cgi_response("Status: 301\nLocation: /new\n\n");
  ASSERT_TRUE(with_status);
  EXPECT_EQ(with_status->status, 301u);
}

TEST(CgiResponse, HeaderBlockWithoutBodyIsComplete) {
  auto r = parse_cgi_response("Status: 204 No Content\n");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 204u);
  EXPECT_EQ(r->body, "");
}

TEST(CgiResponse, DropsFramingHeaders) {
  auto r = parse_cgi_response(
      "Content-Length: 999\nTransfer-Encoding: chunked\nConnection: "
      "close\nContent-Type: a/b\n\nxy");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->headers.size(), 1u);
  EXPECT_EQ(r->headers[0].first, "Content-Type");
}

TEST(CgiResponse, RejectsInvalidOutput) {
  EXPECT_FALSE(parse_cgi_response(""));
  EXPECT_FALSE(parse_cgi_response("Hello world\n"));
  EXPECT_FALSE(parse_cgi_response("\nbody"));
  EXPECT_FALSE(parse_cgi_response("Status: abc\n\n"));
  EXPECT_FALSE(parse_cgi_response("Status: 99 Low\n\n"));
  EXPECT_FALSE(parse_cgi_response("Status: 200\nStatus: 201\n\n"));
  EXPECT_FALSE(parse_cgi_response("Bad Name: x\n\n"));
  EXPECT_FALSE(
      parse_cgi_response("X: a\x01"
                         "b\n\n"));
  auto r = parse_cgi_response("Hello world\n");
  EXPECT_EQ(r.error().kind, "invalid_cgi_response");
  EXPECT_NE(r.error().message.find("Hello world"), std::string::npos) << r.error().message;
}

TEST(CgiResponse, DropsTheBodyOfStatusesThatCannotHaveOne) {
  for (const char* status : {"204", "304"}) {
    std::string output = std::string("Status: ") + status + "\nContent-Type: a/b\n\nnot allowed";
    auto r = parse_cgi_response(output);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->body, "");
    EXPECT_EQ(r->dropped_body_bytes, 11u);
    auto in_place = parse_cgi_response_in_place(std::move(output));
    ASSERT_TRUE(in_place);
    EXPECT_EQ(in_place->body, "");
  }
}

TEST(CgiResponse, BoundsTheHeaderBlock) {
  auto huge_value = parse_cgi_response("X-Big: " + std::string(70000, 'v') + "\n\nbody");
  ASSERT_FALSE(huge_value);
  EXPECT_NE(huge_value.error().message.find("X-Big"), std::string::npos);
  EXPECT_NE(huge_value.error().message.find("limit"), std::string::npos);
  EXPECT_FALSE(parse_cgi_response(std::string(70000, 'N') + ": v\n\n"));
  auto reason = parse_cgi_response("Status: 200 " + std::string(70000, 'r') + "\n\n");
  ASSERT_FALSE(reason);
  EXPECT_NE(reason.error().message.find("reason phrase"), std::string::npos);
  std::string many;
  for (int i = 0; i < 200; ++i) many += "X-" + std::to_string(i) + ": v\n";
  EXPECT_FALSE(parse_cgi_response(many + "\n"));
  std::string block;
  for (int i = 0; i < 10; ++i)
    block += "X-" + std::to_string(i) + ": " + std::string(8000, 'v') + "\n";
  EXPECT_FALSE(parse_cgi_response(block + "\n"));
  // At the limits it is still a reply.
  EXPECT_TRUE(parse_cgi_response("X-Ok: " + std::string(kMaxCgiHeaderValueBytes, 'v') + "\n\n"));
  EXPECT_TRUE(parse_cgi_response("Status: 200 " + std::string(kMaxCgiReasonBytes, 'r') + "\n\n"));
}

TEST(CgiResponse, InPlaceParseMatchesTheCopyingOne) {
  std::string output = "Status: 201 Made\r\nX-A: 1\r\n\r\nthe body\n";
  auto copied = parse_cgi_response(output);
  auto moved = parse_cgi_response_in_place(std::string(output));
  ASSERT_TRUE(copied && moved);
  EXPECT_EQ(moved->status, 201u);
  EXPECT_EQ(moved->reason, "Made");
  EXPECT_EQ(moved->body, copied->body);
  EXPECT_EQ(moved->headers, copied->headers);
  auto no_body = parse_cgi_response_in_place("Content-Type: a/b\n");
  ASSERT_TRUE(no_body);
  EXPECT_EQ(no_body->body, "");
}

runtime::CallResult exited(int code, std::string out) {
  runtime::CallResult r;
  r.exit_code = code;
  r.stdout_data = std::move(out);
  return r;
}

TEST(GuestReply, MapsOutcomesToStatuses) {
  ReplyLimits limits;
  limits.max_response_bytes = 64;
  auto ok = reply_from_call(exited(0, "Content-Type: text/plain\n\nhi"), limits);
  EXPECT_EQ(ok.status, 200u);
  EXPECT_EQ(ok.body, "hi");
  EXPECT_EQ(ok.outcome, CallOutcome::kOk);

  runtime::CallResult timeout;
  timeout.trap = runtime::TrapKind::kTimeout;
  EXPECT_EQ(reply_from_call(timeout, limits).status, 504u);

  runtime::CallResult trap;
  trap.trap = runtime::TrapKind::kUnreachable;
  trap.message = "unreachable executed";
  auto trapped = reply_from_call(trap, limits);
  EXPECT_EQ(trapped.status, 500u);
  EXPECT_EQ(trapped.outcome, CallOutcome::kTrap);
  EXPECT_NE(trapped.log_note.find("unreachable executed"), std::string::npos);

  EXPECT_EQ(reply_from_call(exited(3, ""), limits).status, 500u);
  EXPECT_EQ(reply_from_call(exited(3, ""), limits).outcome, CallOutcome::kExitError);
  auto answered_then_failed = reply_from_call(exited(3, "Status: 418\n\n"), limits);
  EXPECT_EQ(answered_then_failed.status, 418u);
  EXPECT_FALSE(answered_then_failed.log_note.empty());

  auto invalid = reply_from_call(exited(0, "just text"), limits);
  EXPECT_EQ(invalid.status, 502u);
  EXPECT_EQ(invalid.outcome, CallOutcome::kInvalidResponse);
  EXPECT_NE(invalid.log_note.find("not a valid CGI response"), std::string::npos);

  auto large = reply_from_call(exited(0, "Content-Type: a/b\n\n" + std::string(100, 'x')), limits);
  EXPECT_EQ(large.status, 502u);
  EXPECT_EQ(large.outcome, CallOutcome::kResponseTooLarge);

  runtime::CallResult output_trap;
  output_trap.trap = runtime::TrapKind::kOutputLimit;
  EXPECT_EQ(reply_from_call(output_trap, limits).status, 502u);

  auto no_content = reply_from_call(exited(0, "Status: 204\n\nsurprise"), limits);
  EXPECT_EQ(no_content.status, 204u);
  EXPECT_EQ(no_content.body, "");
  EXPECT_NE(no_content.log_note.find("8 bytes dropped"), std::string::npos) << no_content.log_note;

  limits.max_response_bytes = 1 << 20;
  auto long_header = reply_from_call(exited(0, "X: " + std::string(70000, 'x') + "\n\n"), limits);
  EXPECT_EQ(long_header.status, 502u);
  EXPECT_EQ(long_header.outcome, CallOutcome::kInvalidResponse);
}

}  // namespace
}  // namespace wa::gateway

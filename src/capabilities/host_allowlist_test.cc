#include "capabilities/host_allowlist.h"

#include <gtest/gtest.h>

namespace wa::capabilities {
namespace {

HostAllowlist list(const std::vector<std::string>& patterns) {
  auto parsed = HostAllowlist::parse(patterns);
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? parsed.value() : HostAllowlist{};
}

TEST(HostAllowlist, EmptyAllowsNothing) {
  auto l = list({});
  EXPECT_TRUE(l.empty());
  EXPECT_FALSE(l.allows_url("https", "example.com", 443));
  EXPECT_FALSE(l.names_address_literally("127.0.0.1", 80));
}

TEST(HostAllowlist, RejectsBadPatterns) {
  for (std::string bad : {"example.com", "ftp://example.com", "https://", "https://a/b",
                          "https://a:0", "https://a:65536", "https://a:x", "https://a.*.com",
                          "https://[::1", "https://[zz]", "https://[:::]", "https://user@a"}) {
    auto parsed = HostAllowlist::parse({"https://ok.example", bad});
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().kind, "invalid_argument");
    EXPECT_NE(parsed.error().message.find(bad), std::string::npos) << parsed.error().message;
  }
}

TEST(HostAllowlist, SchemeAndDefaultPorts) {
  auto l = list({"https://api.example.com", "http://plain.example.com"});
  EXPECT_TRUE(l.allows_url("https", "api.example.com", 443));
  EXPECT_FALSE(l.allows_url("http", "api.example.com", 80));
  EXPECT_FALSE(l.allows_url("https", "api.example.com", 8443));
  EXPECT_FALSE(l.allows_url("http", "api.example.com", 443));
  EXPECT_TRUE(l.allows_url("http", "plain.example.com", 80));
  EXPECT_FALSE(l.allows_url("https", "plain.example.com", 443));
  EXPECT_FALSE(l.allows_url("ftp", "api.example.com", 443));
}

TEST(HostAllowlist, WildcardSchemeTakesEitherDefaultPort) {
  auto l = list({"*://both.example.com"});
  EXPECT_TRUE(l.allows_url("http", "both.example.com", 80));
  EXPECT_TRUE(l.allows_url("https", "both.example.com", 443));
  EXPECT_FALSE(l.allows_url("http", "both.example.com", 8080));
}

TEST(HostAllowlist, ExplicitAndAnyPort) {
  auto l = list({"http://a.example.com:8080", "https://b.example.com:*"});
  EXPECT_TRUE(l.allows_url("http", "a.example.com", 8080));
  EXPECT_FALSE(l.allows_url("http", "a.example.com", 80));
  EXPECT_TRUE(l.allows_url("https", "b.example.com", 1));
  EXPECT_TRUE(l.allows_url("https", "b.example.com", 65535));
  EXPECT_FALSE(l.allows_url("http", "b.example.com", 443));
}

TEST(HostAllowlist, WildcardHosts) {
  auto l = list({"https://*.example.com"});
  EXPECT_TRUE(l.allows_url("https", "a.example.com", 443));
  EXPECT_TRUE(l.allows_url("https", "a.b.example.com", 443));
  EXPECT_FALSE(l.allows_url("https", "example.com", 443));
  EXPECT_FALSE(l.allows_url("https", "badexample.com", 443));
  EXPECT_FALSE(l.allows_url("https", "a.example.com.evil", 443));
  EXPECT_FALSE(l.allows_url("https", ".example.com", 443));

  auto any = list({"*://*:*"});
  EXPECT_TRUE(any.allows_url("http", "anything.test", 1234));
  EXPECT_TRUE(any.allows_url("https", "10.0.0.1", 443));
  auto any_https = list({"https://*"});
  EXPECT_TRUE(any_https.allows_url("https", "x.test", 443));
  EXPECT_FALSE(any_https.allows_url("https", "x.test", 444));
  EXPECT_FALSE(any_https.allows_url("http", "x.test", 80));
}

TEST(HostAllowlist, CaseAndTrailingDot) {
  auto l = list({"https://API.Example.COM", "https://*.Wild.Example"});
  EXPECT_TRUE(l.allows_url("https", "api.example.com", 443));
  EXPECT_TRUE(l.allows_url("https", "Api.EXAMPLE.com", 443));
  EXPECT_TRUE(l.allows_url("https", "api.example.com.", 443));
  EXPECT_TRUE(l.allows_url("https", "x.WILD.example.", 443));
  EXPECT_FALSE(l.allows_url("https", "api.example.com..", 443));
  EXPECT_FALSE(l.allows_url("https", "", 443));
  EXPECT_FALSE(l.allows_url("https", ".", 443));
}

TEST(HostAllowlist, IpLiterals) {
  auto l = list({"http://127.0.0.1:8081", "http://[::1]:8082", "https://[0:0::ffff:10.0.0.1]"});
  EXPECT_TRUE(l.allows_url("http", "127.0.0.1", 8081));
  EXPECT_FALSE(l.allows_url("http", "127.0.0.1", 8082));
  EXPECT_TRUE(l.allows_url("http", "::1", 8082));
  EXPECT_TRUE(l.allows_url("http", "0:0::1", 8082));
  EXPECT_TRUE(l.allows_url("http", "[::1]", 8082));
  EXPECT_TRUE(l.allows_url("http", "0000:0000:0000:0000:0000:0000:0000:0001", 8082));
  // IPv4-mapped IPv6 is the IPv4 address, both ways.
  EXPECT_TRUE(l.allows_url("https", "10.0.0.1", 443));
  EXPECT_TRUE(l.allows_url("http", "::ffff:127.0.0.1", 8081));
  EXPECT_FALSE(l.allows_url("http", "localhost", 8081));
  EXPECT_FALSE(l.allows_url("http", "127.0.0.2", 8081));
}

TEST(HostAllowlist, NamePatternsDoNotMatchIpLiterals) {
  auto l = list({"http://*.0.0.1", "http://localhost"});
  EXPECT_FALSE(l.allows_url("http", "127.0.0.1", 80));
  EXPECT_TRUE(l.allows_url("http", "localhost", 80));
}

TEST(HostAllowlist, NamesAddressLiterally) {
  auto l = list({"http://127.0.0.1:8081", "https://[::1]", "*://10.0.0.7:*", "http://localhost:*",
                 "http://*:*", "https://*.internal:*"});
  EXPECT_TRUE(l.names_address_literally("127.0.0.1", 8081));
  EXPECT_FALSE(l.names_address_literally("127.0.0.1", 8082));  // port must match
  EXPECT_TRUE(l.names_address_literally("::ffff:127.0.0.1", 8081));
  EXPECT_TRUE(l.names_address_literally("::1", 443));  // default port of https
  EXPECT_TRUE(l.names_address_literally("0::1", 443));
  EXPECT_FALSE(l.names_address_literally("::1", 80));
  EXPECT_TRUE(l.names_address_literally("10.0.0.7", 12345));
  // Name and wildcard entries never name an address, whatever they would match.
  EXPECT_FALSE(l.names_address_literally("127.0.0.2", 8081));
  EXPECT_FALSE(l.names_address_literally("10.0.0.8", 80));
  EXPECT_FALSE(l.names_address_literally("localhost", 80));
  EXPECT_FALSE(l.names_address_literally("not an address", 80));
}

}  // namespace
}  // namespace wa::capabilities

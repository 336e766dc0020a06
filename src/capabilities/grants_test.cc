// settings.capabilities: the contract's JSON in and out, and a clear message for each
// kind of mistake.
#include "capabilities/grants.h"

#include <gtest/gtest.h>

namespace wa::capabilities {
namespace {

using nlohmann::json;

std::string error_of(const json& j) {
  auto parsed = grants_from_json(j);
  EXPECT_FALSE(parsed.ok()) << j.dump();
  return parsed.ok() ? "" : parsed.error().message;
}

TEST(Grants, TheContractExampleRoundTrips) {
  json example = json::parse(R"({
    "key_value_stores": [{"store": "default", "access": "read-write"}],
    "volumes": [{"volume": "site", "path": "/site", "access": "read-only"}],
    "allowed_outbound_hosts": ["https://api.example.com", "http://127.0.0.1:8081"],
    "actions": ["render"],
    "rooms": true})");
  auto grants = grants_from_json(example);
  ASSERT_TRUE(grants.ok()) << grants.error().message;
  ASSERT_EQ(grants->key_value_stores.size(), 1u);
  EXPECT_EQ(grants->key_value_stores[0].access, Access::kReadWrite);
  ASSERT_EQ(grants->volumes.size(), 1u);
  EXPECT_EQ(grants->volumes[0].path, "/site");
  EXPECT_EQ(grants->volumes[0].access, Access::kReadOnly);
  EXPECT_TRUE(grants->rooms);
  EXPECT_EQ(grants_to_json(*grants), example);
  EXPECT_NE(grants->find_store("default"), nullptr);
  EXPECT_EQ(grants->find_store("other"), nullptr);
}

TEST(Grants, NothingGrantedIsAnEmptyObject) {
  auto grants = grants_from_json(json::object());
  ASSERT_TRUE(grants.ok());
  EXPECT_EQ(*grants, CapabilityGrants{});
  EXPECT_EQ(grants_to_json(*grants), json::object());
  EXPECT_TRUE(grants_from_json(nullptr).ok());
}

TEST(Grants, AccessDefaultsToReadOnly) {
  auto grants = grants_from_json(json::parse(R"({"key_value_stores": [{"store": "a"}]})"));
  ASSERT_TRUE(grants.ok());
  EXPECT_EQ(grants->key_value_stores[0].access, Access::kReadOnly);
}

TEST(Grants, MistakesAreNamed) {
  EXPECT_NE(error_of(json::parse(R"({"kv": []})")).find("unknown key \"kv\""), std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"key_value_stores": [{"store": "a", "access": "rw"}]})"))
                .find("access must be"),
            std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"key_value_stores": [{"store": "../x"}]})"))
                .find("not a store name"),
            std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"key_value_stores": [{"store": "a"}, {"store": "a"}]})"))
                .find("granted twice"),
            std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"key_value_stores": [{"store": "a", "extra": 1}]})"))
                .find("unknown key \"extra\""),
            std::string::npos);
  for (const char* path : {"relative", "/a/../b", "/a/", "//a", "/a/./b", ""}) {
    json j = {{"volumes", {{{"volume", "site"}, {"path", path}}}}};
    EXPECT_NE(error_of(j).find("absolute, normalised"), std::string::npos) << path;
  }
  EXPECT_NE(error_of(json::parse(R"({"volumes": [{"volume": "a", "path": "/x"},
                                                 {"volume": "b", "path": "/x"}]})"))
                .find("used twice"),
            std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"rooms": "yes"})")).find("rooms must be"), std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"actions": ["a b"]})")).find("not an action name"),
            std::string::npos);
  EXPECT_NE(error_of(json::parse(R"([])")).find("must be an object"), std::string::npos);
}

TEST(Grants, HostPatternsFollowSpinsGrammar) {
  for (const char* good :
       {"https://api.example.com", "http://127.0.0.1:8081", "https://*.example.com",
        "*://example.com:*", "https://[::1]:8080", "http://localhost", "https://*"}) {
    EXPECT_TRUE(validate_host_pattern(good).ok()) << good;
  }
  for (const char* bad : {"example.com", "ftp://example.com", "https://", "https://a.com/path",
                          "https://user@a.com", "https://a.*.com", "https://a.com:99999",
                          "https://a.com:", "https://[::1", "https://a..com", "file:///etc"}) {
    EXPECT_FALSE(validate_host_pattern(bad).ok()) << bad;
  }
  EXPECT_NE(error_of(json::parse(R"({"allowed_outbound_hosts": ["ftp://x"]})")).find("ftp://x"),
            std::string::npos);
}

}  // namespace
}  // namespace wa::capabilities

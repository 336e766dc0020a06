// The key-value store API and CLI end to end: the real `wasm-actions serve` binary, real
// HTTP, the real kv.db; two users, scopes, binary keys, paging, limits and the CLI.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "gateway/http_client.h"
#include "server_process.h"
#include "support/subprocess.h"
#include "test_api.h"

namespace wa::testing {
namespace {

using gateway::HttpClient;
using nlohmann::json;
using namespace std::string_literals;

std::string encode(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

class KvApiTest : public ServerTest {
 protected:
  KvApiTest() : ServerTest("wa-kv-it") {}

  void start_server(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--fast-password-hashing"};
    args.insert(args.end(), extra.begin(), extra.end());
    start(args);
    client_ = std::make_unique<HttpClient>(client_for(*server_));
    alice_ = register_user(*client_, "alice");
    bob_ = register_user(*client_, "bob");
    ASSERT_FALSE(alice_.empty());
    ASSERT_FALSE(bob_.empty());
  }

  gateway::ClientResponse call(const std::string& method, const std::string& target,
                               const std::string& token, const std::string& body = {}) {
    return send_request(*client_, method, "/api/v1" + target, token, body);
  }
  std::string value_path(const std::string& store, const std::string& key) {
    return "/kv/" + store + "/values/" + encode(key);
  }

  std::unique_ptr<HttpClient> client_;
  std::string alice_, bob_;
};

TEST_F(KvApiTest, StoresListCreateDeleteAndIsolationBetweenUsers) {
  start_server();
  auto listed = call("GET", "/kv", alice_);
  ASSERT_EQ(listed.status, 200u) << listed.body;
  auto stores = body_json(listed)["stores"];
  ASSERT_EQ(stores.size(), 1u);
  EXPECT_EQ(stores[0]["name"], "default");
  EXPECT_EQ(stores[0]["keys"], 0);
  EXPECT_EQ(stores[0]["bytes"], 0);
  EXPECT_EQ(stores[0]["quota_bytes"], 64 << 20);
  EXPECT_GT(stores[0]["created_at"].get<int64_t>(), 1600000000000);

  auto created = call("POST", "/kv", alice_, json{{"name", "notes"}}.dump());
  ASSERT_EQ(created.status, 201u) << created.body;
  EXPECT_EQ(body_json(created)["name"], "notes");
  EXPECT_EQ(call("POST", "/kv", alice_, json{{"name", "notes"}}.dump()).status, 409u);
  EXPECT_EQ(call("POST", "/kv", alice_, json{{"name", "default"}}.dump()).status, 409u);
  EXPECT_EQ(call("POST", "/kv", alice_, json{{"name", "../x"}}.dump()).status, 400u);
  EXPECT_EQ(call("POST", "/kv", alice_, json{{"name", 5}}.dump()).status, 400u);
  EXPECT_EQ(call("POST", "/kv", alice_, "not json").status, 400u);
  ASSERT_EQ(call("PUT", value_path("notes", "k"), alice_, "secret").status, 204u);

  // Bob sees nothing of Alice's store, in every operation, and it is a plain 404.
  EXPECT_EQ(call("GET", "/kv/notes/keys", bob_).status, 404u);
  EXPECT_EQ(call("GET", value_path("notes", "k"), bob_).status, 404u);
  EXPECT_EQ(call("PUT", value_path("notes", "k"), bob_, "mine").status, 404u);
  EXPECT_EQ(call("DELETE", value_path("notes", "k"), bob_).status, 404u);
  EXPECT_EQ(call("DELETE", "/kv/notes", bob_).status, 404u);
  auto bob_stores = body_json(call("GET", "/kv", bob_))["stores"];
  ASSERT_EQ(bob_stores.size(), 1u);
  EXPECT_EQ(bob_stores[0]["name"], "default");
  // Bob's default is not Alice's default.
  ASSERT_EQ(call("PUT", value_path("default", "who"), alice_, "alice").status, 204u);
  EXPECT_EQ(call("GET", value_path("default", "who"), bob_).status, 404u);
  auto alice_value = call("GET", value_path("notes", "k"), alice_);
  EXPECT_EQ(alice_value.status, 200u);
  EXPECT_EQ(alice_value.body, "secret");

  auto after = body_json(call("GET", "/kv", alice_))["stores"];
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[1]["name"], "notes");
  EXPECT_EQ(after[1]["keys"], 1);
  EXPECT_EQ(after[1]["bytes"], 1 + 6);

  EXPECT_EQ(call("DELETE", "/kv/default", alice_).status, 400u);
  EXPECT_EQ(call("DELETE", "/kv/nope", alice_).status, 404u);
  EXPECT_EQ(call("DELETE", "/kv/notes", alice_).status, 204u);
  EXPECT_EQ(call("DELETE", "/kv/notes", alice_).status, 404u);
  EXPECT_EQ(call("GET", value_path("notes", "k"), alice_).status, 404u);
  // Recreated, it is empty.
  ASSERT_EQ(call("POST", "/kv", alice_, json{{"name", "notes"}}.dump()).status, 201u);
  EXPECT_EQ(call("GET", value_path("notes", "k"), alice_).status, 404u);
}

TEST_F(KvApiTest, EveryEndpointNeedsTheKvScope) {
  start_server();
  auto minted = call("POST", "/tokens", alice_, json{{"scopes", {"read", "deploy"}}}.dump());
  ASSERT_EQ(minted.status, 201u) << minted.body;
  const std::string no_kv = body_json(minted)["token"];
  auto kv_only = call("POST", "/tokens", alice_, json{{"scopes", {"kv"}}}.dump());
  ASSERT_EQ(kv_only.status, 201u) << kv_only.body;
  const std::string with_kv = body_json(kv_only)["token"];

  for (auto [method, target] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/kv"},
                                                        {"POST", "/kv"},
                                                        {"DELETE", "/kv/x"},
                                                        {"GET", "/kv/default/keys"},
                                                        {"GET", "/kv/default/values/k"},
                                                        {"PUT", "/kv/default/values/k"},
                                                        {"DELETE", "/kv/default/values/k"}}) {
    auto r = call(method, target, no_kv, method == "POST" ? json{{"name", "s"}}.dump() : "");
    EXPECT_EQ(r.status, 403u) << method << " " << target << ": " << r.body;
    EXPECT_EQ(body_json(r)["error"], "forbidden");
  }
  EXPECT_EQ(call("GET", "/kv", "").status, 401u);
  EXPECT_EQ(call("GET", "/kv", with_kv).status, 200u);
  EXPECT_EQ(call("PUT", "/kv/default/values/k", with_kv, "v").status, 204u);
  // The kv scope does not open the actions API.
  EXPECT_EQ(call("GET", "/actions", with_kv).status, 403u);
}

TEST_F(KvApiTest, BinaryKeysWithSlashesAndHighBytes) {
  start_server();
  const std::string key = "dir/sub\x80\xff\x00z"s;
  const std::string value = "\x00\x01\x02\xff"s;
  ASSERT_EQ(call("PUT", value_path("default", key), alice_, value).status, 204u);
  auto got = call("GET", value_path("default", key), alice_);
  ASSERT_EQ(got.status, 200u);
  EXPECT_EQ(got.body, value);
  EXPECT_EQ(got.header("Content-Type"), "application/octet-stream");

  // A literal "/" in the path is part of the key, like %2F.
  ASSERT_EQ(call("PUT", "/kv/default/values/a/b/c", alice_, "slashes").status, 204u);
  auto encoded = call("GET", "/kv/default/values/a%2Fb%2Fc", alice_);
  EXPECT_EQ(encoded.status, 200u);
  EXPECT_EQ(encoded.body, "slashes");

  auto listing = call("GET", "/kv/default/keys", alice_);
  ASSERT_EQ(listing.status, 200u) << listing.body;
  auto keys = body_json(listing)["keys"];
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0]["key"], "a/b/c");
  EXPECT_EQ(keys[0]["key_encoding"], "utf8");
  EXPECT_EQ(keys[0]["size"], 7);
  EXPECT_EQ(keys[1]["key_encoding"], "base64");
  EXPECT_EQ(keys[1]["key"], "ZGlyL3N1YoD/AHo=");  // base64 of the key bytes
  EXPECT_EQ(keys[1]["size"], 4);
  EXPECT_TRUE(body_json(listing)["next"].is_null());

  // The prefix is bytes too.
  auto by_prefix = call("GET", "/kv/default/keys?prefix=" + encode("dir/sub\x80"), alice_);
  ASSERT_EQ(body_json(by_prefix)["keys"].size(), 1u);

  EXPECT_EQ(call("DELETE", value_path("default", key), alice_).status, 204u);
  EXPECT_EQ(call("GET", value_path("default", key), alice_).status, 404u);
  EXPECT_EQ(call("DELETE", value_path("default", key), alice_).status, 204u);  // absent: fine
  EXPECT_EQ(call("GET", "/kv/default/values/", alice_).status, 400u);
}

TEST_F(KvApiTest, PagingThrough250KeysWithLimit100) {
  start_server();
  std::set<std::string> expected;
  for (int i = 0; i < 250; ++i) {
    const std::string key = "item-" + std::to_string(1000 + i);
    expected.insert(key);
    ASSERT_EQ(call("PUT", value_path("default", key), alice_, "v").status, 204u);
  }
  ASSERT_EQ(call("PUT", value_path("default", "other"), alice_, "v").status, 204u);
  std::vector<std::string> seen;
  std::vector<size_t> page_sizes;
  std::string after;
  for (int pages = 0; pages < 10; ++pages) {
    std::string target = "/kv/default/keys?prefix=item-&limit=100";
    if (!after.empty()) target += "&after=" + encode(after);
    auto page = body_json(call("GET", target, alice_));
    page_sizes.push_back(page["keys"].size());
    for (const auto& k : page["keys"]) seen.push_back(k["key"]);
    if (page["next"].is_null()) break;
    EXPECT_EQ(page["next_encoding"], "utf8");
    after = page["next"];
    EXPECT_EQ(after, seen.back());
  }
  EXPECT_EQ(page_sizes, (std::vector<size_t>{100, 100, 50}));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), expected);
  EXPECT_EQ(seen.size(), 250u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(body_json(call("GET", "/kv/default/keys", alice_))["keys"].size(), 100u);
  EXPECT_EQ(call("GET", "/kv/default/keys?limit=1001", alice_).status, 400u);
  EXPECT_EQ(call("GET", "/kv/default/keys?limit=0", alice_).status, 400u);
  EXPECT_EQ(call("GET", "/kv/default/keys?limit=x", alice_).status, 400u);
  EXPECT_EQ(body_json(call("GET", "/kv/default/keys?limit=1000", alice_))["keys"].size(), 251u);
}

TEST_F(KvApiTest, TooLargeAndQuotaErrors) {
  start_server({"--kv-max-key-bytes", "16", "--kv-max-value-bytes", "1000",
                "--kv-store-quota-bytes", "2000", "--kv-max-stores", "2"});
  EXPECT_EQ(call("PUT", value_path("default", std::string(16, 'k')), alice_, "v").status, 204u);
  auto long_key = call("PUT", value_path("default", std::string(17, 'k')), alice_, "v");
  EXPECT_EQ(long_key.status, 413u);
  EXPECT_EQ(body_json(long_key)["error"], "too_large");
  EXPECT_EQ(call("PUT", value_path("default", "v"), alice_, std::string(1000, 'x')).status, 204u);
  auto big = call("PUT", value_path("default", "w"), alice_, std::string(1001, 'x'));
  EXPECT_EQ(big.status, 413u);
  // 17 + 1001 used; another 1000-byte value would pass the 2000-byte quota.
  auto over = call("PUT", value_path("default", "x"), alice_, std::string(1000, 'x'));
  EXPECT_EQ(over.status, 403u);
  EXPECT_EQ(body_json(over)["error"], "quota_exceeded");
  EXPECT_EQ(call("GET", value_path("default", "x"), alice_).status, 404u);
  auto stores = body_json(call("GET", "/kv", alice_))["stores"];
  EXPECT_EQ(stores[0]["bytes"], 17 + 1001);
  EXPECT_EQ(stores[0]["quota_bytes"], 2000);

  EXPECT_EQ(call("POST", "/kv", alice_, json{{"name", "second"}}.dump()).status, 201u);
  auto third = call("POST", "/kv", alice_, json{{"name", "third"}}.dump());
  EXPECT_EQ(third.status, 403u);
  EXPECT_EQ(body_json(third)["error"], "quota_exceeded");
}

TEST_F(KvApiTest, ValuesSurviveARestart) {
  start_server();
  ASSERT_EQ(call("PUT", value_path("default", "kept"), alice_, "yes").status, 204u);
  start({"--fast-password-hashing"});
  client_ = std::make_unique<HttpClient>(client_for(*server_));
  auto got = call("GET", value_path("default", "kept"), alice_);
  EXPECT_EQ(got.status, 200u);
  EXPECT_EQ(got.body, "yes");
}

TEST_F(KvApiTest, CliRoundTrip) {
  start_server();
  const auto cli = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {server_binary(), "kv"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--server", server_->url(), "--token", alice_});
    auto ran = run_subprocess(argv, data_, {});
    EXPECT_TRUE(ran) << ran.error().message;
    return ran ? *ran : SubprocessResult{};
  };
  auto created = cli({"create", "cli-store"});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  auto set = cli({"set", "cli-store", "greeting", "hello world"});
  ASSERT_EQ(set.exit_code, 0) << set.output;
  std::ofstream(data_ / "value.bin", std::ios::binary) << "from\x01file"s;
  auto from_file =
      cli({"set", "cli-store", "path/with slash", "--file", (data_ / "value.bin").string()});
  ASSERT_EQ(from_file.exit_code, 0) << from_file.output;

  auto got = cli({"get", "cli-store", "greeting"});
  ASSERT_EQ(got.exit_code, 0) << got.output;
  EXPECT_EQ(got.output, "hello world");
  auto got_file = cli({"get", "cli-store", "path/with slash"});
  EXPECT_EQ(got_file.output, "from\x01file"s);
  // The CLI's writes are the API's (and the other way round).
  EXPECT_EQ(call("GET", value_path("cli-store", "path/with slash"), alice_).body, "from\x01file"s);

  auto listed = cli({"list", "cli-store"});
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_EQ(listed.output, "greeting\npath/with slash\n");
  auto listed_json = cli({"list", "cli-store", "--prefix", "gr", "--json"});
  ASSERT_EQ(listed_json.exit_code, 0) << listed_json.output;
  EXPECT_EQ(json::parse(listed_json.output)["keys"].size(), 1u);
  auto stores = cli({"stores", "--json"});
  ASSERT_EQ(stores.exit_code, 0) << stores.output;
  EXPECT_EQ(json::parse(stores.output)["stores"].size(), 2u);

  ASSERT_EQ(cli({"delete", "cli-store", "greeting"}).exit_code, 0);
  auto missing = cli({"get", "cli-store", "greeting"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.output.find("404"), std::string::npos) << missing.output;
  ASSERT_EQ(cli({"drop", "cli-store"}).exit_code, 0);
  EXPECT_EQ(call("GET", "/kv/cli-store/keys", alice_).status, 404u);
  auto dropped_default = cli({"drop", "default"});
  EXPECT_NE(dropped_default.exit_code, 0);
}

}  // namespace
}  // namespace wa::testing

// GET /api/v1/requests/ID and `wasm-actions request ID` (issue 10): a request's log lines,
// and those of the calls it chained to other actions, through the real server and CLI.
// Owners are isolated (another user's id is an empty list), ids are validated, scopes hold.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "gateway/http_client.h"
#include "server_process.h"
#include "test_api.h"

namespace wa::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

class RequestChain : public ServerTest {
 protected:
  RequestChain() : ServerTest("wa-request-it") {}

  void start_server(std::vector<std::string> args = {}) {
    args.push_back("--fast-password-hashing");
    start(args);
    client_ = std::make_unique<gateway::HttpClient>(client_for(*server_));
    ann_ = register_user(*client_, "ann");
    bob_ = register_user(*client_, "bob");
  }
  gateway::ClientResponse get(const std::string& target, const std::string& token) {
    return send_request(*client_, "GET", "/api/v1" + target, token);
  }
  // Calls `target` (until it is compiled) and returns the request id the server gave it.
  std::string request_id_of(const std::string& target) {
    auto answer = call_until_ok(*client_, target);
    EXPECT_EQ(answer.status, 200u) << answer.body;
    std::string id = answer.header("X-Request-Id");
    EXPECT_EQ(id.size(), 16u) << "16 hex digits: " << id;
    return id;
  }
  // Runs `wasm-actions ARGS --server URL --token TOKEN`; its exit code, stdout in `out`.
  int cli(const std::string& args, const std::string& token, std::string& out) {
    const fs::path out_file = data_ / "cli.out";
    const std::string command = quoted(server_binary()) + " " + args + " --server " +
                                quoted(server_->url()) + " --token " + quoted(token) + " > " +
                                quoted(out_file.string()) + " 2>" +
                                quoted((data_ / "cli.err").string());
    int status = std::system(command.c_str());
    out = slurp(out_file);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::unique_ptr<gateway::HttpClient> client_;
  std::string ann_, bob_;
};

TEST_F(RequestChain, ARootRequestsLinesComeBackWithTheirAction) {
  start_server();
  deploy_or_fail(*client_, ann_, "front", "/front", read_guest("log_lines"));
  const std::string first = request_id_of("/front?one");
  const std::string second = request_id_of("/front?two");
  ASSERT_NE(first, second);

  auto answer = get("/requests/" + first, ann_);
  ASSERT_EQ(answer.status, 200u) << answer.body;
  json body = body_json(answer);
  EXPECT_EQ(body["request_id"], first);
  ASSERT_EQ(body["entries"].size(), 2u) << body.dump(2);
  for (const auto& entry : body["entries"]) {
    EXPECT_EQ(entry["action"], "front");
    EXPECT_EQ(entry["request_id"], first);
    EXPECT_FALSE(entry.contains("parent_request_id")) << "a root request has no parent";
    EXPECT_EQ(entry["level"], "info");
    EXPECT_EQ(entry["outcome"], "ok");
    EXPECT_TRUE(entry["time"].is_number_integer());
    EXPECT_TRUE(entry["id"].is_number_integer());
  }
  EXPECT_EQ(body["entries"][0]["message"], "first line for one");
  EXPECT_EQ(body["entries"][1]["message"], "second line for one") << "oldest first";
  EXPECT_LT(body["entries"][0]["id"].get<int64_t>(), body["entries"][1]["id"].get<int64_t>());
  // The other request's lines stay with it.
  auto other = body_json(get("/requests/" + second, ann_));
  ASSERT_EQ(other["entries"].size(), 2u);
  EXPECT_EQ(other["entries"][0]["message"], "first line for two");
  // An id no request had: an empty list, not an error.
  auto none = get("/requests/0123456789abcdef", ann_);
  ASSERT_EQ(none.status, 200u);
  EXPECT_TRUE(body_json(none)["entries"].empty());
  // The per-action log shows the same id on its lines (what the dashboard links from).
  EXPECT_NE(action_logs(*client_, ann_, "front").find("\"request_id\":\"" + first + "\""),
            std::string::npos);
}

TEST_F(RequestChain, AnotherUsersRequestIsAnEmptyList) {
  start_server();
  deploy_or_fail(*client_, ann_, "front", "/front", read_guest("log_lines"));
  deploy_or_fail(*client_, bob_, "bobs", "/bobs", read_guest("log_lines"));
  const std::string anns = request_id_of("/front?secret");
  const std::string bobs = request_id_of("/bobs?mine");
  auto seen_by_bob = get("/requests/" + anns, bob_);
  ASSERT_EQ(seen_by_bob.status, 200u) << seen_by_bob.body;
  EXPECT_TRUE(body_json(seen_by_bob)["entries"].empty()) << seen_by_bob.body;
  EXPECT_EQ(seen_by_bob.body.find("secret"), std::string::npos);
  EXPECT_EQ(body_json(get("/requests/" + bobs, bob_))["entries"].size(), 2u);
  EXPECT_TRUE(body_json(get("/requests/" + bobs, ann_))["entries"].empty());
}

TEST_F(RequestChain, IdsAreValidatedAndScopesHold) {
  start_server();
  for (std::string bad : {"ABCDEF", "abc-1", "xyz", "abc%20", "abc%2F1", "%00", "abc%27"}) {
    auto answer = get("/requests/" + bad, ann_);
    EXPECT_EQ(answer.status, 400u) << bad << ": " << answer.body;
    EXPECT_EQ(body_json(answer).value("error", ""), "bad_request") << answer.body;
  }
  EXPECT_EQ(get("/requests/" + std::string(201, 'a'), ann_).status, 400u);
  EXPECT_EQ(get("/requests/" + std::string(200, 'a'), ann_).status, 200u);
  EXPECT_EQ(get("/requests/abc.1.2", ann_).status, 200u);
  EXPECT_EQ(get("/requests/abc?limit=0", ann_).status, 400u);
  EXPECT_EQ(get("/requests/abc?limit=5", ann_).status, 200u);
  EXPECT_EQ(get("/requests", ann_).status, 404u);
  EXPECT_EQ(get("/requests/abc/more", ann_).status, 404u);
  EXPECT_EQ(send_request(*client_, "DELETE", "/api/v1/requests/abc", ann_).status, 405u);
  EXPECT_EQ(get("/requests/abc", "").status, 401u);
  auto deployer = send_request(*client_, "POST", "/api/v1/tokens", ann_,
                               json{{"name", "ci"}, {"scopes", {"deploy"}}}.dump());
  ASSERT_EQ(deployer.status, 201u) << deployer.body;
  EXPECT_EQ(get("/requests/abc", body_json(deployer).value("token", "")).status, 403u)
      << "reading a request's lines needs the read scope";
}

TEST_F(RequestChain, TheCliPrintsTheRequestAndLogsShowItsId) {
  start_server();
  deploy_or_fail(*client_, ann_, "front", "/front", read_guest("log_lines"));
  const std::string id = request_id_of("/front?cli");
  std::string out;
  ASSERT_EQ(cli("request " + id, ann_, out), 0) << slurp(data_ / "cli.err");
  EXPECT_EQ(out.rfind(id + "  front\n", 0), 0u) << out;
  EXPECT_NE(out.find("  info   ok        first line for cli\n"), std::string::npos) << out;
  EXPECT_LT(out.find("first line"), out.find("second line")) << out;
  ASSERT_EQ(cli("request " + id + " --json", ann_, out), 0);
  EXPECT_EQ(json::parse(out, nullptr, false)["entries"].size(), 2u) << out;
  ASSERT_EQ(cli("request 0123456789abcdef", ann_, out), 0);
  EXPECT_NE(out.find("no log lines"), std::string::npos) << out;
  EXPECT_EQ(cli("request NOT-AN-ID", ann_, out), 1);
  EXPECT_NE(slurp(data_ / "cli.err").find("400"), std::string::npos);
  ASSERT_EQ(cli("logs front", ann_, out), 0);
  EXPECT_NE(out.find("[" + id + "] first line for cli"), std::string::npos) << out;
}

}  // namespace
}  // namespace wa::testing

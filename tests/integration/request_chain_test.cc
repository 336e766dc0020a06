// GET /api/v1/requests/ID and `wasm-actions request ID` (issue 10): a request's log lines,
// and those of the calls it chained to other actions, through the real server and CLI.
// Owners are isolated (another user's id is an empty list), ids are validated, scopes hold.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
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

  // Adds a log line for `action` straight to the stopped server's database, as the
  // gateway writes them for a chained call (its own id "<parent>.<n>").
  void add_line(const std::string& action, const std::string& request_id, const std::string& level,
                const std::string& outcome, const std::string& message) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((data_ / "wasm-actions.db").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* insert = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "INSERT INTO action_logs (action_id, time_ms, request_id, level, "
                                 "outcome, message) SELECT id, ?, ?, ?, ?, ? FROM "
                                 "actions WHERE name = ?",
                                 -1, &insert, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_bind_int64(insert, 1, line_time_ms_);
    const std::string values[] = {request_id, level, outcome, message, action};
    for (int i = 0; i < 5; ++i) {
      sqlite3_bind_text(insert, i + 2, values[i].c_str(), -1, SQLITE_TRANSIENT);
    }
    EXPECT_EQ(sqlite3_step(insert), SQLITE_DONE) << sqlite3_errmsg(db);
    EXPECT_EQ(sqlite3_changes(db), 1) << "no action " << action;
    sqlite3_finalize(insert);
    sqlite3_close(db);
  }

  std::unique_ptr<gateway::HttpClient> client_;
  std::string ann_, bob_;
  // Recent (older lines are pruned when the server starts), with a known millisecond part.
  const int64_t line_time_ms_ = std::chrono::duration_cast<std::chrono::seconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                        .count() *
                                    1000 +
                                123;
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

// The lines of chained calls, as the gateway writes them (issue 10; the calls themselves are
// tested with the gateway's chaining): here written to the database while the server is
// stopped, so the API and the CLI are checked on their own.
TEST_F(RequestChain, ChainedCallsFormATreeInTheApiAndTheCli) {
  start_server();
  deploy_or_fail(*client_, ann_, "front", "/front", read_guest("log_lines"));
  deploy_or_fail(*client_, ann_, "mid", "/mid", read_guest("log_lines"));
  deploy_or_fail(*client_, bob_, "bobs", "/bobs", read_guest("log_lines"));
  const std::string id = request_id_of("/front?root");
  server_.reset();
  add_line("mid", id + ".2", "info", "ok", "called by \"front\" (request " + id + "): 200");
  add_line("mid", id + ".10", "info", "timeout", "called by \"front\": timeout");
  add_line("front", id + ".2.1", "info", "ok", "called by \"mid\": 200");
  add_line("front", id, "error", "chain_refused", "front -> mid -> front");
  add_line("bobs", id + ".1", "info", "ok", "bob's line under ann's id");
  start({"--fast-password-hashing"});
  client_ = std::make_unique<gateway::HttpClient>(client_for(*server_));

  auto answer = get("/requests/" + id, ann_);
  ASSERT_EQ(answer.status, 200u) << answer.body;
  json entries = body_json(answer)["entries"];
  ASSERT_EQ(entries.size(), 6u) << entries.dump(2);
  EXPECT_EQ(answer.body.find("bob's line"), std::string::npos) << "never another user's lines";
  std::map<std::string, json> by_id;
  for (const auto& e : entries) by_id[e["request_id"].get<std::string>()] = e;
  EXPECT_EQ(by_id[id + ".2"]["parent_request_id"], id);
  EXPECT_EQ(by_id[id + ".2"]["action"], "mid");
  EXPECT_EQ(by_id[id + ".2.1"]["parent_request_id"], id + ".2");
  EXPECT_EQ(by_id[id + ".2.1"]["action"], "front");
  EXPECT_FALSE(by_id[id].contains("parent_request_id"));
  // A subtree on its own.
  auto sub = body_json(get("/requests/" + id + ".2", ann_));
  ASSERT_EQ(sub["entries"].size(), 2u) << sub.dump(2);
  EXPECT_EQ(body_json(get("/requests/" + id + ".1", ann_))["entries"].size(), 0u);

  std::string out;
  ASSERT_EQ(cli("request " + id, ann_, out), 0) << slurp(data_ / "cli.err");
  // The root, then .2 (and its .2.1 under it), then .10: call order, indented by depth.
  const size_t root = out.find(id + "  front\n");
  const size_t two = out.find("\n  " + id + ".2  mid\n");
  const size_t grandchild = out.find("\n    " + id + ".2.1  front\n");
  const size_t ten = out.find("\n  " + id + ".10  mid\n");
  EXPECT_EQ(root, 0u) << out;
  ASSERT_NE(two, std::string::npos) << out;
  ASSERT_NE(grandchild, std::string::npos) << out;
  ASSERT_NE(ten, std::string::npos) << out;
  EXPECT_LT(two, grandchild);
  EXPECT_LT(grandchild, ten) << out;
  const std::time_t seconds = line_time_ms_ / 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char stamp[40];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S.123Z", &tm);
  EXPECT_NE(
      out.find("\n      " + std::string(stamp) + "  info   ok        called by \"mid\": 200\n"),
      std::string::npos)
      << out;
  EXPECT_NE(out.find("error  chain_refused  front -> mid -> front"), std::string::npos) << out;
}

// The real thing (issue 10): a → b → c through http://<action>.actions.internal/, and a
// cycle that the gateway refuses; the request's page holds every call's lines, the callees'
// stats and /metrics count the chained calls.
json relay(const std::string& name, const std::string& next,
           std::vector<std::string> callable = {}) {
  json settings = {{"env", {{"NAME", name}}}};
  if (!next.empty()) settings["env"]["NEXT"] = next;
  if (!callable.empty()) settings["capabilities"] = {{"actions", callable}};
  return settings;
}

TEST_F(RequestChain, AChainOfActionsIsOneRequestWithItsCallsUnderIt) {
  start_server();
  for (auto [name, next] : {std::pair{"a", "b"}, {"b", "c"}, {"c", ""}}) {
    deploy_or_fail(
        *client_, ann_, name, std::string("/") + name, read_guest("chain_relay"),
        relay(name, next, *next ? std::vector<std::string>{next} : std::vector<std::string>{}));
    wait_until_ready_or_fail(*client_, ann_, name);
  }
  auto answer = call_until_ok(*client_, "/a");
  ASSERT_EQ(answer.body.rfind("a -> 0 200\nb -> 0 200\nleaf c ", 0), 0u) << answer.body;
  const std::string id = answer.header("X-Request-Id");
  ASSERT_EQ(id.size(), 16u);

  json entries = body_json(get("/requests/" + id, ann_))["entries"];
  std::map<std::string, json> by_id;
  for (const auto& e : entries) by_id[e["request_id"].get<std::string>()] = e;
  ASSERT_TRUE(by_id.count(id + ".1")) << entries.dump(2);
  ASSERT_TRUE(by_id.count(id + ".1.1")) << entries.dump(2);
  EXPECT_EQ(by_id[id + ".1"]["action"], "b");
  EXPECT_EQ(by_id[id + ".1"]["parent_request_id"], id);
  EXPECT_EQ(by_id[id + ".1"]["outcome"], "ok");
  EXPECT_NE(by_id[id + ".1"]["message"].get<std::string>().find("called by \"a\" (request " + id),
            std::string::npos);
  EXPECT_EQ(by_id[id + ".1.1"]["action"], "c");
  EXPECT_EQ(by_id[id + ".1.1"]["parent_request_id"], id + ".1");
  EXPECT_TRUE(body_json(get("/requests/" + id, bob_))["entries"].empty());

  auto stats = body_json(get("/actions/b/stats", ann_));
  EXPECT_EQ(stats["chained_calls"], 1) << stats.dump();
  EXPECT_EQ(stats["requests"], 1);
  EXPECT_EQ(body_json(get("/actions/a/stats", ann_))["chained_calls"], 0);
  auto metrics = send_request(*client_, "GET", "/metrics", ann_);
  EXPECT_NE(metrics.body.find("wa_action_chained_calls_total{action=\"ann/c\",route=\"/c\"} 1\n"),
            std::string::npos)
      << metrics.body;

  std::string out;
  ASSERT_EQ(cli("request " + id, ann_, out), 0) << slurp(data_ / "cli.err");
  EXPECT_EQ(out.rfind(id + "  a  (no lines)\n", 0), 0u) << "named by b's line:\n" << out;
  const size_t b = out.find("\n  " + id + ".1  b\n");
  const size_t c = out.find("\n    " + id + ".1.1  c\n");
  ASSERT_NE(b, std::string::npos) << out;
  ASSERT_NE(c, std::string::npos) << out;
  EXPECT_LT(b, c) << out;

  // A cycle: pong's call back to ping is refused, with an error line under pong's own id.
  deploy_or_fail(*client_, ann_, "ping", "/ping", read_guest("chain_relay"),
                 relay("ping", "pong", {"pong"}));
  deploy_or_fail(*client_, ann_, "pong", "/pong", read_guest("chain_relay"),
                 relay("pong", "ping", {"ping"}));
  wait_until_ready_or_fail(*client_, ann_, "ping");
  wait_until_ready_or_fail(*client_, ann_, "pong");
  auto cycle = call_until_ok(*client_, "/ping");
  const std::string cycle_id = cycle.header("X-Request-Id");
  json cycle_lines = body_json(get("/requests/" + cycle_id, ann_))["entries"];
  bool refused = false;
  for (const auto& e : cycle_lines) {
    if (e["outcome"] != "chain_refused") continue;
    refused = true;
    EXPECT_EQ(e["request_id"], cycle_id + ".1") << "the caller's (pong's) id";
    EXPECT_EQ(e["action"], "pong");
    EXPECT_EQ(e["level"], "error");
    EXPECT_NE(e["message"].get<std::string>().find("ping → pong → ping"), std::string::npos);
  }
  EXPECT_TRUE(refused) << cycle_lines.dump(2);
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

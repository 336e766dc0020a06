// End-to-end: the real `wasm-actions serve` binary, real HTTP, real guests.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "gateway/http_client.h"
#include "server_process.h"
#include "support/files.h"
#include "test_api.h"

namespace wa::testing {
namespace {

namespace fs = std::filesystem;
using gateway::ClientRequest;
using gateway::ClientResponse;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

class GatewayIntegration : public ServerTest {
 protected:
  GatewayIntegration() : ServerTest("wa-gateway-it") {}
};

TEST_F(GatewayIntegration, RegisterDeployAndCallEachExample) {
  auto& server = start();
  auto client = client_for(server);
  std::string token = register_user(client, "ann");
  ASSERT_FALSE(token.empty());

  auto started = Clock::now();
  auto deployed = deploy(client, token, "hello", "/hello", read_guest("hello"));
  ASSERT_EQ(deployed.status, 201u) << deployed.body;
  EXPECT_EQ(body_json(deployed).value("status", ""), "compiling");
  auto hello = call_until_ok(client, "/hello?who=you");
  auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  std::printf("[ latency  ] deploy -> first 200 for hello.wasm (%zu bytes): %lld ms\n",
              read_guest("hello").size(), static_cast<long long>(latency.count()));
  ASSERT_EQ(hello.status, 200u) << hello.body;
  EXPECT_NE(hello.body.find("Hello from WebAssembly!"), std::string::npos);
  EXPECT_NE(hello.body.find("who=you"), std::string::npos);
  // No bound on the latency: it measures the machine (bench/run reports it).

  ASSERT_EQ(deploy(client, token, "primes", "/primes", read_guest("primes")).status, 201u);
  auto primes = call_until_ok(client, "/primes?n=30");
  ASSERT_EQ(primes.status, 200u);
  EXPECT_EQ(primes.body, "2\n3\n5\n7\n11\n13\n17\n19\n23\n29\n");

  if (fs::exists(guests_dir() / "echo.wasm")) {
    ASSERT_EQ(deploy(client, token, "echo", "/echo/...", read_guest("echo")).status, 201u);
    call_until_ok(client, "/echo");
    ClientRequest request;
    request.method = "POST";
    request.target = "/echo/sub/path?q=1";
    request.body = "ping\npong";
    request.headers = {{"X-Test-Header", "value-42"}, {"Content-Type", "text/plain"}};
    auto echoed = must(client.send(request));
    ASSERT_EQ(echoed.status, 200u) << echoed.body;
    EXPECT_EQ(echoed.header("X-Echo-Method"), "POST");
    EXPECT_NE(echoed.body.find("POST /echo/sub/path?q=1"), std::string::npos) << echoed.body;
    EXPECT_NE(echoed.body.find("x-test-header: value-42"), std::string::npos) << echoed.body;
    EXPECT_NE(echoed.body.find("\n\nping\npong"), std::string::npos) << echoed.body;
  } else {
    ADD_FAILURE() << "echo.wasm (AssemblyScript example) was not built into " << guests_dir();
  }

  auto list = must(client.get("/api/v1/actions", token));
  ASSERT_EQ(list.status, 200u);
  EXPECT_GE(body_json(list)["actions"].size(), 2u);
}

TEST_F(GatewayIntegration, ConcurrentCallsAllSucceed) {
  auto& server = start({"--workers", "2", "--queue", "64"});
  auto client = client_for(server);
  std::string token = register_user(client, "ann");
  ASSERT_EQ(deploy(client, token, "hello", "/hello", read_guest("hello")).status, 201u);
  ASSERT_EQ(call_until_ok(client, "/hello").status, 200u);
  std::atomic<int> ok{0};
  std::atomic<int> other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      auto own = client_for(server);
      for (int i = 0; i < 20; ++i) {
        auto r = own.get("/hello");
        (r && r->status == 200 ? ok : other)++;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 160);
  EXPECT_EQ(other.load(), 0);
}

TEST_F(GatewayIntegration, RunawayGuestTimesOutWhileOthersKeepAnswering) {
  auto& server = start({"--workers", "3"});
  auto client = client_for(server);
  std::string token = register_user(client, "ann");
  ASSERT_EQ(deploy(client, token, "hello", "/hello", read_guest("hello")).status, 201u);
  ASSERT_EQ(
      deploy(client, token, "loop", "/loop", read_guest("loop"), {{"timeout_ms", 1000}}).status,
      201u);
  ASSERT_EQ(call_until_ok(client, "/hello").status, 200u);
  // Warm the loop module (503 while it compiles).
  ClientResponse warm;
  auto warm_deadline = Clock::now() + std::chrono::seconds(60);
  do {
    warm = must(client.get("/loop"));
  } while (warm.status == 503 && Clock::now() < warm_deadline);
  ASSERT_EQ(warm.status, 504u) << warm.body;

  std::atomic<bool> done{false};
  ClientResponse loop_response;
  std::chrono::milliseconds loop_time{0};
  std::thread slow([&] {
    auto own = client_for(server);
    auto start = Clock::now();
    loop_response = must(own.get("/loop"));
    loop_time = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    done = true;
  });
  int others = 0;
  while (!done) {
    auto r = must(client.get("/hello"));
    EXPECT_EQ(r.status, 200u);
    ++others;
  }
  slow.join();
  EXPECT_EQ(loop_response.status, 504u);
  // Only the lower bound is a property of the server (a deadline never fires early); how
  // soon after it the answer comes depends on the machine's load, so it is printed only.
  EXPECT_GE(loop_time, std::chrono::milliseconds(1000));
  EXPECT_GT(others, 0) << "other calls must keep succeeding meanwhile";
  std::printf("[ timing   ] runaway guest answered 504 after %lld ms; %d other calls served\n",
              static_cast<long long>(loop_time.count()), others);
}

TEST_F(GatewayIntegration, InvalidUploadIs400AndStoresNothing) {
  auto& server = start();
  auto client = client_for(server);
  std::string token = register_user(client, "ann");
  auto bad = deploy(client, token, "junk", "/junk", "this is not wasm at all");
  EXPECT_EQ(bad.status, 400u) << bad.body;
  EXPECT_EQ(body_json(bad).value("error", ""), "not_wasm") << bad.body;
  EXPECT_FALSE(body_json(bad).value("message", "").empty());
  auto list = must(client.get("/api/v1/actions", token));
  EXPECT_TRUE(body_json(list)["actions"].empty()) << list.body;
  EXPECT_EQ(must(client.get("/junk")).status, 404u);
  size_t module_files = 0;
  if (fs::exists(data_ / "modules")) {
    for (auto& entry : fs::recursive_directory_iterator(data_ / "modules")) {
      module_files += entry.is_regular_file();
    }
  }
  EXPECT_EQ(module_files, 0u);

  ClientRequest no_module;
  no_module.method = "POST";
  no_module.target = "/api/v1/actions";
  no_module.body = "{}";
  no_module.headers = {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
  auto not_multipart = must(client.send(no_module));
  EXPECT_EQ(not_multipart.status, 400u);
  EXPECT_EQ(body_json(not_multipart).value("error", ""), "bad_request");
}

TEST_F(GatewayIntegration, AuthAndOwnership) {
  auto& server = start();
  auto client = client_for(server);
  std::string ann = register_user(client, "ann");
  std::string bob = register_user(client, "bob");
  ASSERT_EQ(deploy(client, ann, "hello", "/hello", read_guest("hello")).status, 201u);
  EXPECT_EQ(must(client.get("/api/v1/actions")).status, 401u);
  EXPECT_EQ(must(client.get("/api/v1/actions", "not-a-token")).status, 401u);
  auto as_bob = must(client.get("/api/v1/actions/hello", bob));
  EXPECT_EQ(as_bob.status, 404u);
  EXPECT_EQ(body_json(as_bob).value("error", ""), "not_found");
  ClientRequest del;
  del.method = "DELETE";
  del.target = "/api/v1/actions/hello";
  del.headers = {{"Authorization", "Bearer " + bob}};
  EXPECT_EQ(must(client.send(del)).status, 404u);
  EXPECT_EQ(must(client.get("/api/v1/actions/hello", ann)).status, 200u);
  // A route taken by another user's action is a conflict.
  EXPECT_EQ(deploy(client, bob, "mine", "/hello", read_guest("hello")).status, 409u);
  EXPECT_EQ(deploy(client, bob, "api", "/api/v1/x", read_guest("hello")).status, 400u);
  auto me = must(client.get("/api/v1/me", ann));
  EXPECT_EQ(body_json(me).value("username", ""), "ann");
  EXPECT_TRUE(body_json(me).value("is_admin", false)) << "the first user is admin";
  EXPECT_EQ(must(client.get("/api/v1/admin/settings", bob)).status, 403u);
  EXPECT_EQ(must(client.get("/api/v1/nope", ann)).status, 404u);
  auto login = must(client.post_json("/api/v1/auth/login",
                                     json{{"username", "ann"}, {"password", "wrong-pass"}}.dump()));
  EXPECT_EQ(login.status, 401u);
}

TEST_F(GatewayIntegration, RedeployAndRollback) {
  auto& server = start();
  auto client = client_for(server);
  std::string token = register_user(client, "ann");
  ASSERT_EQ(deploy(client, token, "app", "/app", read_guest("hello")).status, 201u);
  EXPECT_NE(call_until_ok(client, "/app").body.find("Hello"), std::string::npos);
  auto v2 = put_module(client, token, "app", read_guest("primes"));
  ASSERT_EQ(v2.status, 200u) << v2.body;
  auto primes = call_until_ok(client, "/app?n=10");
  EXPECT_EQ(primes.body, "2\n3\n5\n7\n");
  auto shown = body_json(must(client.get("/api/v1/actions/app", token)));
  EXPECT_EQ(shown["versions"].size(), 2u) << shown.dump();
  auto rolled = must(client.post_json("/api/v1/actions/app/rollback", "{}", token));
  ASSERT_EQ(rolled.status, 200u) << rolled.body;
  EXPECT_NE(call_until_ok(client, "/app").body.find("Hello"), std::string::npos);
}

TEST_F(GatewayIntegration, ActionsSurviveRestart) {
  std::string token;
  {
    auto& server = start();
    auto client = client_for(server);
    token = register_user(client, "ann");
    ASSERT_EQ(deploy(client, token, "hello", "/hello", read_guest("hello")).status, 201u);
    ASSERT_EQ(deploy(client, token, "primes", "/primes", read_guest("primes")).status, 201u);
    ASSERT_EQ(call_until_ok(client, "/hello").status, 200u);
    ASSERT_EQ(call_until_ok(client, "/primes").status, 200u);
    EXPECT_EQ(server.stop(), 0) << "clean shutdown on SIGTERM";
  }
  auto& server = start();
  auto client = client_for(server);
  EXPECT_EQ(call_until_ok(client, "/hello").status, 200u);
  EXPECT_EQ(call_until_ok(client, "/primes?n=5").body, "2\n3\n");
  EXPECT_EQ(must(client.get("/api/v1/actions", token)).status, 200u) << "sessions survive too";
}

TEST_F(GatewayIntegration, LruEvictionAndReload) {
  auto& server = start({"--cache-modules", "1"});
  auto client = client_for(server);
  std::string token = register_user(client, "ann");
  ASSERT_EQ(deploy(client, token, "hello", "/hello", read_guest("hello")).status, 201u);
  ASSERT_EQ(call_until_ok(client, "/hello").status, 200u);
  ASSERT_EQ(deploy(client, token, "primes", "/primes", read_guest("primes")).status, 201u);
  ASSERT_EQ(call_until_ok(client, "/primes").status, 200u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(must(client.get("/hello")).status, 200u);
    EXPECT_EQ(must(client.get("/primes?n=3")).body, "2\n");
  }
  auto metrics = must(client.get("/metrics"));
  ASSERT_EQ(metrics.status, 200u);
  auto line_start = metrics.body.find("wa_module_cache_evictions");
  ASSERT_NE(line_start, std::string::npos) << metrics.body;
  // "...evictions_total N": some eviction happened.
  bool evicted = false;
  for (size_t pos = line_start; pos != std::string::npos;
       pos = metrics.body.find("wa_module_cache_evictions", pos + 1)) {
    auto eol = metrics.body.find('\n', pos);
    std::string line = metrics.body.substr(pos, eol - pos);
    if (line.find('#') == std::string::npos && line.substr(line.rfind(' ') + 1) != "0") {
      evicted = true;
    }
  }
  EXPECT_TRUE(evicted) << metrics.body;
}

TEST_F(GatewayIntegration, BadCgiOutputIs502AndLogged) {
  auto& server = start();
  auto client = client_for(server);
  std::string token = register_user(client, "ann");
  ASSERT_EQ(deploy(client, token, "bad", "/bad", read_guest("bad_cgi")).status, 201u);
  ClientResponse r;
  auto deadline = Clock::now() + std::chrono::seconds(60);
  do {
    r = must(client.get("/bad"));
  } while (r.status != 502 && Clock::now() < deadline);
  EXPECT_EQ(r.status, 502u) << r.body;
  auto logs = must(client.get("/api/v1/actions/bad/logs", token));
  ASSERT_EQ(logs.status, 200u);
  EXPECT_NE(logs.body.find("not a valid CGI response"), std::string::npos) << logs.body;

  ClientRequest stream;
  stream.target = "/api/v1/actions/bad/logs/stream";
  stream.headers = {{"Authorization", "Bearer " + token}};
  auto data = client.read_event_stream(stream, std::chrono::seconds(5), [](const std::string& d) {
    return d.find("not a valid CGI response") != std::string::npos;
  });
  ASSERT_TRUE(data) << data.error().message;
  EXPECT_NE(data->find("text/event-stream"), std::string::npos);
  EXPECT_NE(data->find("event: log"), std::string::npos) << *data;
}

TEST_F(GatewayIntegration, ServiceEndpoints) {
  auto& server = start();
  auto client = client_for(server);
  auto health = must(client.get("/healthz"));
  EXPECT_EQ(health.status, 200u);
  EXPECT_EQ(body_json(health).value("status", ""), "ok");
  auto caps = must(client.get("/api/v1/capabilities"));
  EXPECT_EQ(caps.status, 200u);
  EXPECT_TRUE(body_json(caps)["capabilities"].is_array());
  EXPECT_EQ(must(client.get("/nothing-here")).status, 404u);
  auto unknown_api = must(client.get("/api/v1/does-not-exist"));
  EXPECT_EQ(unknown_api.status, 404u);
  EXPECT_EQ(unknown_api.header("Content-Type"), "application/json");
}

TEST_F(GatewayIntegration, AdminManagesRegistrationInvitesAndUsers) {
  auto& server = start();
  auto client = client_for(server);
  std::string admin = register_user(client, "admin");
  ClientRequest invite_mode;
  invite_mode.method = "PUT";
  invite_mode.target = "/api/v1/admin/settings";
  invite_mode.body = json{{"registration_mode", "invite"}}.dump();
  invite_mode.headers = {{"Authorization", "Bearer " + admin},
                         {"Content-Type", "application/json"}};
  auto open_mode = body_json(must(client.get("/api/v1/auth/registration")));
  EXPECT_EQ(open_mode.value("registration_mode", ""), "open");
  EXPECT_EQ(must(client.send(invite_mode)).status, 200u);
  auto public_mode = must(client.get("/api/v1/auth/registration"));  // no token needed
  EXPECT_EQ(public_mode.status, 200u);
  EXPECT_EQ(body_json(public_mode).value("registration_mode", ""), "invite");

  auto refused = must(client.post_json(
      "/api/v1/auth/register", json{{"username", "bob"}, {"password", "correct-horse"}}.dump()));
  EXPECT_EQ(refused.status, 403u) << refused.body;

  auto invite = must(client.post_json("/api/v1/admin/invites", "{}", admin));
  ASSERT_EQ(invite.status, 201u) << invite.body;
  std::string code = body_json(invite).value("code", "");
  auto bob = must(client.post_json(
      "/api/v1/auth/register",
      json{{"username", "bob"}, {"password", "correct-horse"}, {"invite", code}}.dump()));
  ASSERT_EQ(bob.status, 201u) << bob.body;

  auto invites = body_json(must(client.get("/api/v1/admin/invites", admin)));
  ASSERT_EQ(invites["invites"].size(), 1u) << invites.dump();
  EXPECT_EQ(invites["invites"][0].value("used_by", ""), "bob");
  EXPECT_EQ(invites["invites"][0].value("id", ""), body_json(invite).value("id", "?"));
  auto users = body_json(must(client.get("/api/v1/admin/users", admin)));
  ASSERT_EQ(users["users"].size(), 2u) << users.dump();
  EXPECT_EQ(users["users"][1].value("username", ""), "bob");

  std::string bob_token = body_json(bob).value("token", "");
  EXPECT_EQ(must(client.get("/api/v1/admin/users", bob_token)).status, 403u);
  EXPECT_EQ(must(client.get("/api/v1/admin/invites", bob_token)).status, 403u);
}

TEST_F(GatewayIntegration, ActionListCarriesLastHourStatsAndDisabledStatus) {
  auto& server = start();
  auto client = client_for(server);
  std::string token = register_user(client, "ann");
  ASSERT_EQ(deploy(client, token, "hello", "/hello", read_guest("hello")).status, 201u);
  ASSERT_EQ(call_until_ok(client, "/hello").status, 200u);
  ASSERT_EQ(must(client.get("/hello")).status, 200u);

  auto list = body_json(must(client.get("/api/v1/actions", token)));
  ASSERT_EQ(list["actions"].size(), 1u) << list.dump();
  const auto& hour = list["actions"][0]["stats"]["last_hour"];
  EXPECT_GE(hour.value("requests", 0), 2) << list.dump();
  EXPECT_GT(hour["latency_ms"].value("p95", 0.0), 0.0);
  auto stats = body_json(must(client.get("/api/v1/actions/hello/stats", token)));
  EXPECT_GT(stats["per_minute"][59]["latency_ms"].value("p50", 0.0), 0.0) << stats.dump();

  ClientRequest disable;
  disable.method = "PATCH";
  disable.target = "/api/v1/actions/hello";
  disable.body = json{{"settings", {{"enabled", false}}}}.dump();
  disable.headers = {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
  auto patched = must(client.send(disable));
  ASSERT_EQ(patched.status, 200u) << patched.body;
  list = body_json(must(client.get("/api/v1/actions", token)));
  EXPECT_EQ(list["actions"][0].value("status", ""), "disabled");
}

// Appends a custom section (ignored by validation and compilation) to grow a module.
std::string with_custom_section(std::string module, size_t payload_bytes) {
  const std::string name = "padding";
  std::string body;
  body.push_back(static_cast<char>(name.size()));
  body += name;
  body.append(payload_bytes, 'x');
  std::string section(1, '\0');       // id 0: custom
  for (uint64_t n = body.size();;) {  // LEB128 size
    uint8_t byte = n & 0x7f;
    n >>= 7;
    section.push_back(static_cast<char>(n ? byte | 0x80 : byte));
    if (!n) break;
  }
  return module + section + body;
}

TEST_F(GatewayIntegration, ModulesOverOneMebibyteDeployAndBodyLimitIs413) {
  auto& server = start({"--max-body-bytes", "4096"});
  auto client = client_for(server);
  std::string token = register_user(client, "ann");
  std::string big = with_custom_section(read_guest("echo"), 1536 * 1024);
  ASSERT_GT(big.size(), 1u << 20);
  auto deployed = deploy(client, token, "big", "/big", big);
  ASSERT_EQ(deployed.status, 201u) << deployed.body;
  EXPECT_EQ(call_until_ok(client, "/big").status, 200u);

  ClientRequest small_body;
  small_body.method = "POST";
  small_body.target = "/big";
  small_body.body = std::string(4000, 'a');
  EXPECT_EQ(must(client.send(small_body)).status, 200u);
  ClientRequest large_body = small_body;
  large_body.body = std::string(5000, 'a');
  auto refused = must(client.send(large_body));
  EXPECT_EQ(refused.status, 413u) << refused.body;
}

// One `end` per block after 400,000 `block`s: a 1.2 MB function that crashed the server
// inside validation (issue 8, item 3).
std::string nested_blocks_module(uint32_t depth) {
  auto leb = [](uint64_t n) {
    std::string out;
    do {
      uint8_t byte = n & 0x7f;
      n >>= 7;
      out.push_back(static_cast<char>(n ? byte | 0x80 : byte));
    } while (n);
    return out;
  };
  auto section = [&](char id, const std::string& payload) {
    return std::string(1, id) + leb(payload.size()) + payload;
  };
  std::string body(1, '\0');
  for (uint32_t i = 0; i < depth; ++i) body += "\x02\x40";
  body.append(depth + 1, '\x0b');
  return std::string("\0asm\x01\0\0\0", 8) + section(1, std::string("\x01\x60\x00\x00", 4)) +
         section(3, std::string("\x01\x00", 2)) +
         section(7, std::string("\x01\x06_start\x00\x00", 10)) +
         section(10, "\x01" + leb(body.size()) + body);
}

TEST_F(GatewayIntegration, HostileUploadsAre400AndTheServerKeepsServing) {
  auto& server = start();
  auto client = client_for(server);
  std::string token = register_user(client, "ann");
  auto nested = deploy(client, token, "nested", "/nested", nested_blocks_module(400'000));
  EXPECT_EQ(nested.status, 400u) << nested.body;
  EXPECT_EQ(body_json(nested).value("error", ""), "invalid_module") << nested.body;
  EXPECT_NE(body_json(nested).value("message", "").find("nested blocks"), std::string::npos)
      << nested.body;
  auto mistyped = deploy(client, token, "mistyped", "/mistyped", read_guest("imports_bad_type"));
  EXPECT_EQ(mistyped.status, 400u) << mistyped.body;
  EXPECT_EQ(body_json(mistyped).value("error", ""), "unsupported_import") << mistyped.body;
  EXPECT_NE(body_json(mistyped).value("message", "").find("(f64) -> i64"), std::string::npos)
      << mistyped.body;
  auto deployed = deploy(client, token, "echo", "/echo", read_guest("echo"));
  ASSERT_EQ(deployed.status, 201u) << deployed.body;
  EXPECT_EQ(call_until_ok(client, "/echo").status, 200u);
}

}  // namespace
}  // namespace wa::testing

// End-to-end checks of the platform's rules through the real server: routes across users,
// settings validation, per-user quotas and the disk garbage collector (issue 8, items 10,
// 20 and 22).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "gateway/http_client.h"
#include "server_process.h"
#include "support/files.h"
#include "support/sha256.h"
#include "test_api.h"

namespace wa::testing {
namespace {

namespace fs = std::filesystem;
using gateway::ClientResponse;
using gateway::HttpClient;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

class PlatformIntegration : public ServerTest {
 protected:
  PlatformIntegration() : ServerTest("wa-platform-it") {}
  // Starts the server (fast tier only) and a client for it in client_.
  HttpClient& start(std::vector<std::string> args = {}) {
    client_.reset();
    server_.reset();
    args.insert(args.end(), {"--compile-tiers", "fast"});
    client_ = std::make_unique<HttpClient>(client_for(ServerTest::start(std::move(args))));
    return *client_;
  }

  fs::path module_file(const std::string& sha) const {
    return data_ / "modules" / sha.substr(0, 2) / (sha + ".wasm");
  }
  size_t artifact_files(const std::string& sha) const {
    size_t n = 0;
    std::error_code ec;
    for (fs::directory_iterator it(data_ / "artifacts" / sha.substr(0, 2), ec), end;
         !ec && it != end; it.increment(ec)) {
      n += it->path().filename().string().starts_with(sha) ? 1 : 0;
    }
    return n;
  }
  size_t stored_modules() const {
    size_t n = 0;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(data_ / "modules", ec), end; !ec && it != end;
         it.increment(ec)) {
      n += it->is_regular_file() ? 1 : 0;
    }
    return n;
  }

  std::unique_ptr<HttpClient> client_;
};

std::string module_sha(const ClientResponse& deployed) {
  return body_json(deployed)["version"].value("module_sha256", "");
}

// Item 20: deploy, delete, files gone; a module shared with another user's action stays;
// orphans and what a killed process left are swept while the server runs.
TEST_F(PlatformIntegration, DeletingFreesFilesSharedModulesStayLeftoversAreSwept) {
  start({"--gc-interval-seconds", "1"});
  const std::string ann = register_user(*client_, "ann");
  const std::string bob = register_user(*client_, "bob");
  auto a = deploy(*client_, ann, "a", "/a", read_guest("hello"));
  auto b = deploy(*client_, bob, "b", "/b", read_guest("hello"));
  auto p = deploy(*client_, ann, "p", "/p", read_guest("primes"));
  ASSERT_EQ(a.status, 201u) << a.body;
  ASSERT_EQ(b.status, 201u) << b.body;
  ASSERT_EQ(p.status, 201u) << p.body;
  const std::string hello = module_sha(a);
  const std::string primes = module_sha(p);
  ASSERT_EQ(module_sha(b), hello);
  ASSERT_EQ(call_until_ok(*client_, "/a").status, 200u);
  ASSERT_EQ(call_until_ok(*client_, "/p?n=10").status, 200u);
  ASSERT_TRUE(fs::exists(module_file(hello)));
  ASSERT_TRUE(fs::exists(module_file(primes)));
  ASSERT_GE(artifact_files(hello), 1u);
  ASSERT_GE(artifact_files(primes), 1u);

  ASSERT_EQ(send_request(*client_, "DELETE", "/api/v1/actions/a", ann).status, 200u);
  ASSERT_EQ(send_request(*client_, "DELETE", "/api/v1/actions/p", ann).status, 200u);
  EXPECT_FALSE(fs::exists(module_file(primes)));
  EXPECT_EQ(artifact_files(primes), 0u);
  EXPECT_TRUE(fs::exists(module_file(hello))) << "bob's action uses the same module";
  EXPECT_GE(artifact_files(hello), 1u);
  EXPECT_EQ(must(client_->get("/b")).status, 200u);

  // Leftovers planted while the server runs: an orphan module, and a temp file and a
  // compile work dir named after a process that is gone (as after kill -9).
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  const std::string dead = std::to_string(child);
  const std::string orphan_bytes = "asm orphan";
  const std::string orphan = sha256_hex(std::string_view(orphan_bytes));
  const fs::path temp = data_ / "modules" / "ab" / ("ab.wasm.tmp." + dead + ".7");
  const fs::path work = data_ / "artifacts" / "tmp" / ("0123456789abcdef.fast." + dead + ".8");
  fs::create_directories(module_file(orphan).parent_path());
  fs::create_directories(temp.parent_path());
  fs::create_directories(work);
  const auto bytes =
      std::span(reinterpret_cast<const uint8_t*>(orphan_bytes.data()), orphan_bytes.size());
  ASSERT_TRUE(write_file_bytes(module_file(orphan), bytes).ok());
  ASSERT_TRUE(write_file_bytes(temp, bytes).ok());
  ASSERT_TRUE(write_file_bytes(work / "guest.c", bytes).ok());
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline &&
         (fs::exists(module_file(orphan)) || fs::exists(temp) || fs::exists(work))) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_FALSE(fs::exists(module_file(orphan)));
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_FALSE(fs::exists(work));
  EXPECT_TRUE(fs::exists(module_file(hello))) << "the sweep keeps referenced modules";
  EXPECT_EQ(must(client_->get("/b")).status, 200u);

  ASSERT_EQ(send_request(*client_, "DELETE", "/api/v1/actions/b", bob).status, 200u);
  EXPECT_FALSE(fs::exists(module_file(hello)));
  EXPECT_EQ(artifact_files(hello), 0u);
  EXPECT_EQ(stored_modules(), 0u);
}

TEST_F(PlatformIntegration, SweepAtStartFreesOrphans) {
  const std::string orphan_bytes = "asm left by an older build";
  const std::string orphan = sha256_hex(std::string_view(orphan_bytes));
  fs::create_directories(module_file(orphan).parent_path());
  ASSERT_TRUE(write_file_bytes(module_file(orphan),
                               std::span(reinterpret_cast<const uint8_t*>(orphan_bytes.data()),
                                         orphan_bytes.size()))
                  .ok());
  start({"--gc-interval-seconds", "0"});  // only the sweep at start
  EXPECT_FALSE(fs::exists(module_file(orphan)));
}

TEST_F(PlatformIntegration, QuotaRefusesBeforeStoring) {
  start({"--quota-actions", "1"});
  const std::string ann = register_user(*client_, "ann");
  ASSERT_EQ(deploy(*client_, ann, "one", "/one", read_guest("hello")).status, 201u);
  auto second = deploy(*client_, ann, "two", "/two", read_guest("primes"));
  EXPECT_EQ(second.status, 403u) << second.body;
  EXPECT_EQ(body_json(second).value("error", ""), "quota_exceeded");
  EXPECT_NE(body_json(second).value("message", "").find("(1)"), std::string::npos) << second.body;
  EXPECT_EQ(stored_modules(), 1u);
  // Another user has a quota of their own; deleting frees the slot.
  const std::string bob = register_user(*client_, "bob");
  EXPECT_EQ(deploy(*client_, bob, "two", "/two", read_guest("primes")).status, 201u);
  ASSERT_EQ(send_request(*client_, "DELETE", "/api/v1/actions/one", ann).status, 200u);
  EXPECT_EQ(deploy(*client_, ann, "three", "/three", read_guest("hello")).status, 201u);
}

// Item 10: with ann on "/shop/...", bob's exact "/shop/checkout" used to take her requests.
TEST_F(PlatformIntegration, NoRouteInsideOrOverAnotherUsersRoutes) {
  start();
  const std::string ann = register_user(*client_, "ann");
  const std::string bob = register_user(*client_, "bob");
  ASSERT_EQ(deploy(*client_, ann, "shop", "/shop/...", read_guest("hello")).status, 201u);
  auto takeover = deploy(*client_, bob, "checkout", "/shop/checkout", read_guest("primes"));
  EXPECT_EQ(takeover.status, 409u) << takeover.body;
  EXPECT_EQ(body_json(takeover).value("error", ""), "conflict");
  EXPECT_EQ(stored_modules(), 1u) << "the refused upload is not stored";
  auto swallow = deploy(*client_, bob, "all", "/shop2/...", read_guest("primes"));
  ASSERT_EQ(swallow.status, 201u) << swallow.body;
  ASSERT_EQ(send_request(*client_, "PATCH", "/api/v1/actions/all", bob,
                         json{{"route", "/shop/x/..."}}.dump())
                .status,
            409u);
  auto over = deploy(*client_, ann, "over", "/shop2/...", read_guest("hello"));
  EXPECT_EQ(over.status, 409u) << over.body;  // the same route
  auto rooms = deploy(*client_, bob, "rooms", "/rooms/lobby", read_guest("hello"));
  EXPECT_EQ(rooms.status, 400u) << rooms.body;
  EXPECT_EQ(body_json(rooms).value("error", ""), "reserved_route");

  auto served = call_until_ok(*client_, "/shop/checkout");
  ASSERT_EQ(served.status, 200u);
  EXPECT_NE(served.body.find("Hello from WebAssembly!"), std::string::npos) << served.body;
  // The owner may nest her own routes.
  EXPECT_EQ(deploy(*client_, ann, "checkout", "/shop/checkout", read_guest("primes")).status, 201u);
}

// Item 22: 2^44+1 MiB wrapped to 1 MiB and was accepted.
TEST_F(PlatformIntegration, OutOfRangeAndMistypedSettingsAre400) {
  start();
  const std::string ann = register_user(*client_, "ann");
  auto huge = deploy(*client_, ann, "huge", "/huge", read_guest("hello"),
                     json::parse(R"({"memory_limit_mb": 17592186044417})"));
  EXPECT_EQ(huge.status, 400u) << huge.body;
  EXPECT_EQ(body_json(huge).value("error", ""), "invalid_argument");
  EXPECT_NE(body_json(huge).value("message", "").find("memory_limit_mb"), std::string::npos);
  EXPECT_EQ(stored_modules(), 0u);
  EXPECT_EQ(must(client_->get("/huge")).status, 404u);

  ASSERT_EQ(deploy(*client_, ann, "ok", "/ok", read_guest("hello")).status, 201u);
  for (const char* bad :
       {R"({"memory_limit_mb": "64"})", R"({"memory_limit_mb": 64.5})",
        R"({"memory_limit_mb": -1})", R"({"memory_limit_mb": 4096})", R"({"timeout_ms": 1.5})",
        R"({"timeout_ms": 18446744073709551615})", R"({"timeout_ms": 0})"}) {
    auto patched = send_request(*client_, "PATCH", "/api/v1/actions/ok", ann, bad);
    EXPECT_EQ(patched.status, 400u) << bad << " " << patched.body;
  }
  auto shown = send_request(*client_, "GET", "/api/v1/actions/ok", ann);
  ASSERT_EQ(shown.status, 200u);
  EXPECT_EQ(body_json(shown)["settings"].value("memory_limit_mb", 0), 128);
  EXPECT_EQ(body_json(shown)["settings"].value("timeout_ms", 0), 5000);
}

// Server-wide bounds that contradict each other used to start a server that refused every
// deploy without settings.
TEST_F(PlatformIntegration, ContradictoryServerLimitsAreRefusedAtStart) {
  EXPECT_THROW(start({"--default-memory-mb", "4096", "--max-memory-mb", "1024"}),
               std::runtime_error);
  EXPECT_THROW(start({"--default-timeout-ms", "0"}), std::runtime_error);
  EXPECT_NO_THROW(start({"--default-memory-mb", "64", "--max-memory-mb", "64"}));
}

}  // namespace
}  // namespace wa::testing

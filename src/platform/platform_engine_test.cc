// The platform facade over the real engine: deploys and invokes real guests
// (tests/guests and examples, built to $WA_GUESTS_DIR).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "platform/error_kinds.h"
#include "platform/platform.h"
#include "platform/test_support.h"
#include "support/files.h"

namespace wa::platform {
namespace {

using std::chrono::milliseconds;

std::vector<uint8_t> guest(const std::string& name) {
  const char* dir = std::getenv("WA_GUESTS_DIR");
  if (!dir) return {};
  auto bytes = read_file_bytes(std::filesystem::path(dir) / (name + ".wasm"));
  return bytes ? std::move(bytes).value() : std::vector<uint8_t>{};
}

class PlatformEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(guest("hello").empty()) << "guests not found: build the `guests` target and "
                                            "set WA_GUESTS_DIR (ctest does)";
    open();
    auto token = platform_->accounts().register_user("ann", "password-1");
    ASSERT_TRUE(token.ok()) << token.error().message;
    ann_ = token->user.id;
  }

  PlatformConfig config() {
    PlatformConfig c;
    c.data_dir = dir_.path() / "data";
    c.artifact_cache_dir = dir_.path() / "artifacts";
    c.compile_tiers = runtime::EngineConfig::Tiers::kFastOnly;  // one quick compile per test
    c.auth.password_strength = PasswordStrength::kMinimal;
    c.maintenance_interval = std::chrono::seconds(0);
    c.cache = cache_config_;
    c.quota = quota_;
    return c;
  }

  void open() {
    platform_.reset();
    auto opened = Platform::open(config());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    platform_ = std::move(opened).value();
  }

  Expected<DeployResult> deploy(const std::string& name, const std::string& route,
                                const std::string& guest_name,
                                std::optional<ActionSettings> settings = std::nullopt) {
    const auto bytes = guest(guest_name);
    DeployRequest request;
    request.name = name;
    request.route = route;
    request.module = bytes;
    request.settings = settings;
    return platform_->deploy(ann_, request);
  }

  // Compilation runs in the background; tests wait for its verdict in the registry.
  VersionStatus wait_compiled(const std::string& name) {
    for (int i = 0; i < 1200; ++i) {
      auto a = platform_->actions().get(ann_, name);
      if (a.ok() && a->current && a->current->status != VersionStatus::kCompiling) {
        return a->current->status;
      }
      std::this_thread::sleep_for(milliseconds(50));
    }
    return VersionStatus::kCompiling;
  }

  // Retries while the module is still compiling: invoke never waits for a compile.
  Expected<InvokeResult> invoke(const std::string& path, runtime::CallOptions options = {}) {
    for (int i = 0;; ++i) {
      auto match = platform_->match(path);
      if (!match) return make_error("not_found", "no route for " + path);
      auto result = platform_->invoke(*match->action, options, "req-1");
      if (result || result.error().kind != error_kind::kCompiling || i == 1200) return result;
      std::this_thread::sleep_for(milliseconds(50));
    }
  }

  ActionSettings defaults() { return ActionSettings::defaults(platform_->config().limits); }

  // Files of one module in the store and the artifact cache.
  size_t module_files(const std::string& sha256) {
    return std::filesystem::exists(platform_->config().data_dir / "modules" / sha256.substr(0, 2) /
                                   (sha256 + ".wasm"))
               ? 1
               : 0;
  }
  size_t artifact_files(const std::string& sha256) {
    size_t n = 0;
    std::error_code ec;
    for (std::filesystem::directory_iterator
             it(dir_.path() / "artifacts" / sha256.substr(0, 2), ec),
         end;
         !ec && it != end; it.increment(ec)) {
      n += it->path().filename().string().starts_with(sha256) ? 1 : 0;
    }
    return n;
  }
  size_t stored_modules() {
    size_t n = 0;
    std::error_code ec;
    for (std::filesystem::recursive_directory_iterator
             it(platform_->config().data_dir / "modules", ec),
         end;
         !ec && it != end; it.increment(ec)) {
      n += it->is_regular_file() ? 1 : 0;
    }
    return n;
  }

  testing::TempDir dir_;
  ModuleCacheConfig cache_config_;
  UserQuota quota_;
  std::unique_ptr<Platform> platform_;
  int64_t ann_ = 0;
};

TEST_F(PlatformEngineTest, DeployReturnsCompilingThenTheActionAnswers) {
  auto deployed = deploy("hello", "/hello", "hello");
  ASSERT_TRUE(deployed.ok()) << deployed.error().message;
  EXPECT_TRUE(deployed->created);
  EXPECT_EQ(deployed->version.number, 1);

  runtime::CallOptions options;
  options.wasi.env = {{"QUERY_STRING", "x=1"}};
  auto result = invoke("/hello", options);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->outcome, "ok");
  EXPECT_NE(result->call.stdout_data.find("Hello from WebAssembly! query=x=1"), std::string::npos)
      << result->call.stdout_data;
  EXPECT_EQ(wait_compiled("hello"), VersionStatus::kReady);

  auto stats = platform_->stats(ann_, "hello");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->requests, 1u);
  EXPECT_EQ(stats->errors, 0u);
  EXPECT_NE(platform_->prometheus_text().find("wa_action_requests_total{action=\"ann/hello\""),
            std::string::npos);
}

TEST_F(PlatformEngineTest, InvalidUploadsAreRefusedAndNothingIsStored) {
  const std::vector<uint8_t> junk = {'n', 'o', 't', ' ', 'w', 'a', 's', 'm'};
  DeployRequest request{"bad", "/bad", junk, std::nullopt, DeployRequest::Mode::kCreate};
  auto not_wasm = platform_->deploy(ann_, request);
  ASSERT_FALSE(not_wasm.ok());
  EXPECT_EQ(not_wasm.error().kind, "not_wasm");

  auto missing_import = deploy("bad", "/bad", "imports_env");
  ASSERT_FALSE(missing_import.ok());
  EXPECT_EQ(missing_import.error().kind, "unsupported_import");
  EXPECT_NE(missing_import.error().message.find("magic"), std::string::npos);

  ActionSettings settings = defaults();
  settings.entry = "no_such_export";
  auto bad_entry = deploy("bad", "/bad", "hello", settings);
  ASSERT_FALSE(bad_entry.ok());
  EXPECT_EQ(bad_entry.error().kind, "invalid_argument");

  EXPECT_FALSE(platform_->match("/bad").has_value());
  EXPECT_TRUE(platform_->actions().list(ann_)->empty());
  EXPECT_FALSE(std::filesystem::exists(platform_->config().data_dir / "modules"));
}

TEST_F(PlatformEngineTest, EnvStdinAndStderrReachTheGuestAndTheLog) {
  ActionSettings settings = defaults();
  settings.env = {{"GREETING", "hi"}};
  ASSERT_TRUE(deploy("echo", "/echo/...", "echo_io", settings).ok());
  runtime::CallOptions options;
  options.wasi.args = {"echo", "a1"};
  options.wasi.stdin_data = "body!";
  auto result = invoke("/echo/x", options);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_NE(result->call.stdout_data.find("GREETING=hi"), std::string::npos);
  EXPECT_NE(result->call.stdout_data.find("stdin=body!"), std::string::npos);
  auto logs = platform_->logs(ann_, "echo", std::nullopt);
  ASSERT_TRUE(logs.ok());
  ASSERT_EQ(logs->size(), 1u);
  EXPECT_EQ(logs->at(0).message, "to stderr");
  EXPECT_EQ(logs->at(0).request_id, "req-1");
}

TEST_F(PlatformEngineTest, TimeoutIsRecordedAsAnErrorWithALogLine) {
  ActionSettings settings = defaults();
  settings.timeout = milliseconds(200);
  ASSERT_TRUE(deploy("spin", "/spin", "loop", settings).ok());
  auto result = invoke("/spin");
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->outcome, "timeout");
  auto stats = platform_->stats(ann_, "spin");
  EXPECT_EQ(stats->errors_by_kind["timeout"], 1u);
  auto logs = platform_->logs(ann_, "spin", std::nullopt);
  ASSERT_EQ(logs->size(), 1u);
  EXPECT_EQ(logs->at(0).outcome, "timeout");

  platform_->record_error(*platform_->match("/spin")->action, "req-2", "bad_gateway",
                          "no CGI headers", false);
  stats = platform_->stats(ann_, "spin");
  EXPECT_EQ(stats->requests, 1u);
  EXPECT_EQ(stats->errors, 2u);
}

TEST_F(PlatformEngineTest, RedeployKeepsOldVersionsForRollback) {
  ASSERT_TRUE(deploy("app", "/app", "hello").ok());
  auto second = deploy("app", "", "echo_io");
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->version.number, 2);
  EXPECT_NE(invoke("/app")->call.stdout_data.find("GREETING="), std::string::npos);

  auto back = platform_->rollback(ann_, "app");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->current->number, 1);
  EXPECT_NE(invoke("/app")->call.stdout_data.find("Hello from WebAssembly!"), std::string::npos);
  EXPECT_EQ(platform_->actions().versions(ann_, "app")->size(), 2u);

  DeployRequest create_again{"app", "/other", guest("hello"), std::nullopt,
                             DeployRequest::Mode::kCreate};
  EXPECT_EQ(platform_->deploy(ann_, create_again).error().kind, "conflict");
}

TEST_F(PlatformEngineTest, ActionsAnswerAfterARestart) {
  ASSERT_TRUE(deploy("hello", "/hello", "hello").ok());
  ASSERT_EQ(wait_compiled("hello"), VersionStatus::kReady);
  open();
  auto result = invoke("/hello");
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_NE(result->call.stdout_data.find("Hello from WebAssembly!"), std::string::npos);
  EXPECT_EQ(platform_->cache().stats().loads, 1u);  // came back from the store
}

TEST_F(PlatformEngineTest, EvictedModulesComeBackOnDemand) {
  cache_config_.max_modules = 1;
  open();
  ASSERT_TRUE(deploy("one", "/one", "hello").ok());
  ASSERT_TRUE(deploy("two", "/two", "echo_io").ok());
  for (int round = 0; round < 2; ++round) {
    auto one = invoke("/one");
    ASSERT_TRUE(one.ok()) << one.error().message;
    EXPECT_NE(one->call.stdout_data.find("Hello"), std::string::npos);
    auto two = invoke("/two");
    ASSERT_TRUE(two.ok()) << two.error().message;
    EXPECT_NE(two->call.stdout_data.find("GREETING"), std::string::npos);
  }
  auto stats = platform_->cache().stats();
  EXPECT_EQ(stats.modules, 1u);
  EXPECT_GE(stats.evictions, 3u);
  EXPECT_GE(stats.loads, 3u);
}

TEST_F(PlatformEngineTest, DisabledActionDoesNotRun) {
  ActionSettings settings = defaults();
  settings.enabled = false;
  ASSERT_TRUE(deploy("off", "/off", "hello", settings).ok());
  auto result = invoke("/off");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, "disabled");
}

// Issue 8 item 20: a deleted action's .wasm and .so stayed forever.
TEST_F(PlatformEngineTest, RemovingActionsFreesTheirFilesButNotSharedOnes) {
  auto a = deploy("a", "/a", "hello");
  auto b = deploy("b", "/b", "hello");  // same bytes: one module file for both
  auto c = deploy("c", "/c", "primes");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  ASSERT_EQ(wait_compiled("a"), VersionStatus::kReady);
  ASSERT_EQ(wait_compiled("c"), VersionStatus::kReady);
  const std::string hello = a->version.module_sha256;
  const std::string primes = c->version.module_sha256;
  ASSERT_EQ(b->version.module_sha256, hello);
  ASSERT_EQ(module_files(hello), 1u);
  ASSERT_GE(artifact_files(hello), 1u);
  ASSERT_GE(artifact_files(primes), 1u);

  ASSERT_TRUE(platform_->remove_action(ann_, "a").ok());
  EXPECT_EQ(module_files(hello), 1u) << "b still uses it";
  EXPECT_GE(artifact_files(hello), 1u);
  ASSERT_TRUE(invoke("/b").ok());
  ASSERT_TRUE(platform_->remove_action(ann_, "c").ok());
  EXPECT_EQ(module_files(primes), 0u);
  EXPECT_EQ(artifact_files(primes), 0u);
  ASSERT_TRUE(platform_->remove_action(ann_, "b").ok());
  EXPECT_EQ(module_files(hello), 0u);
  EXPECT_EQ(artifact_files(hello), 0u);
  EXPECT_EQ(platform_->collect_garbage().removed(), 0u) << "nothing left for the sweep";
}

// Issue 8 item 20: a deploy refused in a route race left its .wasm. The race is replayed:
// another user's action takes the route after the early check (the route table has not
// seen it yet), so the insert itself fails.
TEST_F(PlatformEngineTest, DeployRefusedWhileRecordingLeavesNoFile) {
  auto bob = platform_->accounts().register_user("bob", "password-2");
  ASSERT_TRUE(bob.ok());
  ASSERT_TRUE(platform_->database()
                  .query("INSERT INTO actions (owner_id, name, route, settings, created_at, "
                         "updated_at) VALUES (?, 'raced', '/raced', '{}', 0, 0)",
                         {bob->user.id})
                  .ok());
  auto refused = deploy("mine", "/raced", "primes");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, "conflict");
  EXPECT_EQ(stored_modules(), 0u);
  EXPECT_TRUE(platform_->actions().list(ann_)->empty());
}

TEST_F(PlatformEngineTest, SweepAtOpenFreesOrphansAndWhatAKilledProcessLeft) {
  ASSERT_TRUE(deploy("hello", "/hello", "hello").ok());
  ASSERT_EQ(wait_compiled("hello"), VersionStatus::kReady);
  platform_.reset();
  // An orphan module (its action deleted by a build without the collector), a temp file
  // and a compile work dir of a process that no longer exists.
  const auto orphan = guest("primes");
  LocalModuleStore store(dir_.path() / "data" / "modules");
  const std::string orphan_sha = store.put(orphan).value();
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  const std::string dead = std::to_string(child);
  const auto temp = dir_.path() / "data" / "modules" / "ab" / ("ab.wasm.tmp." + dead + ".1");
  const auto work = dir_.path() / "artifacts" / "tmp" / ("0123456789abcdef.fast." + dead + ".2");
  std::filesystem::create_directories(temp.parent_path());
  std::filesystem::create_directories(work);
  ASSERT_TRUE(write_file_bytes(temp, orphan).ok());
  ASSERT_TRUE(write_file_bytes(work / "guest.c", orphan).ok());

  open();
  EXPECT_EQ(module_files(orphan_sha), 0u);
  EXPECT_FALSE(std::filesystem::exists(temp));
  EXPECT_FALSE(std::filesystem::exists(work));
  auto result = invoke("/hello");
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->outcome, "ok");
}

// The sweep runs while deploys store the module it would otherwise judge unreferenced (its
// last action was just removed): a recorded version must always find its file.
TEST_F(PlatformEngineTest, SweepsRacingDeploysNeverTakeAModuleBeingRecorded) {
  std::atomic<bool> done{false};
  std::thread sweeper([&] {
    while (!done) (void)platform_->collect_garbage();
  });
  std::string sha;
  for (int round = 0; round < 20; ++round) {
    auto deployed = deploy("x", "/x", "hello");
    ASSERT_TRUE(deployed.ok()) << deployed.error().message;
    sha = deployed->version.module_sha256;
    EXPECT_EQ(module_files(sha), 1u) << "round " << round;
    ASSERT_TRUE(platform_->remove_action(ann_, "x").ok());
  }
  done = true;
  sweeper.join();
  EXPECT_EQ(module_files(sha), 0u);
}

TEST_F(PlatformEngineTest, QuotasRefuseBeforeAnythingIsStored) {
  quota_.max_actions = 2;
  quota_.max_module_bytes = guest("hello").size() + guest("echo_io").size();
  open();
  ASSERT_TRUE(deploy("one", "/one", "hello").ok());
  ASSERT_TRUE(deploy("two", "/two", "hello").ok());  // the same module costs nothing more
  auto third = deploy("three", "/three", "hello");
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().kind, "quota_exceeded");
  EXPECT_NE(third.error().message.find("(2)"), std::string::npos) << third.error().message;

  ASSERT_TRUE(platform_->remove_action(ann_, "two").ok());
  ASSERT_TRUE(deploy("two", "/two", "echo_io").ok());  // exactly at the byte limit
  EXPECT_EQ(stored_modules(), 2u);
  DeployRequest update;
  update.name = "two";
  const auto primes = guest("primes");
  update.module = primes;
  update.mode = DeployRequest::Mode::kUpdate;
  auto over = platform_->deploy(ann_, update);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().kind, "quota_exceeded");
  EXPECT_NE(over.error().message.find("MiB"), std::string::npos) << over.error().message;
  EXPECT_EQ(stored_modules(), 2u) << "nothing stored for the refused deploy";
  auto usage = platform_->usage(ann_);
  ASSERT_TRUE(usage.ok());
  EXPECT_EQ(usage->actions, 2u);
  EXPECT_EQ(usage->module_bytes, quota_.max_module_bytes);
}

}  // namespace
}  // namespace wa::platform

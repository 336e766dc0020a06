// The platform facade over the real engine: deploys and invokes real guests
// (tests/guests and examples, built to $WA_GUESTS_DIR).
#include <gtest/gtest.h>

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

  testing::TempDir dir_;
  ModuleCacheConfig cache_config_;
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

}  // namespace
}  // namespace wa::platform

// Test fixture shared by the runtime's test files: one fast-tier engine (and artifact
// cache) per test suite, and the prebuilt test guests of $WA_GUESTS_DIR.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "runtime/engine.h"
#include "support/files.h"

namespace wa::runtime {

// The bytes of <WA_GUESTS_DIR>/<name>.wasm (a test failure if missing).
inline std::vector<uint8_t> guest(const std::string& name) {
  namespace fs = std::filesystem;
  const char* dir = std::getenv("WA_GUESTS_DIR");
  auto bytes = read_file_bytes(fs::path(dir ? dir : "guests") / (name + ".wasm"));
  EXPECT_TRUE(bytes.ok()) << name << ": " << (bytes ? "" : bytes.error().message);
  return bytes ? std::move(bytes.value()) : std::vector<uint8_t>{};
}

// One engine (and one artifact cache) for the whole test program: compiling is the
// slow part, and the cache is what makes a second load cheap.
class EngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cache_dir_ =
        std::filesystem::temp_directory_path() / ("wa_engine_test_" + std::to_string(getpid()));
    EngineConfig config;
    config.cache_dir = cache_dir_;
    config.tiers = EngineConfig::Tiers::kFastOnly;
    engine_ = new Engine(config);
  }
  static void TearDownTestSuite() {
    delete engine_;
    std::error_code ec;
    std::filesystem::remove_all(cache_dir_, ec);
  }

  std::shared_ptr<Module> load(const std::string& name) {
    auto module = engine_->load(guest(name));
    EXPECT_TRUE(module.ok()) << (module ? "" : module.error().message);
    if (!module) return nullptr;
    EXPECT_TRUE(module.value()->wait_until_runnable()) << module.value()->error();
    return module.value();
  }

  CallResult run(const std::string& name, CallOptions options = {}) {
    auto module = load(name);
    if (!module) return {};
    if (options.wasi.args.empty()) options.wasi.args = {name};
    return engine_->call(*module, options);
  }

  static inline Engine* engine_ = nullptr;
  static inline std::filesystem::path cache_dir_;
};

}  // namespace wa::runtime

// Test helpers over the whole platform (header-only: for tests that link wa_platform).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <thread>

#include "platform/platform.h"

namespace wa::platform::testing {

// What tests of the platform and the layers above it run on: data and artifacts under
// `dir`, the fast tier only (one quick compile), the cheapest password hashing, no
// maintenance thread.
inline PlatformConfig test_platform_config(const std::filesystem::path& dir) {
  PlatformConfig config;
  config.data_dir = dir / "data";
  config.artifact_cache_dir = dir / "artifacts";
  config.compile_tiers = runtime::EngineConfig::Tiers::kFastOnly;
  config.auth.password_strength = PasswordStrength::kMinimal;
  config.maintenance_interval = std::chrono::seconds(0);
  return config;
}

inline Expected<std::unique_ptr<Platform>> open_test_platform(const std::filesystem::path& dir) {
  return Platform::open(test_platform_config(dir));
}

// Deploys `module` as `name` (route "/<name>") with `settings` and waits (at most 60 s) for
// its first compile to end. The action as the route table has it then (nullptr if the
// deploy failed; a test failure says why).
inline std::shared_ptr<const Action> deploy_and_wait(Platform& platform, int64_t owner_id,
                                                     const std::string& name,
                                                     std::span<const uint8_t> module,
                                                     const ActionSettings& settings) {
  DeployRequest request;
  request.name = name;
  request.route = "/" + name;
  request.module = module;
  request.settings = settings;
  auto deployed = platform.deploy(owner_id, request);
  EXPECT_TRUE(deployed.ok()) << (deployed ? "" : deployed.error().message);
  for (int i = 0; i < 1200; ++i) {
    auto action = platform.find_action(owner_id, name);
    if (action && action->current && action->current->status != VersionStatus::kCompiling)
      return action;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return platform.find_action(owner_id, name);
}

}  // namespace wa::platform::testing

// Test helpers over the whole platform (header-only: for tests that link wa_platform).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

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

}  // namespace wa::platform::testing

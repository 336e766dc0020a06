// Action: a user's deployed module bound to a route, its settings and its versions.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "capabilities/grants.h"
#include "platform/route.h"
#include "support/expected.h"

namespace wa::platform {

// Server-wide bounds on per-action settings.
struct ActionLimits {
  std::chrono::milliseconds default_timeout{5000};
  std::chrono::milliseconds max_timeout{60000};
  uint64_t default_memory_limit_bytes = 128ull << 20;
  uint64_t max_memory_limit_bytes = 1ull << 30;
  size_t max_env_vars = 64;
  size_t max_env_value_bytes = 4096;
};

struct ActionSettings {
  std::chrono::milliseconds timeout{5000};
  uint64_t memory_limit_bytes = 128ull << 20;
  std::vector<std::pair<std::string, std::string>> env;  // added to the guest's environment
  std::string entry = "_start";                          // exported function to call
  bool enabled = true;
  // Room handlers (granted `rooms`): a fresh instance per event, or one live instance per
  // room that keeps its memory between events (decisions.md "Persistent room instances").
  enum class RoomMode : uint8_t { kPerEvent, kPersistent };
  RoomMode room_mode = RoomMode::kPerEvent;
  // What the action may use beyond WASI (host-abi.md "Grants"); nothing by default.
  capabilities::CapabilityGrants capabilities;

  static ActionSettings defaults(const ActionLimits& limits);
};

// Checks names and bounds (invalid_argument naming the field).
Status validate_settings(const ActionSettings& settings, const ActionLimits& limits);

// "per-event" | "persistent"
std::string_view room_mode_name(ActionSettings::RoomMode mode);

// JSON form: {"timeout_ms", "memory_limit_mb", "env": {NAME: value}, "entry", "enabled",
// "room_mode", "capabilities": {grants, host-abi.md}}.
nlohmann::json settings_to_json(const ActionSettings& settings);
// Applies the keys present in `patch` over `base` (PATCH semantics); unknown keys, wrong
// types (a string, fraction or boolean where an integer belongs) and numbers below 1 or
// too large to convert are invalid_argument, refused before any conversion. Does not check
// the server's bounds: call validate_settings.
Expected<ActionSettings> apply_settings_json(const nlohmann::json& patch, ActionSettings base);

enum class VersionStatus { kCompiling, kReady, kOptimized, kFailed };
std::string_view version_status_name(VersionStatus status);  // "compiling", "ready", ...
VersionStatus parse_version_status(std::string_view text);   // unknown → kFailed

struct ActionVersion {
  int64_t id = 0;
  int64_t action_id = 0;
  int number = 0;  // 1, 2, 3... per action
  std::string module_sha256;
  uint64_t module_size_bytes = 0;
  VersionStatus status = VersionStatus::kCompiling;
  std::string error;  // why compilation failed
  int64_t created_at_ms = 0;
};

struct Action {
  int64_t id = 0;
  int64_t owner_id = 0;
  std::string owner_name;
  std::string name;  // unique per owner: 1-64 of [A-Za-z0-9_.-], starting alnum
  Route route;       // unique across all actions
  ActionSettings settings;
  std::optional<ActionVersion> current;  // the version serving requests
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

Status validate_action_name(std::string_view name);

nlohmann::json version_to_json(const ActionVersion& version);
// {id, name, owner, route, settings, current_version, status, module_sha256, created_at, ...}
nlohmann::json action_to_json(const Action& action);

}  // namespace wa::platform

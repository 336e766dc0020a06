#include "platform/action.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "platform/error_kinds.h"

namespace wa::platform {

namespace {

constexpr uint64_t kMiB = 1ull << 20;

Error invalid(std::string message) {
  return make_error(std::string(error_kind::kInvalidArgument), std::move(message));
}

// Hard ceilings for the JSON numbers, far above any server's configured maximum
// (validate_settings checks that one) but low enough that converting to the internal
// units cannot overflow: 2^44+1 MiB used to wrap around to 1 MiB.
constexpr int64_t kMaxTimeoutMsAccepted = int64_t{1} << 40;  // ~35 years
constexpr int64_t kMaxMemoryMbAccepted = int64_t{1} << 30;   // 1 PiB

// An integer JSON value in [1, max], checked before any conversion. Floats ("5.0", "1e3"),
// strings, booleans and numbers beyond int64 are refused with the field's name.
Expected<int64_t> positive_integer(const nlohmann::json& value, std::string_view field, int64_t max,
                                   std::string_view server_flag) {
  const std::string range = std::string(field) +
                            " must be an integer from 1 to the server's maximum (serve " +
                            std::string(server_flag) + ")";
  if (!value.is_number_integer()) {
    return invalid(range + ", not " +
                   (value.is_number() ? "a fraction or a huge number"
                                      : std::string("a ") + value.type_name()));
  }
  if (value.is_number_unsigned()) {
    const auto v = value.get<uint64_t>();
    if (v < 1 || v > static_cast<uint64_t>(max)) {
      return invalid(range + ", not " + std::to_string(v));
    }
    return static_cast<int64_t>(v);
  }
  const auto v = value.get<int64_t>();
  if (v < 1 || v > max) return invalid(range + ", not " + std::to_string(v));
  return v;
}

bool is_env_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

}  // namespace

ActionSettings ActionSettings::defaults(const ActionLimits& limits) {
  ActionSettings settings;
  settings.timeout = limits.default_timeout;
  settings.memory_limit_bytes = limits.default_memory_limit_bytes;
  return settings;
}

Status validate_settings(const ActionSettings& settings, const ActionLimits& limits) {
  if (settings.timeout.count() <= 0 || settings.timeout > limits.max_timeout) {
    return invalid("timeout_ms must be between 1 and " +
                   std::to_string(limits.max_timeout.count()) + " (the server's maximum)");
  }
  if (settings.memory_limit_bytes < kMiB ||
      settings.memory_limit_bytes > limits.max_memory_limit_bytes) {
    return invalid("memory_limit_mb must be between 1 and " +
                   std::to_string(limits.max_memory_limit_bytes / kMiB) +
                   " (the server's maximum)");
  }
  if (settings.env.size() > limits.max_env_vars) {
    return invalid("at most " + std::to_string(limits.max_env_vars) + " env vars are allowed");
  }
  std::set<std::string> seen;
  for (const auto& [name, value] : settings.env) {
    if (!is_env_name(name)) {
      return invalid("env var name '" + name +
                     "' must be letters, digits and '_', not starting "
                     "with a digit");
    }
    if (!seen.insert(name).second) return invalid("env var '" + name + "' is given twice");
    if (value.size() > limits.max_env_value_bytes || value.find('\0') != std::string::npos) {
      return invalid("env var '" + name + "' must be at most " +
                     std::to_string(limits.max_env_value_bytes) + " bytes with no NUL");
    }
  }
  if (settings.entry.empty() || settings.entry.size() > 256) {
    return invalid("entry must name an exported function");
  }
  return ok_status();
}

std::string_view room_mode_name(ActionSettings::RoomMode mode) {
  return mode == ActionSettings::RoomMode::kPersistent ? "persistent" : "per-event";
}

nlohmann::json settings_to_json(const ActionSettings& settings) {
  nlohmann::json env = nlohmann::json::object();
  for (const auto& [name, value] : settings.env) env[name] = value;
  return {{"timeout_ms", settings.timeout.count()},
          {"memory_limit_mb", settings.memory_limit_bytes / kMiB},
          {"env", env},
          {"entry", settings.entry},
          {"enabled", settings.enabled},
          {"room_mode", room_mode_name(settings.room_mode)},
          {"capabilities", capabilities::grants_to_json(settings.capabilities)}};
}

Expected<ActionSettings> apply_settings_json(const nlohmann::json& patch, ActionSettings base) {
  if (!patch.is_object()) return invalid("settings must be a JSON object");
  for (const auto& [key, value] : patch.items()) {
    if (key == "timeout_ms") {
      auto ms = positive_integer(value, key, kMaxTimeoutMsAccepted, "--max-timeout-ms");
      if (!ms) return ms.error();
      base.timeout = std::chrono::milliseconds(*ms);
    } else if (key == "memory_limit_mb") {
      auto mb = positive_integer(value, key, kMaxMemoryMbAccepted, "--max-memory-mb");
      if (!mb) return mb.error();
      base.memory_limit_bytes = static_cast<uint64_t>(*mb) * kMiB;
    } else if (key == "env") {
      if (!value.is_object()) return invalid("env must be an object of strings");
      base.env.clear();
      for (const auto& [name, v] : value.items()) {
        if (!v.is_string()) return invalid("env var '" + name + "' must be a string");
        base.env.emplace_back(name, v.get<std::string>());
      }
    } else if (key == "entry") {
      if (!value.is_string()) return invalid("entry must be a string");
      base.entry = value.get<std::string>();
    } else if (key == "enabled") {
      if (!value.is_boolean()) return invalid("enabled must be true or false");
      base.enabled = value.get<bool>();
    } else if (key == "room_mode") {
      if (value == "per-event") {
        base.room_mode = ActionSettings::RoomMode::kPerEvent;
      } else if (value == "persistent") {
        base.room_mode = ActionSettings::RoomMode::kPersistent;
      } else {
        return invalid("room_mode must be \"per-event\" or \"persistent\"");
      }
    } else if (key == "capabilities") {
      // Replaced whole: a grant list is one value, not merged entry by entry.
      auto grants = capabilities::grants_from_json(value);
      if (!grants) return grants.error();
      base.capabilities = std::move(grants.value());
    } else {
      return invalid("unknown setting '" + key +
                     "' (known: timeout_ms, memory_limit_mb, env, entry, enabled, room_mode, "
                     "capabilities)");
    }
  }
  return base;
}

std::string_view version_status_name(VersionStatus status) {
  switch (status) {
    case VersionStatus::kCompiling:
      return "compiling";
    case VersionStatus::kReady:
      return "ready";
    case VersionStatus::kOptimized:
      return "optimized";
    case VersionStatus::kFailed:
      return "failed";
  }
  return "failed";
}

VersionStatus parse_version_status(std::string_view text) {
  for (auto s : {VersionStatus::kCompiling, VersionStatus::kReady, VersionStatus::kOptimized}) {
    if (text == version_status_name(s)) return s;
  }
  return VersionStatus::kFailed;
}

Status validate_action_name(std::string_view name) {
  auto ok_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  };
  if (name.empty() || name.size() > 64 || !std::isalnum(static_cast<unsigned char>(name[0])) ||
      !std::all_of(name.begin(), name.end(), ok_char)) {
    return invalid(
        "action name must be 1-64 characters of letters, digits, '_', '.', '-', "
        "starting with a letter or digit");
  }
  return ok_status();
}

nlohmann::json version_to_json(const ActionVersion& version) {
  nlohmann::json out = {{"version", version.number},
                        {"module_sha256", version.module_sha256},
                        {"module_size", version.module_size_bytes},
                        {"status", version_status_name(version.status)},
                        {"created_at", version.created_at_ms}};
  if (!version.error.empty()) out["error"] = version.error;
  return out;
}

nlohmann::json action_to_json(const Action& action) {
  nlohmann::json out = {{"id", action.id},
                        {"name", action.name},
                        {"owner", action.owner_name},
                        {"route", action.route.text()},
                        {"settings", settings_to_json(action.settings)},
                        {"created_at", action.created_at_ms},
                        {"updated_at", action.updated_at_ms}};
  if (action.current) {
    out["current_version"] = version_to_json(*action.current);
    out["status"] = action.settings.enabled ? version_status_name(action.current->status)
                                            : std::string_view("disabled");
  } else {
    out["current_version"] = nullptr;
    out["status"] = "none";
  }
  return out;
}

}  // namespace wa::platform

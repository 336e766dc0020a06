#include "platform/user_quota.h"

#include <string>

#include "platform/error_kinds.h"

namespace wa::platform {

namespace {

std::string mib(uint64_t bytes) {
  // One decimal is enough to tell "at the limit" from "far over it".
  const uint64_t tenths = (bytes * 10 + (1ull << 19)) >> 20;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " MiB";
}

}  // namespace

Status check_quota(const UserQuota& quota, const StorageUsage& usage, bool new_action,
                   uint64_t new_module_bytes) {
  if (new_action && quota.max_actions > 0 && usage.actions + 1 > quota.max_actions) {
    return make_error(std::string(error_kind::kQuotaExceeded),
                      "you have " + std::to_string(usage.actions) + " actions, the most this " +
                          "server allows per user (" + std::to_string(quota.max_actions) +
                          "): delete one first");
  }
  // Written so that a huge new_module_bytes cannot overflow the sum.
  if (quota.max_module_bytes > 0 &&
      (new_module_bytes > quota.max_module_bytes ||
       usage.module_bytes > quota.max_module_bytes - new_module_bytes)) {
    return make_error(std::string(error_kind::kQuotaExceeded),
                      "this module (" + mib(new_module_bytes) + ") would take your stored " +
                          "modules from " + mib(usage.module_bytes) + " over the " +
                          mib(quota.max_module_bytes) +
                          " this server allows per user (every version of every action "
                          "counts): delete actions to free space");
  }
  return ok_status();
}

}  // namespace wa::platform

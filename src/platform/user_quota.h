// UserQuota: how much one user may keep stored (actions, module bytes), checked before a
// deploy stores anything.
#pragma once

#include <cstddef>
#include <cstdint>

#include "support/expected.h"

namespace wa::platform {

// What one user keeps stored: the quotas count these.
struct StorageUsage {
  size_t actions = 0;
  // Distinct modules referenced by any version of the user's actions (a module shared by
  // two versions, or redeployed, counts once).
  uint64_t module_bytes = 0;
};

struct UserQuota {
  // Generous for one person's services, small enough that one account cannot fill the
  // disk or the route table for everybody. 0 means no limit.
  size_t max_actions = 100;
  uint64_t max_module_bytes = 1ull << 30;
};

// Whether `usage` plus one more action (when `new_action`) and `new_module_bytes` stays
// within `quota`. Error kind quota_exceeded, naming the limit and the usage.
Status check_quota(const UserQuota& quota, const StorageUsage& usage, bool new_action,
                   uint64_t new_module_bytes);

}  // namespace wa::platform

#include "wasi/quota_ops.h"

#include <fcntl.h>

#include <mutex>

#include "wasi/errno_map.h"

namespace wa::wasi {

Errno resize_under_quota(DiskQuota& quota, int host_fd,
                         const std::function<Errno(uint64_t size, uint64_t& end)>& predict_end,
                         const std::function<Errno()>& change) {
  std::lock_guard lock(quota.resize_mutex());
  struct stat before;
  if (fstat(host_fd, &before) != 0) return last_host_errno();
  if (!S_ISREG(before.st_mode)) return change();
  const uint64_t size_before = static_cast<uint64_t>(before.st_size);
  uint64_t end = size_before;
  if (Errno e = predict_end(size_before, end); e != Errno::kSuccess) return e;
  const uint64_t reserved = end > size_before ? end - size_before : 0;
  if (!quota.try_charge(reserved)) return Errno::kDquot;
  const Errno result = change();
  struct stat after;
  // If the file cannot be measured again, keep the reservation: overcounting is the safe
  // direction.
  if (fstat(host_fd, &after) != 0) return result;
  const uint64_t size_after = static_cast<uint64_t>(after.st_size);
  if (size_after >= size_before) {
    const uint64_t grown = size_after - size_before;
    if (grown < reserved) quota.credit(reserved - grown);
    if (grown > reserved) quota.charge(grown - reserved);
  } else {
    quota.credit(reserved + (size_before - size_after));
  }
  return result;
}

uint64_t bytes_freed_by_removing(int dir_fd, const char* name) {
  struct stat st;
  if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return 0;
  if (!S_ISREG(st.st_mode) || st.st_nlink != 1) return 0;
  return static_cast<uint64_t>(st.st_size);
}

}  // namespace wa::wasi

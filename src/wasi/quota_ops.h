// How the WASI host functions charge a preopen's DiskQuota for the size changes they make.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <functional>

#include "wasi/disk_quota.h"
#include "wasi/wasi_types.h"

namespace wa::wasi {

// Runs `change` (a host call on `host_fd` that may grow or shrink the file) charged to
// `quota`: with the quota's resize mutex held, `predict_end` gets the file's size and
// sets the largest size the change can leave (or fails the call with its errno); if that
// growth does not fit, the call fails with `dquot` and `change` never runs. Afterwards the
// charge is settled to the size change really made (a short write charges what it wrote).
// Files that are not regular are not counted: `change` just runs.
Errno resize_under_quota(DiskQuota& quota, int host_fd,
                         const std::function<Errno(uint64_t size, uint64_t& end)>& predict_end,
                         const std::function<Errno()>& change);

// The bytes a regular file stops counting for when the directory entry `name` in `dir_fd`
// goes away (unlinked or replaced): its size when this is its last link, else 0. Never
// follows a symlink.
uint64_t bytes_freed_by_removing(int dir_fd, const char* name);

}  // namespace wa::wasi

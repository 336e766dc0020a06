// path_*: operations on paths beneath a directory fd, all through path_resolver.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "wasi/errno_map.h"
#include "wasi/fd_table.h"
#include "wasi/file_stat.h"
#include "wasi/guest_memory.h"
#include "wasi/host_functions.h"
#include "wasi/path_resolver.h"
#include "wasi/quota_ops.h"

namespace wa::wasi {
namespace {

// Mode of files and directories the guest creates (before the process umask).
constexpr mode_t kCreateFileMode = 0666;
constexpr mode_t kCreateDirMode = 0777;

// The directory entry behind `fd`: EBADF, ENOTDIR or ENOTCAPABLE when unusable.
Errno lookup_dir(Context& ctx, u32 fd, Rights needed, FdEntry*& out) {
  out = ctx.fds().get(fd);
  if (out == nullptr) return Errno::kBadf;
  if (out->filetype != Filetype::kDirectory) return Errno::kNotdir;
  if (!out->has(needed)) return Errno::kNotcapable;
  return Errno::kSuccess;
}

Errno guest_string(Context& ctx, u32 ptr, u32 len, std::string_view& out) {
  return GuestMemory(ctx.memory()).string(ptr, len, out) ? Errno::kSuccess : Errno::kFault;
}

// Looks up the directory fd and the guest path, then resolves the path's parent.
Errno dir_and_parent(Context& ctx, u32 fd, Rights needed, u32 path, u32 path_len,
                     ParentAndName& out) {
  FdEntry* dir;
  if (Errno e = lookup_dir(ctx, fd, needed, dir); e != Errno::kSuccess) return e;
  std::string_view guest_path;
  if (Errno e = guest_string(ctx, path, path_len, guest_path); e != Errno::kSuccess) return e;
  return resolve_parent(dir->host_fd, guest_path, out);
}

Errno result_of(int rc) { return rc == 0 ? Errno::kSuccess : last_host_errno(); }

int host_open_flags(u32 oflags, u32 fdflags, u32 dirflags, Rights base) {
  int flags = 0;
  const bool wants_write = (base & kWriteAccessRights) != 0;
  const bool wants_read = (base & (kRightFdRead | kRightFdReaddir)) != 0;
  flags |= wants_write ? (wants_read ? O_RDWR : O_WRONLY) : O_RDONLY;
  if (oflags & kOflagCreat) flags |= O_CREAT;
  if (oflags & kOflagExcl) flags |= O_EXCL;
  if (oflags & kOflagTrunc) flags |= O_TRUNC;
  if (oflags & kOflagDirectory) flags |= O_DIRECTORY;
  if (fdflags & kFdflagAppend) flags |= O_APPEND;
  if (fdflags & kFdflagNonblock) flags |= O_NONBLOCK;
  if (fdflags & kFdflagDsync) flags |= O_DSYNC;
  if (fdflags & kFdflagSync) flags |= O_SYNC;
  if (fdflags & kFdflagRsync) flags |= O_RSYNC;
  if ((dirflags & kLookupSymlinkFollow) == 0) flags |= O_NOFOLLOW;
  return flags;
}

}  // namespace

Errno path_open(Context& ctx, u32 fd, u32 dirflags, u32 path, u32 path_len, u32 oflags,
                u64 rights_base, u64 rights_inheriting, u32 fdflags, u32 fd_ptr) {
  FdEntry* dir;
  if (Errno e = lookup_dir(ctx, fd, kRightPathOpen, dir); e != Errno::kSuccess) return e;
  if ((oflags & kOflagCreat) && !dir->has(kRightPathCreateFile)) return Errno::kNotcapable;
  // Truncating through a path is a size change of that path.
  if ((oflags & kOflagTrunc) && !dir->has(kRightPathFilestatSetSize)) return Errno::kPerm;
  // Requested rights beyond what the directory passes on are dropped, except write
  // access: asking to write where writing is not allowed fails outright.
  if ((rights_base & kWriteAccessRights & ~dir->rights_inheriting) != 0) {
    return Errno::kNotcapable;
  }
  std::string_view guest_path;
  if (Errno e = guest_string(ctx, path, path_len, guest_path); e != Errno::kSuccess) return e;
  const int flags = host_open_flags(oflags, fdflags, dirflags, rights_base);
  ScopedFd host;
  struct stat st;
  if ((oflags & kOflagTrunc) && dir->quota != nullptr) {
    // Truncating gives the old bytes back: measure the file the open will reach first,
    // with no other size change of the volume in between.
    std::lock_guard lock(dir->quota->resize_mutex());
    struct stat old_st;
    ScopedFd old_file;
    const bool had_file = open_beneath(dir->host_fd, guest_path, O_PATH | (flags & O_NOFOLLOW), 0,
                                       old_file) == Errno::kSuccess &&
                          fstat(old_file.get(), &old_st) == 0 && S_ISREG(old_st.st_mode);
    if (Errno e = open_beneath(dir->host_fd, guest_path, flags, kCreateFileMode, host);
        e != Errno::kSuccess) {
      return e;
    }
    if (fstat(host.get(), &st) != 0) return last_host_errno();
    if (had_file && st.st_ino == old_st.st_ino && st.st_dev == old_st.st_dev &&
        old_st.st_size > st.st_size) {
      dir->quota->credit(static_cast<uint64_t>(old_st.st_size - st.st_size));
    }
  } else {
    if (Errno e = open_beneath(dir->host_fd, guest_path, flags, kCreateFileMode, host);
        e != Errno::kSuccess) {
      return e;
    }
    if (fstat(host.get(), &st) != 0) return last_host_errno();
  }
  auto entry = std::make_unique<FdEntry>();
  entry->filetype = filetype_from_mode(st.st_mode);
  const bool is_dir = entry->filetype == Filetype::kDirectory;
  entry->kind = is_dir ? FdKind::kDirectory : FdKind::kFile;
  entry->rights_base =
      rights_base & dir->rights_inheriting & (is_dir ? kDirectoryRights : kFileRights);
  entry->rights_inheriting = rights_inheriting & dir->rights_inheriting;
  entry->quota = dir->quota;
  entry->host_fd = host.release();
  uint32_t new_fd;
  if (Errno e = ctx.fds().insert(std::move(entry), new_fd); e != Errno::kSuccess) return e;
  if (!GuestMemory(ctx.memory()).store<uint32_t>(fd_ptr, new_fd)) {
    ctx.fds().close(new_fd);
    return Errno::kFault;
  }
  return Errno::kSuccess;
}

Errno path_create_directory(Context& ctx, u32 fd, u32 path, u32 path_len) {
  ParentAndName target;
  if (Errno e = dir_and_parent(ctx, fd, kRightPathCreateDirectory, path, path_len, target);
      e != Errno::kSuccess) {
    return e;
  }
  return result_of(mkdirat(target.dir.get(), target.name.c_str(), kCreateDirMode));
}

Errno path_remove_directory(Context& ctx, u32 fd, u32 path, u32 path_len) {
  ParentAndName target;
  if (Errno e = dir_and_parent(ctx, fd, kRightPathRemoveDirectory, path, path_len, target);
      e != Errno::kSuccess) {
    return e;
  }
  return result_of(unlinkat(target.dir.get(), target.name.c_str(), AT_REMOVEDIR));
}

Errno path_unlink_file(Context& ctx, u32 fd, u32 path, u32 path_len) {
  ParentAndName target;
  if (Errno e = dir_and_parent(ctx, fd, kRightPathUnlinkFile, path, path_len, target);
      e != Errno::kSuccess) {
    return e;
  }
  const std::shared_ptr<DiskQuota>& quota = ctx.fds().get(fd)->quota;
  if (quota == nullptr) return result_of(unlinkat(target.dir.get(), target.name.c_str(), 0));
  std::lock_guard lock(quota->resize_mutex());
  const uint64_t freed = bytes_freed_by_removing(target.dir.get(), target.name.c_str());
  if (unlinkat(target.dir.get(), target.name.c_str(), 0) != 0) return last_host_errno();
  quota->credit(freed);
  return Errno::kSuccess;
}

Errno path_filestat_get(Context& ctx, u32 fd, u32 flags, u32 path, u32 path_len, u32 stat_ptr) {
  struct stat st;
  if (flags & kLookupSymlinkFollow) {
    FdEntry* dir;
    if (Errno e = lookup_dir(ctx, fd, kRightPathFilestatGet, dir); e != Errno::kSuccess) return e;
    std::string_view guest_path;
    if (Errno e = guest_string(ctx, path, path_len, guest_path); e != Errno::kSuccess) return e;
    ScopedFd target;
    if (Errno e = open_beneath(dir->host_fd, guest_path, O_PATH, 0, target); e != Errno::kSuccess) {
      return e;
    }
    if (fstat(target.get(), &st) != 0) return last_host_errno();
  } else {
    ParentAndName target;
    if (Errno e = dir_and_parent(ctx, fd, kRightPathFilestatGet, path, path_len, target);
        e != Errno::kSuccess) {
      return e;
    }
    if (fstatat(target.dir.get(), target.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      return last_host_errno();
    }
  }
  return store_filestat(GuestMemory(ctx.memory()), stat_ptr, st) ? Errno::kSuccess : Errno::kFault;
}

Errno path_filestat_set_times(Context& ctx, u32 fd, u32 flags, u32 path, u32 path_len, u64 atim,
                              u64 mtim, u32 fstflags) {
  struct timespec times[2];
  if (fstflags > UINT16_MAX || timespecs_from_fstflags(atim, mtim, static_cast<uint16_t>(fstflags),
                                                       times) != Errno::kSuccess) {
    return Errno::kInval;
  }
  if (flags & kLookupSymlinkFollow) {
    FdEntry* dir;
    if (Errno e = lookup_dir(ctx, fd, kRightPathFilestatSetTimes, dir); e != Errno::kSuccess) {
      return e;
    }
    std::string_view guest_path;
    if (Errno e = guest_string(ctx, path, path_len, guest_path); e != Errno::kSuccess) return e;
    ScopedFd target;
    if (Errno e = open_beneath(dir->host_fd, guest_path, O_PATH, 0, target); e != Errno::kSuccess) {
      return e;
    }
    return result_of(utimensat(target.get(), "", times, AT_EMPTY_PATH));
  }
  ParentAndName target;
  if (Errno e = dir_and_parent(ctx, fd, kRightPathFilestatSetTimes, path, path_len, target);
      e != Errno::kSuccess) {
    return e;
  }
  return result_of(utimensat(target.dir.get(), target.name.c_str(), times, AT_SYMLINK_NOFOLLOW));
}

Errno path_link(Context& ctx, u32 old_fd, u32 old_flags, u32 old_path, u32 old_path_len, u32 new_fd,
                u32 new_path, u32 new_path_len) {
  ParentAndName source, target;
  if (Errno e = dir_and_parent(ctx, old_fd, kRightPathLinkSource, old_path, old_path_len, source);
      e != Errno::kSuccess) {
    return e;
  }
  if (Errno e = dir_and_parent(ctx, new_fd, kRightPathLinkTarget, new_path, new_path_len, target);
      e != Errno::kSuccess) {
    return e;
  }
  // Following a symlink here could link to a file outside the sandbox.
  if (old_flags & kLookupSymlinkFollow) return Errno::kInval;
  // A file is charged to one budget: a link into another would let either side give back
  // bytes the other was charged.
  if (ctx.fds().get(old_fd)->quota != ctx.fds().get(new_fd)->quota) return Errno::kXdev;
  return result_of(
      linkat(source.dir.get(), source.name.c_str(), target.dir.get(), target.name.c_str(), 0));
}

Errno path_rename(Context& ctx, u32 fd, u32 old_path, u32 old_path_len, u32 new_fd, u32 new_path,
                  u32 new_path_len) {
  ParentAndName source, target;
  if (Errno e = dir_and_parent(ctx, fd, kRightPathRenameSource, old_path, old_path_len, source);
      e != Errno::kSuccess) {
    return e;
  }
  if (Errno e = dir_and_parent(ctx, new_fd, kRightPathRenameTarget, new_path, new_path_len, target);
      e != Errno::kSuccess) {
    return e;
  }
  const std::shared_ptr<DiskQuota>& quota = ctx.fds().get(fd)->quota;
  // Moving bytes between budgets would need charging one and crediting the other
  // atomically; libc falls back to copying on EXDEV, which is charged like any write.
  if (quota != ctx.fds().get(new_fd)->quota) return Errno::kXdev;
  if (quota == nullptr) {
    return result_of(
        renameat(source.dir.get(), source.name.c_str(), target.dir.get(), target.name.c_str()));
  }
  std::lock_guard lock(quota->resize_mutex());
  // The replaced file's bytes come back, unless source and target are one inode (then
  // rename does nothing).
  uint64_t freed = 0;
  struct stat source_st, target_st;
  if (fstatat(target.dir.get(), target.name.c_str(), &target_st, AT_SYMLINK_NOFOLLOW) == 0 &&
      fstatat(source.dir.get(), source.name.c_str(), &source_st, AT_SYMLINK_NOFOLLOW) == 0 &&
      (source_st.st_ino != target_st.st_ino || source_st.st_dev != target_st.st_dev)) {
    freed = bytes_freed_by_removing(target.dir.get(), target.name.c_str());
  }
  if (renameat(source.dir.get(), source.name.c_str(), target.dir.get(), target.name.c_str()) != 0) {
    return last_host_errno();
  }
  quota->credit(freed);
  return Errno::kSuccess;
}

Errno path_symlink(Context& ctx, u32 old_path, u32 old_path_len, u32 fd, u32 new_path,
                   u32 new_path_len) {
  std::string_view link_target;
  if (Errno e = guest_string(ctx, old_path, old_path_len, link_target); e != Errno::kSuccess) {
    return e;
  }
  if (link_target.find('\0') != std::string_view::npos) return Errno::kInval;
  // An absolute target can never resolve inside the sandbox: refuse to create it.
  if (!link_target.empty() && link_target.front() == '/') return Errno::kPerm;
  ParentAndName link;
  if (Errno e = dir_and_parent(ctx, fd, kRightPathSymlink, new_path, new_path_len, link);
      e != Errno::kSuccess) {
    return e;
  }
  return result_of(symlinkat(std::string(link_target).c_str(), link.dir.get(), link.name.c_str()));
}

Errno path_readlink(Context& ctx, u32 fd, u32 path, u32 path_len, u32 buf, u32 buf_len,
                    u32 bufused_ptr) {
  ParentAndName link;
  if (Errno e = dir_and_parent(ctx, fd, kRightPathReadlink, path, path_len, link);
      e != Errno::kSuccess) {
    return e;
  }
  GuestMemory memory(ctx.memory());
  if (!memory.contains(buf, buf_len)) return Errno::kFault;
  char target[PATH_MAX];
  ssize_t n = readlinkat(link.dir.get(), link.name.c_str(), target, sizeof(target));
  if (n < 0) return last_host_errno();
  const uint32_t used = static_cast<uint32_t>(std::min<ssize_t>(n, buf_len));
  memory.write(buf, target, used);
  return memory.store<uint32_t>(bufused_ptr, used) ? Errno::kSuccess : Errno::kFault;
}

}  // namespace wa::wasi

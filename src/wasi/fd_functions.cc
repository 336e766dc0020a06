// fd_*: operations on open guest fds (files, directories, stdio streams).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "wasi/errno_map.h"
#include "wasi/fd_table.h"
#include "wasi/file_stat.h"
#include "wasi/guest_memory.h"
#include "wasi/host_functions.h"
#include "wasi/host_hooks.h"
#include "wasi/quota_ops.h"

namespace wa::wasi {
namespace {

// Linux's readv/writev limit; wasi-libc never passes more.
constexpr uint32_t kMaxIovecs = 1024;

// The entry behind `fd`, if it exists (EBADF) and holds `needed` (ENOTCAPABLE).
Errno lookup(Context& ctx, u32 fd, Rights needed, FdEntry*& out) {
  out = ctx.fds().get(fd);
  if (out == nullptr) return Errno::kBadf;
  if (!out->has(needed)) return Errno::kNotcapable;
  return Errno::kSuccess;
}

// Guest iovec array → host iovecs pointing into guest memory; EFAULT on any bad range.
Errno gather_iovecs(Context& ctx, u32 iovs, u32 count, std::vector<iovec>& out) {
  if (count > kMaxIovecs) return Errno::kInval;
  GuestMemory memory(ctx.memory());
  out.resize(count);
  for (u32 i = 0; i < count; ++i) {
    uint32_t buf = 0, len = 0;
    const u32 at = iovs + i * layout::kIovecSize;
    if (uint64_t{iovs} + uint64_t{i} * layout::kIovecSize > UINT32_MAX || !memory.load(at, buf) ||
        !memory.load(at + 4, len)) {
      return Errno::kFault;
    }
    uint8_t* data = memory.bytes(buf, len);
    if (data == nullptr) return Errno::kFault;
    out[i] = iovec{data, len};
  }
  return Errno::kSuccess;
}

uint64_t iovec_bytes(const std::vector<iovec>& iov) {
  uint64_t total = 0;
  for (const iovec& v : iov) total += v.iov_len;
  return total;
}

// The end of a write of `bytes` at the fd's position (its size when it appends).
Errno write_end(int host_fd, uint64_t size, uint64_t bytes, uint64_t& end) {
  int flags = fcntl(host_fd, F_GETFL);
  if (flags < 0) return last_host_errno();
  uint64_t position = size;
  if ((flags & O_APPEND) == 0) {
    off_t pos = lseek(host_fd, 0, SEEK_CUR);
    if (pos < 0) return last_host_errno();
    position = static_cast<uint64_t>(pos);
  }
  end = position + bytes;
  return Errno::kSuccess;
}

Errno store_size(Context& ctx, u32 ptr, uint64_t value, bool as_u64 = false) {
  GuestMemory memory(ctx.memory());
  bool ok = as_u64 ? memory.store<uint64_t>(ptr, value)
                   : memory.store<uint32_t>(ptr, static_cast<uint32_t>(value));
  return ok ? Errno::kSuccess : Errno::kFault;
}

// Retries a host call interrupted by a signal unless the engine's deadline passed.
template <typename Call>
ssize_t retry_on_eintr(Call call) {
  for (;;) {
    ssize_t n = call();
    if (n >= 0 || errno != EINTR || host_hooks().interrupted()) return n;
  }
}

size_t read_from_buffer(Context& ctx, const std::vector<iovec>& iov) {
  const std::string& data = ctx.config().stdin_data;
  size_t total = 0;
  for (const iovec& v : iov) {
    size_t available = data.size() - ctx.stdin_offset();
    size_t n = std::min(available, v.iov_len);
    std::memcpy(v.iov_base, data.data() + ctx.stdin_offset(), n);
    ctx.advance_stdin(n);
    total += n;
    if (n < v.iov_len) break;
  }
  return total;
}

// Appends to a capped stdout/stderr buffer; past the cap, marks the context so the
// export wrapper ends the guest, or (trap_on_limit false) discards the rest.
size_t write_to_buffer(Context& ctx, FdKind kind, const std::vector<iovec>& iov) {
  const bool is_stdout = kind == FdKind::kStdout;
  std::string& buffer = is_stdout ? ctx.stdout_buffer() : ctx.stderr_buffer();
  const OutputConfig& config = is_stdout ? ctx.config().stdout_config : ctx.config().stderr_config;
  const uint64_t limit = config.limit_bytes;
  size_t total = 0;
  if (!config.trap_on_limit) {
    size_t requested = 0;
    const bool was_full = buffer.size() >= limit;
    for (const iovec& v : iov) {
      uint64_t room = buffer.size() < limit ? limit - buffer.size() : 0;
      size_t n = static_cast<size_t>(std::min<uint64_t>(room, v.iov_len));
      buffer.append(static_cast<const char*>(v.iov_base), n);
      total += n;
      requested += v.iov_len;
    }
    if (!was_full && total < requested) {
      buffer += "\n[output cut at " + std::to_string(limit) + " bytes]\n";
    }
    return requested;  // discarded, not failed: a short write would make libc retry
  }
  for (const iovec& v : iov) {
    uint64_t room = buffer.size() < limit ? limit - buffer.size() : 0;
    size_t n = static_cast<size_t>(std::min<uint64_t>(room, v.iov_len));
    buffer.append(static_cast<const char*>(v.iov_base), n);
    total += n;
    if (n < v.iov_len) {
      ctx.set_output_limit_exceeded();
      break;
    }
  }
  return total;
}

uint16_t fdflags_from_host(int flags) {
  uint16_t out = 0;
  if (flags & O_APPEND) out |= kFdflagAppend;
  if (flags & O_NONBLOCK) out |= kFdflagNonblock;
  if ((flags & O_SYNC) == O_SYNC) {
    out |= kFdflagSync | kFdflagRsync;
  } else if (flags & O_DSYNC) {
    out |= kFdflagDsync;
  }
  return out;
}

Errno refresh_dir_listing(FdEntry& entry) {
  int fd = openat(entry.host_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return last_host_errno();
  DIR* dir = fdopendir(fd);
  if (dir == nullptr) {
    Errno e = last_host_errno();
    ::close(fd);
    return e;
  }
  entry.dir_listing.clear();
  while (dirent* d = readdir(dir)) {
    DirEntry item;
    item.ino = d->d_ino;
    item.name = d->d_name;
    if (d->d_type == DT_UNKNOWN) {
      struct stat st;
      if (fstatat(dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        item.type = filetype_from_mode(st.st_mode);
      }
    } else {
      item.type = filetype_from_mode(DTTOIF(d->d_type));
    }
    entry.dir_listing.push_back(std::move(item));
  }
  closedir(dir);
  entry.dir_listing_valid = true;
  return Errno::kSuccess;
}

}  // namespace

Errno fd_read(Context& ctx, u32 fd, u32 iovs, u32 iovs_len, u32 nread_ptr) {
  FdEntry* entry;
  if (Errno e = lookup(ctx, fd, kRightFdRead, entry); e != Errno::kSuccess) return e;
  std::vector<iovec> iov;
  if (Errno e = gather_iovecs(ctx, iovs, iovs_len, iov); e != Errno::kSuccess) return e;
  size_t total;
  if (entry->host_fd < 0) {
    if (entry->kind != FdKind::kStdin) return Errno::kBadf;
    total = read_from_buffer(ctx, iov);
  } else {
    ssize_t n = retry_on_eintr([&] { return readv(entry->host_fd, iov.data(), iov.size()); });
    if (n < 0) return last_host_errno();
    total = static_cast<size_t>(n);
  }
  return store_size(ctx, nread_ptr, total);
}

Errno fd_write(Context& ctx, u32 fd, u32 iovs, u32 iovs_len, u32 nwritten_ptr) {
  FdEntry* entry;
  if (Errno e = lookup(ctx, fd, kRightFdWrite, entry); e != Errno::kSuccess) return e;
  std::vector<iovec> iov;
  if (Errno e = gather_iovecs(ctx, iovs, iovs_len, iov); e != Errno::kSuccess) return e;
  size_t total;
  if (entry->host_fd < 0) {
    if (entry->kind == FdKind::kStdin) return Errno::kBadf;
    total = write_to_buffer(ctx, entry->kind, iov);
  } else {
    ssize_t n = -1;
    auto write = [&] {
      n = retry_on_eintr([&] { return writev(entry->host_fd, iov.data(), iov.size()); });
      return n < 0 ? last_host_errno() : Errno::kSuccess;
    };
    Errno e = entry->quota == nullptr
                  ? write()
                  : resize_under_quota(
                        *entry->quota, entry->host_fd,
                        [&](uint64_t size, uint64_t& end) {
                          return write_end(entry->host_fd, size, iovec_bytes(iov), end);
                        },
                        write);
    if (e != Errno::kSuccess) return e;
    total = static_cast<size_t>(n);
  }
  return store_size(ctx, nwritten_ptr, total);
}

Errno fd_pread(Context& ctx, u32 fd, u32 iovs, u32 iovs_len, u64 offset, u32 nread_ptr) {
  FdEntry* entry;
  if (Errno e = lookup(ctx, fd, kRightFdRead | kRightFdSeek, entry); e != Errno::kSuccess) {
    return e;
  }
  if (entry->host_fd < 0) return Errno::kSpipe;
  if (offset > INT64_MAX) return Errno::kInval;
  std::vector<iovec> iov;
  if (Errno e = gather_iovecs(ctx, iovs, iovs_len, iov); e != Errno::kSuccess) return e;
  ssize_t n = retry_on_eintr(
      [&] { return preadv(entry->host_fd, iov.data(), iov.size(), static_cast<off_t>(offset)); });
  if (n < 0) return last_host_errno();
  return store_size(ctx, nread_ptr, static_cast<size_t>(n));
}

Errno fd_pwrite(Context& ctx, u32 fd, u32 iovs, u32 iovs_len, u64 offset, u32 nwritten_ptr) {
  FdEntry* entry;
  if (Errno e = lookup(ctx, fd, kRightFdWrite | kRightFdSeek, entry); e != Errno::kSuccess) {
    return e;
  }
  if (entry->host_fd < 0) return Errno::kSpipe;
  if (offset > INT64_MAX) return Errno::kInval;
  std::vector<iovec> iov;
  if (Errno e = gather_iovecs(ctx, iovs, iovs_len, iov); e != Errno::kSuccess) return e;
  ssize_t n = -1;
  auto write = [&] {
    n = retry_on_eintr([&] {
      return pwritev(entry->host_fd, iov.data(), iov.size(), static_cast<off_t>(offset));
    });
    return n < 0 ? last_host_errno() : Errno::kSuccess;
  };
  Errno e = entry->quota == nullptr ? write()
                                    : resize_under_quota(
                                          *entry->quota, entry->host_fd,
                                          [&](uint64_t, uint64_t& end) {
                                            end = offset + iovec_bytes(iov);
                                            return Errno::kSuccess;
                                          },
                                          write);
  if (e != Errno::kSuccess) return e;
  return store_size(ctx, nwritten_ptr, static_cast<size_t>(n));
}

Errno fd_seek(Context& ctx, u32 fd, u64 offset, u32 whence, u32 newoffset_ptr) {
  // Asking for the current position only needs the tell right.
  const Rights needed = (whence == kWhenceCur && offset == 0) ? kRightFdTell : kRightFdSeek;
  FdEntry* entry;
  if (Errno e = lookup(ctx, fd, needed, entry); e != Errno::kSuccess) return e;
  int host_whence;
  switch (whence) {
    case kWhenceSet:
      host_whence = SEEK_SET;
      break;
    case kWhenceCur:
      host_whence = SEEK_CUR;
      break;
    case kWhenceEnd:
      host_whence = SEEK_END;
      break;
    default:
      return Errno::kInval;
  }
  if (entry->host_fd < 0) return Errno::kSpipe;
  if (entry->filetype == Filetype::kDirectory) return Errno::kBadf;
  off_t pos = lseek(entry->host_fd, static_cast<off_t>(offset), host_whence);
  if (pos < 0) return last_host_errno();
  return store_size(ctx, newoffset_ptr, static_cast<uint64_t>(pos), true);
}

Errno fd_tell(Context& ctx, u32 fd, u32 offset_ptr) {
  return fd_seek(ctx, fd, 0, kWhenceCur, offset_ptr);
}

Errno fd_close(Context& ctx, u32 fd) { return ctx.fds().close(fd); }

Errno fd_renumber(Context& ctx, u32 from, u32 to) { return ctx.fds().renumber(from, to); }

Errno fd_datasync(Context& ctx, u32 fd) {
  FdEntry* entry;
  if (Errno e = lookup(ctx, fd, kRightFdDatasync, entry); e != Errno::kSuccess) return e;
  if (entry->host_fd < 0) return Errno::kSuccess;  // a buffer is always "on disk"
  return fdatasync(entry->host_fd) == 0 ? Errno::kSuccess : last_host_errno();
}

Errno fd_sync(Context& ctx, u32 fd) {
  FdEntry* entry;
  if (Errno e = lookup(ctx, fd, kRightFdSync, entry); e != Errno::kSuccess) return e;
  if (entry->host_fd < 0) return Errno::kSuccess;
  return fsync(entry->host_fd) == 0 ? Errno::kSuccess : last_host_errno();
}

Errno fd_fdstat_get(Context& ctx, u32 fd, u32 stat_ptr) {
  FdEntry* entry;
  if (Errno e = lookup(ctx, fd, 0, entry); e != Errno::kSuccess) return e;
  uint16_t flags = 0;
  if (entry->host_fd >= 0) {
    int host_flags = fcntl(entry->host_fd, F_GETFL);
    if (host_flags < 0) return last_host_errno();
    flags = fdflags_from_host(host_flags);
  }
  uint8_t out[layout::kFdstatSize] = {};
  out[layout::kFdstatFiletype] = static_cast<uint8_t>(entry->filetype);
  std::memcpy(out + layout::kFdstatFlags, &flags, sizeof(flags));
  std::memcpy(out + layout::kFdstatRightsBase, &entry->rights_base, sizeof(Rights));
  std::memcpy(out + layout::kFdstatRightsInheriting, &entry->rights_inheriting, sizeof(Rights));
  return GuestMemory(ctx.memory()).write(stat_ptr, out, sizeof(out)) ? Errno::kSuccess
                                                                     : Errno::kFault;
}

Errno fd_fdstat_set_flags(Context& ctx, u32 fd, u32 flags) {
  FdEntry* entry;
  if (Errno e = lookup(ctx, fd, kRightFdFdstatSetFlags, entry); e != Errno::kSuccess) return e;
  constexpr u32 kKnown =
      kFdflagAppend | kFdflagDsync | kFdflagNonblock | kFdflagRsync | kFdflagSync;
  if ((flags & ~kKnown) != 0) return Errno::kInval;
  // Linux cannot change the sync flags of an open file (F_SETFL ignores them).
  if ((flags & (kFdflagDsync | kFdflagRsync | kFdflagSync)) != 0) return Errno::kNotsup;
  if (entry->host_fd < 0) return Errno::kSuccess;
  int host_flags = fcntl(entry->host_fd, F_GETFL);
  if (host_flags < 0) return last_host_errno();
  host_flags &= ~(O_APPEND | O_NONBLOCK);
  if (flags & kFdflagAppend) host_flags |= O_APPEND;
  if (flags & kFdflagNonblock) host_flags |= O_NONBLOCK;
  return fcntl(entry->host_fd, F_SETFL, host_flags) == 0 ? Errno::kSuccess : last_host_errno();
}

Errno fd_fdstat_set_rights(Context& ctx, u32 fd, u64 base, u64 inheriting) {
  FdEntry* entry;
  if (Errno e = lookup(ctx, fd, 0, entry); e != Errno::kSuccess) return e;
  // Rights can only ever be dropped.
  if ((base & ~entry->rights_base) != 0 || (inheriting & ~entry->rights_inheriting) != 0) {
    return Errno::kNotcapable;
  }
  entry->rights_base = base;
  entry->rights_inheriting = inheriting;
  return Errno::kSuccess;
}

Errno fd_filestat_get(Context& ctx, u32 fd, u32 stat_ptr) {
  FdEntry* entry;
  if (Errno e = lookup(ctx, fd, kRightFdFilestatGet, entry); e != Errno::kSuccess) return e;
  GuestMemory memory(ctx.memory());
  if (entry->host_fd < 0) {
    return store_empty_filestat(memory, stat_ptr, entry->filetype) ? Errno::kSuccess
                                                                   : Errno::kFault;
  }
  struct stat st;
  if (fstat(entry->host_fd, &st) != 0) return last_host_errno();
  return store_filestat(memory, stat_ptr, st) ? Errno::kSuccess : Errno::kFault;
}

Errno fd_filestat_set_size(Context& ctx, u32 fd, u64 size) {
  FdEntry* entry;
  if (Errno e = lookup(ctx, fd, kRightFdFilestatSetSize, entry); e != Errno::kSuccess) return e;
  if (entry->host_fd < 0) return Errno::kInval;
  if (size > INT64_MAX) return Errno::kInval;
  auto resize = [&] {
    return ftruncate(entry->host_fd, static_cast<off_t>(size)) == 0 ? Errno::kSuccess
                                                                    : last_host_errno();
  };
  if (entry->quota == nullptr) return resize();
  return resize_under_quota(
      *entry->quota, entry->host_fd,
      [&](uint64_t, uint64_t& end) {
        end = size;
        return Errno::kSuccess;
      },
      resize);
}

Errno fd_filestat_set_times(Context& ctx, u32 fd, u64 atim, u64 mtim, u32 fstflags) {
  FdEntry* entry;
  if (Errno e = lookup(ctx, fd, kRightFdFilestatSetTimes, entry); e != Errno::kSuccess) return e;
  struct timespec times[2];
  if (fstflags > UINT16_MAX) return Errno::kInval;
  if (Errno e = timespecs_from_fstflags(atim, mtim, static_cast<uint16_t>(fstflags), times);
      e != Errno::kSuccess) {
    return e;
  }
  if (entry->host_fd < 0) return Errno::kBadf;
  return futimens(entry->host_fd, times) == 0 ? Errno::kSuccess : last_host_errno();
}

Errno fd_advise(Context& ctx, u32 fd, u64 offset, u64 len, u32 advice) {
  FdEntry* entry;
  if (Errno e = lookup(ctx, fd, kRightFdAdvise, entry); e != Errno::kSuccess) return e;
  static constexpr int kHostAdvice[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL,
                                        POSIX_FADV_RANDOM,   POSIX_FADV_WILLNEED,
                                        POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
  if (advice > kAdviceNoreuse || offset > INT64_MAX || len > INT64_MAX) return Errno::kInval;
  if (entry->host_fd < 0) return Errno::kSpipe;
  int rc = posix_fadvise(entry->host_fd, static_cast<off_t>(offset), static_cast<off_t>(len),
                         kHostAdvice[advice]);
  return errno_from_host(rc);
}

Errno fd_allocate(Context& ctx, u32 fd, u64 offset, u64 len) {
  FdEntry* entry;
  if (Errno e = lookup(ctx, fd, kRightFdAllocate, entry); e != Errno::kSuccess) return e;
  if (entry->host_fd < 0) return Errno::kSpipe;
  if (offset > INT64_MAX || len > INT64_MAX || offset + len > INT64_MAX) return Errno::kFbig;
  auto allocate = [&] {
    return errno_from_host(
        posix_fallocate(entry->host_fd, static_cast<off_t>(offset), static_cast<off_t>(len)));
  };
  if (entry->quota == nullptr) return allocate();
  return resize_under_quota(
      *entry->quota, entry->host_fd,
      [&](uint64_t size, uint64_t& end) {
        end = std::max(size, offset + len);
        return Errno::kSuccess;
      },
      allocate);
}

Errno fd_prestat_get(Context& ctx, u32 fd, u32 prestat_ptr) {
  FdEntry* entry = ctx.fds().get(fd);
  if (entry == nullptr || !entry->is_preopen) return Errno::kBadf;
  uint8_t out[layout::kPrestatSize] = {};
  out[0] = kPreopenDir;
  const uint32_t name_len = static_cast<uint32_t>(entry->preopen_name.size());
  std::memcpy(out + 4, &name_len, sizeof(name_len));
  return GuestMemory(ctx.memory()).write(prestat_ptr, out, sizeof(out)) ? Errno::kSuccess
                                                                        : Errno::kFault;
}

Errno fd_prestat_dir_name(Context& ctx, u32 fd, u32 path, u32 path_len) {
  FdEntry* entry = ctx.fds().get(fd);
  if (entry == nullptr || !entry->is_preopen) return Errno::kBadf;
  const std::string& name = entry->preopen_name;
  if (path_len < name.size()) return Errno::kNametoolong;
  return GuestMemory(ctx.memory()).write(path, name.data(), name.size()) ? Errno::kSuccess
                                                                         : Errno::kFault;
}

Errno fd_readdir(Context& ctx, u32 fd, u32 buf, u32 buf_len, u64 cookie, u32 bufused_ptr) {
  FdEntry* entry;
  if (Errno e = lookup(ctx, fd, kRightFdReaddir, entry); e != Errno::kSuccess) return e;
  if (entry->filetype != Filetype::kDirectory) return Errno::kNotdir;
  GuestMemory memory(ctx.memory());
  if (!memory.contains(buf, buf_len)) return Errno::kFault;
  // Cookie 0 starts a new pass and takes a fresh snapshot of the directory.
  if (cookie == 0 || !entry->dir_listing_valid) {
    if (Errno e = refresh_dir_listing(*entry); e != Errno::kSuccess) return e;
  }
  uint32_t used = 0;
  for (uint64_t index = cookie; index < entry->dir_listing.size() && used < buf_len; ++index) {
    const DirEntry& item = entry->dir_listing[index];
    uint8_t header[layout::kDirentSize] = {};
    const uint64_t next = index + 1;
    const uint32_t name_len = static_cast<uint32_t>(item.name.size());
    std::memcpy(header + 0, &next, 8);
    std::memcpy(header + 8, &item.ino, 8);
    std::memcpy(header + 16, &name_len, 4);
    header[20] = static_cast<uint8_t>(item.type);
    // Entries that do not fit are cut off; a full buffer tells the guest to call again.
    uint32_t n = std::min<uint32_t>(buf_len - used, layout::kDirentSize);
    memory.write(buf + used, header, n);
    used += n;
    n = std::min<uint32_t>(buf_len - used, name_len);
    memory.write(buf + used, item.name.data(), n);
    used += n;
  }
  return store_size(ctx, bufused_ptr, used);
}

}  // namespace wa::wasi

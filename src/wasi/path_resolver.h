// Sandboxed resolution of guest paths beneath a directory fd.
//
// Every path_* operation goes through here. Paths are resolved by the kernel with
// openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS): absolute paths, `..` above the
// starting directory and symlinks that lead outside it all fail (EPERM to the guest),
// with no race between checking and using a path. Operations that have no openat2
// form resolve the parent directory that way and then act on the last component
// alone with the matching *at call, which cannot leave that directory.
#pragma once

#include <string>
#include <string_view>

#include "wasi/wasi_types.h"

namespace wa::wasi {

// An owned host fd, closed on destruction.
class ScopedFd {
 public:
  ScopedFd() = default;
  explicit ScopedFd(int fd) : fd_(fd) {}
  ScopedFd(ScopedFd&& other) noexcept : fd_(other.release()) {}
  ScopedFd& operator=(ScopedFd&& other) noexcept;
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd();

  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// Checks a guest path for things no lookup may contain: NUL bytes (EINVAL), emptiness
// (ENOENT) and a leading '/' (EPERM: paths are always relative to a directory fd).
Errno check_guest_path(std::string_view path);

// Opens `path` beneath `dir_fd` with open(2) `flags`/`mode`.
Errno open_beneath(int dir_fd, std::string_view path, int flags, unsigned mode, ScopedFd& out);

// The directory containing a path's last component, and that component. `name` keeps
// one trailing '/' when the guest path had any, so the *at call applies the
// "must be a directory" rule. A last component of "." or ".." is resolved fully and
// `name` becomes ".", so no *at call ever walks upwards.
struct ParentAndName {
  ScopedFd dir;
  std::string name;
};
Errno resolve_parent(int dir_fd, std::string_view path, ParentAndName& out);

}  // namespace wa::wasi

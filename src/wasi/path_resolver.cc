#include "wasi/path_resolver.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <string>

#include "wasi/errno_map.h"

namespace wa::wasi {
namespace {

// openat2 fails with EAGAIN when a concurrent rename could have let a `..` escape;
// retrying is the documented answer. Bounded so a hostile renamer cannot spin us.
constexpr int kOpenat2Retries = 32;

}  // namespace

ScopedFd& ScopedFd::operator=(ScopedFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

ScopedFd::~ScopedFd() {
  if (fd_ >= 0) ::close(fd_);
}

Errno check_guest_path(std::string_view path) {
  // The kernel refuses longer ones anyway; checked first so that a guest cannot make the
  // host copy gigabytes of "path" before it does.
  if (path.size() >= PATH_MAX) return Errno::kNametoolong;
  if (path.find('\0') != std::string_view::npos) return Errno::kInval;
  if (path.empty()) return Errno::kNoent;
  if (path.front() == '/') return Errno::kPerm;
  return Errno::kSuccess;
}

Errno open_beneath(int dir_fd, std::string_view path, int flags, unsigned mode, ScopedFd& out) {
  if (Errno e = check_guest_path(path); e != Errno::kSuccess) return e;
  std::string c_path(path);
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  // openat2 rejects a mode unless the call creates a file. (O_TMPFILE includes the
  // O_DIRECTORY bit, so test for all of its bits.)
  const bool creates = (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE;
  how.mode = creates ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  for (int attempt = 0; attempt < kOpenat2Retries; ++attempt) {
    long fd = syscall(SYS_openat2, dir_fd, c_path.c_str(), &how, sizeof(how));
    if (fd >= 0) {
      out = ScopedFd(static_cast<int>(fd));
      return Errno::kSuccess;
    }
    if (errno == EAGAIN || errno == EINTR) continue;
    // EXDEV is openat2's "the path left the starting directory".
    if (errno == EXDEV) return Errno::kPerm;
    return last_host_errno();
  }
  return Errno::kAgain;
}

Errno resolve_parent(int dir_fd, std::string_view path, ParentAndName& out) {
  if (Errno e = check_guest_path(path); e != Errno::kSuccess) return e;
  size_t end = path.size();
  while (end > 0 && path[end - 1] == '/') --end;
  const bool trailing_slash = end < path.size();
  const size_t slash = path.rfind('/', end - 1);
  const size_t name_start = slash == std::string_view::npos ? 0 : slash + 1;
  std::string_view last = path.substr(name_start, end - name_start);
  std::string_view parent = slash == std::string_view::npos ? "." : path.substr(0, slash);
  if (last == "." || last == "..") {
    parent = path.substr(0, end);
    out.name.assign(1, '.');
  } else {
    out.name = std::string(last);
    if (trailing_slash) out.name += '/';
  }
  return open_beneath(dir_fd, parent, O_PATH | O_DIRECTORY, 0, out.dir);
}

}  // namespace wa::wasi

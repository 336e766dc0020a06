// sock_*: preview1 guests here never hold sockets (no sock_open, no socket preopens),
// so every socket call fails with the errno a real host gives for such an fd.
#include "wasi/fd_table.h"
#include "wasi/host_functions.h"

namespace wa::wasi {
namespace {

// Socket calls on an fd: EBADF when it is not open, otherwise ENOTSOCK (preview1
// guests here never hold sockets).
Errno not_a_socket(Context& ctx, u32 fd) {
  return ctx.fds().get(fd) == nullptr ? Errno::kBadf : Errno::kNotsock;
}

}  // namespace

Errno sock_accept(Context& ctx, u32 fd, u32 /*flags*/, u32 /*fd_ptr*/) {
  return not_a_socket(ctx, fd);
}

Errno sock_recv(Context& ctx, u32 fd, u32, u32, u32, u32, u32) { return not_a_socket(ctx, fd); }

Errno sock_send(Context& ctx, u32 fd, u32, u32, u32, u32) { return not_a_socket(ctx, fd); }

Errno sock_shutdown(Context& ctx, u32 fd, u32 /*how*/) { return not_a_socket(ctx, fd); }

}  // namespace wa::wasi

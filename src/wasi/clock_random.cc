// Clocks, random bytes, sched_yield, proc_raise and the socket stubs.
#include <sched.h>
#include <time.h>

#include <sodium.h>

#include "wasi/fd_table.h"
#include "wasi/guest_memory.h"
#include "wasi/host_functions.h"

namespace wa::wasi {
namespace {

bool host_clock(u32 clock_id, clockid_t& out) {
  switch (clock_id) {
    case kClockRealtime: out = CLOCK_REALTIME; return true;
    case kClockMonotonic: out = CLOCK_MONOTONIC; return true;
    case kClockProcessCputime: out = CLOCK_PROCESS_CPUTIME_ID; return true;
    case kClockThreadCputime: out = CLOCK_THREAD_CPUTIME_ID; return true;
    default: return false;
  }
}

uint64_t to_nanos(const timespec& ts) {
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Socket calls on an fd: EBADF when it is not open, otherwise ENOTSOCK (preview1
// guests here never hold sockets).
Errno not_a_socket(Context& ctx, u32 fd) {
  return ctx.fds().get(fd) == nullptr ? Errno::kBadf : Errno::kNotsock;
}

}  // namespace

Errno clock_res_get(Context& ctx, u32 clock_id, u32 resolution_ptr) {
  clockid_t id;
  if (!host_clock(clock_id, id)) return Errno::kInval;
  timespec ts;
  if (clock_getres(id, &ts) != 0) return Errno::kInval;
  if (!GuestMemory(ctx.memory()).store<uint64_t>(resolution_ptr, to_nanos(ts))) {
    return Errno::kFault;
  }
  return Errno::kSuccess;
}

Errno clock_time_get(Context& ctx, u32 clock_id, u64 /*precision*/, u32 time_ptr) {
  clockid_t id;
  if (!host_clock(clock_id, id)) return Errno::kInval;
  timespec ts;
  if (clock_gettime(id, &ts) != 0) return Errno::kInval;
  if (!GuestMemory(ctx.memory()).store<uint64_t>(time_ptr, to_nanos(ts))) return Errno::kFault;
  return Errno::kSuccess;
}

Errno random_get(Context& ctx, u32 buf, u32 buf_len) {
  uint8_t* out = GuestMemory(ctx.memory()).bytes(buf, buf_len);
  if (out == nullptr) return Errno::kFault;
  randombytes_buf(out, buf_len);
  return Errno::kSuccess;
}

Errno sched_yield(Context& /*ctx*/) {
  ::sched_yield();
  return Errno::kSuccess;
}

// Signals are not part of the sandbox model; the spec allows ENOSYS.
Errno proc_raise(Context& /*ctx*/, u32 /*signal*/) { return Errno::kNosys; }

Errno sock_accept(Context& ctx, u32 fd, u32 /*flags*/, u32 /*fd_ptr*/) {
  return not_a_socket(ctx, fd);
}

Errno sock_recv(Context& ctx, u32 fd, u32, u32, u32, u32, u32) { return not_a_socket(ctx, fd); }

Errno sock_send(Context& ctx, u32 fd, u32, u32, u32, u32) { return not_a_socket(ctx, fd); }

Errno sock_shutdown(Context& ctx, u32 fd, u32 /*how*/) { return not_a_socket(ctx, fd); }

}  // namespace wa::wasi

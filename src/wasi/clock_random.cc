// Clocks, random bytes, sched_yield and proc_raise.
#include <sched.h>
#include <time.h>

#include <sodium.h>

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

}  // namespace wa::wasi

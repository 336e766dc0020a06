// poll_oneoff: waits for clock timeouts and fd readiness.
//
// Buffers and regular files are always ready; host streams (the `run` command's
// stdio) are waited on with ppoll. The wait wakes on signals and gives up with EINTR
// once the engine says the call's deadline has passed.
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "wasi/errno_map.h"
#include "wasi/fd_table.h"
#include "wasi/guest_memory.h"
#include "wasi/host_functions.h"
#include "wasi/host_hooks.h"

namespace wa::wasi {
namespace {

constexpr uint64_t kNanosPerSecond = 1'000'000'000ull;

// The host allocates per subscription (copies, events, pollfds), so the count the guest
// passes is capped: beyond the memory cap, a guest could otherwise make the host
// allocate gigabytes. A guest has at most FdTable::kMaxFds fds, each worth a read and a
// write subscription, plus clocks; like poll(2) with nfds over RLIMIT_NOFILE, more is
// EINVAL.
constexpr uint32_t kMaxSubscriptions = 4 * FdTable::kMaxFds;

struct Subscription {
  uint64_t userdata = 0;
  uint8_t tag = 0;
  uint32_t clock_id = 0;  // clock
  uint64_t timeout = 0;
  uint16_t clock_flags = 0;
  uint32_t fd = 0;  // fd_read / fd_write
};

struct Event {
  uint64_t userdata = 0;
  Errno error = Errno::kSuccess;
  uint8_t type = 0;
  uint64_t nbytes = 0;
  uint16_t flags = 0;
};

// A subscription waiting on a host fd or a clock.
struct Waiter {
  size_t subscription = 0;
  uint64_t wake_at = 0;  // CLOCK_MONOTONIC nanoseconds, for clocks
};

uint64_t now_ns(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * kNanosPerSecond + static_cast<uint64_t>(ts.tv_nsec);
}

bool host_clock(uint32_t id, clockid_t& out) {
  switch (id) {
    case kClockRealtime:
      out = CLOCK_REALTIME;
      return true;
    case kClockMonotonic:
      out = CLOCK_MONOTONIC;
      return true;
    case kClockProcessCputime:
      out = CLOCK_PROCESS_CPUTIME_ID;
      return true;
    case kClockThreadCputime:
      out = CLOCK_THREAD_CPUTIME_ID;
      return true;
    default:
      return false;
  }
}

Subscription parse_subscription(const uint8_t* p) {
  Subscription s;
  std::memcpy(&s.userdata, p, 8);
  s.tag = p[8];
  if (s.tag == kEventClock) {
    std::memcpy(&s.clock_id, p + 16, 4);
    std::memcpy(&s.timeout, p + 24, 8);
    std::memcpy(&s.clock_flags, p + 40, 2);
  } else {
    std::memcpy(&s.fd, p + 16, 4);
  }
  return s;
}

void store_event(uint8_t* p, const Event& e) {
  std::memset(p, 0, layout::kEventSize);
  std::memcpy(p, &e.userdata, 8);
  const uint16_t error = static_cast<uint16_t>(e.error);
  std::memcpy(p + 8, &error, 2);
  p[10] = e.type;
  std::memcpy(p + 16, &e.nbytes, 8);
  std::memcpy(p + 24, &e.flags, 2);
}

// Bytes readable right away from a file or stream, when the host can tell.
uint64_t readable_bytes(Context& ctx, const FdEntry& entry) {
  if (entry.host_fd < 0) return ctx.config().stdin_data.size() - ctx.stdin_offset();
  if (entry.filetype == Filetype::kRegularFile) {
    struct stat st;
    off_t pos = lseek(entry.host_fd, 0, SEEK_CUR);
    if (fstat(entry.host_fd, &st) == 0 && pos >= 0 && st.st_size > pos) {
      return static_cast<uint64_t>(st.st_size - pos);
    }
    return 0;
  }
  int available = 0;
  return ioctl(entry.host_fd, FIONREAD, &available) == 0 && available > 0 ? available : 0;
}

// Sorts one fd subscription: an immediate event, or a host fd to wait on.
void classify_fd(Context& ctx, const Subscription& s, size_t index, std::vector<Event>& ready,
                 std::vector<pollfd>& pollfds, std::vector<size_t>& poll_subs) {
  Event event{s.userdata, Errno::kSuccess, s.tag, 0, 0};
  FdEntry* entry = ctx.fds().get(s.fd);
  const bool reading = s.tag == kEventFdRead;
  if (entry == nullptr) {
    event.error = Errno::kBadf;
  } else if (!entry->has(kRightPollFdReadwrite) &&
             !entry->has(reading ? kRightFdRead : kRightFdWrite)) {
    event.error = Errno::kNotcapable;
  } else if (entry->host_fd >= 0 && entry->filetype != Filetype::kRegularFile &&
             entry->filetype != Filetype::kDirectory) {
    pollfds.push_back(pollfd{entry->host_fd, static_cast<short>(reading ? POLLIN : POLLOUT), 0});
    poll_subs.push_back(index);
    return;
  } else if (reading) {
    event.nbytes = readable_bytes(ctx, *entry);
  }
  ready.push_back(event);
}

void collect_poll_events(Context& ctx, const std::vector<Subscription>& subs,
                         const std::vector<pollfd>& pollfds, const std::vector<size_t>& poll_subs,
                         std::vector<Event>& ready) {
  for (size_t i = 0; i < pollfds.size(); ++i) {
    const short revents = pollfds[i].revents;
    if (revents == 0) continue;
    const Subscription& s = subs[poll_subs[i]];
    Event event{s.userdata, Errno::kSuccess, s.tag, 0, 0};
    if (revents & POLLNVAL) {
      event.error = Errno::kBadf;
    } else if ((revents & POLLERR) && !(revents & (POLLIN | POLLOUT))) {
      event.error = Errno::kIo;
    } else {
      if (revents & POLLHUP) event.flags |= kEventrwHangup;
      if (s.tag == kEventFdRead) event.nbytes = readable_bytes(ctx, *ctx.fds().get(s.fd));
    }
    ready.push_back(event);
  }
}

}  // namespace

Errno poll_oneoff(Context& ctx, u32 in, u32 out, u32 nsubscriptions, u32 nevents_ptr) {
  if (nsubscriptions == 0 || nsubscriptions > kMaxSubscriptions) return Errno::kInval;
  GuestMemory memory(ctx.memory());
  const uint8_t* in_bytes = memory.bytes(in, uint64_t{nsubscriptions} * layout::kSubscriptionSize);
  if (in_bytes == nullptr || !memory.contains(out, uint64_t{nsubscriptions} * layout::kEventSize)) {
    return Errno::kFault;
  }
  std::vector<Subscription> subs;
  subs.reserve(nsubscriptions);
  for (u32 i = 0; i < nsubscriptions; ++i) {
    subs.push_back(parse_subscription(in_bytes + size_t{i} * layout::kSubscriptionSize));
  }

  std::vector<Event> ready;
  std::vector<pollfd> pollfds;
  std::vector<size_t> poll_subs;
  std::vector<Waiter> clocks;
  const uint64_t start = now_ns(CLOCK_MONOTONIC);
  for (size_t i = 0; i < subs.size(); ++i) {
    const Subscription& s = subs[i];
    if (s.tag == kEventClock) {
      clockid_t clock;
      if (!host_clock(s.clock_id, clock)) {
        ready.push_back(Event{s.userdata, Errno::kInval, s.tag, 0, 0});
        continue;
      }
      uint64_t remaining = s.timeout;
      if (s.clock_flags & kSubclockAbstime) {
        const uint64_t now = now_ns(clock);
        remaining = s.timeout > now ? s.timeout - now : 0;
      }
      const uint64_t wake_at = remaining > UINT64_MAX - start ? UINT64_MAX : start + remaining;
      clocks.push_back(Waiter{i, wake_at});
    } else if (s.tag == kEventFdRead || s.tag == kEventFdWrite) {
      classify_fd(ctx, s, i, ready, pollfds, poll_subs);
    } else {
      return Errno::kInval;
    }
  }

  for (;;) {
    const uint64_t now = now_ns(CLOCK_MONOTONIC);
    uint64_t wait_ns = UINT64_MAX;
    for (const Waiter& w : clocks)
      wait_ns = std::min(wait_ns, w.wake_at > now ? w.wake_at - now : 0);
    if (!ready.empty()) wait_ns = 0;
    timespec timeout{static_cast<time_t>(wait_ns / kNanosPerSecond),
                     static_cast<long>(wait_ns % kNanosPerSecond)};
    const bool forever = wait_ns == UINT64_MAX;
    int rc = ppoll(pollfds.data(), pollfds.size(), forever ? nullptr : &timeout, nullptr);
    if (rc < 0) {
      if (errno != EINTR) return last_host_errno();
      if (host_hooks().interrupted()) return Errno::kIntr;
      continue;
    }
    if (rc > 0) collect_poll_events(ctx, subs, pollfds, poll_subs, ready);
    const uint64_t after = now_ns(CLOCK_MONOTONIC);
    for (const Waiter& w : clocks) {
      if (w.wake_at <= after) {
        ready.push_back(Event{subs[w.subscription].userdata, Errno::kSuccess, kEventClock, 0, 0});
      }
    }
    if (!ready.empty()) break;
  }

  uint8_t* out_bytes = memory.bytes(out, uint64_t{nsubscriptions} * layout::kEventSize);
  for (size_t i = 0; i < ready.size(); ++i)
    store_event(out_bytes + i * layout::kEventSize, ready[i]);
  return memory.store<uint32_t>(nevents_ptr, static_cast<uint32_t>(ready.size())) ? Errno::kSuccess
                                                                                  : Errno::kFault;
}

}  // namespace wa::wasi

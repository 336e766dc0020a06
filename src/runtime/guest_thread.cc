#include "runtime/guest_thread.h"

#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <wasm-rt.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "runtime/linear_memory.h"
#include "runtime/watchdog.h"

namespace wa::runtime {

namespace {

constexpr size_t kSignalStackSize = 64 * 1024;
// Faults this far below the stack's lowest usable address (the guard area) are stack
// overflows: a guest frame larger than a page skips into this window. (Threads made
// before reserve_large_stack_guards() may have less guard than this; a fault in their
// window while in guest code is still the guest's stack.)
constexpr uintptr_t kStackGuardWindow = kGuestStackGuardBytes;

struct sigaction g_previous_segv;
struct sigaction g_previous_bus;

// Owns the thread's state; unregisters it from the watchdog when the thread exits.
struct ThreadSlot {
  GuestThread state;
  void* signal_stack = nullptr;

  ThreadSlot() {
    state.thread = pthread_self();
    read_stack_bounds();
    install_signal_stack();
    Watchdog::instance().register_thread(&state);
  }
  ~ThreadSlot() {
    Watchdog::instance().unregister_thread(&state);
    release_thread_memory_pool();
    if (signal_stack) {
      stack_t disable{};
      disable.ss_flags = SS_DISABLE;
      sigaltstack(&disable, nullptr);
      munmap(signal_stack, kSignalStackSize);
    }
  }

  void read_stack_bounds() {
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
    void* addr = nullptr;
    size_t size = 0;
    pthread_attr_getstack(&attr, &addr, &size);
    pthread_attr_destroy(&attr);
    state.stack_low = reinterpret_cast<uintptr_t>(addr);
    state.stack_high = state.stack_low + size;
  }

  void install_signal_stack() {
    stack_t current{};
    if (sigaltstack(nullptr, &current) == 0 && !(current.ss_flags & SS_DISABLE)) return;
    signal_stack =
        mmap(nullptr, kSignalStackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (signal_stack == MAP_FAILED) {
      std::perror("wasm-actions: cannot map a signal stack");
      std::abort();
    }
    stack_t stack{};
    stack.ss_sp = signal_stack;
    stack.ss_size = kSignalStackSize;
    if (sigaltstack(&stack, nullptr) != 0) {
      std::perror("wasm-actions: sigaltstack");
      std::abort();
    }
  }
};

thread_local ThreadSlot* t_slot = nullptr;
thread_local struct SlotOwner {
  ~SlotOwner() {
    delete t_slot;
    t_slot = nullptr;
  }
} t_slot_owner;

bool fault_in_guest_memory(const GuestThread& t, uintptr_t addr) {
  for (int i = 0; i < t.active_memory_count; ++i) {
    uintptr_t base = t.active_memory_base[i];
    if (addr >= base && addr < base + kMemoryReservationBytes) return true;
  }
  return false;
}

bool fault_is_stack_overflow(const GuestThread& t, uintptr_t addr) {
  return t.stack_low != 0 && addr < t.stack_low + 4096 && addr + kStackGuardWindow >= t.stack_low;
}

void forward_to_previous(int sig, siginfo_t* info, void* ucontext) {
  const struct sigaction& prev = sig == SIGSEGV ? g_previous_segv : g_previous_bus;
  if ((prev.sa_flags & SA_SIGINFO) && prev.sa_sigaction) {
    prev.sa_sigaction(sig, info, ucontext);
    return;
  }
  if (prev.sa_handler != SIG_DFL && prev.sa_handler != SIG_IGN && prev.sa_handler) {
    prev.sa_handler(sig);
    return;
  }
  // A host bug: crash normally with the default action (core dump, exit status).
  signal(sig, SIG_DFL);
}

void on_fault(int sig, siginfo_t* info, void* ucontext) {
  GuestThread* t = t_slot ? &t_slot->state : nullptr;
  if (t && t->in_guest && t->trap_target) {
    auto addr = reinterpret_cast<uintptr_t>(info->si_addr);
    if (fault_in_guest_memory(*t, addr)) {
      t->in_guest = 0;
      siglongjmp(*t->trap_target, WASM_RT_TRAP_OOB);
    }
    if (fault_is_stack_overflow(*t, addr)) {
      t->in_guest = 0;
      siglongjmp(*t->trap_target, WASM_RT_TRAP_EXHAUSTION);
    }
  }
  forward_to_previous(sig, info, ucontext);
}

void on_deadline_signal(int, siginfo_t* info, void*) {
  GuestThread* t = t_slot ? &t_slot->state : nullptr;
  if (!t) return;
  auto id = reinterpret_cast<uintptr_t>(info->si_value.sival_ptr);
  if (id == 0 || id != t->call_id.load(std::memory_order_relaxed)) return;  // stale
  if (t->in_guest && t->trap_target) {
    t->in_guest = 0;
    siglongjmp(*t->trap_target, kTrapCodeTimeout);
  }
  // In host code: leave_host() sees expired_call_id and traps there.
}

void install_handlers_once() {
  struct sigaction sa {};
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, deadline_signal());
  sa.sa_sigaction = on_fault;
  sigaction(SIGSEGV, &sa, &g_previous_segv);
  sigaction(SIGBUS, &sa, &g_previous_bus);

  struct sigaction deadline {};
  // No SA_RESTART: a host function blocked in a syscall wakes with EINTR.
  deadline.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&deadline.sa_mask);
  deadline.sa_sigaction = on_deadline_signal;
  sigaction(deadline_signal(), &deadline, nullptr);
}

}  // namespace

void reserve_large_stack_guards() {
  static std::once_flag once;
  std::call_once(once, [] {
    pthread_attr_t attr;
    if (pthread_getattr_default_np(&attr) != 0) return;
    size_t guard = 0;
    if (pthread_attr_getguardsize(&attr, &guard) == 0 && guard < kGuestStackGuardBytes &&
        pthread_attr_setguardsize(&attr, kGuestStackGuardBytes) == 0) {
      pthread_setattr_default_np(&attr);
    }
    pthread_attr_destroy(&attr);
  });
}

int64_t monotonic_now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void install_signal_handlers() {
  static std::once_flag once;
  std::call_once(once, install_handlers_once);
}

GuestThread& this_guest_thread() {
  if (!t_slot) {
    install_signal_handlers();
    t_slot = new ThreadSlot();
    (void)&t_slot_owner;  // odr-use: its destructor releases the slot at thread exit
  }
  return t_slot->state;
}

void raise_trap(int trap_code) {
  GuestThread& t = t_slot->state;
  t.in_guest = 0;
  siglongjmp(*t.trap_target, trap_code);
}

void enter_host() {
  GuestThread& t = t_slot->state;
  t.in_guest = 0;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  auto sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  if (t.stack_low && sp < t.stack_low + kHostStackReserve) raise_trap(WASM_RT_TRAP_EXHAUSTION);
}

void leave_host() {
  GuestThread& t = t_slot->state;
  // Back in guest mode first: the watchdog marks a call expired before it signals,
  // so either the check below sees the mark or the signal finds in_guest set.
  t.in_guest = 1;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  uint64_t id = t.call_id.load(std::memory_order_relaxed);
  if (id != 0 && t.expired_call_id.load(std::memory_order_acquire) == id)
    raise_trap(kTrapCodeTimeout);
}

}  // namespace wa::runtime

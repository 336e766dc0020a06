// Per-thread state for running guests: trap target, deadline, signal stack.
//
// A guest runs on the thread that calls it. Traps (wasm2c's wasm_rt_trap, faults in
// guest memory, stack overflow, deadline signals) long-jump to the `trap_target` of
// the call in progress on that thread. All of this state is thread-local, so threads
// trap independently.
#pragma once

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>

#include <atomic>
#include <cstdint>

#include "runtime/outcome.h"
#include "wasi/host_hooks.h"

namespace wa::wasi {
class Context;
}

namespace wa::runtime {

// Values passed through siglongjmp to the call's sigsetjmp.
enum TrapCode : int {
  kTrapCodeNone = 0,
  // 1..N: wasm_rt_trap_t values from the generated code
  kTrapCodeTimeout = 100,
  kTrapCodeExit = 101,
  kTrapCodeMemoryLimit = 102,
  kTrapCodeOutputLimit = 103,
  kTrapCodeHostError = 104,
};

struct GuestThread {
  // Set for the duration of a call; the target of every trap on this thread.
  sigjmp_buf* trap_target = nullptr;
  // True while control is in guest code (not in a host function or in the runtime's
  // own allocation code): only then may a signal long-jump out.
  volatile sig_atomic_t in_guest = 0;

  // Identifies the call in progress (0: none). The watchdog signals a call by id, so
  // a late signal never hits the next call.
  std::atomic<uint64_t> call_id{0};
  std::atomic<int64_t> deadline_ns{0};       // CLOCK_MONOTONIC, 0: none
  std::atomic<uint64_t> expired_call_id{0};  // set by the watchdog when it fires
  std::atomic<int64_t> call_started_ns{0};
  // Set while the watchdog has this thread at idle scheduling priority (a long call).
  std::atomic<bool> deprioritized{false};

  pthread_t thread{};
  uintptr_t stack_low = 0;  // lowest usable address of this thread's stack
  uintptr_t stack_high = 0;

  // Linear memories in use by the current call (for the fault handler).
  static constexpr int kMaxActiveMemories = 4;
  uintptr_t active_memory_base[kMaxActiveMemories] = {};
  int active_memory_count = 0;

  // Per-call settings and findings.
  uint64_t memory_limit_pages = 0;
  bool memory_limit_hit = false;
  uint64_t peak_memory_bytes = 0;
  uint32_t exit_code = 0;
  wasi::Context* context = nullptr;  // receives memory 0 when it is allocated
  // Why a host function ended the call with kTrapCodeHostError ("" when it did not).
  char host_error_message[wasi::kHostErrorMessageBytes] = {};

  // Calls in progress on this thread: 1 for a call, more while a host function runs a
  // nested call (chaining); run_guest_call saves the outer call's fields above and
  // restores them when the nested call ends.
  int call_depth = 0;
};

// How deep calls may nest on one thread (the platform refuses chains deeper than 8).
inline constexpr int kMaxNestedCallDepth = 16;

// This thread's state; prepares the thread (signal stack, registration with the
// watchdog) on first use.
GuestThread& this_guest_thread();

// Installs the process-wide signal handlers once (idempotent, thread-safe).
void install_signal_handlers();

// The guard below the stack of every thread created after reserve_large_stack_guards()
// (gateway workers are). tcc cannot probe large frames (no -fstack-clash-protection),
// and wasm2c gives a function one C variable per operand-stack slot: a 7 MB function
// body can ask for a ~30 MB frame, whose first write would skip a one-page guard and
// land in whatever is mapped below (another thread's stack). 64 MiB of PROT_NONE costs
// address space only. Faults this far below a stack are stack exhaustion.
inline constexpr uintptr_t kGuestStackGuardBytes = uintptr_t{64} << 20;

// Makes kGuestStackGuardBytes the default guard size of threads created from now on
// (pthread default attributes; std::thread uses them). Idempotent, thread-safe.
void reserve_large_stack_guards();

int64_t monotonic_now_ns();

// Long-jumps to the current call's trap target. Only valid during a call.
[[noreturn]] void raise_trap(int trap_code);

// Brackets runtime code that must not be interrupted (allocation, host functions):
// a deadline that passes inside is acted on at leave().
void enter_host();
void leave_host();

// Headroom a host function needs on the native stack; below this, entering the host
// traps with stack exhaustion instead of overflowing inside host code.
inline constexpr uintptr_t kHostStackReserve = 256 * 1024;

}  // namespace wa::runtime

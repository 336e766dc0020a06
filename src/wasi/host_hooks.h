// How WASI host functions tell the engine that control left and re-entered the guest.
//
// The engine (src/runtime) interrupts runaway guests with a signal and long-jumps out of
// guest code. Host functions must never be long-jumped out of mid-way (they hold locks,
// heap memory, file descriptors), so each one brackets its body with enter()/leave().
// The wasi layer knows nothing about the engine; the engine installs these hooks once.
#pragma once

#include <cstdint>

namespace wa::wasi {

// Room for the message passed to HostHooks::host_error, terminator included.
inline constexpr unsigned kHostErrorMessageBytes = 192;

struct HostHooks {
  // Called first thing in every host function. May not return (traps with stack
  // exhaustion when the native stack is nearly used up).
  void (*enter)() = nullptr;
  // Called last thing before returning to the guest; nothing with a destructor may
  // be alive. May not return: a deadline that passed during the host call traps here.
  void (*leave)() = nullptr;
  // True once the current call's deadline has passed: blocking host functions
  // (poll_oneoff, reads from a host fd) check it after EINTR and return early.
  bool (*interrupted)() = nullptr;
  // proc_exit: ends the guest with an exit code. Never returns.
  __attribute__((noreturn)) void (*exit)(uint32_t code) = nullptr;
  // A stdout/stderr buffer cap was exceeded: ends the guest. Never returns.
  __attribute__((noreturn)) void (*output_limit)() = nullptr;
  // A host function failed in a way it could not report as an errno (an exception: out
  // of host memory, a bug): ends the guest with a host_error trap. `message` names the
  // function and the cause; it is copied before this returns control anywhere. Never
  // returns.
  __attribute__((noreturn)) void (*host_error)(const char* message) = nullptr;
};

void install_host_hooks(const HostHooks& hooks);
const HostHooks& host_hooks();

}  // namespace wa::wasi

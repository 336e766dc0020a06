// The single wrapper every exported WASI symbol runs its implementation through.
//
// It brackets the work with host_hooks().enter()/leave(). The work runs in a separate
// C++ function that has returned, destroying everything it created, before leave()
// runs: leave() may long-jump back into the engine when the deadline passed, and
// nothing with a destructor may be skipped. Likewise the output cap trap fires only
// from here, never from inside an implementation.
//
// No exception may leave the wrapper: its caller is guest code. tcc-built frames have
// no unwind tables, so an exception would std::terminate the process; through
// gcc-built ones it would unwind past the engine's trap frame and leave its state
// dangling. host_call catches everything and, once the exception is destroyed, ends
// the guest through host_hooks().host_error (a host_error trap).
#pragma once

#include <cstdint>
#include <cstdio>
#include <exception>

#include "wasi/context.h"
#include "wasi/host_hooks.h"

namespace wa::wasi {

// "<function>: <what>", truncated to the buffer (no allocation: memory may be what ran
// out).
inline void describe_host_failure(char (&out)[kHostErrorMessageBytes], const char* function,
                                  const char* what) {
  std::snprintf(out, sizeof out, "%s: %s", function, what && *what ? what : "exception");
}

// Runs `Function(state, args...)` and returns its result as a u32; an exception becomes
// the message in `failure` (left empty otherwise) and the result 0.
template <auto Function, typename State, typename... Args>
uint32_t run_catching(const char* name, char (&failure)[kHostErrorMessageBytes], State& state,
                      Args... args) {
  failure[0] = '\0';
  try {
    return static_cast<uint32_t>(Function(state, args...));
  } catch (const std::exception& e) {
    describe_host_failure(failure, name, e.what());
  } catch (...) {
    describe_host_failure(failure, name, "unknown exception");
  }
  return 0;
}

// Runs `Function(context, args...)` for the import `name` of the guest instance
// (really a Context) and returns its result as the u32 errno the guest sees.
template <auto Function, typename Instance, typename... Args>
uint32_t host_call(const char* name, Instance* instance, Args... args) {
  host_hooks().enter();
  Context& context = *reinterpret_cast<Context*>(instance);
  // Copied out of the exception: nothing may be alive when the trap long-jumps.
  char failure[kHostErrorMessageBytes];
  uint32_t result = run_catching<Function>(name, failure, context, args...);
  if (failure[0] != '\0') host_hooks().host_error(failure);
  if (context.output_limit_exceeded()) host_hooks().output_limit();
  host_hooks().leave();
  return result;
}

// The same for an import module whose state is a typed object of its own (capabilities:
// `State` is what the generated code passes as that module's instance pointer).
template <auto Function, typename State, typename... Args>
uint32_t typed_host_call(const char* name, State* state, Args... args) {
  host_hooks().enter();
  char failure[kHostErrorMessageBytes];
  uint32_t result = run_catching<Function>(name, failure, *state, args...);
  if (failure[0] != '\0') host_hooks().host_error(failure);
  host_hooks().leave();
  return result;
}

}  // namespace wa::wasi

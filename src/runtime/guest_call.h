// Runs guest calls on the current thread: one-shot (instantiate, call the entry, free) or
// on an instance that lives across calls (persistent rooms).
#pragma once

#include <cstdint>

#include "runtime/artifact.h"
#include "runtime/call.h"
#include "runtime/guest_thread.h"
#include "wasi/context.h"

namespace wa::runtime {

// Installs the hooks through which WASI host functions reach the engine (once).
void install_wasi_host_hooks();

CallResult run_guest_call(const Artifact& artifact, const CallOptions& options,
                          wasi::Context& context);

// An instance kept between calls. `instance` holds artifact.instance_size() bytes (zeroed
// before the first call); the import states and the context must outlive it.
struct LiveInstanceState {
  void* instance = nullptr;
  bool instantiated = false;
  // The instance's linear memories: registered with the fault handler for each call.
  uintptr_t memory_base[GuestThread::kMaxActiveMemories] = {};
  int memory_count = 0;
};

// The first call instantiates (then runs options.initializer if exported, then
// options.entry unless it is empty); later calls run options.entry on the same instance.
// A call on a thread already in a call is refused (host_error): live instances are not
// entered from host functions. After a trap the instance must be freed, not called again.
CallResult run_live_call(const Artifact& artifact, LiveInstanceState& live,
                         const CallOptions& options, wasi::Context& context);
// Frees what instantiation allocated (memories, tables); the buffer stays the caller's.
void free_live_instance(const Artifact& artifact, LiveInstanceState& live);

}  // namespace wa::runtime

// Runs one guest call on the current thread: instantiate, call the entry, free.
#pragma once

#include "runtime/artifact.h"
#include "runtime/call.h"
#include "wasi/context.h"

namespace wa::runtime {

// Installs the hooks through which WASI host functions reach the engine (once).
void install_wasi_host_hooks();

CallResult run_guest_call(const Artifact& artifact, const CallOptions& options,
                          wasi::Context& context);

}  // namespace wa::runtime

// What a capability host function knows of the guest call it runs in: the guest's memory
// and the call's deadline (the engine keeps both per thread). Shared by every import module.
#pragma once

#include <wasm-rt.h>

#include <atomic>
#include <chrono>

#include "runtime/guest_thread.h"
#include "wasi/context.h"

namespace wa::capabilities {

// The calling guest's memory 0, or nullptr (a module without memory).
inline wasm_rt_memory_t* current_guest_memory() {
  wasi::Context* context = runtime::this_guest_thread().context;
  return context ? context->memory() : nullptr;
}

// When the call must end: a backend or a request gives up there instead of holding the
// guest past it. steady_clock is CLOCK_MONOTONIC, the clock the engine's deadlines use.
inline std::chrono::steady_clock::time_point current_call_deadline() {
  int64_t ns = runtime::this_guest_thread().deadline_ns.load(std::memory_order_relaxed);
  if (ns == 0) return std::chrono::steady_clock::time_point::max();
  return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(ns));
}

}  // namespace wa::capabilities

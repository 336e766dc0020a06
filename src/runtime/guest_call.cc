#include "runtime/guest_call.h"

#include <wasm-rt.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include "runtime/guest_thread.h"
#include "runtime/linear_memory.h"
#include "runtime/watchdog.h"
#include "wasi/host_hooks.h"

namespace wa::runtime {

namespace {

std::atomic<uint64_t> g_next_call_id{1};

// Instance structs are a few hundred bytes; one buffer per thread and call depth is
// reused (a nested call must not overwrite the instance of the call that made it).
struct InstanceBuffer {
  void* data = nullptr;
  size_t capacity = 0;
  ~InstanceBuffer() { std::free(data); }
};
thread_local InstanceBuffer t_instance_buffers[kMaxNestedCallDepth];

void* instance_storage(size_t size, int depth) {
  InstanceBuffer& buffer = t_instance_buffers[depth];
  if (size > buffer.capacity) {
    std::free(buffer.data);
    buffer.data = std::aligned_alloc(64, (size + 63) / 64 * 64);
    buffer.capacity = buffer.data ? size : 0;
  }
  if (buffer.data) std::memset(buffer.data, 0, size);
  return buffer.data;
}

// What a call owns of its thread's GuestThread and wasm-rt state. A host function that
// runs a nested call (chaining) is still inside the outer call: its fields are saved
// here and put back when the nested call ends, so the outer call carries on as if
// nothing had happened (its traps, deadline, memories and exception are its own).
struct OuterCallState {
  sigjmp_buf* trap_target = nullptr;
  WASM_RT_UNWIND_TARGET* unwind_target = nullptr;
  uint64_t call_id = 0;
  int64_t deadline_ns = 0;
  uintptr_t memory_base[GuestThread::kMaxActiveMemories] = {};
  int memory_count = 0;
  uint64_t memory_limit_pages = 0;
  bool memory_limit_hit = false;
  uint64_t peak_memory_bytes = 0;
  uint32_t exit_code = 0;
  wasi::Context* context = nullptr;
  std::string host_error_message;
  uint32_t exception_tag = 0;
  std::string exception;  // the payload of the exception being handled, if any
};

struct CallFrame {
  const Artifact* artifact;
  Artifact::EntryFn initializer;  // nullptr: none
  Artifact::EntryFn entry;        // nullptr: none
  void* instance;
  void* const* import_states;  // nullptr: already instantiated (a live instance)
};

// Everything between sigsetjmp and the guest; kept free of objects with destructors
// because traps long-jump back into it.
__attribute__((noinline)) int run_protected(const CallFrame& frame, GuestThread& t) {
  sigjmp_buf target;
  t.trap_target = &target;
  wasm_rt_set_unwind_target(&target);
  int code = sigsetjmp(target, 1);
  if (code == 0) {
    t.in_guest = 1;
    std::atomic_signal_fence(std::memory_order_seq_cst);
    if (frame.import_states) frame.artifact->instantiate(frame.instance, frame.import_states);
    if (frame.initializer) frame.initializer(frame.instance);
    if (frame.entry) frame.entry(frame.instance);
    t.in_guest = 0;
  }
  t.in_guest = 0;
  t.trap_target = nullptr;
  // `target` dies with this frame: a later wasm_rt_throw must not jump to it.
  wasm_rt_set_unwind_target(nullptr);
  return code;
}

TrapKind trap_kind_of(int code) {
  switch (code) {
    case WASM_RT_TRAP_OOB:
      return TrapKind::kOutOfBounds;
    case WASM_RT_TRAP_INT_OVERFLOW:
      return TrapKind::kIntegerOverflow;
    case WASM_RT_TRAP_DIV_BY_ZERO:
      return TrapKind::kDivideByZero;
    case WASM_RT_TRAP_INVALID_CONVERSION:
      return TrapKind::kInvalidConversion;
    case WASM_RT_TRAP_UNREACHABLE:
      return TrapKind::kUnreachable;
    case WASM_RT_TRAP_CALL_INDIRECT:
      return TrapKind::kIndirectCallMismatch;
    case WASM_RT_TRAP_UNCAUGHT_EXCEPTION:
      return TrapKind::kUncaughtException;
    case WASM_RT_TRAP_EXHAUSTION:
      return TrapKind::kStackExhaustion;
    case kTrapCodeTimeout:
      return TrapKind::kTimeout;
    case kTrapCodeMemoryLimit:
      return TrapKind::kMemoryLimit;
    case kTrapCodeOutputLimit:
      return TrapKind::kOutputLimit;
    case kTrapCodeHostError:
      return TrapKind::kHostError;
    default:
      return TrapKind::kHostError;
  }
}

void describe_outcome(int code, const GuestThread& t, const CallOptions& options,
                      CallResult& result) {
  if (code == kTrapCodeNone) return;
  if (code == kTrapCodeExit) {
    result.exited = true;
    result.exit_code = static_cast<int>(t.exit_code);
    return;
  }
  result.trap = trap_kind_of(code);
  result.message = std::string(trap_kind_description(result.trap));
  if (result.trap == TrapKind::kTimeout)
    result.message += " (" + std::to_string(options.timeout.count()) + " ms)";
  if (result.trap == TrapKind::kHostError && t.host_error_message[0] != '\0')
    result.message += ": host function " + std::string(t.host_error_message);
  if (t.memory_limit_hit) {
    // Wasm reports a refused grow to the guest, which usually fails later with
    // some other trap: the root cause is the cap.
    if (result.trap != TrapKind::kMemoryLimit)
      result.message = "after reaching its memory limit: " + result.message;
    result.trap = TrapKind::kMemoryLimit;
    result.message = "memory limit of " + std::to_string(options.memory_limit_bytes >> 20) +
                     " MiB reached; " + result.message;
  }
}

void reset_call_fields(GuestThread& t, const CallOptions& options, wasi::Context& context) {
  t.memory_limit_pages = options.memory_limit_bytes / kWasmPageBytes;
  t.memory_limit_hit = false;
  t.peak_memory_bytes = 0;
  t.exit_code = 0;
  t.host_error_message[0] = '\0';
  t.context = &context;
  t.active_memory_count = 0;
}

void begin_call(GuestThread& t, const CallOptions& options, wasi::Context& context) {
  reset_call_fields(t, options, context);
  t.call_id.store(g_next_call_id.fetch_add(1), std::memory_order_release);
  Watchdog::instance().begin_call(
      t, monotonic_now_ns() + std::chrono::nanoseconds(options.timeout).count());
}

void end_call(GuestThread& t) {
  Watchdog::instance().end_call(t);
  t.call_id.store(0, std::memory_order_release);
  t.context = nullptr;
}

// A nested call runs under min(its own timeout, what is left of the outer call's).
// The watchdog already counts the thread as busy (the outer call), so only the id and
// deadline change, id first: the watchdog re-reads the deadline after the id (scan).
void begin_nested_call(GuestThread& t, const CallOptions& options, wasi::Context& context,
                       OuterCallState& outer) {
  outer.trap_target = t.trap_target;
  outer.unwind_target = wasm_rt_get_unwind_target();
  outer.call_id = t.call_id.load(std::memory_order_relaxed);
  outer.memory_count = t.active_memory_count;
  std::copy_n(t.active_memory_base, t.active_memory_count, outer.memory_base);
  outer.memory_limit_pages = t.memory_limit_pages;
  outer.memory_limit_hit = t.memory_limit_hit;
  outer.peak_memory_bytes = t.peak_memory_bytes;
  outer.exit_code = t.exit_code;
  outer.context = t.context;
  outer.host_error_message = t.host_error_message;
  outer.exception_tag = wasm_rt_exception_tag();
  outer.exception.assign(static_cast<const char*>(wasm_rt_exception()), wasm_rt_exception_size());

  reset_call_fields(t, options, context);
  t.call_id.store(g_next_call_id.fetch_add(1), std::memory_order_release);
  const int64_t own = monotonic_now_ns() + std::chrono::nanoseconds(options.timeout).count();
  int64_t current = t.deadline_ns.load(std::memory_order_acquire);
  outer.deadline_ns = current;
  // A compare-exchange: a shutdown halt (halt_running_calls stores 1) must stay.
  while (!t.deadline_ns.compare_exchange_weak(current, current == 0 ? own : std::min(current, own)))
    outer.deadline_ns = current;
  ++t.call_depth;
}

void end_nested_call(GuestThread& t, OuterCallState& outer) {
  --t.call_depth;
  int64_t current = t.deadline_ns.load(std::memory_order_acquire);
  // Halted meanwhile (1): the outer call is halted too.
  while (current != 1 && !t.deadline_ns.compare_exchange_weak(current, outer.deadline_ns)) {
  }
  t.call_id.store(outer.call_id, std::memory_order_release);
  t.trap_target = outer.trap_target;
  wasm_rt_set_unwind_target(outer.unwind_target);
  std::copy_n(outer.memory_base, outer.memory_count, t.active_memory_base);
  t.active_memory_count = outer.memory_count;
  t.memory_limit_pages = outer.memory_limit_pages;
  t.memory_limit_hit = outer.memory_limit_hit;
  t.peak_memory_bytes = outer.peak_memory_bytes;
  t.exit_code = outer.exit_code;
  t.context = outer.context;
  std::snprintf(t.host_error_message, sizeof t.host_error_message, "%s",
                outer.host_error_message.c_str());
  wasm_rt_load_exception(outer.exception_tag, static_cast<uint32_t>(outer.exception.size()),
                         outer.exception.data());
  // The outer call's deadline may have passed while the nested one ran (the nested call
  // had its expiry mark): mark it, so the outer host function's leave() halts it.
  int64_t deadline = t.deadline_ns.load(std::memory_order_acquire);
  if (deadline != 0 && monotonic_now_ns() >= deadline)
    t.expired_call_id.store(outer.call_id, std::memory_order_release);
}

// WASI hooks: host functions are runtime code as far as deadlines are concerned.
bool call_interrupted() {
  GuestThread& t = this_guest_thread();
  uint64_t id = t.call_id.load(std::memory_order_relaxed);
  if (id == 0) return false;
  if (t.expired_call_id.load(std::memory_order_acquire) == id) return true;
  // A host function that gave up at the deadline itself (a KV backend's wait) returns
  // before the watchdog's next scan (every 2 ms) marks the call: mark it here, so
  // leave_host halts the guest instead of letting it run on past its limit.
  int64_t deadline = t.deadline_ns.load(std::memory_order_acquire);
  if (deadline != 0 && monotonic_now_ns() >= deadline) {
    t.expired_call_id.store(id, std::memory_order_release);
    return true;
  }
  return false;
}

__attribute__((noreturn)) void exit_guest(uint32_t code) {
  this_guest_thread().exit_code = code;
  raise_trap(kTrapCodeExit);
}

__attribute__((noreturn)) void output_limit_reached() { raise_trap(kTrapCodeOutputLimit); }

__attribute__((noreturn)) void host_function_failed(const char* message) {
  GuestThread& t = this_guest_thread();
  std::snprintf(t.host_error_message, sizeof t.host_error_message, "%s", message);
  raise_trap(kTrapCodeHostError);
}

}  // namespace

void install_wasi_host_hooks() {
  static std::once_flag once;
  std::call_once(once, [] {
    wasi::HostHooks hooks;
    hooks.enter = enter_host;
    hooks.leave = leave_host;
    hooks.interrupted = call_interrupted;
    hooks.exit = exit_guest;
    hooks.output_limit = output_limit_reached;
    hooks.host_error = host_function_failed;
    wasi::install_host_hooks(hooks);
  });
}

namespace {

// The entry and initializer of a call; false (and `result` says why) if the entry is
// missing. An absent initializer is no error: only modules that have one need it.
bool find_entries(const Artifact& artifact, const CallOptions& options, Artifact::EntryFn& init,
                  Artifact::EntryFn& entry, CallResult& result) {
  init = options.initializer.empty() ? nullptr : artifact.entry(options.initializer);
  entry = options.entry.empty() ? nullptr : artifact.entry(options.entry);
  if (!entry && !options.entry.empty()) {
    result.trap = TrapKind::kHostError;
    result.message = "the module has no exported function '" + options.entry +
                     "' taking no parameters and returning nothing";
    return false;
  }
  return true;
}

// Each import module gets its own state: WASI the context, the others what the call
// bound or, when it bound nothing, the module's nothing-granted state.
constexpr size_t kMaxImportStates = ImportStates::kMaxModules + 8;
bool fill_import_states(const Artifact& artifact, const CallOptions& options,
                        wasi::Context& context, void* (&import_states)[kMaxImportStates],
                        CallResult& result) {
  const auto& modules = artifact.import_modules();
  if (modules.size() > kMaxImportStates) {
    result.trap = TrapKind::kHostError;
    result.message = "the module imports from too many host modules";
    return false;
  }
  for (size_t i = 0; i < modules.size(); ++i) {
    void* state = modules[i]->name == kWasiModule ? static_cast<void*>(&context)
                                                  : options.imports.find(modules[i]->name);
    import_states[i] = state ? state : modules[i]->unbound_state;
  }
  return true;
}

}  // namespace

CallResult run_guest_call(const Artifact& artifact, const CallOptions& options,
                          wasi::Context& context) {
  CallResult result;
  Artifact::EntryFn initializer = nullptr;
  Artifact::EntryFn entry = nullptr;
  if (!find_entries(artifact, options, initializer, entry, result)) return result;
  GuestThread& t = this_guest_thread();
  // A call while one is in progress on this thread: a host function (chaining) runs
  // another guest on the outer call's thread and stack.
  const bool nested = t.call_depth > 0;
  if (nested) {
    if (t.call_depth >= kMaxNestedCallDepth) {
      result.trap = TrapKind::kHostError;
      result.message = "calls nested deeper than " + std::to_string(kMaxNestedCallDepth);
      return result;
    }
    // The nested guest and its host functions share the outer call's native stack.
    auto sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
    if (t.stack_low && sp < t.stack_low + 4 * kHostStackReserve) {
      result.trap = TrapKind::kStackExhaustion;
      result.message = "not enough native stack left for a nested call";
      return result;
    }
  }
  void* instance = instance_storage(artifact.instance_size(), t.call_depth);
  if (!instance) {
    result.trap = TrapKind::kHostError;
    result.message = "out of host memory for the instance";
    return result;
  }
  void* import_states[kMaxImportStates];
  if (!fill_import_states(artifact, options, context, import_states, result)) return result;
  int64_t started = monotonic_now_ns();
  OuterCallState outer;
  if (nested) {
    begin_nested_call(t, options, context, outer);
  } else {
    begin_call(t, options, context);
    t.call_depth = 1;
  }
  int code = run_protected(CallFrame{&artifact, initializer, entry, instance, import_states}, t);
  result.duration = std::chrono::nanoseconds(monotonic_now_ns() - started);
  result.peak_memory_bytes = t.peak_memory_bytes;
  describe_outcome(code, t, options, result);
  if (nested) {
    // Freeing runs host sections, which act on an expired id: there is none now. The
    // nested memories leave the fault handler's list before the outer one comes back.
    t.call_id.store(0, std::memory_order_release);
    artifact.free_instance(instance);
    t.in_guest = 0;  // back in the outer call's host function
    end_nested_call(t, outer);
  } else {
    t.call_depth = 0;
    end_call(t);
    artifact.free_instance(instance);
    t.active_memory_count = 0;
  }
  return result;
}

CallResult run_live_call(const Artifact& artifact, LiveInstanceState& live,
                         const CallOptions& options, wasi::Context& context) {
  CallResult result;
  Artifact::EntryFn initializer = nullptr;
  Artifact::EntryFn entry = nullptr;
  if (!find_entries(artifact, options, initializer, entry, result)) return result;
  GuestThread& t = this_guest_thread();
  if (t.call_depth > 0) {
    result.trap = TrapKind::kHostError;
    result.message = "a live instance cannot be called from inside another call";
    return result;
  }
  void* import_states[kMaxImportStates];
  const bool first = !live.instantiated;
  if (first && !fill_import_states(artifact, options, context, import_states, result))
    return result;
  int64_t started = monotonic_now_ns();
  begin_call(t, options, context);
  t.call_depth = 1;
  if (!first) {
    // Registered like a fresh call's: a fault in them is this call's trap.
    std::copy_n(live.memory_base, live.memory_count, t.active_memory_base);
    t.active_memory_count = live.memory_count;
    if (const wasm_rt_memory_t* memory = context.memory()) t.peak_memory_bytes = memory->size;
  }
  live.instantiated = true;  // even a failed instantiation leaves something to free
  int code = run_protected(CallFrame{&artifact, first ? initializer : nullptr, entry, live.instance,
                                     first ? import_states : nullptr},
                           t);
  result.duration = std::chrono::nanoseconds(monotonic_now_ns() - started);
  result.peak_memory_bytes = t.peak_memory_bytes;
  describe_outcome(code, t, options, result);
  if (first) {
    // Memories exist from instantiation on and never change base: keep them.
    live.memory_count = t.active_memory_count;
    std::copy_n(t.active_memory_base, t.active_memory_count, live.memory_base);
  }
  t.call_depth = 0;
  end_call(t);
  t.active_memory_count = 0;
  return result;
}

void free_live_instance(const Artifact& artifact, LiveInstanceState& live) {
  if (!live.instantiated) return;
  artifact.free_instance(live.instance);
  live.instantiated = false;
  live.memory_count = 0;
}

}  // namespace wa::runtime

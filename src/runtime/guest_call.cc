#include "runtime/guest_call.h"

#include <wasm-rt.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "runtime/guest_thread.h"
#include "runtime/linear_memory.h"
#include "runtime/watchdog.h"
#include "wasi/host_hooks.h"

namespace wa::runtime {

namespace {

std::atomic<uint64_t> g_next_call_id{1};

// Instance structs are a few hundred bytes; one buffer per thread is reused.
thread_local void* t_instance_buffer = nullptr;
thread_local size_t t_instance_capacity = 0;

void* instance_storage(size_t size) {
  if (size > t_instance_capacity) {
    std::free(t_instance_buffer);
    t_instance_buffer = std::aligned_alloc(64, (size + 63) / 64 * 64);
    t_instance_capacity = t_instance_buffer ? size : 0;
  }
  if (t_instance_buffer) std::memset(t_instance_buffer, 0, size);
  return t_instance_buffer;
}

struct CallFrame {
  const Artifact* artifact;
  Artifact::EntryFn entry;
  void* instance;
  void* const* import_states;
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
    frame.artifact->instantiate(frame.instance, frame.import_states);
    frame.entry(frame.instance);
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

void begin_call(GuestThread& t, const CallOptions& options, wasi::Context& context) {
  t.memory_limit_pages = options.memory_limit_bytes / kWasmPageBytes;
  t.memory_limit_hit = false;
  t.peak_memory_bytes = 0;
  t.exit_code = 0;
  t.host_error_message[0] = '\0';
  t.context = &context;
  t.call_id.store(g_next_call_id.fetch_add(1), std::memory_order_release);
  Watchdog::instance().begin_call(
      t, monotonic_now_ns() + std::chrono::nanoseconds(options.timeout).count());
}

void end_call(GuestThread& t) {
  Watchdog::instance().end_call(t);
  t.call_id.store(0, std::memory_order_release);
  t.context = nullptr;
}

// WASI hooks: host functions are runtime code as far as deadlines are concerned.
bool call_interrupted() {
  GuestThread& t = this_guest_thread();
  uint64_t id = t.call_id.load(std::memory_order_relaxed);
  return id != 0 && t.expired_call_id.load(std::memory_order_acquire) == id;
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

CallResult run_guest_call(const Artifact& artifact, const CallOptions& options,
                          wasi::Context& context) {
  CallResult result;
  Artifact::EntryFn entry = artifact.entry(options.entry);
  if (!entry) {
    result.trap = TrapKind::kHostError;
    result.message = "the module has no exported function '" + options.entry +
                     "' taking no parameters and returning nothing";
    return result;
  }
  GuestThread& t = this_guest_thread();
  void* instance = instance_storage(artifact.instance_size());
  if (!instance) {
    result.trap = TrapKind::kHostError;
    result.message = "out of host memory for the instance";
    return result;
  }
  // Each import module gets its own state: WASI the context, the others what the call
  // bound or, when it bound nothing, the module's nothing-granted state.
  const auto& modules = artifact.import_modules();
  void* import_states[ImportStates::kMaxModules + 8];
  if (modules.size() > std::size(import_states)) {
    result.trap = TrapKind::kHostError;
    result.message = "the module imports from too many host modules";
    return result;
  }
  for (size_t i = 0; i < modules.size(); ++i) {
    void* state = modules[i]->name == kWasiModule ? static_cast<void*>(&context)
                                                  : options.imports.find(modules[i]->name);
    import_states[i] = state ? state : modules[i]->unbound_state;
  }
  int64_t started = monotonic_now_ns();
  begin_call(t, options, context);
  int code = run_protected(CallFrame{&artifact, entry, instance, import_states}, t);
  end_call(t);
  artifact.free_instance(instance);
  t.active_memory_count = 0;
  result.duration = std::chrono::nanoseconds(monotonic_now_ns() - started);
  result.peak_memory_bytes = t.peak_memory_bytes;
  describe_outcome(code, t, options, result);
  return result;
}

}  // namespace wa::runtime

// Our implementation of the wasm-rt API (/usr/include/wasm-rt.h) that wasm2c output
// calls into. Unlike Debian's libwasm-rt-impl, all trap and exception state is
// per-thread, memories come from the guard-page pool and are released in full, and
// allocation paths are shielded from deadline signals.
#include <wasm-rt.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <type_traits>
#include <vector>

#include "runtime/guest_thread.h"
#include "runtime/linear_memory.h"
#include "runtime/module_limits.h"
#include "wasi/context.h"

using wa::runtime::GuestThread;
using wa::runtime::this_guest_thread;

namespace {

constexpr uint32_t kMaxExceptionSize = 65536;

struct FuncType {
  std::vector<wasm_rt_type_t> params;
  std::vector<wasm_rt_type_t> results;
  bool operator==(const FuncType&) const = default;
};

std::mutex g_types_mutex;
std::vector<FuncType> g_types;

thread_local uint32_t t_exception_tag;
thread_local uint32_t t_exception_size;
thread_local uint8_t t_exception[kMaxExceptionSize];
thread_local WASM_RT_UNWIND_TARGET* t_unwind_target;

// Runtime code called from guest code: not interruptible by a deadline signal (it
// allocates), which is acted on when it returns.
struct HostSection {
  HostSection() { wa::runtime::enter_host(); }
  void done() { wa::runtime::leave_host(); }
};

uint64_t pages_to_bytes(uint64_t pages) { return pages * wa::runtime::kWasmPageBytes; }

// The fault handler turns a fault into a trap only inside a tracked memory: one it does
// not know about would crash the process. The validator refuses modules with more
// memories than this; should one get here anyway, the call fails instead.
void ensure_memory_slot(GuestThread& t) {
  if (t.active_memory_count < GuestThread::kMaxActiveMemories) return;
  std::snprintf(t.host_error_message, sizeof t.host_error_message,
                "the instance needs more than %d linear memories", GuestThread::kMaxActiveMemories);
  wa::runtime::raise_trap(wa::runtime::kTrapCodeHostError);
}

void track_active_memory(GuestThread& t, uint8_t* base) {
  t.active_memory_base[t.active_memory_count++] = reinterpret_cast<uintptr_t>(base);
}

void untrack_active_memory(GuestThread& t, uint8_t* base) {
  for (int i = 0; i < t.active_memory_count; ++i) {
    if (t.active_memory_base[i] == reinterpret_cast<uintptr_t>(base)) {
      t.active_memory_base[i] = t.active_memory_base[--t.active_memory_count];
      return;
    }
  }
}

// Tables live in host memory, outside the memory cap: a grow may not take one past what
// validation allows a module to start with (1M elements, 24 MB).
constexpr uint64_t kMaxTableElements = wa::runtime::ModuleLimits{}.max_table_elements;

template <typename Table>
void allocate_table(Table* table, uint32_t elements, uint32_t max_elements) {
  HostSection section;
  using Element = std::remove_pointer_t<decltype(table->data)>;
  table->size = elements;
  table->max_size = max_elements;
  table->data = static_cast<Element*>(std::calloc(elements ? elements : 1, sizeof(Element)));
  if (!table->data) wa::runtime::raise_trap(wa::runtime::kTrapCodeHostError);
  section.done();
}

template <typename Table>
void free_table(Table* table) {
  std::free(table->data);
  table->data = nullptr;
  table->size = 0;
}

template <typename Table, typename Value>
uint32_t grow_table(Table* table, uint32_t delta, Value init) {
  HostSection section;
  uint32_t old_size = table->size;
  uint64_t new_size = uint64_t(old_size) + delta;
  uint32_t result = old_size;
  if (new_size > table->max_size || new_size > kMaxTableElements) {
    result = UINT32_MAX;
  } else if (delta > 0) {
    void* grown = std::realloc(table->data, new_size * sizeof(Value));
    if (!grown) {
      result = UINT32_MAX;
    } else {
      table->data = static_cast<Value*>(grown);
      for (uint64_t i = old_size; i < new_size; ++i) table->data[i] = init;
      table->size = static_cast<uint32_t>(new_size);
    }
  }
  section.done();
  return result;
}

}  // namespace

extern "C" {

void wasm_rt_init(void) { wa::runtime::install_signal_handlers(); }
bool wasm_rt_is_initialized(void) { return true; }
void wasm_rt_free(void) {}

void wasm_rt_trap(wasm_rt_trap_t code) { wa::runtime::raise_trap(static_cast<int>(code)); }

const char* wasm_rt_strerror(wasm_rt_trap_t trap) {
  switch (trap) {
    case WASM_RT_TRAP_NONE:
      return "no error";
    case WASM_RT_TRAP_OOB:
      return "out of bounds memory or table access";
    case WASM_RT_TRAP_INT_OVERFLOW:
      return "integer overflow";
    case WASM_RT_TRAP_DIV_BY_ZERO:
      return "integer divide by zero";
    case WASM_RT_TRAP_INVALID_CONVERSION:
      return "invalid conversion to integer";
    case WASM_RT_TRAP_UNREACHABLE:
      return "unreachable executed";
    case WASM_RT_TRAP_CALL_INDIRECT:
      return "indirect call signature mismatch";
    case WASM_RT_TRAP_UNCAUGHT_EXCEPTION:
      return "uncaught exception";
    case WASM_RT_TRAP_EXHAUSTION:
      return "call stack exhausted";
  }
  return "unknown trap";
}

uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
  FuncType type;
  va_list args;
  va_start(args, results);
  for (uint32_t i = 0; i < params; ++i) type.params.push_back((wasm_rt_type_t)va_arg(args, int));
  for (uint32_t i = 0; i < results; ++i) type.results.push_back((wasm_rt_type_t)va_arg(args, int));
  va_end(args);
  std::lock_guard lock(g_types_mutex);
  for (size_t i = 0; i < g_types.size(); ++i)
    if (g_types[i] == type) return static_cast<uint32_t>(i + 1);
  g_types.push_back(std::move(type));
  return static_cast<uint32_t>(g_types.size());
}

uint32_t wasm_rt_register_tag(uint32_t size) {
  static std::atomic<uint32_t> next_tag{0};
  if (size > kMaxExceptionSize) wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);
  return next_tag++;
}

void wasm_rt_load_exception(uint32_t tag, uint32_t size, const void* values) {
  if (size > kMaxExceptionSize) wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);
  t_exception_tag = tag;
  t_exception_size = size;
  if (size) std::memcpy(t_exception, values, size);
}

// The unwind target is the innermost try block, or the call's trap target; guest_call
// clears it when a call ends, so it never points into a frame that has returned.
void wasm_rt_throw(void) {
  if (t_unwind_target) siglongjmp(*t_unwind_target, WASM_RT_TRAP_UNCAUGHT_EXCEPTION);
  if (this_guest_thread().trap_target) wa::runtime::raise_trap(WASM_RT_TRAP_UNCAUGHT_EXCEPTION);
  std::fprintf(stderr, "wasm-actions: wasm_rt_throw outside a guest call\n");
  std::abort();
}
WASM_RT_UNWIND_TARGET* wasm_rt_get_unwind_target(void) { return t_unwind_target; }
void wasm_rt_set_unwind_target(WASM_RT_UNWIND_TARGET* target) { t_unwind_target = target; }
uint32_t wasm_rt_exception_tag(void) { return t_exception_tag; }
uint32_t wasm_rt_exception_size(void) { return t_exception_size; }
void* wasm_rt_exception(void) { return t_exception; }

void wasm_rt_allocate_memory(wasm_rt_memory_t* memory, uint32_t initial_pages, uint32_t max_pages) {
  HostSection section;
  GuestThread& t = this_guest_thread();
  if (t.memory_limit_pages && initial_pages > t.memory_limit_pages) {
    t.memory_limit_hit = true;
    wa::runtime::raise_trap(wa::runtime::kTrapCodeMemoryLimit);
  }
  ensure_memory_slot(t);
  wa::runtime::LinearMemory linear =
      wa::runtime::acquire_linear_memory(pages_to_bytes(initial_pages));
  if (!linear.base) wa::runtime::raise_trap(wa::runtime::kTrapCodeHostError);
  track_active_memory(t, linear.base);
  memory->data = linear.base;
  memory->pages = initial_pages;
  memory->size = static_cast<uint32_t>(pages_to_bytes(initial_pages));
  memory->max_pages = max_pages;
  if (t.memory_limit_pages && memory->max_pages > t.memory_limit_pages)
    memory->max_pages = static_cast<uint32_t>(t.memory_limit_pages);
  if (t.context && !t.context->memory()) t.context->set_memory(memory);
  if (memory->size > t.peak_memory_bytes) t.peak_memory_bytes = memory->size;
  section.done();
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t* memory, uint32_t delta) {
  HostSection section;
  GuestThread& t = this_guest_thread();
  uint32_t old_pages = memory->pages;
  uint64_t new_pages = uint64_t(old_pages) + delta;
  uint32_t result = old_pages;
  if (new_pages > 65536 || new_pages > memory->max_pages) {
    if (t.memory_limit_pages && new_pages > t.memory_limit_pages) t.memory_limit_hit = true;
    result = UINT32_MAX;
  } else if (delta > 0) {
    wa::runtime::LinearMemory linear{memory->data, pages_to_bytes(old_pages)};
    if (!wa::runtime::extend_linear_memory(linear, pages_to_bytes(new_pages))) {
      result = UINT32_MAX;
    } else {
      memory->pages = static_cast<uint32_t>(new_pages);
      // 65536 pages is 4 GiB, one more than uint32_t holds: size saturates (wasm2c
      // checks addresses against the guard pages, not against size).
      memory->size =
          new_pages >= 65536 ? UINT32_MAX : static_cast<uint32_t>(pages_to_bytes(new_pages));
      if (pages_to_bytes(new_pages) > t.peak_memory_bytes)
        t.peak_memory_bytes = pages_to_bytes(new_pages);
    }
  }
  section.done();
  return result;
}

void wasm_rt_free_memory(wasm_rt_memory_t* memory) {
  if (!memory->data) return;
  GuestThread& t = this_guest_thread();
  untrack_active_memory(t, memory->data);
  wa::runtime::release_linear_memory({memory->data, pages_to_bytes(memory->pages)});
  memory->data = nullptr;
  memory->size = 0;
  memory->pages = 0;
}

void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t* table, uint32_t elements,
                                    uint32_t max_elements) {
  allocate_table(table, elements, max_elements);
}

void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t* table) { free_table(table); }

void wasm_rt_allocate_externref_table(wasm_rt_externref_table_t* table, uint32_t elements,
                                      uint32_t max_elements) {
  allocate_table(table, elements, max_elements);
}

void wasm_rt_free_externref_table(wasm_rt_externref_table_t* table) { free_table(table); }

uint32_t wasm_rt_grow_funcref_table(wasm_rt_funcref_table_t* table, uint32_t delta,
                                    wasm_rt_funcref_t init) {
  return grow_table(table, delta, init);
}

uint32_t wasm_rt_grow_externref_table(wasm_rt_externref_table_t* table, uint32_t delta,
                                      wasm_rt_externref_t init) {
  return grow_table(table, delta, init);
}

}  // extern "C"

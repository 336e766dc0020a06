// The host side of `wasm_actions`: every function checks guest pointers first (2), then
// its arguments (1, 3, 7), then the grant (6), and only then reaches the backend, whose
// errors map onto the contract's codes. Each runs through wasi::typed_host_call, which
// brackets it for the engine (the deadline is acted on when it returns) and turns an
// exception into a host_error trap.
#include "capabilities/wasm_actions_module.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

#include "capabilities/abi_error.h"
#include "capabilities/call_context.h"
#include "runtime/guest_thread.h"
#include "runtime/host_imports.h"
#include "wasi/context.h"
#include "wasi/guest_memory.h"
#include "wasi/host_call.h"

namespace {

using u32 = uint32_t;
using u64 = uint64_t;
using wa::capabilities::AbiError;
using wa::capabilities::current_call_deadline;
using wa::capabilities::current_guest_memory;
using State = wa::capabilities::WasmActionsState;

// At most this many distinct stores open per call (grants list at most as many).
constexpr size_t kMaxOpenStores = 64;

u32 code(AbiError error) { return static_cast<u32>(error); }

wa::wasi::GuestMemory guest_memory() { return wa::wasi::GuestMemory(current_guest_memory()); }

u32 from_error(const wa::Error& error) {
  return code(wa::capabilities::abi_error_for_kind(error.kind));
}

// The open store behind handle `h`, or nullptr.
const State::OpenStore* store_of(const State& state, u32 h) {
  if (h == 0 || h > state.open_stores.size()) return nullptr;
  return &state.open_stores[h - 1];
}

// Checks a key: guest range first, then its length against the backend's limits.
u32 read_key(const State& state, const wa::wasi::GuestMemory& memory, u32 ptr, u32 len,
             std::string_view& key) {
  if (!memory.string(ptr, len, key)) return code(AbiError::kMemoryAccess);
  if (key.empty()) return code(AbiError::kInvalidArgument);
  if (state.kv && key.size() > state.kv->limits().max_key_bytes) return code(AbiError::kTooLarge);
  return code(AbiError::kOk);
}

u32 kv_open(State& state, u32 name_ptr, u32 name_len, u32 handle_out) {
  auto memory = guest_memory();
  std::string_view name;
  if (!memory.string(name_ptr, name_len, name) || !memory.contains(handle_out, 4))
    return code(AbiError::kMemoryAccess);
  if (!wa::capabilities::is_resource_name(name)) return code(AbiError::kInvalidArgument);
  const wa::capabilities::KvGrant* grant = nullptr;
  if (state.kv_grants) {
    for (const auto& g : *state.kv_grants)
      if (g.store == name) grant = &g;
  }
  if (!grant || !state.kv) return code(AbiError::kAccessDenied);
  auto store = state.kv->find_store(state.owner_id, name);
  if (!store) return from_error(store.error());
  const bool writable = grant->access == wa::capabilities::Access::kReadWrite;
  u32 handle = 0;
  for (size_t i = 0; i < state.open_stores.size(); ++i)
    if (state.open_stores[i].id == store->id) handle = static_cast<u32>(i + 1);
  if (handle == 0) {
    if (state.open_stores.size() >= kMaxOpenStores) return code(AbiError::kUnavailable);
    state.open_stores.push_back({store->id, writable});
    handle = static_cast<u32>(state.open_stores.size());
  }
  memory.store<u32>(handle_out, handle);
  return code(AbiError::kOk);
}

u32 kv_get(State& state, u32 h, u32 key_ptr, u32 key_len, u32 buf_ptr, u32 buf_cap, u32 len_out) {
  auto memory = guest_memory();
  const auto* store = store_of(state, h);
  if (!memory.contains(buf_ptr, buf_cap) || !memory.contains(len_out, 4))
    return code(AbiError::kMemoryAccess);
  std::string_view key;
  if (u32 e = read_key(state, memory, key_ptr, key_len, key)) return e;
  if (!store) return code(AbiError::kInvalidHandle);
  auto value = state.kv->get(store->id, key, current_call_deadline());
  if (!value) return from_error(value.error());
  if (!value->has_value()) return code(AbiError::kNotFound);
  const std::string& bytes = **value;
  if (bytes.size() > buf_cap) {
    memory.store<u32>(len_out, static_cast<u32>(bytes.size()));
    return code(AbiError::kBufferTooSmall);
  }
  memory.write(buf_ptr, bytes.data(), bytes.size());
  memory.store<u32>(len_out, static_cast<u32>(bytes.size()));
  return code(AbiError::kOk);
}

u32 kv_set(State& state, u32 h, u32 key_ptr, u32 key_len, u32 val_ptr, u32 val_len) {
  auto memory = guest_memory();
  const auto* store = store_of(state, h);
  std::string_view value;
  if (!memory.string(val_ptr, val_len, value)) return code(AbiError::kMemoryAccess);
  std::string_view key;
  if (u32 e = read_key(state, memory, key_ptr, key_len, key)) return e;
  if (!store) return code(AbiError::kInvalidHandle);
  if (!store->writable) return code(AbiError::kAccessDenied);
  if (value.size() > state.kv->limits().max_value_bytes) return code(AbiError::kTooLarge);
  auto done = state.kv->set(store->id, key, value, current_call_deadline());
  return done ? code(AbiError::kOk) : from_error(done.error());
}

u32 kv_delete(State& state, u32 h, u32 key_ptr, u32 key_len) {
  auto memory = guest_memory();
  const auto* store = store_of(state, h);
  std::string_view key;
  if (u32 e = read_key(state, memory, key_ptr, key_len, key)) return e;
  if (!store) return code(AbiError::kInvalidHandle);
  if (!store->writable) return code(AbiError::kAccessDenied);
  auto done = state.kv->remove(store->id, key, current_call_deadline());
  return done ? code(AbiError::kOk) : from_error(done.error());
}

u32 kv_exists(State& state, u32 h, u32 key_ptr, u32 key_len, u32 bool_out) {
  auto memory = guest_memory();
  const auto* store = store_of(state, h);
  if (!memory.contains(bool_out, 4)) return code(AbiError::kMemoryAccess);
  std::string_view key;
  if (u32 e = read_key(state, memory, key_ptr, key_len, key)) return e;
  if (!store) return code(AbiError::kInvalidHandle);
  auto found = state.kv->exists(store->id, key, current_call_deadline());
  if (!found) return from_error(found.error());
  memory.store<u32>(bool_out, *found ? 1 : 0);
  return code(AbiError::kOk);
}

u32 kv_keys(State& state, u32 h, u32 prefix_ptr, u32 prefix_len, u32 after_ptr, u32 after_len,
            u32 buf_ptr, u32 buf_cap, u32 len_out) {
  auto memory = guest_memory();
  const auto* store = store_of(state, h);
  std::string_view prefix, after;
  if (!memory.string(prefix_ptr, prefix_len, prefix) ||
      !memory.string(after_ptr, after_len, after) || !memory.contains(buf_ptr, buf_cap) ||
      !memory.contains(len_out, 4))
    return code(AbiError::kMemoryAccess);
  if (!store) return code(AbiError::kInvalidHandle);
  const size_t max_key = state.kv->limits().max_key_bytes;
  if (prefix.size() > max_key || after.size() > max_key) return code(AbiError::kTooLarge);
  // A page never exceeds the configured page size, whatever buffer the guest offers.
  const size_t budget = std::min<size_t>(buf_cap, state.kv->limits().max_page_bytes);
  // Keys are never empty, so a record takes at least 5 bytes: this many fill any budget.
  const size_t limit = budget / 5 + 1;
  auto page = state.kv->keys(store->id, prefix, after, limit, current_call_deadline());
  if (!page) return from_error(page.error());
  size_t used = 0;
  for (const std::string& key : page->keys) {
    const size_t record = 4 + key.size();
    if (used + record > budget) {
      if (used == 0) {
        memory.store<u32>(len_out, static_cast<u32>(record));
        return code(AbiError::kBufferTooSmall);
      }
      break;
    }
    memory.store<u32>(buf_ptr + static_cast<u32>(used), static_cast<u32>(key.size()));
    memory.write(buf_ptr + static_cast<u32>(used) + 4, key.data(), key.size());
    used += record;
  }
  memory.store<u32>(len_out, static_cast<u32>(used));
  return code(AbiError::kOk);
}

u32 kv_increment(State& state, u32 h, u32 key_ptr, u32 key_len, u64 delta, u32 result_out) {
  auto memory = guest_memory();
  const auto* store = store_of(state, h);
  if (!memory.contains(result_out, 8)) return code(AbiError::kMemoryAccess);
  std::string_view key;
  if (u32 e = read_key(state, memory, key_ptr, key_len, key)) return e;
  if (!store) return code(AbiError::kInvalidHandle);
  if (!store->writable) return code(AbiError::kAccessDenied);
  auto value =
      state.kv->increment(store->id, key, static_cast<int64_t>(delta), current_call_deadline());
  if (!value) return from_error(value.error());
  memory.store<int64_t>(result_out, *value);
  return code(AbiError::kOk);
}

u32 kv_compare_and_swap(State& state, u32 h, u32 key_ptr, u32 key_len, u32 expected_ptr,
                        u32 expected_len, u32 expect_absent, u32 new_ptr, u32 new_len,
                        u32 swapped_out) {
  auto memory = guest_memory();
  const auto* store = store_of(state, h);
  std::string_view expected, desired;
  if (!memory.string(expected_ptr, expected_len, expected) ||
      !memory.string(new_ptr, new_len, desired) || !memory.contains(swapped_out, 4))
    return code(AbiError::kMemoryAccess);
  std::string_view key;
  if (u32 e = read_key(state, memory, key_ptr, key_len, key)) return e;
  if (!store) return code(AbiError::kInvalidHandle);
  if (!store->writable) return code(AbiError::kAccessDenied);
  if (desired.size() > state.kv->limits().max_value_bytes) return code(AbiError::kTooLarge);
  std::optional<std::string_view> want;
  if (expect_absent == 0) want = expected;
  auto swapped = state.kv->compare_and_swap(store->id, key, want, desired, current_call_deadline());
  if (!swapped) return from_error(swapped.error());
  memory.store<u32>(swapped_out, *swapped ? 1 : 0);
  return code(AbiError::kOk);
}

}  // namespace

extern "C" {

u32 Z_wasm_actionsZ_kv_open(State* state, u32 name_ptr, u32 name_len, u32 handle_out) {
  return wa::wasi::typed_host_call<kv_open>("kv_open", state, name_ptr, name_len, handle_out);
}
u32 Z_wasm_actionsZ_kv_get(State* state, u32 h, u32 key_ptr, u32 key_len, u32 buf_ptr, u32 buf_cap,
                           u32 len_out) {
  return wa::wasi::typed_host_call<kv_get>("kv_get", state, h, key_ptr, key_len, buf_ptr, buf_cap,
                                           len_out);
}
u32 Z_wasm_actionsZ_kv_set(State* state, u32 h, u32 key_ptr, u32 key_len, u32 val_ptr,
                           u32 val_len) {
  return wa::wasi::typed_host_call<kv_set>("kv_set", state, h, key_ptr, key_len, val_ptr, val_len);
}
u32 Z_wasm_actionsZ_kv_delete(State* state, u32 h, u32 key_ptr, u32 key_len) {
  return wa::wasi::typed_host_call<kv_delete>("kv_delete", state, h, key_ptr, key_len);
}
u32 Z_wasm_actionsZ_kv_exists(State* state, u32 h, u32 key_ptr, u32 key_len, u32 bool_out) {
  return wa::wasi::typed_host_call<kv_exists>("kv_exists", state, h, key_ptr, key_len, bool_out);
}
u32 Z_wasm_actionsZ_kv_keys(State* state, u32 h, u32 prefix_ptr, u32 prefix_len, u32 after_ptr,
                            u32 after_len, u32 buf_ptr, u32 buf_cap, u32 len_out) {
  return wa::wasi::typed_host_call<kv_keys>("kv_keys", state, h, prefix_ptr, prefix_len, after_ptr,
                                            after_len, buf_ptr, buf_cap, len_out);
}
u32 Z_wasm_actionsZ_kv_increment(State* state, u32 h, u32 key_ptr, u32 key_len, u64 delta,
                                 u32 result_out) {
  return wa::wasi::typed_host_call<kv_increment>("kv_increment", state, h, key_ptr, key_len, delta,
                                                 result_out);
}
u32 Z_wasm_actionsZ_kv_compare_and_swap(State* state, u32 h, u32 key_ptr, u32 key_len,
                                        u32 expected_ptr, u32 expected_len, u32 expect_absent,
                                        u32 new_ptr, u32 new_len, u32 swapped_out) {
  return wa::wasi::typed_host_call<kv_compare_and_swap>(
      "kv_compare_and_swap", state, h, key_ptr, key_len, expected_ptr, expected_len, expect_absent,
      new_ptr, new_len, swapped_out);
}

}  // extern "C"

namespace wa::capabilities {

void register_wasm_actions_module() {
  // Shared by every call that binds no state: nothing granted.
  static WasmActionsState unbound;
  using runtime::make_host_function;
  runtime::register_host_import_module(runtime::HostImportModule{
      kWasmActionsModule,
      {
          make_host_function("kv_open", &Z_wasm_actionsZ_kv_open),
          make_host_function("kv_get", &Z_wasm_actionsZ_kv_get),
          make_host_function("kv_set", &Z_wasm_actionsZ_kv_set),
          make_host_function("kv_delete", &Z_wasm_actionsZ_kv_delete),
          make_host_function("kv_exists", &Z_wasm_actionsZ_kv_exists),
          make_host_function("kv_keys", &Z_wasm_actionsZ_kv_keys),
          make_host_function("kv_increment", &Z_wasm_actionsZ_kv_increment),
          make_host_function("kv_compare_and_swap", &Z_wasm_actionsZ_kv_compare_and_swap),
      },
      &unbound});
}

}  // namespace wa::capabilities

// The host side of `wasm_actions`: every function checks guest pointers first (2), then
// its arguments (1, 3, 7), then the grant (6), and only then reaches the backend, whose
// errors map onto the contract's codes. The room functions only record what the guest
// asked for (RoomCallState::emitted); whoever ran the call delivers it afterwards. Each runs
// through wasi::typed_host_call, which brackets it for the engine (the deadline is acted on when it
// returns) and turns an exception into a host_error trap.
#include "capabilities/wasm_actions_module.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "capabilities/abi_error.h"
#include "capabilities/call_context.h"
#include "capabilities/room_events.h"
#include "runtime/guest_thread.h"
#include "runtime/host_imports.h"
#include "support/utf8.h"
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

// ---- rooms (host-abi.md "Rooms") ----
// Their order: guest ranges (2), the grant (6: an action without `rooms` learns nothing
// else), arguments (3, 7), the room (5), the per-event budget (8).

using wa::capabilities::EmittedEvent;
using wa::capabilities::RoomCallState;

// Copies `bytes` out under the buffer_too_small protocol. The ranges were checked.
u32 write_output(const wa::wasi::GuestMemory& memory, u32 buf_ptr, u32 buf_cap, u32 len_out,
                 std::string_view bytes) {
  // Nothing a room call returns comes near 4 GiB; clamping keeps a broken directory from
  // wrapping the needed length into a small one.
  const u32 length = static_cast<u32>(std::min<size_t>(bytes.size(), UINT32_MAX));
  if (bytes.size() > buf_cap) {
    memory.store<u32>(len_out, length);
    return code(AbiError::kBufferTooSmall);
  }
  // The length last: a len_out inside the buffer ends up holding the length, as in kv_get.
  memory.write(buf_ptr, bytes.data(), bytes.size());
  memory.store<u32>(len_out, length);
  return code(AbiError::kOk);
}

bool output_in_memory(const wa::wasi::GuestMemory& memory, u32 buf_ptr, u32 buf_cap, u32 len_out) {
  return memory.contains(buf_ptr, buf_cap) && memory.contains(len_out, 4);
}

// What the host holds for one id of an except list beyond its bytes (a std::string): what
// an except list counts against the per-event budget, so a list of one-byte ids cannot
// hold 30 times the memory it is charged for.
constexpr uint64_t kExceptIdOverhead = sizeof(std::string);

// Splits a `\n`-separated id list: empty parts are skipped (a trailing newline or a
// join of an empty list is fine), anything that is not a connection id is 3. The result
// is sorted without duplicates: a set the deliverer can search, at most as big as the
// distinct ids the guest named. Sorted as views into guest memory (the call holds it
// still), so the sort moves 16-byte views, not strings.
u32 parse_except(std::string_view text, std::vector<std::string>& ids) {
  std::vector<std::string_view> views;
  while (!text.empty()) {
    const size_t end = std::min(text.find('\n'), text.size());
    std::string_view id = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    if (id.empty()) continue;
    if (!wa::capabilities::is_connection_id(id)) return code(AbiError::kInvalidArgument);
    views.push_back(id);
  }
  std::sort(views.begin(), views.end());
  views.erase(std::unique(views.begin(), views.end()), views.end());
  ids.assign(views.begin(), views.end());
  return code(AbiError::kOk);
}

// After the arguments: the payload size (7), a current room (5).
u32 check_emit(const RoomCallState& rooms, size_t payload_bytes) {
  if (payload_bytes > rooms.limits.max_message_bytes) return code(AbiError::kTooLarge);
  if (rooms.current_room.empty()) return code(AbiError::kNotFound);
  return code(AbiError::kOk);
}

// The per-event budget (8): one more message of `bytes` held until delivery.
u32 check_budget(const RoomCallState& rooms, uint64_t bytes) {
  if (rooms.emitted.size() >= rooms.limits.max_emitted_events)
    return code(AbiError::kQuotaExceeded);
  if (bytes > rooms.limits.max_emitted_bytes ||
      rooms.emitted_bytes > rooms.limits.max_emitted_bytes - bytes)
    return code(AbiError::kQuotaExceeded);
  return code(AbiError::kOk);
}

u32 room_broadcast(State& state, u32 msg_ptr, u32 msg_len, u32 except_ptr, u32 except_len) {
  auto memory = guest_memory();
  std::string_view message, except_text;
  if (!memory.string(msg_ptr, msg_len, message) ||
      !memory.string(except_ptr, except_len, except_text))
    return code(AbiError::kMemoryAccess);
  RoomCallState& rooms = state.rooms;
  if (!rooms.granted) return code(AbiError::kAccessDenied);
  // The list is bounded like a message before it is parsed: 1 MiB holds 16,000 ids of 64
  // bytes, and splitting more would cost the host far more memory than the guest's.
  if (except_text.size() > rooms.limits.max_message_bytes) return code(AbiError::kTooLarge);
  std::vector<std::string> except;
  if (u32 e = parse_except(except_text, except)) return e;
  if (u32 e = check_emit(rooms, message.size())) return e;
  // The except list is held until delivery like the payload, so it counts too.
  uint64_t bytes = message.size();
  for (const std::string& id : except) bytes += id.size() + kExceptIdOverhead;
  if (u32 e = check_budget(rooms, bytes)) return e;
  EmittedEvent event = wa::capabilities::make_message_event(
      EmittedEvent::Type::kBroadcast, rooms.current_room, std::string(message), rooms.service_id);
  event.except = std::move(except);
  rooms.emitted.push_back(std::move(event));
  rooms.emitted_bytes += bytes;
  return code(AbiError::kOk);
}

u32 room_send(State& state, u32 conn_ptr, u32 conn_len, u32 msg_ptr, u32 msg_len) {
  auto memory = guest_memory();
  std::string_view connection, message;
  if (!memory.string(conn_ptr, conn_len, connection) || !memory.string(msg_ptr, msg_len, message))
    return code(AbiError::kMemoryAccess);
  RoomCallState& rooms = state.rooms;
  if (!rooms.granted) return code(AbiError::kAccessDenied);
  if (!wa::capabilities::is_connection_id(connection)) return code(AbiError::kInvalidArgument);
  if (u32 e = check_emit(rooms, message.size())) return e;
  if (!rooms.directory || !rooms.directory->contains(rooms.current_room, connection))
    return code(AbiError::kNotFound);
  const uint64_t bytes = message.size() + connection.size();
  if (u32 e = check_budget(rooms, bytes)) return e;
  EmittedEvent event =
      wa::capabilities::make_message_event(EmittedEvent::Type::kToConnection, rooms.current_room,
                                           std::string(message), rooms.service_id);
  event.connection = std::string(connection);
  rooms.emitted.push_back(std::move(event));
  rooms.emitted_bytes += bytes;
  return code(AbiError::kOk);
}

u32 room_connections(State& state, u32 buf_ptr, u32 buf_cap, u32 len_out) {
  auto memory = guest_memory();
  if (!output_in_memory(memory, buf_ptr, buf_cap, len_out)) return code(AbiError::kMemoryAccess);
  const RoomCallState& rooms = state.rooms;
  if (!rooms.granted) return code(AbiError::kAccessDenied);
  if (rooms.current_room.empty()) return code(AbiError::kNotFound);
  std::string list;
  if (rooms.directory) {
    std::vector<std::string> ids = rooms.directory->connections(rooms.current_room);
    size_t total = 0;
    for (const std::string& id : ids) total += id.size() + 1;
    list.reserve(total);
    for (const std::string& id : ids) {
      if (!list.empty()) list += '\n';
      list += id;
    }
  }
  return write_output(memory, buf_ptr, buf_cap, len_out, list);
}

u32 room_select(State& state, u32 name_ptr, u32 name_len) {
  auto memory = guest_memory();
  std::string_view name;
  if (!memory.string(name_ptr, name_len, name)) return code(AbiError::kMemoryAccess);
  if (!state.rooms.granted) return code(AbiError::kAccessDenied);
  // Room names are ASCII, so this also refuses every invalid UTF-8 sequence.
  if (!wa::capabilities::is_room_name(name)) return code(AbiError::kInvalidArgument);
  state.rooms.current_room.assign(name);
  return code(AbiError::kOk);
}

// A join the handler turns down without exiting (an extension of host-abi.md): in
// persistent mode an exit would end the room's instance, and with it the room's state.
u32 room_refuse(State& state, u32 reason_ptr, u32 reason_len) {
  auto memory = guest_memory();
  std::string_view reason;
  if (!memory.string(reason_ptr, reason_len, reason)) return code(AbiError::kMemoryAccess);
  if (!state.rooms.granted) return code(AbiError::kAccessDenied);
  const auto* event = state.rooms.event;
  if (!event || event->kind != wa::capabilities::RoomEventKind::kJoin)
    return code(AbiError::kNotFound);
  if (!wa::is_valid_utf8(reason)) return code(AbiError::kInvalidArgument);
  state.rooms.refused = true;
  state.rooms.refuse_reason.assign(reason);
  return code(AbiError::kOk);
}

// event_get and event_payload need no grant check: an event is only ever set for an
// action granted `rooms`, and outside one both answer 5 whatever the grant.
u32 event_get(State& state, u32 buf_ptr, u32 buf_cap, u32 len_out) {
  auto memory = guest_memory();
  if (!output_in_memory(memory, buf_ptr, buf_cap, len_out)) return code(AbiError::kMemoryAccess);
  if (!state.rooms.event) return code(AbiError::kNotFound);
  return write_output(memory, buf_ptr, buf_cap, len_out,
                      wa::capabilities::room_event_json(*state.rooms.event));
}

u32 event_payload(State& state, u32 buf_ptr, u32 buf_cap, u32 len_out) {
  auto memory = guest_memory();
  if (!output_in_memory(memory, buf_ptr, buf_cap, len_out)) return code(AbiError::kMemoryAccess);
  if (!state.rooms.event) return code(AbiError::kNotFound);
  return write_output(memory, buf_ptr, buf_cap, len_out, state.rooms.event->payload);
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

u32 Z_wasm_actionsZ_room_broadcast(State* state, u32 msg_ptr, u32 msg_len, u32 except_ptr,
                                   u32 except_len) {
  return wa::wasi::typed_host_call<room_broadcast>("room_broadcast", state, msg_ptr, msg_len,
                                                   except_ptr, except_len);
}
u32 Z_wasm_actionsZ_room_send(State* state, u32 conn_ptr, u32 conn_len, u32 msg_ptr, u32 msg_len) {
  return wa::wasi::typed_host_call<room_send>("room_send", state, conn_ptr, conn_len, msg_ptr,
                                              msg_len);
}
u32 Z_wasm_actionsZ_room_connections(State* state, u32 buf_ptr, u32 buf_cap, u32 len_out) {
  return wa::wasi::typed_host_call<room_connections>("room_connections", state, buf_ptr, buf_cap,
                                                     len_out);
}
u32 Z_wasm_actionsZ_room_refuse(State* state, u32 reason_ptr, u32 reason_len) {
  return wa::wasi::typed_host_call<room_refuse>("room_refuse", state, reason_ptr, reason_len);
}
u32 Z_wasm_actionsZ_room_select(State* state, u32 name_ptr, u32 name_len) {
  return wa::wasi::typed_host_call<room_select>("room_select", state, name_ptr, name_len);
}
u32 Z_wasm_actionsZ_event_get(State* state, u32 buf_ptr, u32 buf_cap, u32 len_out) {
  return wa::wasi::typed_host_call<event_get>("event_get", state, buf_ptr, buf_cap, len_out);
}
u32 Z_wasm_actionsZ_event_payload(State* state, u32 buf_ptr, u32 buf_cap, u32 len_out) {
  return wa::wasi::typed_host_call<event_payload>("event_payload", state, buf_ptr, buf_cap,
                                                  len_out);
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
          make_host_function("room_broadcast", &Z_wasm_actionsZ_room_broadcast),
          make_host_function("room_send", &Z_wasm_actionsZ_room_send),
          make_host_function("room_connections", &Z_wasm_actionsZ_room_connections),
          make_host_function("room_select", &Z_wasm_actionsZ_room_select),
          make_host_function("room_refuse", &Z_wasm_actionsZ_room_refuse),
          make_host_function("event_get", &Z_wasm_actionsZ_event_get),
          make_host_function("event_payload", &Z_wasm_actionsZ_event_payload),
      },
      &unbound});
}

}  // namespace wa::capabilities

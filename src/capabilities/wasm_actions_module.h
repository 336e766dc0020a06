// The `wasm_actions` import module (host-abi.md): the key-value store and room functions,
// with the per-call state their calls receive.
//
// The platform builds one WasmActionsState per call (owner, grants, backend) and binds it
// (CallOptions::imports.bind). A call that binds none gets a state with nothing granted,
// so a module importing `wasm_actions` links and runs everywhere (`wasm-actions run`
// without --kv included) and its kv_open answers access_denied.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "capabilities/grants.h"
#include "capabilities/kv_backend.h"
#include "capabilities/room_events.h"

namespace wa::capabilities {

inline constexpr std::string_view kWasmActionsModule = "wasm_actions";

struct WasmActionsState {
  static constexpr std::string_view kImportModule = kWasmActionsModule;

  // The store backend and whose stores the guest may open (nullptr: none).
  KvBackend* kv = nullptr;
  int64_t owner_id = 0;
  const std::vector<KvGrant>* kv_grants = nullptr;

  // Stores opened during this call; a handle is the index + 1. Opening a store twice
  // gives the same handle, so a guest looping over kv_open cannot grow this without
  // bound beyond its grants.
  struct OpenStore {
    KvStoreId id = 0;
    bool writable = false;
  };
  std::vector<OpenStore> open_stores;

  // room_* and event_* (host-abi.md "Rooms"): the grant, the event, what was emitted.
  RoomCallState rooms;
};

// Adds `wasm_actions` to the engine's host-import registry (idempotent). Call before
// validating or loading modules.
void register_wasm_actions_module();

}  // namespace wa::capabilities

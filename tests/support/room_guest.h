// Runs a room handler's export (onJoin / onMessage / onLeave) on a fresh instance through
// the real engine, with a WasmActionsState whose RoomCallState describes the event, and
// hands back what the guest emitted: what the SDK tests (C, AssemblyScript, Rust) check.
//
// It sets the event up as per-event mode does (WA_* environment, the payload on stdin,
// the room current, `_initialize` before the export); tests/cli/sdk_rooms_runner_test.cc
// runs the same guests through the RoomRunner, persistent mode included.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "capabilities/room_events.h"
#include "capabilities/wasm_actions_module.h"
#include "runtime/engine.h"
#include "support/files.h"

namespace wa::testing {

struct RoomRun {
  runtime::CallResult call;
  std::vector<capabilities::EmittedEvent> emitted;  // the room calls, in order
  bool ok() const { return !call.trapped() && call.exit_code == 0; }
};

// What a test needs of an event beyond its kind.
struct RoomEventSpec {
  std::string room = "lobby";
  std::string connection = "c1";
  std::string payload;
  bool binary = false;
  capabilities::RoomDirectory* directory = nullptr;
  bool granted = true;
  bool room_event = true;  // false: an HTTP request (no event, no current room)
  std::string entry;       // default: the kind's export
};

// One engine (fast tier, its own artifact cache) for the test program.
class RoomGuest {
 public:
  explicit RoomGuest(const std::filesystem::path& wasm) {
    capabilities::register_wasm_actions_module();
    auto bytes = read_file_bytes(wasm);
    if (!bytes) {
      ADD_FAILURE() << wasm << ": " << bytes.error().message;
      return;
    }
    auto module = engine().load(bytes.value());
    if (!module) {
      ADD_FAILURE() << wasm << ": " << module.error().message;
      return;
    }
    if (!module.value()->wait_until_runnable()) {
      ADD_FAILURE() << wasm << ": " << module.value()->error();
      return;
    }
    module_ = module.value();
  }

  RoomRun run(capabilities::RoomEventKind kind, const RoomEventSpec& spec) {
    RoomRun out;
    if (!module_) return out;
    capabilities::RoomEvent event;
    event.kind = kind;
    event.room = spec.room;
    event.connection = spec.connection;
    event.action = "chat";
    event.binary = spec.binary;
    event.payload = kind == capabilities::RoomEventKind::kMessage ? spec.payload : "";
    capabilities::WasmActionsState state;
    state.rooms.granted = spec.granted;
    state.rooms.directory = spec.directory;
    state.rooms.service_id = "ann/chat";
    runtime::CallOptions options;
    options.entry =
        spec.entry.empty() ? std::string(capabilities::room_event_export(kind)) : spec.entry;
    options.initializer = "_initialize";  // when the module has it (reactors)
    options.wasi.args = {"chat"};
    if (spec.room_event) {
      state.rooms.event = &event;
      state.rooms.current_room = event.room;
      options.wasi.env = {{"WA_EVENT", std::string(capabilities::room_event_name(kind))},
                          {"WA_ROOM", event.room},
                          {"WA_CONNECTION_ID", event.connection},
                          {"WA_ACTION", event.action}};
      if (kind == capabilities::RoomEventKind::kMessage) {
        options.wasi.env.emplace_back("WA_MESSAGE_TYPE", event.binary ? "binary" : "text");
        options.wasi.stdin_data = event.payload;
      }
    }
    options.imports.bind(state);
    out.call = engine().call(*module_, options);
    out.emitted = std::move(state.rooms.emitted);
    return out;
  }

  RoomRun join(RoomEventSpec spec = {}) { return run(capabilities::RoomEventKind::kJoin, spec); }
  RoomRun message(std::string payload, RoomEventSpec spec = {}) {
    spec.payload = std::move(payload);
    return run(capabilities::RoomEventKind::kMessage, spec);
  }
  RoomRun leave(RoomEventSpec spec = {}) { return run(capabilities::RoomEventKind::kLeave, spec); }

  bool loaded() const { return module_ != nullptr; }

 private:
  static runtime::Engine& engine() {
    static const std::filesystem::path cache =
        std::filesystem::temp_directory_path() / ("wa_room_guest_" + std::to_string(getpid()));
    static runtime::Engine* engine = [] {
      runtime::EngineConfig config;
      config.cache_dir = cache;
      config.tiers = runtime::EngineConfig::Tiers::kFastOnly;
      std::atexit([] {
        std::error_code ec;
        std::filesystem::remove_all(cache, ec);
      });
      return new runtime::Engine(config);  // lives until exit: modules outlive tests
    }();
    return *engine;
  }

  std::shared_ptr<runtime::Module> module_;
};

inline std::string payload_of(const capabilities::EmittedEvent& e) {
  return e.payload ? *e.payload : std::string();
}

}  // namespace wa::testing

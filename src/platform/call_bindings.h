// CallBindings: the capability states one guest call of an action is bound to (the
// `wasm_actions` and `wasi_experimental_http` import modules). A one-shot call keeps
// them on its stack; a live room instance keeps them as long as the instance, which holds
// pointers to them, and the platform refreshes the per-event parts before each event.
#pragma once

#include <cstdint>
#include <string>

#include "capabilities/experimental_http_module.h"
#include "capabilities/wasm_actions_module.h"

namespace wa::platform {

class ActionLog;

struct CallBindings {
  capabilities::WasmActionsState actions;
  capabilities::ExperimentalHttpState http;
  // Where refused outbound requests are logged (the current event's request id).
  ActionLog* log = nullptr;
  int64_t action_id = 0;
  std::string request_id;

  CallBindings() = default;
  // The states point into each other's storage: never copied or moved.
  CallBindings(const CallBindings&) = delete;
  CallBindings& operator=(const CallBindings&) = delete;
};

}  // namespace wa::platform

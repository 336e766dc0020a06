// LiveRoom: a room's live instance in persistent mode (settings.room_mode "persistent"),
// with the capability states it is bound to. The rooms layer holds one per live room and
// passes it to Platform::invoke_room_event, which makes, uses and discards the instance.
#pragma once

#include <memory>
#include <string>

#include "platform/call_bindings.h"
#include "runtime/live_instance.h"

namespace wa::platform {

struct LiveRoom {
  // Declared first, destroyed last: the instance holds pointers into the bindings.
  std::unique_ptr<CallBindings> bindings;
  std::unique_ptr<runtime::LiveInstance> instance;
  std::string module_sha256;  // the version it was made from; another version: a fresh one
  int version_number = 0;

  bool alive() const { return instance && instance->usable(); }
  void reset() {
    instance.reset();
    bindings.reset();
  }
};

}  // namespace wa::platform

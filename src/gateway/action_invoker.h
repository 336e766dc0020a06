// ActionInvoker: runs an action for one CGI request — the guest's input from the request,
// the platform's invoke, the end of the call mapped to a reply. Shared by HTTP requests
// (Gateway) and calls between actions (ActionCalls), so a chained callee sees exactly
// what it would see over HTTP.
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "capabilities/experimental_http_module.h"
#include "gateway/cgi_request.h"
#include "gateway/guest_reply.h"
#include "gateway/server_config.h"
#include "platform/platform.h"
#include "rooms/room_hub.h"

namespace wa::gateway {

class ActionInvoker {
 public:
  // `halting` is the gateway's "shutdown past its grace period" flag.
  // `hub` (nullptr: no rooms) answers the guest's room_connections and gets what its
  // room calls emitted (room_select + room_broadcast from an HTTP request).
  ActionInvoker(platform::Platform& platform, const ServerConfig& config,
                const std::atomic<bool>& halting, rooms::RoomHub* hub = nullptr)
      : platform_(platform), config_(config), halting_(halting), hub_(hub) {}

  struct Invocation {
    // Set when the guest did not run (disabled, compiling, module_failed, ...): recorded
    // already; the caller answers it.
    std::optional<Error> error;
    GuestReply reply;  // when it ran
    int version_number = 0;
  };

  // Runs `action` for `cgi` with `body` as stdin. `calls` is the invocation's entry point
  // for chained calls (nullptr: none). Records what only the gateway can judge (bad CGI
  // output, exit codes) in the action's log and metrics.
  Invocation run(const platform::Action& action, const CgiRequest& cgi, const std::string& body,
                 const std::string& request_id, capabilities::ActionCaller* calls);

  platform::Platform& platform() { return platform_; }
  const ServerConfig& config() const { return config_; }

 private:
  platform::Platform& platform_;
  const ServerConfig& config_;
  const std::atomic<bool>& halting_;
  rooms::RoomHub* hub_;
};

}  // namespace wa::gateway

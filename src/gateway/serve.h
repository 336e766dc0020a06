// serve(): runs the whole server (platform, worker pools, HTTP) until SIGTERM/SIGINT.
#pragma once

#include "gateway/server_config.h"
#include "platform/platform.h"
#include "rooms/room_hub.h"
#include "support/expected.h"

namespace wa::gateway {

// The platform's configuration for a server configuration.
platform::PlatformConfig platform_config(const ServerConfig& config);
// The room hub's limits for a server configuration (the --room-* settings).
rooms::RoomHubLimits room_hub_limits(const ServerConfig& config);

// Blocks until a SIGTERM or SIGINT, then stops accepting, lets requests in flight finish
// (up to shutdown_grace_seconds) and returns. Errors: the platform could not open, or
// the address could not be bound.
Status serve(const ServerConfig& config);

}  // namespace wa::gateway

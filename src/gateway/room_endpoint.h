// RoomEndpoint: `GET /rooms/<owner>/<action>/<room>` with a WebSocket upgrade. Checks the
// path, the action (granted `rooms`, else 404), the room name and the Origin (cross-site
// WebSocket hijacking), then upgrades and joins the connection to the room's hub.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gateway/cgi_request.h"
#include "gateway/http_types.h"
#include "gateway/server_config.h"
#include "rooms/room_hub.h"
#include "rooms/room_runner.h"

namespace wa::gateway {

// "/rooms" and everything below it (reserved, like /api/v1).
bool is_rooms_path(std::string_view path);

// Whether a browser page on `origin` may open a room WebSocket for `request`: no Origin
// (a non-browser client), the actions origin (actions_url, or the Host the client used),
// or one of `room_origins` ("*": any). Never the dashboard's origin unless listed: its
// page holds a developer's token.
bool room_origin_allowed(const ServerConfig& config, const HttpRequest& request);

class RoomEndpoint {
 public:
  // All must outlive the endpoint (and the WebSocket sessions it opens).
  RoomEndpoint(rooms::RoomRunner& runner, rooms::RoomHub& hub, const ServerConfig& config)
      : runner_(runner), hub_(hub), config_(config) {}

  // `cgi` describes the request as the HTTP path would (its env becomes onJoin's).
  // Runs on an I/O thread: the checks are in-memory lookups.
  HandlerResult handle(const HttpRequest& request, const RequestInfo& info, CgiRequest cgi);

  // The hub's limits as the WebSocket sessions apply them.
  WebSocketOptions socket_options() const;

 private:
  rooms::RoomRunner& runner_;
  rooms::RoomHub& hub_;
  const ServerConfig& config_;
};

}  // namespace wa::gateway

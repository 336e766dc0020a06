// RoomEndpoint: `GET /rooms/<owner>/<action>/<room>` with a WebSocket upgrade. Checks the
// path, the action (granted `rooms`, else 404), the room name and the Origin (cross-site
// WebSocket hijacking), then upgrades and joins the connection to the room's hub.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gateway/cgi_request.h"
#include "gateway/http_types.h"
#include "gateway/server_config.h"
#include "gateway/worker_pool.h"
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
  // All must outlive the endpoint (and the WebSocket sessions it opens). `lookups` runs
  // the owner lookups that miss the cache (a database read: never on an I/O thread).
  RoomEndpoint(rooms::RoomRunner& runner, rooms::RoomHub& hub, const ServerConfig& config,
               WorkerPool& lookups)
      : runner_(runner), hub_(hub), config_(config), lookups_(lookups) {}

  // `cgi` describes the request as the HTTP path would (its env becomes onJoin's). Called
  // on an I/O thread; answers there when the owner is cached (a join storm into one
  // room costs no database reads), else from `lookups`.
  void handle(HttpRequest request, const RequestInfo& info, CgiRequest cgi, Responder respond);

  // The hub's limits as the WebSocket sessions apply them.
  WebSocketOptions socket_options() const;

 private:
  // Everything after the owner is known: the action, its grant, the Origin, the upgrade.
  HandlerResult admit(const HttpRequest& request, const RequestInfo& info, CgiRequest cgi,
                      std::shared_ptr<const platform::Action> action);
  std::optional<int64_t> cached_owner(std::string_view name);
  void remember_owner(const std::string& name, int64_t id);

  rooms::RoomRunner& runner_;
  rooms::RoomHub& hub_;
  const ServerConfig& config_;
  WorkerPool& lookups_;
  // User name → id, for kOwnerTtl (a deleted and re-registered name is a new id).
  std::mutex owners_mutex_;
  std::unordered_map<std::string, std::pair<int64_t, std::chrono::steady_clock::time_point>>
      owners_;
};

}  // namespace wa::gateway

#include "gateway/room_endpoint.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/beast/websocket/rfc6455.hpp>
#include <cctype>

#include "capabilities/room_events.h"
#include "gateway/json_response.h"
#include "gateway/origins.h"
#include "gateway/websocket_session.h"

namespace wa::gateway {

namespace {

constexpr std::string_view kRoomsPrefix = "/rooms";
// How long a user name's id is trusted without asking the database again, and how many
// names are kept (past it the cache starts over: a bound, not an LRU).
constexpr std::chrono::seconds kOwnerTtl{60};
constexpr size_t kMaxCachedOwners = 10000;

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "/rooms/<owner>/<action>/<room>" → its three segments; false for any other shape.
bool split_room_path(std::string_view path, std::string_view& owner, std::string_view& action,
                     std::string_view& room) {
  if (!path.starts_with("/rooms/")) return false;
  std::string_view rest = path.substr(7);
  std::string_view* parts[] = {&owner, &action, &room};
  for (size_t i = 0; i < 3; ++i) {
    auto slash = rest.find('/');
    if (i < 2) {
      if (slash == std::string_view::npos) return false;
      *parts[i] = rest.substr(0, slash);
      rest = rest.substr(slash + 1);
    } else {
      if (slash != std::string_view::npos) return false;
      *parts[i] = rest;
    }
    if (parts[i]->empty()) return false;
  }
  return true;
}

HttpResponse plain(unsigned status, std::string message) {
  return text_response(status, "text/plain; charset=utf-8", std::move(message) + "\n");
}

}  // namespace

bool is_rooms_path(std::string_view path) {
  return path == kRoomsPrefix ||
         (path.starts_with(kRoomsPrefix) && path.size() > kRoomsPrefix.size() &&
          path[kRoomsPrefix.size()] == '/');
}

bool room_origin_allowed(const ServerConfig& config, const HttpRequest& request) {
  auto field = request.find(http::field::origin);
  if (field == request.end()) return true;  // not a browser: nothing to hijack
  std::string origin = lowercase(std::string_view(field->value().data(), field->value().size()));
  while (origin.ends_with('/')) origin.pop_back();
  for (const auto& listed : config.room_origins) {
    if (listed == "*") return true;
    auto normalized = origin_of_url(listed, "");
    if (normalized && *normalized == origin) return true;
  }
  // A browser's Origin is "scheme://host[:port]"; "null" (sandboxed frames, file:) and
  // anything else unparsable is refused.
  auto parsed = origin_of_url(origin, "");
  if (!parsed || *parsed != origin) return false;
  if (origin == dashboard_origin(config, request)) return false;
  if (!config.actions_url.empty()) {
    auto actions = origin_of_url(config.actions_url, "");
    if (actions && *actions == origin) return true;
  }
  // The page was served from the host this request names (the actions origin as the
  // client reached it, also behind a proxy that keeps the Host header).
  std::string host = lowercase(std::string_view(request[http::field::host]));
  if (host.empty()) return false;
  return origin == "http://" + host || origin == "https://" + host;
}

WebSocketOptions RoomEndpoint::socket_options() const {
  const auto& limits = hub_.limits();
  WebSocketOptions options;
  options.max_message_bytes = limits.max_message_bytes;
  options.messages_per_second = limits.messages_per_second;
  options.message_burst = limits.message_burst;
  options.max_queued_bytes = limits.max_queued_bytes;
  options.ping_interval = limits.ping_interval;
  options.idle_timeout = limits.idle_timeout;
  return options;
}

std::optional<int64_t> RoomEndpoint::cached_owner(std::string_view name) {
  std::lock_guard lock(owners_mutex_);
  auto it = owners_.find(std::string(name));
  if (it == owners_.end()) return std::nullopt;
  if (std::chrono::steady_clock::now() - it->second.second > kOwnerTtl) {
    owners_.erase(it);
    return std::nullopt;
  }
  return it->second.first;
}

void RoomEndpoint::remember_owner(const std::string& name, int64_t id) {
  std::lock_guard lock(owners_mutex_);
  if (owners_.size() >= kMaxCachedOwners) owners_.clear();
  owners_[name] = {id, std::chrono::steady_clock::now()};
}

void RoomEndpoint::handle(HttpRequest request, const RequestInfo& info, CgiRequest cgi,
                          Responder respond) {
  std::string_view path =
      split_target(std::string_view(request.target().data(), request.target().size())).first;
  std::string_view owner, name, room;
  if (!split_room_path(path, owner, name, room)) {
    return respond(plain(404, "room endpoints are /rooms/<owner>/<action>/<room>"));
  }
  if (request.method() != http::verb::get) {
    auto response = plain(405, "a room is joined with GET and a WebSocket upgrade");
    response.set(http::field::allow, "GET");
    return respond(std::move(response));
  }
  if (!boost::beast::websocket::is_upgrade(request)) {
    auto response = plain(426,
                          "this is a room: connect with a WebSocket (Connection: Upgrade, "
                          "Upgrade: websocket)");
    response.set(http::field::upgrade, "websocket");
    response.set(http::field::connection, "Upgrade");
    return respond(std::move(response));
  }
  if (!capabilities::is_room_name(room)) {
    return respond(plain(400, "invalid room name: 1-128 of letters, digits and _.~-"));
  }
  if (auto owner_id = cached_owner(owner)) {
    // In memory from here: the route table's copy of the action.
    auto action = runner_.platform().find_action(*owner_id, name);
    if (action && action->settings.capabilities.rooms) {
      return respond(admit(request, info, std::move(cgi), std::move(action)));
    }
  }
  auto shared = std::make_shared<HttpRequest>(std::move(request));
  auto shared_cgi = std::make_shared<CgiRequest>(std::move(cgi));
  bool queued = lookups_.try_submit(
      [this, shared, shared_cgi, info, respond, owner = std::string(owner),
       name = std::string(name)] {
        auto action = runner_.find_room_action(owner, name);
        if (!action) {
          // Absent, or not granted rooms: the same answer, revealing nothing.
          return respond(plain(404, "no room handler at /rooms/" + owner + "/" + name));
        }
        remember_owner(owner, (*action)->owner_id);
        respond(admit(*shared, info, std::move(*shared_cgi), std::move(*action)));
      },
      [respond] { respond(plain(503, "the server is shutting down")); });
  if (!queued) {
    auto busy = plain(503, "the server is busy; retry shortly");
    busy.set(http::field::retry_after, "1");
    respond(std::move(busy));
  }
}

HandlerResult RoomEndpoint::admit(const HttpRequest& request, const RequestInfo& info,
                                  CgiRequest cgi, std::shared_ptr<const platform::Action> action) {
  std::string_view path =
      split_target(std::string_view(request.target().data(), request.target().size())).first;
  std::string_view owner, name, room;
  split_room_path(path, owner, name, room);
  if (!room_origin_allowed(config_, request)) {
    spdlog::warn("request={} room={}/{}/{} refused: origin \"{}\" not allowed", info.request_id,
                 owner, name, room, std::string(request[http::field::origin]).substr(0, 200));
    return plain(403,
                 "this origin may not open the room (allowed: the actions origin and "
                 "--room-origins)");
  }
  cgi.matched_route = std::string(path);
  auto env = build_cgi_invocation(cgi, {}).env;
  WebSocketUpgrade upgrade;
  upgrade.options = socket_options();
  upgrade.on_open = [this, action = std::move(action), room = std::string(room),
                     env = std::move(env)](std::shared_ptr<WebSocketSession> session) mutable {
    auto id = std::make_shared<std::string>();
    rooms::RoomHub* hub = &hub_;
    // Both run on the session's strand, as on_open does: *id is set before either.
    session->set_handlers([hub, id](std::string payload,
                                    bool binary) { hub->message(*id, std::move(payload), binary); },
                          [hub, id] { hub->leave(*id); });
    std::weak_ptr<WebSocketSession> weak = session;
    *id = hub_.join(std::move(action), std::move(room), std::move(env), session,
                    [weak](rooms::JoinOutcome joined) {
                      // Refused: the hub closed the connection with the outcome's code.
                      if (!joined.joined) return;
                      if (auto open = weak.lock()) open->start_reading();
                    });
  };
  return upgrade;
}

}  // namespace wa::gateway

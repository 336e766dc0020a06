// RestApi: the JSON API under /api/v1/ that the dashboard and the CLI use. It answers on
// both origins (actions and dashboard) and sends no CORS headers: each client calls it on
// the origin it is on.
//
// Credentials: "Authorization: Bearer <session JWT | API token>" only; a token in the
// URL (?token=) is refused everywhere. Scopes: read (GET actions, logs, stats), deploy
// (create, update, delete, rollback, settings), admin (/admin/...); sessions have all of
// their owner's, API tokens the ones they were created with (default read + deploy).
//   POST /auth/register, /auth/login   {username, password[, invite]} -> {token, user, ...}
//   POST /auth/logout                  revokes the session (or API token) it is sent with
//   GET  /origins                      {dashboard, actions}: where each origin is
//   POST /tokens {name, scopes?}       session only; GET /tokens; DELETE /tokens/ID
//   POST /actions/NAME/logs/ticket     {ticket, stream, expires_at}: one stream, once, 60 s
//   GET  /actions/NAME/logs/stream     Bearer (read) or ?ticket=
//   GET  /requests/ID[?limit=N]        (read) the lines of a request and of the calls chained
//                                      from it (ids ID.1, ID.1.2, ...), of the caller's own
//                                      actions: {request_id, entries: [{action, ...line}]}
//   GET  /actions/NAME/rooms           (read) the live rooms: {rooms: [{room, connections,
//                                      messages_in, messages_out, messages_per_second,
//                                      persistent, recent: [{time, kind, connection,
//                                      summary}]}]}
//   POST /actions/NAME/rooms/ROOM/messages  (deploy) {payload, payload_encoding: "utf8" |
//                                      "base64"}: runs onMessage as connection "dashboard",
//                                      delivers what it emitted to the room's members and
//                                      answers {events: [emitted events], outcome,
//                                      duration_ms, ran}
//   (both 503 rooms_unavailable on a server without a room hub)
// GET /metrics (outside /api/v1) is answered here too: totals for anyone, a user's own
// actions for them, every action for admins and the --metrics-token.
#pragma once

#include <string>
#include <string_view>

#include "gateway/http_types.h"
#include "gateway/server_config.h"
#include "platform/platform.h"
#include "rooms/room_hub.h"

namespace wa::gateway {

// The bearer token of an Authorization header, or "" (never a token in the URL).
std::string bearer_token(const HttpRequest& request);

class RestApi {
 public:
  // `rooms`: the server's live rooms (nullptr: the room routes answer 503).
  RestApi(platform::Platform& platform, const ServerConfig& config,
          rooms::RoomHub* rooms = nullptr);

  // Runs on an API worker thread (it may hash passwords and touch the database).
  // Also answers GET /metrics (its reader is authenticated like an API caller).
  HandlerResult handle(const HttpRequest& request, const RequestInfo& info);

 private:
  struct Call;
  HandlerResult route(Call& call);
  // The bearer token of the Authorization header (never the URL: item 14).
  Expected<platform::Principal> authenticate(const Call& call);
  HttpResponse metrics(const HttpRequest& request);

  HttpResponse register_user(Call& call);
  HttpResponse login(Call& call);
  HttpResponse logout(const platform::Principal& who);
  HttpResponse origins(Call& call);
  HttpResponse me(Call& call, const platform::Principal& who);
  HttpResponse create_token(Call& call, const platform::Principal& who);
  HttpResponse list_tokens(const platform::Principal& who);
  HttpResponse revoke_token(const platform::Principal& who, std::string_view id);
  HttpResponse list_actions(const platform::Principal& who);
  HttpResponse create_action(Call& call, const platform::Principal& who);
  HttpResponse show_action(const platform::Principal& who, std::string_view name);
  HttpResponse patch_action(Call& call, const platform::Principal& who, std::string_view name);
  HttpResponse delete_action(const platform::Principal& who, std::string_view name);
  HttpResponse put_module(Call& call, const platform::Principal& who, std::string_view name);
  HttpResponse rollback(Call& call, const platform::Principal& who, std::string_view name);
  HttpResponse logs(Call& call, const platform::Principal& who, std::string_view name);
  HandlerResult log_stream(Call& call, std::string_view name);
  HttpResponse stream_ticket(const platform::Principal& who, std::string_view name);
  HttpResponse stats(const platform::Principal& who, std::string_view name);
  HttpResponse list_rooms(const platform::Principal& who, std::string_view name);
  HttpResponse room_message(Call& call, const platform::Principal& who, std::string_view name,
                            std::string_view room);
  HttpResponse request_chain(Call& call, const platform::Principal& who, std::string_view id);
  HttpResponse admin_settings(Call& call, const platform::Principal& who);
  HttpResponse admin_invites(Call& call, const platform::Principal& who);
  HttpResponse admin_users(Call& call, const platform::Principal& who);

  platform::Platform& platform_;
  const ServerConfig& config_;
  rooms::RoomHub* rooms_;
};

}  // namespace wa::gateway

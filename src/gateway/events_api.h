// EventsApi: room events over the network, for a host that owns its WebSocket sockets
// (issue 15; docs/events-api.md). It runs the action's onJoin / onMessage / onLeave through
// the embeddable RoomRunner and answers exactly the events the guest emitted, in order,
// for the caller to deliver.
//   POST /api/v1/events        {"action": "<owner>/<name>", "event": "join"|"message"|"leave",
//                               "room", "connection", "payload", "payload_encoding":
//                               "utf8"|"base64", "message_type"?, "connections": [ids],
//                               "env"?: {NAME: value}}
//                              → {"events": [...], "duration_ms", "outcome", "ran"}
//   POST /api/v1/events:batch  {"events": [event, ...]} → {"results": [answer | error]}
// Bearer token with the `events` scope, of the action's developer or an admin (another
// developer's action is a 404). Runs on a guest worker (a handler may run to its limit).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "gateway/http_types.h"
#include "platform/platform.h"
#include "rooms/room_runner.h"
#include "support/token_bucket.h"

namespace wa::gateway {

struct EventsApiLimits {
  uint64_t max_payload_bytes = 1u << 20;  // one event's payload, decoded (413 beyond)
  unsigned max_batch = 1000;              // events in one batch (413 beyond)
  unsigned max_connections = 100000;      // ids in one event's "connections" (413 beyond)
  unsigned events_per_second = 5000;      // per credential (token or session) ...
  unsigned burst = 10000;                 // ... with this burst (429 beyond)
};

class EventsApi {
 public:
  EventsApi(platform::Platform& platform, rooms::RoomRunner& runner, EventsApiLimits limits = {});

  // True for the paths this API answers (/api/v1/events and /api/v1/events:batch).
  static bool handles(std::string_view path);
  HttpResponse handle(const HttpRequest& request, const RequestInfo& info);

 private:
  // One event: the answer object, or {"error", "message", "status"} (`status` out).
  nlohmann::json run_one(const nlohmann::json& body, const platform::Principal& who,
                         const std::string& request_id, unsigned& status);
  bool admit(const platform::Principal& who, unsigned events);

  platform::Platform& platform_;
  rooms::RoomRunner& runner_;
  EventsApiLimits limits_;
  std::mutex buckets_mutex_;
  std::unordered_map<std::string, TokenBucket> buckets_;  // per credential
};

}  // namespace wa::gateway

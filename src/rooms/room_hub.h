// RoomHub: the server's live rooms. Holds every room's connections, runs each room's
// events one at a time and in order on the guest workers (rooms run in parallel with
// each other), and delivers what the handlers emitted to the connections. Knows nothing
// about sockets: the gateway's WebSocket sessions are RoomConnections.
//
//   auto id = hub.join(action, "lobby", env, session, [](JoinOutcome joined) { ... });
//   hub.message(id, payload, binary);   // from the session's reads (then message_done)
//   hub.leave(id);                      // socket closed
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "capabilities/room_events.h"
#include "platform/action.h"
#include "rooms/room_runner.h"
#include "support/expected.h"

namespace wa::rooms {

// One client connection as the hub sees it (a WebSocket session). Called from any thread.
class RoomConnection {
 public:
  virtual ~RoomConnection() = default;
  // Queues one message and returns at once. False if the connection is closing, or if
  // the message would take its unsent bytes past RoomHubLimits::max_queued_bytes: the
  // connection is then dropped (closed with 1008, "too slow") and leaves its room.
  virtual bool send(std::shared_ptr<const std::string> payload, bool binary) = 0;
  // Sends a close frame (after what is queued) and ends the connection.
  virtual void close(int code, std::string reason) = 0;
  // The hub is done with the last message this connection passed to RoomHub::message
  // (its onMessage ran, or it was dropped): a session that pauses its reads until then
  // resumes them, so a flooding client is held back by its room's pace.
  virtual void message_done() {}
};

struct RoomHubLimits {
  uint64_t max_message_bytes = 1u << 20;      // an incoming message (close 1009 beyond)
  unsigned messages_per_second = 200;         // per connection, token bucket ...
  unsigned message_burst = 400;               // ... of this size (close 1008 beyond)
  unsigned max_connections_per_room = 10000;  // a join beyond is refused (1013 try again)
  unsigned max_rooms = 100000;                // live rooms on the server
  uint64_t max_queued_bytes = 1u << 20;       // unsent per connection; beyond: dropped
  unsigned max_pending_events = 1024;         // per room, waiting for the handler (1013)
  std::chrono::seconds ping_interval{30};     // the session pings when idle this long
  std::chrono::seconds idle_timeout{120};     // no frame (not even a pong): closed 1001
  // Rooms whose events run at once: each is one job on the guest workers, so this many
  // workers at most are busy with rooms (the others stay free for HTTP calls).
  unsigned max_parallel_rooms = 4;
};

// A live room, for the REST API and the dashboard.
struct RoomInfo {
  std::string room;
  size_t connections = 0;
  uint64_t messages_in = 0;        // onMessage events
  uint64_t messages_out = 0;       // messages delivered to connections
  double messages_per_second = 0;  // onMessage events, last 10 s
  bool persistent = false;         // a live instance holds this room's state
  struct RecentEvent {
    int64_t time_ms = 0;  // unix ms
    std::string kind;     // join | message | leave | broadcast | to_connection | reply | error
    std::string connection;
    std::string summary;  // the first 120 bytes of the payload, or the error
  };
  std::vector<RecentEvent> recent;  // newest last, at most 20
};

struct JoinOutcome {
  bool joined = false;
  std::string connection_id;  // set in both cases
  int close_code = 0;         // refused: 1008 (the handler), 1011 (it failed), 1013 (full)
  std::string reason;
};

class RoomHub {
 public:
  // `submit` queues a job on the guest workers (false: queue full; the event is then
  // refused or dropped with a log line). Events run through `runner`.
  using Submit = std::function<bool(std::function<void()>)>;
  RoomHub(RoomRunner& runner, Submit submit, RoomHubLimits limits = {});
  ~RoomHub();
  RoomHub(const RoomHub&) = delete;
  RoomHub& operator=(const RoomHub&) = delete;

  // A new connection to `room` of `action` (granted rooms: the gateway checked). Assigns
  // the connection id (returned at once, so the caller can leave() before `done`), runs
  // onJoin, delivers what it emitted and calls `done` (any thread; at once, inside join,
  // when the server holds max_rooms). When joined, the connection is a member before its
  // onJoin events are delivered, so its own join broadcast reaches it; it is listed by
  // room_connections during its own onJoin. Refused (by onJoin, a full room, a handler
  // that cannot run), the hub closes the connection with the outcome's code and reason
  // and delivers nothing onJoin emitted.
  std::string join(std::shared_ptr<const platform::Action> action, std::string room,
                   std::vector<std::pair<std::string, std::string>> env,
                   std::shared_ptr<RoomConnection> connection,
                   std::function<void(JoinOutcome)> done);
  // A message from a member (after the session checked size and rate). The hub calls
  // the connection's message_done() once it ran onMessage for it (or dropped it); past
  // max_pending_events queued in the room the sender is closed 1013.
  void message(std::string_view connection_id, std::string payload, bool binary);
  // The member's socket closed: it leaves the room at once, then onLeave runs.
  void leave(std::string_view connection_id);

  // Events an HTTP invocation emitted (room_select from a route handler): delivered to
  // the action's rooms.
  void deliver(int64_t action_id, const std::vector<capabilities::EmittedEvent>& events);
  // The action's rooms as a directory (for an HTTP invocation's room_connections).
  capabilities::RoomDirectory& directory(int64_t action_id);

  // For the REST API and the dashboard.
  std::vector<RoomInfo> rooms(int64_t action_id) const;
  // A test message from the dashboard: runs onMessage in `room` as connection
  // "dashboard" (not a member), delivers what it emitted to the members and returns it.
  Expected<EventResult> test_message(std::shared_ptr<const platform::Action> action,
                                     std::string room, std::string payload, bool binary);

  // Server shutdown: closes every connection with 1001 (going away).
  void close_all();
  // Forgets every connection and queued event without running anything (after the guest
  // workers and the I/O have stopped: the sessions it held are released here, while the
  // I/O context they belong to still exists).
  void detach_all();
  size_t connection_count() const;
  const RoomHubLimits& limits() const { return limits_; }

 private:
  struct Impl;
  RoomHubLimits limits_;
  std::unique_ptr<Impl> impl_;
};

// A connection id unique across the installation and never reused: a random node
// prefix chosen at start, a counter, and random bytes ([A-Za-z0-9_-], ≤ 40 chars).
std::string new_connection_id();

}  // namespace wa::rooms

// Room events: what a room handler runs for (RoomEvent), what its room calls and its
// output emit (EmittedEvent, the one event schema of decisions.md), who is in a room
// (RoomDirectory), and the rooms part of the `wasm_actions` per-call state.
//
// The guest functions (room_broadcast, room_send, room_connections, room_select,
// event_get, event_payload; host-abi.md "Rooms") only record what the guest asked for:
// the caller of the event (the gateway's room hub, the embeddable API, the event API)
// delivers the emitted events after the handler returns, in order.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wa::capabilities {

enum class RoomEventKind : uint8_t { kJoin, kMessage, kLeave };
std::string_view room_event_name(RoomEventKind kind);  // "join" | "message" | "leave"
// The export a kind runs: "onJoin" | "onMessage" | "onLeave".
std::string_view room_event_export(RoomEventKind kind);

// The event a handler runs for (event_get / event_payload; env WA_* in per-event mode).
struct RoomEvent {
  RoomEventKind kind = RoomEventKind::kMessage;
  std::string room;
  std::string connection;  // [A-Za-z0-9_-]{1,64}
  std::string action;      // the action's name (WA_ACTION)
  bool binary = false;     // message: a binary frame (WA_MESSAGE_TYPE=binary)
  std::string payload;     // message bytes; empty for join and leave
  std::string query;       // join: the upgrade request's query string (event_get "query")
};

// {"event", "room", "connection", "action", "message_type"} as event_get returns it
// (message_type: "text" | "binary"; for join and leave "text"), and on join "query" (the
// upgrade request's query string, so persistent instances see it too).
std::string room_event_json(const RoomEvent& event);

// One thing the guest emitted, delivered by whoever ran the event.
struct EmittedEvent {
  enum class Type : uint8_t { kBroadcast, kToConnection, kReply, kLog, kError, kRefused };
  Type type = Type::kBroadcast;
  std::string room;
  // kToConnection: the target; kReply and kRefused: the event's own connection.
  std::string connection;
  std::vector<std::string> except;  // kBroadcast: ids left out
  // Shared: one broadcast to 1,000 connections holds its bytes once.
  std::shared_ptr<const std::string> payload;
  bool binary = false;     // sent as a binary frame (the payload is not valid UTF-8)
  std::string service_id;  // "<owner>/<action>"
  int close_code = 0;      // kRefused: the WebSocket close code (1008 policy, 1011 failure)
  std::string reason;      // kRefused: the close reason (≤ 123 bytes, valid UTF-8)
};
std::string_view emitted_type_name(EmittedEvent::Type type);  // "broadcast", "to_connection", ...

// The schema's JSON: {type, room, connection?, except?, payload, payload_encoding
// ("utf8" | "base64"), message_type ("text" | "binary"), service_id, close_code?, reason?}.
nlohmann::json emitted_event_json(const EmittedEvent& event);

// A payload as the guest gave it: a text frame when it is valid UTF-8, binary otherwise
// (host-abi.md).
EmittedEvent make_message_event(EmittedEvent::Type type, std::string room, std::string payload,
                                std::string service_id);

// Who is in the rooms of one action: the gateway's hub, or the membership an external
// host supplied with the event. Called from guest threads; must be thread-safe.
class RoomDirectory {
 public:
  virtual ~RoomDirectory() = default;
  // The room's connection ids (any order; empty if the room has none).
  virtual std::vector<std::string> connections(std::string_view room) = 0;
  virtual bool contains(std::string_view room, std::string_view connection) = 0;
};

// A fixed membership: room → connection ids (tests, and hosts that know their sockets,
// e.g. the event API's supplied `connections`).
class StaticDirectory final : public RoomDirectory {
 public:
  StaticDirectory() = default;
  // An initializer list, not a map: `{{"lobby", {"c1"}}}` must not read as a copy.
  StaticDirectory(
      std::initializer_list<std::pair<const std::string, std::vector<std::string>>> rooms)
      : rooms_(rooms) {}
  void set(std::string room, std::vector<std::string> connections);
  std::vector<std::string> connections(std::string_view room) override;
  bool contains(std::string_view room, std::string_view connection) override;

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<std::string>, std::less<>> rooms_;
};

struct RoomCallLimits {
  uint64_t max_message_bytes = 1u << 20;   // one broadcast/send payload (7 too_large)
  uint64_t max_emitted_bytes = 16u << 20;  // all payloads of one event (8 quota_exceeded)
  unsigned max_emitted_events = 4096;      // messages one event may emit (8 quota_exceeded)
};

// The rooms part of WasmActionsState: set by the platform for each call.
struct RoomCallState {
  bool granted = false;                // the action's `rooms` grant
  const RoomEvent* event = nullptr;    // nullptr: not a room event (an HTTP request)
  std::string current_room;            // the event's room, or what room_select chose
  RoomDirectory* directory = nullptr;  // nullptr: nobody is connected anywhere
  std::string service_id;              // "<owner>/<action>"
  RoomCallLimits limits;

  // Filled during the call, in the order the guest made its calls.
  std::vector<EmittedEvent> emitted;
  uint64_t emitted_bytes = 0;
  // room_refuse during a join: the connection is turned away (1008, this reason) and the
  // handler returns normally, so a persistent instance lives on.
  bool refused = false;
  std::string refuse_reason;
};

// Connection ids: [A-Za-z0-9_-]{1,64}.
bool is_connection_id(std::string_view id);
// Room names: 1-128 bytes of [A-Za-z0-9_.~-] (unreserved URL characters, so the name is
// its own path segment).
bool is_room_name(std::string_view name);

}  // namespace wa::capabilities

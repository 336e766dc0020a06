#include "capabilities/room_events.h"

#include <algorithm>

#include "support/base64.h"
#include "support/utf8.h"

namespace wa::capabilities {

std::string_view room_event_name(RoomEventKind kind) {
  switch (kind) {
    case RoomEventKind::kJoin:
      return "join";
    case RoomEventKind::kMessage:
      return "message";
    case RoomEventKind::kLeave:
      return "leave";
  }
  return "message";
}

std::string_view room_event_export(RoomEventKind kind) {
  switch (kind) {
    case RoomEventKind::kJoin:
      return "onJoin";
    case RoomEventKind::kMessage:
      return "onMessage";
    case RoomEventKind::kLeave:
      return "onLeave";
  }
  return "onMessage";
}

std::string room_event_json(const RoomEvent& event) {
  nlohmann::json out = {{"event", room_event_name(event.kind)},
                        {"room", event.room},
                        {"connection", event.connection},
                        {"action", event.action},
                        {"message_type", event.binary ? "binary" : "text"}};
  if (event.kind == RoomEventKind::kJoin) out["query"] = event.query;
  // Names are checked ASCII, so dump cannot meet invalid UTF-8; replace keeps it total.
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string_view emitted_type_name(EmittedEvent::Type type) {
  switch (type) {
    case EmittedEvent::Type::kBroadcast:
      return "broadcast";
    case EmittedEvent::Type::kToConnection:
      return "to_connection";
    case EmittedEvent::Type::kReply:
      return "reply";
    case EmittedEvent::Type::kLog:
      return "log";
    case EmittedEvent::Type::kError:
      return "error";
    case EmittedEvent::Type::kRefused:
      return "refused";
  }
  return "error";
}

nlohmann::json emitted_event_json(const EmittedEvent& event) {
  nlohmann::json out = {{"type", emitted_type_name(event.type)}, {"room", event.room}};
  if (!event.connection.empty()) out["connection"] = event.connection;
  if (!event.except.empty()) out["except"] = event.except;
  const std::string& payload = event.payload ? *event.payload : std::string();
  const bool text = is_valid_utf8(payload);
  out["payload"] = text ? payload : base64_encode(payload);
  out["payload_encoding"] = text ? "utf8" : "base64";
  out["message_type"] = event.binary ? "binary" : "text";
  out["service_id"] = event.service_id;
  if (event.type == EmittedEvent::Type::kRefused) {
    out["close_code"] = event.close_code;
    out["reason"] = event.reason;
  }
  return out;
}

EmittedEvent make_message_event(EmittedEvent::Type type, std::string room, std::string payload,
                                std::string service_id) {
  EmittedEvent event;
  event.type = type;
  event.room = std::move(room);
  event.binary = !is_valid_utf8(payload);
  event.payload = std::make_shared<const std::string>(std::move(payload));
  event.service_id = std::move(service_id);
  return event;
}

void StaticDirectory::set(std::string room, std::vector<std::string> connections) {
  std::lock_guard lock(mutex_);
  rooms_[std::move(room)] = std::move(connections);
}

std::vector<std::string> StaticDirectory::connections(std::string_view room) {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(room);
  return it == rooms_.end() ? std::vector<std::string>{} : it->second;
}

bool StaticDirectory::contains(std::string_view room, std::string_view connection) {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(room);
  return it != rooms_.end() &&
         std::find(it->second.begin(), it->second.end(), connection) != it->second.end();
}

namespace {

bool all_of_chars(std::string_view text, std::string_view extra) {
  for (char c : text) {
    const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && extra.find(c) == std::string_view::npos) return false;
  }
  return true;
}

}  // namespace

bool is_connection_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && all_of_chars(id, "_-");
}

bool is_room_name(std::string_view name) {
  return !name.empty() && name.size() <= 128 && all_of_chars(name, "_.~-");
}

}  // namespace wa::capabilities

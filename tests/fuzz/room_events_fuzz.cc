// Fuzzes what the rooms layer decides from untrusted bytes without Beast: the text or
// binary choice for a guest's message (support/utf8, hand-written), the schema JSON of an
// emitted event (payload as utf8 or base64, what the REST API and the dashboard show),
// base64 (the dashboard's test message arrives base64-encoded), the room and connection
// name checks, and the event JSON a guest reads with event_get. WebSocket frames are
// parsed by Beast and the guest's except list inside the wasm_actions module, so neither
// is here. The first byte picks the mode.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "capabilities/room_events.h"
#include "support/base64.h"
#include "support/utf8.h"

namespace {

using wa::capabilities::EmittedEvent;

[[noreturn]] void fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "room events invariant violated: %s (input %zu bytes)\n", what,
               input.size());
  std::abort();
}

// An independent UTF-8 check: nlohmann's strict serializer (a DFA after Hoehrmann)
// refuses exactly the ill-formed sequences RFC 3629 forbids.
bool reference_utf8(std::string_view bytes) {
  try {
    (void)nlohmann::json(std::string(bytes)).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

bool only_chars(std::string_view text, std::string_view extra) {
  for (char c : text) {
    bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && extra.find(c) == std::string_view::npos) return false;
  }
  return true;
}

// A guest's message: sent as text exactly when it is valid UTF-8, and its schema JSON
// gives back the same bytes.
void message(std::string_view payload) {
  const bool valid = wa::is_valid_utf8(payload);
  if (valid != reference_utf8(payload)) fail("is_valid_utf8 disagrees with the reference", payload);
  EmittedEvent event = wa::capabilities::make_message_event(EmittedEvent::Type::kBroadcast, "lobby",
                                                            std::string(payload), "ann/chat");
  if (!event.payload || *event.payload != payload) fail("payload changed", payload);
  if (event.binary == valid) fail("binary is not the opposite of valid UTF-8", payload);
  event.except = {"c1", "c-2_x"};

  std::string text;
  try {
    text = wa::capabilities::emitted_event_json(event).dump();
  } catch (const nlohmann::json::exception&) {
    fail("emitted event JSON does not serialize", payload);
  }
  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) fail("emitted event JSON does not parse", payload);
  if (json.value("type", "") != "broadcast" || json.value("room", "") != "lobby" ||
      json.value("service_id", "") != "ann/chat") {
    fail("fields changed", payload);
  }
  if (json.value("message_type", "") != (valid ? "text" : "binary"))
    fail("message_type does not follow the payload", payload);
  if (!json.contains("except") || json["except"].size() != 2) fail("except list lost", payload);
  const std::string encoding = json.value("payload_encoding", "");
  const std::string shown = json.value("payload", "");
  if (encoding == "utf8") {
    if (!valid || shown != payload) fail("utf8 payload is not the message", payload);
  } else if (encoding == "base64") {
    auto decoded = wa::base64_decode(shown);
    if (valid || !decoded || *decoded != payload)
      fail("base64 payload is not the message", payload);
  } else {
    fail("unknown payload_encoding", payload);
  }
  auto round = wa::base64_decode(wa::base64_encode(payload));
  if (!round || *round != payload) fail("base64 does not round-trip", payload);
}

// Base64 from a client: what decodes is canonical (encoding it again gives the text).
void base64(std::string_view text) {
  auto decoded = wa::base64_decode(text);
  if (!decoded) return;
  if (wa::base64_encode(*decoded) != text) fail("accepted base64 is not canonical", text);
}

// Names from a URL and an event context: the checks match their documented alphabets,
// and the event JSON carries accepted names unchanged (any names: it stays JSON).
void names(std::string_view input, uint8_t flags) {
  size_t first = input.find('\n');
  size_t second = first == std::string_view::npos ? first : input.find('\n', first + 1);
  std::string_view room = input.substr(0, first);
  std::string_view connection =
      first == std::string_view::npos ? "" : input.substr(first + 1, second - first - 1);
  std::string_view action = second == std::string_view::npos ? "" : input.substr(second + 1);

  const bool room_ok = wa::capabilities::is_room_name(room);
  if (room_ok != (!room.empty() && room.size() <= 128 && only_chars(room, "_.~-")))
    fail("is_room_name disagrees with [A-Za-z0-9_.~-]{1,128}", input);
  const bool connection_ok = wa::capabilities::is_connection_id(connection);
  if (connection_ok !=
      (!connection.empty() && connection.size() <= 64 && only_chars(connection, "_-")))
    fail("is_connection_id disagrees with [A-Za-z0-9_-]{1,64}", input);

  wa::capabilities::RoomEvent event;
  event.kind = static_cast<wa::capabilities::RoomEventKind>((flags >> 1) % 3);
  event.room = std::string(room);
  event.connection = std::string(connection);
  event.action = std::string(action);
  event.binary = flags & 0x10;
  event.payload = std::string(input);  // not part of the JSON: event_payload carries it
  auto json = nlohmann::json::parse(wa::capabilities::room_event_json(event), nullptr, false);
  if (json.is_discarded() || !json.is_object() || json.size() != 5)
    fail("event JSON is not the five-field object", input);
  if (json.value("event", "") != wa::capabilities::room_event_name(event.kind))
    fail("event name changed", input);
  if (json.value("message_type", "") != (event.binary ? "binary" : "text"))
    fail("message_type changed", input);
  if (room_ok && json.value("room", "") != room) fail("room changed", input);
  if (connection_ok && json.value("connection", "") != connection)
    fail("connection changed", input);
  if (wa::is_valid_utf8(action) && json.value("action", "") != action)
    fail("action changed", input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      message(input);
      break;
    case 1:
      base64(input);
      break;
    default:
      names(input, data[0]);
      break;
  }
  return 0;
}

/* Calls every function of wasm_actions_rooms.h and uses its export macros, so that ctest
 * (tests/cli/CMakeLists.txt) compiles the header strictly as C11 and as C++17 (-Werror).
 * Compiled only (-c); tests/cli/sdk_c_rooms_test.cc runs a real handler. */
#include <wasm_actions_rooms.h>

static int check_join(const wa_event* e) {
  if (e->kind == WA_EVENT_UNKNOWN) return wa_room_refuse("unknown");
  return wa_room_broadcast_str(wa_event_kind_name(e->kind), e->connection) != WA_OK;
}

static void check_message(const wa_event* e, const uint8_t* data, uint32_t len) {
  char** ids = NULL;
  size_t count = 0;
  uint32_t err = wa_room_connection_list(&ids, &count);
  if (err == WA_OK && count > 0) err = wa_room_send_str(ids[0], e->room);
  free(ids);
  wa_event parsed;
  err |= wa_event_parse("{}", 2, &parsed);
  err |= wa_room_select("lobby");
  wa_room_reply(data, len);
  wa_room_reply_str(wa_error_name(err));
}

static void check_leave(const wa_event* e) {
  wa_event again;
  if (wa_event_read(&again) == WA_OK) wa_room_broadcast_str(e->connection, NULL);
}

WA_ON_JOIN(check_join)
WA_ON_MESSAGE(check_message)
WA_ON_LEAVE(check_leave)

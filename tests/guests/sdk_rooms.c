// wa-guest: reactor
// SDK test guest: a room handler on sdk/c/wasm_actions_rooms.h (built as a reactor, as
// the header says room handlers are). tests/cli/sdk_c_rooms_test.cc runs its exports.
//   onJoin:    ids starting with "banned" are refused ("banned: <id>"); others get
//              "welcome <id> to <room>" and the room "joined <id>" (everyone but them)
//   onMessage: "who"                 reply: the room's ids, comma-separated (sorted)
//              "event"               reply: the parsed wa_event
//              "to <id> <text>"      wa_room_send_str, reply: the error name
//              "select <room> <text>" select, then broadcast; reply: both error names
//              "size"                reply: "len=<n> last=<last byte>" (payload retry)
//              "print <text>"        printf without a flush (the export flushes)
//              anything else         broadcast to the others as it came (binary too);
//                                    reply "ok" or the error name
//   onLeave:   "left <id>" to the room
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasm_actions_rooms.h>

static int on_join(const wa_event* e) {
  char text[160];
  if (strncmp(e->connection, "banned", 6) == 0) {
    snprintf(text, sizeof text, "banned: %s", e->connection);
    return wa_room_refuse(text);
  }
  snprintf(text, sizeof text, "joined %s", e->connection);
  wa_room_broadcast_str(text, e->connection);
  printf("welcome %s to %s", e->connection, e->room);
  return 0;
}

static int by_name(const void* a, const void* b) {
  return strcmp(*(const char* const*)a, *(const char* const*)b);
}

static void on_message(const wa_event* e, const uint8_t* data, uint32_t len) {
  const char* text = (const char*)data;  // NUL-terminated by the SDK
  char reply[512];
  if (strcmp(text, "who") == 0) {
    char** ids;
    size_t n;
    uint32_t err = wa_room_connection_list(&ids, &n);
    if (err) {
      wa_room_reply_str(wa_error_name(err));
      return;
    }
    qsort(ids, n, sizeof *ids, by_name);
    for (size_t i = 0; i < n; ++i) {
      if (i) wa_room_reply_str(",");
      wa_room_reply_str(ids[i]);
    }
    free(ids);
  } else if (strcmp(text, "event") == 0) {
    snprintf(reply, sizeof reply, "kind=%s room=%s connection=%s action=%s binary=%d",
             wa_event_kind_name(e->kind), e->room, e->connection, e->action, e->binary);
    wa_room_reply_str(reply);
  } else if (strncmp(text, "to ", 3) == 0) {
    char id[80] = "";
    int used = 0;
    sscanf(text + 3, "%79s %n", id, &used);
    wa_room_reply_str(wa_error_name(wa_room_send_str(id, text + 3 + used)));
  } else if (strncmp(text, "select ", 7) == 0) {
    char room[200] = "";
    int used = 0;
    sscanf(text + 7, "%199s %n", room, &used);
    uint32_t selected = wa_room_select(room);
    uint32_t sent = wa_room_broadcast_str(text + 7 + used, NULL);
    snprintf(reply, sizeof reply, "%s %s", wa_error_name(selected), wa_error_name(sent));
    wa_room_reply_str(reply);
  } else if (strcmp(text, "size") == 0 || (len > 4 && memcmp(text, "size", 4) == 0)) {
    snprintf(reply, sizeof reply, "len=%u last=%c", len, len ? data[len - 1] : '-');
    wa_room_reply_str(reply);
  } else if (strncmp(text, "print ", 6) == 0) {
    printf("%s", text + 6);  // no flush here: WA_ON_MESSAGE flushes at the end
  } else {
    uint32_t err = wa_room_broadcast(data, len, e->connection);
    wa_room_reply_str(err ? wa_error_name(err) : "ok");
  }
}

static void on_leave(const wa_event* e) {
  char text[120];
  snprintf(text, sizeof text, "left %s", e->connection);
  wa_room_broadcast_str(text, NULL);
}

WA_ON_JOIN(on_join)
WA_ON_MESSAGE(on_message)
WA_ON_LEAVE(on_leave)

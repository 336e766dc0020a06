// A chat room handler for the room hub's tests (src/rooms/room_hub_test.cc) and the
// gateway's WebSocket checks. Per-event mode: the event comes from the environment and
// the payload from stdin, as host-abi.md describes for fresh instances.
//   onJoin: QUERY_STRING with deny=1 refuses (exit 3, stdout the reason); otherwise it
//           broadcasts "joined <id>" to the room, the newcomer included
//   onMessage, by payload:
//     "who"              reply: the room's connection ids, '\n'-separated
//     "to <id> <text>"   room_send(<id>, <text>); reply "sent <code>"
//     "in <room> <text>" room_select(<room>), then broadcast <text> there
//     "others <text>"    broadcast <text> to all but the sender
//     "spin"             runs forever (the action's time limit ends it)
//     anything else      broadcast as it came (bytes that are not UTF-8 go out binary)
//   onLeave: broadcasts "left <id>"
//   HTTP (main): POST ?room=NAME broadcasts the body into room NAME of this action
//           (room_select from an HTTP request) and answers "posted <code>"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_actions.h"

static char payload[(1 << 20) + 1];

static const char* env(const char* name) {
  const char* value = getenv(name);
  return value ? value : "";
}

static void broadcast_line(const char* word, const char* except) {
  char line[128];
  int n = snprintf(line, sizeof line, "%s %s", word, env("WA_CONNECTION_ID"));
  wa_room_broadcast(line, (size_t)n, except);
}

__attribute__((export_name("onJoin"))) void on_join(void) {
  if (strstr(env("QUERY_STRING"), "deny=1")) {
    printf("no entry for %s", env("WA_CONNECTION_ID"));
    fflush(stdout);
    exit(3);
  }
  broadcast_line("joined", NULL);
}

__attribute__((export_name("onMessage"))) void on_message(void) {
  size_t n = fread(payload, 1, sizeof payload - 1, stdin);
  payload[n] = '\0';
  if (strcmp(payload, "who") == 0) {
    char* ids = NULL;
    uint32_t len = 0;
    if (wa_room_connections(&ids, &len) == 0) fwrite(ids, 1, len, stdout);
    free(ids);
  } else if (strncmp(payload, "to ", 3) == 0) {
    char* id = payload + 3;
    char* text = strchr(id, ' ');
    if (!text) return;
    *text++ = '\0';
    printf("sent %u", wa_room_send(id, text, strlen(text)));
  } else if (strncmp(payload, "in ", 3) == 0) {
    char* room = payload + 3;
    char* text = strchr(room, ' ');
    if (!text) return;
    *text++ = '\0';
    if (wa_room_select(room) == 0) wa_room_broadcast(text, strlen(text), NULL);
  } else if (strncmp(payload, "others ", 7) == 0) {
    wa_room_broadcast(payload + 7, n - 7, env("WA_CONNECTION_ID"));
  } else if (strcmp(payload, "spin") == 0) {
    volatile unsigned spin = 0;
    for (;;) ++spin;
  } else {
    wa_room_broadcast(payload, n, NULL);
  }
  fflush(stdout);
}

__attribute__((export_name("onLeave"))) void on_leave(void) { broadcast_line("left", NULL); }

int main(void) {
  const char* query = env("QUERY_STRING");
  const char* room = strstr(query, "room=");
  if (strcmp(env("REQUEST_METHOD"), "POST") != 0 || !room) {
    printf("Status: 400\r\nContent-Type: text/plain\r\n\r\nPOST ?room=NAME\n");
    return 0;
  }
  char name[129];
  size_t len = strcspn(room + 5, "&");
  if (len >= sizeof name) len = sizeof name - 1;
  memcpy(name, room + 5, len);
  name[len] = '\0';
  size_t n = fread(payload, 1, sizeof payload - 1, stdin);
  uint32_t code = wa_room_select(name);
  if (code == 0) code = wa_room_broadcast(payload, n, NULL);
  printf("Content-Type: text/plain\r\n\r\nposted %u\n", code);
  return 0;
}

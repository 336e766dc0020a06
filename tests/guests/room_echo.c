// A room handler without the room functions, for the embeddable API's tests: answers
// on stdout, reads the event from the environment (per-event mode) and keeps a counter
// that only a persistent instance carries from one event to the next.
//   onJoin: refuses (exit 3, stdout the reason) when the query has deny=1, and with
//           room_refuse (no exit) when it has refuse=1
//   onMessage: "<count> <WA_EVENT> <WA_CONNECTION_ID> <WA_MESSAGE_TYPE> <payload>";
//              payload "trap" traps, "spin" runs forever, "log" writes to stderr;
//              the TRAP_AT-th message of an instance traps
//   onLeave: nothing
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned count;

static const char* env(const char* name) {
  const char* value = getenv(name);
  return value ? value : "";
}

__attribute__((import_module("wasm_actions"), import_name("event_get"))) unsigned event_get(
    char* buf, unsigned cap, unsigned* len);
__attribute__((import_module("wasm_actions"), import_name("room_refuse"))) unsigned room_refuse(
    const char* reason, unsigned len);

// The event's JSON (its "query" on join: persistent instances see the current one there).
static const char* event_json(void) {
  static char json[1024];
  unsigned len = 0;
  if (event_get(json, sizeof json - 1, &len) != 0) len = 0;
  json[len] = '\0';
  return json;
}

__attribute__((export_name("onJoin"))) void on_join(void) {
  const char* event = event_json();
  if (strstr(event, "refuse=1")) {
    room_refuse("room is full", 12);  // the instance lives on
    return;
  }
  if (strstr(event, "deny=1")) {
    printf("no entry for %s\n", env("WA_CONNECTION_ID"));
    fflush(stdout);
    exit(3);
  }
}

__attribute__((export_name("onMessage"))) void on_message(void) {
  char payload[256];
  size_t n = fread(payload, 1, sizeof payload - 1, stdin);
  payload[n] = '\0';
  if (strcmp(payload, "trap") == 0) __builtin_trap();
  if (strcmp(payload, "spin") == 0) {
    volatile unsigned spin = 0;
    for (;;) ++spin;
  }
  if (strcmp(payload, "log") == 0) fprintf(stderr, "logged from a room\n");
  // Persistent mode sees the first event's stdin only: a trap by count works there.
  if (count + 1 == (unsigned)atoi(env("TRAP_AT"))) __builtin_trap();
  ++count;
  printf("%u %s %s %s %s", count, env("WA_EVENT"), env("WA_CONNECTION_ID"), env("WA_MESSAGE_TYPE"),
         payload);
  fflush(stdout);
}

__attribute__((export_name("onLeave"))) void on_leave(void) {}

int main(void) { return 0; }

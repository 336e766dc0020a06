// A chat room handler for the rooms integration tests, on the raw `wasm_actions` room
// functions (host-abi.md "Rooms"), so the tests do not depend on an SDK's wrappers.
// The event context comes from event_get / event_payload, never from the environment or
// stdin, so the handler behaves the same in per-event and persistent mode.
//
//   onJoin     broadcasts "join <id>" to everyone (the joiner too), replies "you <id>";
//              refuses (exit 3, stdout "no entry") when QUERY_STRING holds deny=1
//   onMessage  "who"              replies room_connections ("\n"-separated ids)
//              "to <id> <text>"   room_send(<id>, <text>), replies "sent <code>"
//              "loop"             spins forever (a runaway handler)
//              "count"            kv_increment of "messages" in store default, replies
//                                 "count <value>" (or "count err <code>")
//              anything else      broadcast (bytes unchanged, so binary stays binary) to
//                                 all but the sender, replies "ok <length>"
//   onLeave    broadcasts "leave <id>"
//   HTTP       ?room=NAME: POST broadcasts the body to that room, answers "broadcast <code>";
//              GET answers "members <code>\n" and the room's connection ids
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT(name) __attribute__((import_module("wasm_actions"), import_name(name)))
IMPORT("room_broadcast")
uint32_t room_broadcast(const void* msg, uint32_t msg_len, const void* except, uint32_t except_len);
IMPORT("room_send")
uint32_t room_send(const void* conn, uint32_t conn_len, const void* msg, uint32_t msg_len);
IMPORT("room_connections") uint32_t room_connections(void* buf, uint32_t cap, uint32_t* len);
IMPORT("room_select") uint32_t room_select(const void* name, uint32_t name_len);
IMPORT("event_get") uint32_t event_get(void* buf, uint32_t cap, uint32_t* len);
IMPORT("event_payload") uint32_t event_payload(void* buf, uint32_t cap, uint32_t* len);
IMPORT("kv_open") uint32_t kv_open(const void* name, uint32_t name_len, uint32_t* handle);
IMPORT("kv_increment")
uint32_t kv_increment(uint32_t handle, const void* key, uint32_t key_len, int64_t delta,
                      int64_t* value);

enum { kBufferTooSmall = 4 };

// Calls a (buf, cap, len_out) host function, growing the buffer when it answers 4 with
// the needed length. Returns malloc'd bytes (NUL-terminated for convenience) or NULL
// with *code set.
static char* fetch(uint32_t (*call)(void*, uint32_t, uint32_t*), uint32_t* length, uint32_t* code) {
  uint32_t cap = 256;
  for (int attempt = 0; attempt < 4; ++attempt) {
    char* buf = malloc(cap + 1);
    if (!buf) break;
    uint32_t len = 0;
    *code = call(buf, cap, &len);
    if (*code == 0) {
      buf[len] = 0;
      *length = len;
      return buf;
    }
    free(buf);
    if (*code != kBufferTooSmall) return NULL;
    cap = len;
  }
  return NULL;
}

// The event's connection id from event_get's JSON into `out` (ids are
// [A-Za-z0-9_-]{1,64}, so the value needs no unescaping).
static void connection_id(char out[65]) {
  out[0] = 0;
  uint32_t len = 0, code = 0;
  char* json = fetch(event_get, &len, &code);
  if (!json) return;
  const char* at = strstr(json, "\"connection\"");
  if (at) {
    at += strlen("\"connection\"");
    while (*at == ' ' || *at == ':') ++at;
    if (*at == '"') {
      ++at;
      size_t n = 0;
      while (at[n] && at[n] != '"' && n < 64) ++n;
      memcpy(out, at, n);
      out[n] = 0;
    }
  }
  free(json);
}

static void broadcast_text(const char* text, const char* except) {
  room_broadcast(text, (uint32_t)strlen(text), except, except ? (uint32_t)strlen(except) : 0);
}

__attribute__((export_name("onJoin"))) void on_join(void) {
  const char* query = getenv("QUERY_STRING");
  if (query && strstr(query, "deny=1")) {
    fputs("no entry", stdout);
    exit(3);  // exit flushes stdout: the text is the close reason
  }
  char id[65];
  connection_id(id);
  char line[80];
  snprintf(line, sizeof line, "join %s", id);
  broadcast_text(line, NULL);
  printf("you %s", id);
  fflush(stdout);
}

__attribute__((export_name("onMessage"))) void on_message(void) {
  char id[65];
  connection_id(id);
  uint32_t len = 0, code = 0;
  char* payload = fetch(event_payload, &len, &code);
  if (!payload) {
    printf("payload err %u", code);
    fflush(stdout);
    return;
  }
  if (len == 3 && memcmp(payload, "who", 3) == 0) {
    uint32_t n = 0;
    char* list = fetch(room_connections, &n, &code);
    if (list)
      fwrite(list, 1, n, stdout);
    else
      printf("who err %u", code);
    free(list);
  } else if (len > 3 && memcmp(payload, "to ", 3) == 0) {
    char* target = payload + 3;
    char* space = memchr(target, ' ', len - 3);
    uint32_t target_len = space ? (uint32_t)(space - target) : len - 3;
    const char* text = space ? space + 1 : "";
    uint32_t text_len = space ? (uint32_t)(payload + len - (space + 1)) : 0;
    printf("sent %u", room_send(target, target_len, text, text_len));
  } else if (len == 4 && memcmp(payload, "loop", 4) == 0) {
    for (volatile unsigned spin = 0;; ++spin) {
    }
  } else if (len == 5 && memcmp(payload, "count", 5) == 0) {
    uint32_t handle = 0;
    int64_t value = 0;
    code = kv_open("default", 7, &handle);
    if (code == 0) code = kv_increment(handle, "messages", 8, 1, &value);
    if (code == 0)
      printf("count %lld", (long long)value);
    else
      printf("count err %u", code);
  } else {
    code = room_broadcast(payload, len, id, (uint32_t)strlen(id));
    if (code == 0)
      printf("ok %u", len);
    else
      printf("broadcast err %u", code);
  }
  free(payload);
  fflush(stdout);
}

__attribute__((export_name("onLeave"))) void on_leave(void) {
  char id[65];
  connection_id(id);
  char line[80];
  snprintf(line, sizeof line, "leave %s", id);
  broadcast_text(line, NULL);
}

// The action's HTTP route: posts into one of its rooms (room_select + room_broadcast).
int main(void) {
  const char* query = getenv("QUERY_STRING");
  const char* method = getenv("REQUEST_METHOD");
  const char* room = query ? strstr(query, "room=") : NULL;
  char name[129] = "";
  if (room) {
    room += 5;
    size_t n = strcspn(room, "&");
    if (n > 128) n = 128;
    memcpy(name, room, n);
    name[n] = 0;
  }
  printf("Content-Type: text/plain\n\n");
  uint32_t code = room_select(name, (uint32_t)strlen(name));
  if (method && strcmp(method, "POST") == 0) {
    static char body[1 << 16];
    size_t n = fread(body, 1, sizeof body, stdin);
    if (code == 0) code = room_broadcast(body, (uint32_t)n, NULL, 0);
    printf("broadcast %u", code);
  } else {
    uint32_t n = 0;
    char* list = code == 0 ? fetch(room_connections, &n, &code) : NULL;
    printf("members %u\n", code);
    if (list) fwrite(list, 1, n, stdout);
    free(list);
  }
  return 0;
}

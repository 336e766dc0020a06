/* wasm_actions_rooms.h — room handlers for WASM Actions in C (header only, C11, usable
 * from C++). docs/host-abi.md, "Rooms", is the reference.
 *
 *   #include <wasm_actions_rooms.h>
 *
 *   static int on_join(const wa_event* e) {
 *     if (strncmp(e->connection, "guest", 5) == 0) return wa_room_refuse("sign in first");
 *     wa_room_broadcast_str("someone joined", e->connection);  // everyone but the newcomer
 *     return 0;
 *   }
 *   static void on_message(const wa_event* e, const uint8_t* data, uint32_t len) {
 *     wa_room_broadcast(data, len, NULL);                       // to everyone, sender too
 *     wa_room_reply_str("sent");                                // to the sender only
 *   }
 *   WA_ON_JOIN(on_join)
 *   WA_ON_MESSAGE(on_message)
 *
 * Build a handler as a reactor (no main; the host runs `_initialize` once per instance):
 *   clang --target=wasm32-wasi --sysroot=/usr -O2 -mexec-model=reactor -I sdk/c chat.c -o chat.wasm
 * and deploy it granted `rooms` (`wasm-actions deploy chat.wasm --name chat --rooms`).
 *
 * What is here:
 *   1. wa_event: the current event (event_get's JSON, parsed by hand: no JSON library),
 *      wa_event_read() to fill it, wa_event_kind and its names.
 *   2. The room calls as C strings: wa_room_broadcast_str, wa_room_send_str,
 *      wa_room_connection_list (an array of ids), and wa_room_select / wa_room_broadcast /
 *      wa_room_send / wa_room_connections / wa_event_payload from wasm_actions.h.
 *   3. Replies: wa_room_reply (stdout, flushed: the event's connection gets one message
 *      with everything written during the event) and wa_room_refuse (a join refused with
 *      the reason as the WebSocket close reason).
 *   4. WA_ON_JOIN / WA_ON_MESSAGE / WA_ON_LEAVE: export a C function as the event's
 *      handler; each reads the event (and the payload) for it and flushes stdout and
 *      stderr at the end.
 *
 * The event comes from the host calls, never from the environment: in persistent mode
 * (`settings.room_mode` "persistent") one instance runs many events and wasi-libc keeps
 * the environment and stdin of the first, while event_get / event_payload always describe
 * the event that runs. For the same reason output is flushed at the end of every event:
 * stdio buffers would otherwise carry one event's reply into the next.
 */
#ifndef WASM_ACTIONS_ROOMS_H
#define WASM_ACTIONS_ROOMS_H

#include <wasm_actions.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------- */
/* The current event.                                                                      */
/* ------------------------------------------------------------------------------------- */

typedef enum wa_event_kind {
  WA_EVENT_UNKNOWN = 0, /* a kind this SDK does not know (a newer host) */
  WA_EVENT_JOIN = 1,
  WA_EVENT_MESSAGE = 2,
  WA_EVENT_LEAVE = 3
} wa_event_kind;

/* "join", "message", "leave" ("unknown" otherwise). */
static inline const char* wa_event_kind_name(wa_event_kind kind) {
  switch (kind) {
    case WA_EVENT_JOIN:
      return "join";
    case WA_EVENT_MESSAGE:
      return "message";
    case WA_EVENT_LEAVE:
      return "leave";
    default:
      return "unknown";
  }
}

/* Field sizes: room names are 1-128 bytes, connection ids and action names 1-64 (host-abi.md),
 * plus the NUL. */
#define WA_ROOM_NAME_MAX 128
#define WA_CONNECTION_ID_MAX 64
#define WA_ACTION_NAME_MAX 64

typedef struct wa_event {
  wa_event_kind kind;
  char room[WA_ROOM_NAME_MAX + 1];
  char connection[WA_CONNECTION_ID_MAX + 1]; /* the event's own connection */
  char action[WA_ACTION_NAME_MAX + 1];
  bool binary; /* message: a binary frame (message_type "binary"); false for join, leave */
} wa_event;

/* A minimal reader for event_get's JSON: one object whose values the SDK reads are strings.
 * Unknown keys are skipped whatever their value (a newer host may add fields). */
typedef struct wa__json {
  const char* p;
  const char* end;
} wa__json;

static inline void wa__json_ws(wa__json* j) {
  while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) ++j->p;
}

static inline int wa__json_hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Reads a string at j->p (the opening quote) into out (cap bytes with the NUL; out may be
 * NULL to skip it). Escapes are decoded; \u beyond ASCII is written as UTF-8 (surrogate
 * pairs included). False on malformed input or when the text does not fit. */
static inline bool wa__json_string(wa__json* j, char* out, size_t cap) {
  size_t n = 0;
  if (j->p >= j->end || *j->p != '"') return false;
  ++j->p;
  while (j->p < j->end && *j->p != '"') {
    unsigned char c = (unsigned char)*j->p++;
    uint32_t cp = c;
    char utf8[4];
    size_t len = 1;
    if (c < 0x20) return false;
    if (c == '\\') {
      if (j->p >= j->end) return false;
      char e = *j->p++;
      switch (e) {
        case '"':
        case '\\':
        case '/':
          cp = (unsigned char)e;
          break;
        case 'b':
          cp = '\b';
          break;
        case 'f':
          cp = '\f';
          break;
        case 'n':
          cp = '\n';
          break;
        case 'r':
          cp = '\r';
          break;
        case 't':
          cp = '\t';
          break;
        case 'u': {
          cp = 0;
          for (int i = 0; i < 4; ++i) {
            int h = j->p < j->end ? wa__json_hex(*j->p++) : -1;
            if (h < 0) return false;
            cp = cp << 4 | (uint32_t)h;
          }
          if (cp >= 0xD800 && cp <= 0xDBFF) { /* a high surrogate: its low half must follow */
            uint32_t lo = 0;
            if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u') return false;
            j->p += 2;
            for (int i = 0; i < 4; ++i) {
              int h = wa__json_hex(*j->p++);
              if (h < 0) return false;
              lo = lo << 4 | (uint32_t)h;
            }
            if (lo < 0xDC00 || lo > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return false;
          }
          break;
        }
        default:
          return false;
      }
      if (cp < 0x80) {
        utf8[0] = (char)cp;
      } else if (cp < 0x800) {
        utf8[0] = (char)(0xC0 | cp >> 6);
        utf8[1] = (char)(0x80 | (cp & 0x3F));
        len = 2;
      } else if (cp < 0x10000) {
        utf8[0] = (char)(0xE0 | cp >> 12);
        utf8[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        utf8[2] = (char)(0x80 | (cp & 0x3F));
        len = 3;
      } else {
        utf8[0] = (char)(0xF0 | cp >> 18);
        utf8[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        utf8[2] = (char)(0x80 | (cp >> 6 & 0x3F));
        utf8[3] = (char)(0x80 | (cp & 0x3F));
        len = 4;
      }
    } else {
      utf8[0] = (char)c;
    }
    if (out) {
      if (n + len >= cap) return false;
      memcpy(out + n, utf8, len);
    }
    n += len;
  }
  if (j->p >= j->end) return false;
  ++j->p; /* the closing quote */
  if (out) out[n] = 0;
  return true;
}

/* Skips one value of any type (strings, numbers, literals, nested objects and arrays). */
static inline bool wa__json_skip(wa__json* j) {
  int depth = 0;
  do {
    wa__json_ws(j);
    if (j->p >= j->end) return false;
    char c = *j->p;
    if (c == '"') {
      if (!wa__json_string(j, NULL, 0)) return false;
    } else if (c == '{' || c == '[') {
      ++depth;
      ++j->p;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return false;
      --depth;
      ++j->p;
    } else if (c == ',' || c == ':') {
      if (depth == 0) return false;
      ++j->p;
    } else {
      /* a number or a literal: up to the next delimiter */
      const char* start = j->p;
      while (j->p < j->end && *j->p != ',' && *j->p != '}' && *j->p != ']' && *j->p != ' ' &&
             *j->p != '\n' && *j->p != '\r' && *j->p != '\t')
        ++j->p;
      if (j->p == start) return false;
    }
  } while (depth > 0);
  return true;
}

static inline uint32_t wa__event_parse(const char* json, size_t len, wa_event* e) {
  wa__json j = {json, json + len};
  char kind[16] = "", type[16] = "";
  memset(e, 0, sizeof *e);
  wa__json_ws(&j);
  if (j.p >= j.end || *j.p != '{') return WA_ERR_INVALID_ARGUMENT;
  ++j.p;
  wa__json_ws(&j);
  if (j.p < j.end && *j.p == '}') {
    ++j.p;
  } else {
    for (;;) {
      char key[32];
      wa__json_ws(&j);
      /* A key longer than any this SDK reads is some other field: skip it. */
      wa__json probe = j;
      bool known = wa__json_string(&j, key, sizeof key);
      if (!known) {
        j = probe;
        if (!wa__json_string(&j, NULL, 0)) return WA_ERR_INVALID_ARGUMENT;
        key[0] = 0;
      }
      wa__json_ws(&j);
      if (j.p >= j.end || *j.p != ':') return WA_ERR_INVALID_ARGUMENT;
      ++j.p;
      wa__json_ws(&j);
      char* out = NULL;
      size_t cap = 0;
      if (strcmp(key, "event") == 0) {
        out = kind, cap = sizeof kind;
      } else if (strcmp(key, "room") == 0) {
        out = e->room, cap = sizeof e->room;
      } else if (strcmp(key, "connection") == 0) {
        out = e->connection, cap = sizeof e->connection;
      } else if (strcmp(key, "action") == 0) {
        out = e->action, cap = sizeof e->action;
      } else if (strcmp(key, "message_type") == 0) {
        out = type, cap = sizeof type;
      }
      if (out) {
        if (!wa__json_string(&j, out, cap)) return WA_ERR_INVALID_ARGUMENT;
      } else if (!wa__json_skip(&j)) {
        return WA_ERR_INVALID_ARGUMENT;
      }
      wa__json_ws(&j);
      if (j.p < j.end && *j.p == ',') {
        ++j.p;
        continue;
      }
      if (j.p < j.end && *j.p == '}') {
        ++j.p;
        break;
      }
      return WA_ERR_INVALID_ARGUMENT;
    }
  }
  wa__json_ws(&j);
  if (j.p != j.end) return WA_ERR_INVALID_ARGUMENT;
  if (strcmp(kind, "join") == 0)
    e->kind = WA_EVENT_JOIN;
  else if (strcmp(kind, "message") == 0)
    e->kind = WA_EVENT_MESSAGE;
  else if (strcmp(kind, "leave") == 0)
    e->kind = WA_EVENT_LEAVE;
  e->binary = strcmp(type, "binary") == 0;
  return WA_OK;
}

/* Parses event_get's JSON ({"event", "room", "connection", "action", "message_type"}) into
 * *e. WA_ERR_INVALID_ARGUMENT (and *e all zero) if it is not such an object or a field is
 * longer than its buffer (a host never sends that). */
static inline uint32_t wa_event_parse(const char* json, size_t len, wa_event* e) {
  uint32_t err = wa__event_parse(json, len, e);
  if (err != WA_OK) memset(e, 0, sizeof *e);
  return err;
}

/* The current event (event_get, retried on WA_ERR_BUFFER_TOO_SMALL). WA_ERR_NOT_FOUND
 * outside a room event (an HTTP request). */
static inline uint32_t wa_event_read(wa_event* e) {
  char stack[512];
  uint32_t len = 0;
  memset(e, 0, sizeof *e);
  uint32_t err = wa_raw_event_get(stack, sizeof stack, &len);
  if (err == WA_OK) return wa_event_parse(stack, len > sizeof stack ? sizeof stack : len, e);
  if (err != WA_ERR_BUFFER_TOO_SMALL) return err;
  char* json = NULL;
  err = wa_event_get(&json, &len); /* malloc'd, retried with the needed size */
  if (err == WA_OK) err = wa_event_parse(json, len, e);
  free(json);
  return err;
}

/* ------------------------------------------------------------------------------------- */
/* Room calls with C strings.                                                              */
/* ------------------------------------------------------------------------------------- */

/* wa_room_broadcast of a C string; `except`: '\n'-separated ids, or NULL for nobody. */
static inline uint32_t wa_room_broadcast_str(const char* text, const char* except) {
  return wa_room_broadcast(text, strlen(text), except);
}

/* wa_room_send of a C string. */
static inline uint32_t wa_room_send_str(const char* connection, const char* text) {
  return wa_room_send(connection, text, strlen(text));
}

/* The current room's connection ids as an array: *ids is one malloc'd block (free() it
 * once) holding *count pointers to NUL-terminated ids. An empty room gives *count 0 and
 * *ids NULL. */
static inline uint32_t wa_room_connection_list(char*** ids, size_t* count) {
  char* text = NULL;
  uint32_t len = 0;
  *ids = NULL;
  *count = 0;
  uint32_t err = wa_room_connections(&text, &len);
  if (err != WA_OK) return err;
  size_t n = 0;
  for (uint32_t i = 0; i < len; ++i)
    if (text[i] != '\n' && (i == 0 || text[i - 1] == '\n')) ++n;
  if (n == 0) {
    free(text);
    return WA_OK;
  }
  /* The pointers, then the ids' bytes, in one allocation. */
  char** block = (char**)malloc(n * sizeof(char*) + len + 1);
  if (!block) {
    free(text);
    return WA_ERR_SDK_NO_MEMORY;
  }
  char* bytes = (char*)(block + n);
  memcpy(bytes, text, len);
  bytes[len] = 0;
  free(text);
  size_t k = 0;
  for (uint32_t i = 0; i < len; ++i) {
    if (bytes[i] == '\n') {
      bytes[i] = 0;
    } else if (i == 0 || bytes[i - 1] == 0) {
      block[k++] = bytes + i;
    }
  }
  *ids = block;
  *count = k;
  return WA_OK;
}

/* ------------------------------------------------------------------------------------- */
/* Replies.                                                                                */
/* ------------------------------------------------------------------------------------- */

/* Appends to the event's reply: everything written to stdout during the event goes to
 * the event's connection as one message (nothing if empty). Flushed at once, so a reply
 * never waits in stdio's buffer for a later event (persistent mode). 0, or -1 if stdout
 * failed. */
static inline int wa_room_reply(const void* data, size_t len) {
  if (len && fwrite(data, 1, len, stdout) != len) return -1;
  return fflush(stdout) == 0 ? 0 : -1;
}

static inline int wa_room_reply_str(const char* text) { return wa_room_reply(text, strlen(text)); }

/* For onJoin: refuses the connection. The host closes it with code 1008 (policy
 * violation) and `reason` as the close reason (at most 123 bytes of UTF-8 go out).
 * Returns the non-zero exit status WA_ON_JOIN hands the host, so a handler can
 * `return wa_room_refuse("...")`. */
static inline int wa_room_refuse(const char* reason) {
  if (reason) fputs(reason, stdout);
  fflush(stdout);
  return 1;
}

/* ------------------------------------------------------------------------------------- */
/* Exports.                                                                                */
/* ------------------------------------------------------------------------------------- */

static inline void wa__room_flush(void) {
  fflush(stdout);
  fflush(stderr);
}

/* Reads the event for a handler; a failure (never expected during an event) is logged. */
static inline bool wa__room_event(wa_event* e) {
  uint32_t err = wa_event_read(e);
  if (err != WA_OK) {
    fprintf(stderr, "wasm_actions_rooms: event_get: %s\n", wa_error_name(err));
    wa__room_flush();
    return false;
  }
  return true;
}

static inline void wa__run_join(int (*handler)(const wa_event*)) {
  wa_event e;
  if (!wa__room_event(&e)) exit(70); /* EX_SOFTWARE: refuse rather than admit blindly */
  int status = handler(&e);
  wa__room_flush();
  /* A non-zero exit refuses the join (close code 1008, stdout as the reason). */
  if (status != 0) exit(status);
}

static inline void wa__run_message(void (*handler)(const wa_event*, const uint8_t*, uint32_t)) {
  wa_event e;
  if (!wa__room_event(&e)) return;
  uint8_t* data = NULL;
  uint32_t len = 0;
  uint32_t err = wa_event_payload(&data, &len); /* retried on WA_ERR_BUFFER_TOO_SMALL */
  if (err != WA_OK) {
    fprintf(stderr, "wasm_actions_rooms: event_payload: %s\n", wa_error_name(err));
    wa__room_flush();
    return;
  }
  handler(&e, data, len);
  free(data);
  wa__room_flush();
}

static inline void wa__run_leave(void (*handler)(const wa_event*)) {
  wa_event e;
  if (!wa__room_event(&e)) return;
  handler(&e);
  wa__room_flush();
}

#if defined(__wasm__)
#define WA__EXPORT(name) __attribute__((export_name(name)))
#else
#define WA__EXPORT(name)
#endif

/* WA_ON_JOIN(fn): `int fn(const wa_event*)` handles joins; non-zero refuses the connection
 * (return wa_room_refuse("reason")). */
#define WA_ON_JOIN(handler) \
  WA__EXPORT("onJoin") void wa_export_on_join(void) { wa__run_join(handler); }

/* WA_ON_MESSAGE(fn): `void fn(const wa_event*, const uint8_t* data, uint32_t len)` handles
 * messages; data is the message (NUL-terminated for convenience, not counted in len). */
#define WA_ON_MESSAGE(handler) \
  WA__EXPORT("onMessage") void wa_export_on_message(void) { wa__run_message(handler); }

/* WA_ON_LEAVE(fn): `void fn(const wa_event*)` handles a connection's leaving (the
 * connection is already gone: replies to it are dropped, broadcasts reach the others). */
#define WA_ON_LEAVE(handler) \
  WA__EXPORT("onLeave") void wa_export_on_leave(void) { wa__run_leave(handler); }

#ifdef __cplusplus
}
#endif

#endif /* WASM_ACTIONS_ROOMS_H */

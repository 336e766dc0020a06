// Runs a script of raw `wasm_actions` room calls from stdin, one per line, and answers one
// line per call: the error code, then any result. Tokens are separated by spaces and
// percent-decoded (so ids and messages may hold any byte); "-" is empty.
//   broadcast MSG EXCEPT        -> code            (EXCEPT: ids joined by %0A)
//   send CONN MSG               -> code
//   conns CAP                   -> code ids,ids | code needed-length (4)
//   select NAME                 -> code
//   event CAP                   -> code json | code needed-length (4)
//   payload CAP                 -> code bytes | code needed-length (4)
//   many N MSG                  -> code            (broadcast except N ids c0..c<N-1>)
//   big N                       -> code            (broadcast of N bytes 'x')
//   repeat N MSG                -> code count      (N broadcasts; stops at the first error)
//   raw FUNCTION A B [C D]      -> code            (the import with these i32 arguments:
//                                                   numbers, or S+n for scratch + n)
//   u32 S+n                     -> the u32 at scratch + n
//   bytes S+n N                 -> N bytes at scratch + n
//   memsize                     -> the memory's size in bytes (the first address outside)
// Numbers are C literals (0xFFFFFF00 is far outside any memory this guest grows to).
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT(name) __attribute__((import_module("wasm_actions"), import_name(name)))
IMPORT("room_broadcast") uint32_t room_broadcast(const void*, uint32_t, const void*, uint32_t);
IMPORT("room_send") uint32_t room_send(const void*, uint32_t, const void*, uint32_t);
IMPORT("room_connections") uint32_t room_connections(void*, uint32_t, uint32_t*);
IMPORT("room_select") uint32_t room_select(const void*, uint32_t);
IMPORT("event_get") uint32_t event_get(void*, uint32_t, uint32_t*);
IMPORT("event_payload") uint32_t event_payload(void*, uint32_t, uint32_t*);

static char out[4 << 20];
static size_t out_len;
static void emit(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
static void emit(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(out + out_len, sizeof out - out_len, fmt, ap);
  va_end(ap);
  if (n > 0) out_len += (size_t)n < sizeof out - out_len ? (size_t)n : sizeof out - out_len - 1;
}

static size_t decode(char* token) {
  if (strcmp(token, "-") == 0) return 0;
  size_t w = 0;
  for (size_t r = 0; token[r]; ++r) {
    if (token[r] == '%' && token[r + 1] && token[r + 2]) {
      char hex[3] = {token[r + 1], token[r + 2], 0};
      token[w++] = (char)strtol(hex, 0, 16);
      r += 2;
    } else {
      token[w++] = token[r];
    }
  }
  return w;
}

static void emit_bytes(const char* p, size_t n, int newline_as_comma) {
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = (unsigned char)p[i];
    if (newline_as_comma && c == '\n')
      emit(",");
    else if (c > 0x20 && c < 0x7f && c != '%' && !(newline_as_comma && c == ','))
      emit("%c", c);
    else
      emit("%%%02X", c);
  }
}

static char scratch[1 << 16];
static char buf[2 << 20];

static uint32_t number(const char* token) {
  if (strncmp(token, "S+", 2) == 0)
    return (uint32_t)(uintptr_t)scratch + (uint32_t)strtoul(token + 2, 0, 0);
  return (uint32_t)strtoul(token, 0, 0);
}

typedef uint32_t (*fill_fn)(void*, uint32_t, uint32_t*);

static void filled(fill_fn fill, const char* cap_token, int newline_as_comma) {
  uint32_t cap = number(cap_token);
  if (cap > sizeof buf) cap = sizeof buf;
  uint32_t len = 0xDEADBEEF;
  uint32_t code = fill(buf, cap, &len);
  emit("%u", code);
  if (code == 0) {
    emit(" ");
    emit_bytes(buf, len, newline_as_comma);
  } else if (code == 4) {
    emit(" %u", len);
  }
}

static void raw(char** tok, int n) {
  uint32_t a[4] = {0};
  for (int i = 0; i < 4 && i + 2 < n; ++i) a[i] = number(tok[i + 2]);
  void* p0 = (void*)(uintptr_t)a[0];
  void* p2 = (void*)(uintptr_t)a[2];
  const char* f = tok[1];
  uint32_t code = 99;
  if (strcmp(f, "broadcast") == 0)
    code = room_broadcast(p0, a[1], p2, a[3]);
  else if (strcmp(f, "send") == 0)
    code = room_send(p0, a[1], p2, a[3]);
  else if (strcmp(f, "conns") == 0)
    code = room_connections(p0, a[1], (uint32_t*)p2);
  else if (strcmp(f, "select") == 0)
    code = room_select(p0, a[1]);
  else if (strcmp(f, "event") == 0)
    code = event_get(p0, a[1], (uint32_t*)p2);
  else if (strcmp(f, "payload") == 0)
    code = event_payload(p0, a[1], (uint32_t*)p2);
  emit("%u", code);
}

static void run_line(char* line) {
  char* tok[8] = {0};
  size_t len[8] = {0};
  int n = 0;
  for (char* t = strtok(line, " "); t && n < 8; t = strtok(NULL, " ")) tok[n++] = t;
  if (n == 0) return;
  const char* op = tok[0];
  if (strcmp(op, "raw") == 0 && n >= 4) {
    raw(tok, n);
    return;
  }
  if (strcmp(op, "u32") == 0 && n == 2) {
    uint32_t v;
    memcpy(&v, (void*)(uintptr_t)number(tok[1]), 4);
    emit("%u", v);
    return;
  }
  if (strcmp(op, "memsize") == 0) {
    emit("%llu", (unsigned long long)__builtin_wasm_memory_size(0) * 65536ull);
    return;
  }
  if (strcmp(op, "bytes") == 0 && n == 3) {
    emit_bytes((const char*)(uintptr_t)number(tok[1]), number(tok[2]), 0);
    return;
  }
  for (int i = 1; i < n; ++i) len[i] = decode(tok[i]);
  if (strcmp(op, "broadcast") == 0 && n == 3) {
    emit("%u", room_broadcast(tok[1], (uint32_t)len[1], tok[2], (uint32_t)len[2]));
  } else if (strcmp(op, "send") == 0 && n == 3) {
    emit("%u", room_send(tok[1], (uint32_t)len[1], tok[2], (uint32_t)len[2]));
  } else if (strcmp(op, "conns") == 0 && n == 2) {
    filled(room_connections, tok[1], 1);
  } else if (strcmp(op, "select") == 0 && n == 2) {
    emit("%u", room_select(tok[1], (uint32_t)len[1]));
  } else if (strcmp(op, "event") == 0 && n == 2) {
    filled(event_get, tok[1], 0);
  } else if (strcmp(op, "payload") == 0 && n == 2) {
    filled(event_payload, tok[1], 0);
  } else if (strcmp(op, "many") == 0 && n == 3) {
    unsigned count = (unsigned)strtoul(tok[1], 0, 10);
    char* ids = malloc((size_t)count * 12 + 1);
    size_t used = 0;
    for (unsigned i = 0; i < count; ++i) used += (size_t)sprintf(ids + used, "c%u\n", i);
    emit("%u", room_broadcast(tok[2], (uint32_t)len[2], ids, (uint32_t)used));
    free(ids);
  } else if (strcmp(op, "big") == 0 && n == 2) {
    size_t size = strtoul(tok[1], 0, 10);
    char* msg = malloc(size + 1);
    memset(msg, 'x', size);
    emit("%u", room_broadcast(msg, (uint32_t)size, "", 0));
    free(msg);
  } else if (strcmp(op, "repeat") == 0 && n == 3) {
    unsigned count = (unsigned)strtoul(tok[1], 0, 10), done = 0;
    uint32_t code = 0;
    while (done < count && (code = room_broadcast(tok[2], (uint32_t)len[2], "", 0)) == 0) ++done;
    emit("%u %u", code, done);
  } else {
    emit("bad line");
  }
}

int main(void) {
  static char script[1 << 20];
  size_t n = fread(script, 1, sizeof script - 1, stdin);
  script[n] = 0;
  for (char* line = script; line && *line;) {
    char* next = strchr(line, '\n');
    if (next) *next++ = 0;
    run_line(line);
    emit("\n");
    line = next;
  }
  fwrite(out, 1, out_len, stdout);
  return 0;
}

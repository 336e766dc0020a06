// Runs a script of raw `wasm_actions` KV calls from the request body, one per line, and
// answers one line per call: the error code, then any result. Tokens are separated by
// spaces and percent-decoded (so keys and values may hold any byte); "-" is empty.
//   open STORE                 -> code handle
//   set H KEY VALUE            -> code
//   get H KEY [CAP]            -> code value | code needed-length (4)
//   exists H KEY               -> code 0|1
//   delete H KEY               -> code
//   keys H PREFIX AFTER CAP    -> code key,key,...   (records decoded)
//   incr H KEY DELTA           -> code value
//   cas H KEY EXPECTED|~ NEW   -> code 0|1           (~: expect absent)
//   oob FUNCTION               -> code                (a pointer outside guest memory)
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT(name) __attribute__((import_module("wasm_actions"), import_name(name)))
IMPORT("kv_open") uint32_t kv_open(const void*, uint32_t, uint32_t*);
IMPORT("kv_get") uint32_t kv_get(uint32_t, const void*, uint32_t, void*, uint32_t, uint32_t*);
IMPORT("kv_set") uint32_t kv_set(uint32_t, const void*, uint32_t, const void*, uint32_t);
IMPORT("kv_delete") uint32_t kv_delete(uint32_t, const void*, uint32_t);
IMPORT("kv_exists") uint32_t kv_exists(uint32_t, const void*, uint32_t, uint32_t*);
IMPORT("kv_keys")
uint32_t kv_keys(uint32_t, const void*, uint32_t, const void*, uint32_t, void*, uint32_t,
                 uint32_t*);
IMPORT("kv_increment") uint32_t kv_increment(uint32_t, const void*, uint32_t, int64_t, int64_t*);
IMPORT("kv_compare_and_swap")
uint32_t kv_compare_and_swap(uint32_t, const void*, uint32_t, const void*, uint32_t, uint32_t,
                             const void*, uint32_t, uint32_t*);

// Far outside any memory this guest grows to.
#define BAD ((void*)0xFFFFFF00u)

static char out[1 << 20];
static size_t out_len;
static void emit(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
#include <stdarg.h>
static void emit(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(out + out_len, sizeof out - out_len, fmt, ap);
  va_end(ap);
  if (n > 0) out_len += (size_t)n < sizeof out - out_len ? (size_t)n : sizeof out - out_len - 1;
}

// Percent-decodes `token` in place; returns its length. "-" is the empty string.
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

static void emit_bytes(const char* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = (unsigned char)p[i];
    if (c > 0x20 && c < 0x7f && c != '%' && c != ',')
      emit("%c", c);
    else
      emit("%%%02X", c);
  }
}

static char buf[2 << 20];

static void run_line(char* line) {
  char* tok[8] = {0};
  size_t len[8] = {0};
  int n = 0;
  for (char* t = strtok(line, " "); t && n < 8; t = strtok(0, " ")) tok[n++] = t;
  if (n == 0) return;
  const char* op = tok[0];
  for (int i = 1; i < n; ++i) len[i] = decode(tok[i]);
  uint32_t h = n > 1 ? (uint32_t)strtoul(tok[1], 0, 10) : 0;
  if (!strcmp(op, "open")) {
    uint32_t handle = 0;
    uint32_t e = kv_open(tok[1], (uint32_t)len[1], &handle);
    emit("%u %u", e, handle);
  } else if (!strcmp(op, "set")) {
    emit("%u", kv_set(h, tok[2], (uint32_t)len[2], tok[3], (uint32_t)len[3]));
  } else if (!strcmp(op, "get")) {
    uint32_t cap = n > 3 ? (uint32_t)strtoul(tok[3], 0, 10) : sizeof buf;
    uint32_t got = 0;
    uint32_t e = kv_get(h, tok[2], (uint32_t)len[2], buf, cap, &got);
    emit("%u", e);
    if (e == 0) {
      emit(" ");
      emit_bytes(buf, got);
    } else if (e == 4) {
      emit(" %u", got);
    }
  } else if (!strcmp(op, "exists")) {
    uint32_t found = 7;
    uint32_t e = kv_exists(h, tok[2], (uint32_t)len[2], &found);
    emit("%u %u", e, found);
  } else if (!strcmp(op, "delete")) {
    emit("%u", kv_delete(h, tok[2], (uint32_t)len[2]));
  } else if (!strcmp(op, "keys")) {
    uint32_t cap = (uint32_t)strtoul(tok[4], 0, 10);
    uint32_t got = 0;
    uint32_t e = kv_keys(h, tok[2], (uint32_t)len[2], tok[3], (uint32_t)len[3], buf, cap, &got);
    emit("%u", e);
    if (e == 4) emit(" %u", got);
    if (e == 0) {
      emit(" ");
      for (uint32_t at = 0; at + 4 <= got;) {
        uint32_t k;
        memcpy(&k, buf + at, 4);
        if (at) emit(",");
        emit_bytes(buf + at + 4, k);
        at += 4 + k;
      }
    }
  } else if (!strcmp(op, "incr")) {
    int64_t value = 0;
    uint32_t e = kv_increment(h, tok[2], (uint32_t)len[2], strtoll(tok[3], 0, 10), &value);
    emit("%u %lld", e, (long long)value);
  } else if (!strcmp(op, "cas")) {
    uint32_t swapped = 7;
    int absent = !strcmp(tok[3], "~");
    uint32_t e = kv_compare_and_swap(h, tok[2], (uint32_t)len[2], tok[3], absent ? 0 : (uint32_t)len[3],
                                     absent, tok[4], (uint32_t)len[4], &swapped);
    emit("%u %u", e, swapped);
  } else if (!strcmp(op, "oob")) {
    const char* f = tok[1];
    uint32_t x = 0;
    int64_t v = 0;
    uint32_t e = 99;
    if (!strcmp(f, "open")) e = kv_open(BAD, 7, &x);
    if (!strcmp(f, "open_out")) e = kv_open("default", 7, BAD);
    if (!strcmp(f, "get_key")) e = kv_get(1, BAD, 3, buf, 10, &x);
    if (!strcmp(f, "get_buf")) e = kv_get(1, "k", 1, BAD, 10, &x);
    if (!strcmp(f, "get_len")) e = kv_get(1, "k", 1, buf, 10, BAD);
    if (!strcmp(f, "set_value")) e = kv_set(1, "k", 1, BAD, 10);
    if (!strcmp(f, "exists_out")) e = kv_exists(1, "k", 1, BAD);
    if (!strcmp(f, "keys_buf")) e = kv_keys(1, "", 0, "", 0, BAD, 64, &x);
    if (!strcmp(f, "incr_out")) e = kv_increment(1, "k", 1, 1, BAD);
    if (!strcmp(f, "cas_new")) e = kv_compare_and_swap(1, "k", 1, "", 0, 1, BAD, 4, &x);
    if (!strcmp(f, "wrap")) e = kv_get(1, (void*)0xFFFFFFF0u, 0x20, buf, 10, &x);
    (void)v;
    emit("%u", e);
  } else {
    emit("unknown op %s", op);
  }
  emit("\n");
}

static char script[1 << 21];

int main(void) {
  size_t n = fread(script, 1, sizeof script - 1, stdin);
  script[n] = 0;
  char* save = 0;
  for (char* line = strtok_r(script, "\n", &save); line; line = strtok_r(0, "\n", &save)) {
    size_t l = strlen(line);
    if (l && line[l - 1] == '\r') line[l - 1] = 0;
    run_line(line);
  }
  printf("Content-Type: text/plain\r\n\r\n");
  fwrite(out, 1, out_len, stdout);
  return 0;
}

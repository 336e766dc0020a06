// Runs a script of raw `wasi_experimental_http` calls from the request body, one per line,
// and answers one line per call: the error code, then any result. Tokens are separated
// by spaces and percent-decoded; "-" is empty.
//   req METHOD URL HEADERS BODY   -> code status handle   (HEADERS: "name:value\n" lines)
//   big METHOD URL N              -> code status handle   (a body of N bytes 'x')
//   get H NAME CAP                -> code value | code needed-length (4)
//   all H CAP                     -> code lines ('\n' shown as '|') | code needed-length
//   read H PIECE                  -> code length pieces fnv1a  (the whole body, in pieces)
//   body H                        -> code text            (the whole body, as text)
//   close H                       -> code
//   oob FUNCTION                  -> code                 (a pointer outside memory)
//   badutf8                       -> code                 (a URL that is not UTF-8)
//   many URL N                    -> code opened          (N requests without close)
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT(name) __attribute__((import_module("wasi_experimental_http"), import_name(name)))
IMPORT("req")
uint32_t http_req(const void*, uint32_t, const void*, uint32_t, const void*, uint32_t, const void*,
                  uint32_t, uint16_t*, uint32_t*);
IMPORT("close") uint32_t http_close(uint32_t);
IMPORT("header_get")
uint32_t http_header_get(uint32_t, const void*, uint32_t, void*, uint32_t, uint32_t*);
IMPORT("headers_get_all") uint32_t http_headers_get_all(uint32_t, void*, uint32_t, uint32_t*);
IMPORT("body_read") uint32_t http_body_read(uint32_t, void*, uint32_t, uint32_t*);

#define BAD ((void*)0xFFFFFF00u)

static char* next_token(char** cursor) {
  char* s = *cursor;
  while (*s == ' ') ++s;
  if (!*s) return NULL;
  char* start = s;
  while (*s && *s != ' ') ++s;
  if (*s) *s++ = '\0';
  *cursor = s;
  // Percent-decode in place; "-" is the empty string.
  if (strcmp(start, "-") == 0) {
    start[0] = '\0';
    return start;
  }
  char* w = start;
  for (char* r = start; *r; ++r) {
    if (r[0] == '%' && r[1] && r[2]) {
      char hex[3] = {r[1], r[2], 0};
      *w++ = (char)strtol(hex, NULL, 16);
      r += 2;
    } else {
      *w++ = *r;
    }
  }
  *w = '\0';
  return start;
}

static uint32_t token_u32(char** cursor) {
  char* t = next_token(cursor);
  return t ? (uint32_t)strtoul(t, NULL, 10) : 0;
}

static char buffer[4 << 20];

int main(void) {
  static char script[1 << 16];
  size_t n = fread(script, 1, sizeof script - 1, stdin);
  script[n] = '\0';
  printf("Content-Type: text/plain\n\n");
  char* save = NULL;
  for (char* line = strtok_r(script, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char* cursor = line;
    char* op = next_token(&cursor);
    if (!op) continue;
    if (strcmp(op, "req") == 0 || strcmp(op, "big") == 0) {
      char* method = next_token(&cursor);
      char* url = next_token(&cursor);
      const char* headers = "";
      const char* body = "";
      size_t body_len = 0;
      char* big = NULL;
      if (strcmp(op, "req") == 0) {
        headers = next_token(&cursor);
        body = next_token(&cursor);
        body_len = strlen(body);
      } else {
        body_len = token_u32(&cursor);
        big = malloc(body_len + 1);
        memset(big, 'x', body_len);
        body = big;
      }
      uint16_t status = 0;
      uint32_t handle = 0;
      uint32_t e = http_req(url, strlen(url), method, strlen(method), headers, strlen(headers),
                            body, body_len, &status, &handle);
      printf("%u %u %u\n", e, status, handle);
      free(big);
    } else if (strcmp(op, "get") == 0) {
      uint32_t h = token_u32(&cursor);
      char* name = next_token(&cursor);
      uint32_t cap = token_u32(&cursor);
      uint32_t written = 0;
      uint32_t e = http_header_get(h, name, strlen(name), buffer, cap, &written);
      if (e == 0)
        printf("%u %.*s\n", e, (int)written, buffer);
      else
        printf("%u %u\n", e, written);
    } else if (strcmp(op, "all") == 0) {
      uint32_t h = token_u32(&cursor);
      uint32_t cap = token_u32(&cursor);
      uint32_t written = 0;
      uint32_t e = http_headers_get_all(h, buffer, cap, &written);
      if (e == 0) {
        for (uint32_t i = 0; i < written; ++i)
          if (buffer[i] == '\n') buffer[i] = '|';
        printf("%u %.*s\n", e, (int)written, buffer);
      } else {
        printf("%u %u\n", e, written);
      }
    } else if (strcmp(op, "read") == 0 || strcmp(op, "body") == 0) {
      uint32_t h = token_u32(&cursor);
      uint32_t piece = strcmp(op, "read") == 0 ? token_u32(&cursor) : 65536;
      uint64_t total = 0, pieces = 0;
      uint32_t hash = 2166136261u;
      uint32_t e = 0;
      size_t kept = 0;
      for (;;) {
        uint32_t written = 0;
        e = http_body_read(h, buffer + kept, piece, &written);
        if (e != 0 || written == 0) break;
        for (uint32_t i = 0; i < written; ++i) hash = (hash ^ (uint8_t)buffer[kept + i]) * 16777619u;
        total += written;
        ++pieces;
        if (strcmp(op, "body") == 0 && kept + written + piece < sizeof buffer) kept += written;
      }
      if (strcmp(op, "read") == 0)
        printf("%u %llu %llu %08x\n", e, (unsigned long long)total, (unsigned long long)pieces,
               hash);
      else
        printf("%u %.*s\n", e, (int)kept, buffer);
    } else if (strcmp(op, "close") == 0) {
      printf("%u\n", http_close(token_u32(&cursor)));
    } else if (strcmp(op, "oob") == 0) {
      char* fn = next_token(&cursor);
      uint16_t status;
      uint32_t handle, written;
      uint32_t e = 99;
      if (strcmp(fn, "req") == 0) e = http_req(BAD, 16, "GET", 3, "", 0, "", 0, &status, &handle);
      if (strcmp(fn, "req_out") == 0)
        e = http_req("http://x/", 9, "GET", 3, "", 0, "", 0, BAD, &handle);
      if (strcmp(fn, "header_get") == 0) e = http_header_get(0, "a", 1, BAD, 64, &written);
      if (strcmp(fn, "headers_get_all") == 0) e = http_headers_get_all(0, buffer, 64, BAD);
      if (strcmp(fn, "body_read") == 0) e = http_body_read(0, BAD, 64, &written);
      printf("%u\n", e);
    } else if (strcmp(op, "badutf8") == 0) {
      uint16_t status;
      uint32_t handle;
      printf("%u\n", http_req("http://\xff\xfe/", 10, "GET", 3, "", 0, "", 0, &status, &handle));
    } else if (strcmp(op, "many") == 0) {
      char* url = next_token(&cursor);
      uint32_t count = token_u32(&cursor);
      uint32_t e = 0, opened = 0;
      for (uint32_t i = 0; i < count; ++i) {
        uint16_t status;
        uint32_t handle;
        e = http_req(url, strlen(url), "GET", 3, "", 0, "", 0, &status, &handle);
        if (e != 0) break;
        ++opened;
      }
      printf("%u %u\n", e, opened);
    } else {
      printf("? %s\n", op);
    }
  }
  return 0;
}

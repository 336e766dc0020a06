// Answers with whatever the query string asks for, including replies no HTTP server can
// send as they are: the gateway must map each to a valid response or a logged 502.
//   ?204 / ?304     a no-content status with a body anyway
//   ?long_value     a 70,000-byte header value (Beast's field limit is 65,535)
//   ?long_name      a 70,000-byte header name
//   ?long_reason    a 70,000-byte Status reason phrase
//   ?stderr         2 MiB of stderr, then a valid reply
//   ?big=N          a body of N MiB
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void repeat(FILE* out, char c, size_t n) {
  static char chunk[4096];
  memset(chunk, c, sizeof chunk);
  while (n > 0) {
    size_t piece = n < sizeof chunk ? n : sizeof chunk;
    fwrite(chunk, 1, piece, out);
    n -= piece;
  }
}

int main(void) {
  const char* q = getenv("QUERY_STRING");
  if (!q) q = "";
  if (strcmp(q, "204") == 0 || strcmp(q, "304") == 0) {
    printf("Status: %s\nContent-Type: text/plain\n\nthis body is not allowed\n", q);
  } else if (strcmp(q, "long_value") == 0) {
    printf("Content-Type: text/plain\nX-Long: ");
    repeat(stdout, 'v', 70000);
    printf("\n\nbody\n");
  } else if (strcmp(q, "long_name") == 0) {
    printf("Content-Type: text/plain\nX-");
    repeat(stdout, 'n', 70000);
    printf(": v\n\nbody\n");
  } else if (strcmp(q, "long_reason") == 0) {
    printf("Status: 200 ");
    repeat(stdout, 'r', 70000);
    printf("\nContent-Type: text/plain\n\nbody\n");
  } else if (strcmp(q, "stderr") == 0) {
    for (int i = 0; i < 2048; ++i) {
      repeat(stderr, 'e', 1023);
      fputc('\n', stderr);
    }
    printf("Content-Type: text/plain\n\nreply after a lot of stderr\n");
  } else if (strncmp(q, "big=", 4) == 0) {
    printf("Content-Type: application/octet-stream\n\n");
    repeat(stdout, 'b', (size_t)atoi(q + 4) << 20);
  } else {
    printf("Content-Type: text/plain\n\nok\n");
  }
  return 0;
}

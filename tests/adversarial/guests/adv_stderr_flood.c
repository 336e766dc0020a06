// Writes 2 MiB to stderr, then a valid reply: the log must be capped on its own and
// the reply must stand (issue 8 item 21).
#include <stdio.h>
#include <string.h>

int main(void) {
  static char line[1024];
  memset(line, 'e', sizeof line - 1);
  line[sizeof line - 1] = '\n';
  for (int i = 0; i < 2048; ++i) fwrite(line, 1, sizeof line, stderr);
  printf("Content-Type: text/plain\n\nreply after stderr\n");
  return 0;
}

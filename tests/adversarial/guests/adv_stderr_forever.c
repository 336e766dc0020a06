// Writes to stderr forever: the deadline or the log cap must stop it.
#include <stdio.h>
#include <string.h>

int main(void) {
  static char line[1024];
  memset(line, 'e', sizeof line - 1);
  line[sizeof line - 1] = '\n';
  for (;;) fwrite(line, 1, sizeof line, stderr);
}

// Echoes its arguments, one environment variable and stdin: checks the WASI plumbing.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) printf("arg%d=%s\n", i, argv[i]);
  const char* greeting = getenv("GREETING");
  printf("GREETING=%s\n", greeting ? greeting : "(unset)");
  char buffer[4096];
  size_t n;
  printf("stdin=");
  while ((n = fread(buffer, 1, sizeof buffer, stdin)) > 0) fwrite(buffer, 1, n, stdout);
  printf("\n");
  fprintf(stderr, "to stderr\n");
  return 0;
}

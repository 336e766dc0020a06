// The smallest action: answers every request with a greeting (CGI on stdout).
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  const char* query = getenv("QUERY_STRING");
  printf("Content-Type: text/plain\r\n\r\n");
  printf("Hello from WebAssembly!%s%s\n", query && *query ? " query=" : "",
         query && *query ? query : "");
  return 0;
}

// Answers 200 and writes two stderr lines naming its query string: a request that leaves
// log lines (its own request id on each) without failing.
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  const char* query = getenv("QUERY_STRING");
  if (!query) query = "";
  fprintf(stderr, "first line for %s\n", query);
  fprintf(stderr, "second line for %s\n", query);
  printf("Content-Type: text/plain\r\n\r\nlogged %s\n", query);
  return 0;
}

// Serves the HTML in its PAGE environment variable: a user's own web page, as the
// browser tests need one (e.g. a hostile page that tries to reach the dashboard's token).
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  const char* page = getenv("PAGE");
  printf("Content-Type: text/html; charset=utf-8\r\n\r\n%s", page ? page : "<p>no PAGE set</p>");
  return 0;
}

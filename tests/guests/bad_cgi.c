// Writes output that is not a CGI response (no header block): the gateway answers 502.
#include <stdio.h>

int main(void) {
  printf("this is not a CGI response\n");
  return 0;
}

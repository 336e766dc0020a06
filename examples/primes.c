// Primes: `?n=N` answers with the primes below N (sieve of Eratosthenes), one per line.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Bounds the sieve's memory (1 byte per number) and the response size.
#define MAX_N 10000000L

static long query_n(const char* query) {
  long n = 100;
  for (const char* p = query; p && *p;) {
    if (strncmp(p, "n=", 2) == 0) n = strtol(p + 2, NULL, 10);
    p = strchr(p, '&');
    if (p) p++;
  }
  return n;
}

int main(void) {
  long n = query_n(getenv("QUERY_STRING"));
  if (n < 0 || n > MAX_N) {
    printf("Status: 400 Bad Request\r\nContent-Type: text/plain\r\n\r\n");
    printf("n must be between 0 and %ld\n", MAX_N);
    return 0;
  }
  char* composite = calloc((size_t)n + 1, 1);
  if (!composite) {
    printf("Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\nout of memory\n");
    return 0;
  }
  printf("Content-Type: text/plain\r\n\r\n");
  for (long i = 2; i < n; i++) {
    if (composite[i]) continue;
    printf("%ld\n", i);
    for (long j = i * i; j < n; j += i) composite[j] = 1;
  }
  free(composite);
  return 0;
}

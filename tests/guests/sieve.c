// Sieve of Eratosthenes, repeated: a compute benchmark built both natively and as wasm.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned sieve(unsigned limit, unsigned char* composite) {
  memset(composite, 0, limit + 1);
  unsigned count = 0;
  for (unsigned i = 2; i <= limit; ++i) {
    if (composite[i]) continue;
    ++count;
    for (unsigned long j = (unsigned long)i * i; j <= limit; j += i) composite[j] = 1;
  }
  return count;
}

int main(int argc, char** argv) {
  unsigned limit = argc > 1 ? (unsigned)atoi(argv[1]) : 10000000;
  unsigned rounds = argc > 2 ? (unsigned)atoi(argv[2]) : 1;
  unsigned char* composite = malloc(limit + 1);
  if (!composite) return 1;
  unsigned count = 0;
  for (unsigned r = 0; r < rounds; ++r) count = sieve(limit, composite);
  printf("%u\n", count);
  free(composite);
  return 0;
}

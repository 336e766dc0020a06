// Counts primes below N by trial division: a compute benchmark built natively and as wasm.
#include <stdio.h>
#include <stdlib.h>

static int is_prime(unsigned n) {
  if (n < 2) return 0;
  for (unsigned d = 2; d * d <= n; ++d)
    if (n % d == 0) return 0;
  return 1;
}

int main(int argc, char** argv) {
  unsigned limit = argc > 1 ? (unsigned)atoi(argv[1]) : 5000000;
  unsigned count = 0;
  for (unsigned n = 2; n < limit; ++n) count += is_prime(n);
  printf("%u\n", count);
  return 0;
}

// Allocates and touches 1 MiB blocks until malloc fails, then traps: the memory cap must
// stop it without the host allocating for it.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Kept reachable, or the compiler may drop the allocations (and the guest would only spin).
static char* volatile blocks[4096];

int main(void) {
  for (size_t i = 0; i < sizeof blocks / sizeof *blocks; ++i) {
    char* block = malloc(1 << 20);
    if (!block) __builtin_trap();  // refused: trap, as a guest with no fallback would
    memset(block, (int)i, 1 << 20);
    blocks[i] = block;
  }
  printf("Content-Type: text/plain\n\n4 GiB allocated: the cap did not hold\n");
  return 0;
}

// A guest for live (persistent) instances: a plain C global that survives between calls
// only if the instance does. Exports: bump (prints the new count), trap, spin (runs
// forever), oob (a store far outside memory), leave (exit 0).
#include <stdio.h>
#include <stdlib.h>

static unsigned counter;

__attribute__((export_name("bump"))) void bump(void) {
  ++counter;
  printf("%u\n", counter);
  fflush(stdout);
}

__attribute__((export_name("trap"))) void trap(void) { __builtin_trap(); }

__attribute__((export_name("spin"))) void spin(void) {
  volatile unsigned n = 0;
  for (;;) ++n;
}

__attribute__((export_name("oob"))) void oob(void) {
  volatile unsigned* far = (volatile unsigned*)0xFFFFFF00u;
  *far = counter;
}

__attribute__((export_name("leave"))) void leave(void) { exit(0); }

int main(void) { return 0; }

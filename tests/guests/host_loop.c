// Spins forever calling a host function: the deadline must halt it in either place.
#include <time.h>

int main(void) {
  volatile long sink = 0;
  for (;;) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    sink += ts.tv_nsec;
  }
  return (int)sink;
}

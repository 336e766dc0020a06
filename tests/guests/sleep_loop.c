// Sleeps in the host (poll_oneoff) forever: the deadline must wake and halt it.
#include <unistd.h>

int main(void) {
  for (;;) sleep(1);
}

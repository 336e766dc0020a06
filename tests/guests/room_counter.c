// A room handler whose state is a plain C global, for persistent mode
// (settings.room_mode "persistent"): each message increments the counter and the reply is
// its new value, so the replies show whether linear memory survived between events
// (1, 2, 3, ... on a live instance; always 1 with a fresh instance per event).
//   "trap"  executes unreachable: the instance must be discarded, and the next event
//           starts again from 1 on a fresh one
// The payload comes from event_payload (in persistent mode stdin and the environment
// belong to the instance's first event only).
#include <stdint.h>
#include <stdio.h>
#include <string.h>

__attribute__((import_module("wasm_actions"), import_name("event_payload"))) uint32_t event_payload(
    void* buf, uint32_t cap, uint32_t* len);

static unsigned counter;

__attribute__((export_name("onMessage"))) void on_message(void) {
  char payload[64];
  uint32_t len = 0;
  // A longer payload answers 4 (buffer too small): it is just counted.
  uint32_t code = event_payload(payload, sizeof payload, &len);
  if (code == 0 && len == 4 && memcmp(payload, "trap", 4) == 0) __builtin_trap();
  ++counter;
  printf("%u", counter);
  fflush(stdout);
}

int main(void) {
  printf("Content-Type: text/plain\n\n%u", counter);
  return 0;
}

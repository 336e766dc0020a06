// bench/run's rooms scenario: the room handler. A message whose first byte is 'b' is
// broadcast to every connection of the room, its sender included (the latency figure);
// any other message is echoed to its sender through stdout, the event's reply (the
// messages/s figure). bench/peers/node_ws_rooms.mjs, the Node.js peer, does the same.
// A command module, so its route also answers HTTP (a deploy check); for room events
// `_start` is never called.
#include <unistd.h>
#include <wasm_actions.h>

__attribute__((export_name("onMessage"))) void on_message(void) {
  // event_payload rather than stdin: it reads the same in both room modes.
  static uint8_t buf[64 * 1024];
  uint32_t len = 0;
  uint32_t err = wa_raw_event_payload(buf, sizeof buf, &len);
  if (err != WA_OK) {
    fprintf(stderr, "room_relay: event_payload: %s\n", wa_error_name(err));
    return;
  }
  if (len > 0 && buf[0] == 'b') {
    err = wa_room_broadcast(buf, len, NULL);
    if (err != WA_OK) fprintf(stderr, "room_relay: room_broadcast: %s\n", wa_error_name(err));
    return;
  }
  // One write, unbuffered: the whole reply is one message.
  for (uint32_t done = 0; done < len;) {
    ssize_t n = write(1, buf + done, len - done);
    if (n <= 0) return;
    done += (uint32_t)n;
  }
}

int main(void) {
  wa_respond_str(200, "text/plain", "room_relay: a room handler (bench/run rooms)\n");
  return 0;
}

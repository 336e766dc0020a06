// bench/run's kv scenario: one kv_set per request, always the same key ("bench:set" in
// store `default`) with a 64-byte value that changes every request (so every set is a
// real write, and the store does not grow with the run's length).
#include <time.h>
#include <wasm_actions.h>

int main(void) {
  static const char kKey[] = "bench:set";
  uint32_t store = 0;
  uint32_t err = wa_kv_open("default", &store);
  char value[65];
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  snprintf(value, sizeof value, "%020lld.%09ld-%-33s", (long long)now.tv_sec, now.tv_nsec, "x");
  if (err == WA_OK) err = wa_kv_set(store, kKey, sizeof kKey - 1, value, 64);
  if (err != WA_OK) {
    wa_respond_str(500, NULL, wa_error_name(err));
    return 0;
  }
  wa_respond_str(200, "text/plain", "set\n");
  return 0;
}

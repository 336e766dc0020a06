// bench/run's kv scenario: one kv_increment per request of one counter ("bench:hits" in
// store `default`); answers the new count.
#include <wasm_actions.h>

int main(void) {
  static const char kKey[] = "bench:hits";
  uint32_t store = 0;
  uint32_t err = wa_kv_open("default", &store);
  int64_t count = 0;
  if (err == WA_OK) err = wa_kv_increment(store, kKey, sizeof kKey - 1, 1, &count);
  if (err != WA_OK) {
    wa_respond_str(500, NULL, wa_error_name(err));
    return 0;
  }
  char body[32];
  int n = snprintf(body, sizeof body, "%lld\n", (long long)count);
  wa_respond(200, "text/plain", body, (size_t)n);
  return 0;
}

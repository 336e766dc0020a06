// bench/run's kv scenario: one kv_get per request, of a fixed 64-byte value
// ("bench:value" in store `default`; the first request that finds it absent sets it).
#include <wasm_actions.h>

int main(void) {
  static const char kKey[] = "bench:value";
  uint32_t store = 0;
  uint32_t err = wa_kv_open("default", &store);
  char value[256];
  uint32_t len = 0;
  if (err == WA_OK) err = wa_kv_get(store, kKey, sizeof kKey - 1, value, sizeof value, &len);
  if (err == WA_ERR_NOT_FOUND) {
    memset(value, 'v', 64);
    len = 64;
    err = wa_kv_set(store, kKey, sizeof kKey - 1, value, len);
  }
  if (err != WA_OK) {
    wa_respond_str(500, NULL, wa_error_name(err));
    return 0;
  }
  wa_respond(200, "text/plain", value, len);
  return 0;
}

/* Calls every function of wasm_actions.h, so that ctest (tests/cli/CMakeLists.txt) can
 * compile the header strictly as C11 and as C++17 (-Werror): the SDK must stay usable
 * from both. Compiled only (-c), never run: the rooms imports have no host yet. */
#include <wasm_actions.h>

int wa_compile_check(void);
int wa_compile_check(void) {
  uint32_t h = 0, len = 0, n = 0;
  bool flag = false;
  int64_t count = 0;
  uint8_t* bytes = NULL;
  char* text = NULL;
  char buf[16];
  uint32_t err = wa_kv_open("default", &h);
  err |= wa_kv_get(h, "k", 1, buf, sizeof buf, &len);
  err |= wa_kv_get_alloc(h, "k", 1, &bytes, &len);
  err |= wa_kv_get_str(h, "k", &text);
  err |= wa_kv_set(h, "k", 1, "v", 1);
  err |= wa_kv_set_str(h, "k", "v");
  err |= wa_kv_delete(h, "k", 1);
  err |= wa_kv_exists(h, "k", 1, &flag);
  err |= wa_kv_increment(h, "k", 1, 1, &count);
  err |= wa_kv_compare_and_swap(h, "k", 1, NULL, 0, "v", 1, &flag);
  wa_kv_keys_iter it;
  wa_kv_keys_begin(&it, h, "", 0, 0);
  const uint8_t* key = NULL;
  while (wa_kv_keys_next(&it, &key, &n)) {
  }
  wa_kv_keys_end(&it);
  err |= wa_room_broadcast("m", 1, NULL);
  err |= wa_room_send("c", "m", 1);
  err |= wa_room_select("r");
  err |= wa_room_connections(&text, &n);
  err |= wa_event_get(&text, &n);
  err |= wa_event_payload(&bytes, &n);
  size_t body_len = 0;
  uint8_t* body = wa_read_body(&body_len);
  char* q = wa_query_param("q");
  const char* ua = wa_header("User-Agent");
  wa_response_begin(200);
  wa_response_header("X-Method", wa_request_method());
  wa_response_header("X-Path", wa_request_path());
  wa_response_header("X-Query", wa_query_string());
  wa_response_end_headers();
  wa_response_write(ua ? ua : "", ua ? strlen(ua) : 0);
  wa_json_write_string(stdout, "x", 1);
  wa_respond(200, NULL, "", 0);
  wa_respond_str(200, "text/plain", wa_error_name(err));
  free(body);
  free(q);
  free(bytes);
  free(text);
  return (int)err;
}

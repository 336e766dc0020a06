/* Calls every function of wasm_actions_http.h, so that ctest (tests/cli/CMakeLists.txt) can
 * compile the header strictly as C11 and as C++17 (-Werror), alone and next to
 * wasm_actions.h. Compiled only (-c), never run. */
#include <wasm_actions.h>
#include <wasm_actions_http.h>

int wa_http_compile_check(void);
int wa_http_compile_check(void) {
  wa_http_response r;
  wa_http_request req = {"POST", "https://example.com/", "a:b\n", "x", 1};
  uint32_t err = wa_fetch(&req, &r);
  err |= wa_http_get("https://example.com/", &r);
  char buf[32];
  uint32_t len = 0;
  err |= wa_http_header(&r, "content-type", buf, sizeof buf, &len);
  char* text = NULL;
  err |= wa_http_header_alloc(&r, "content-type", &text, &len);
  free(text);
  err |= wa_http_headers_all(&r, &text, &len);
  free(text);
  err |= wa_http_read_body(&r, buf, sizeof buf, &len);
  uint8_t* body = NULL;
  size_t n = 0;
  err |= wa_http_body_all(&r, &body, &n);
  free(body);
  err |= wa_http_close(&r);
  err |= wa_call_action("render", "/x?y=1", "GET", NULL, NULL, 0, &r);
  wa_http_headers h = WA_HTTP_HEADERS_INIT;
  err |= (uint32_t)wa_http_headers_add(&h, "accept", "text/plain");
  const char* lines = wa_http_headers_text(&h);
  wa_http_headers_free(&h);
  uint16_t status = 0;
  uint32_t handle = 0;
  err |= wa_http_raw_req("u", 1, "GET", 3, "", 0, "", 0, &status, &handle);
  err |= wa_http_raw_header_get(handle, "a", 1, buf, sizeof buf, &len);
  err |= wa_http_raw_headers_get_all(handle, buf, sizeof buf, &len);
  err |= wa_http_raw_body_read(handle, buf, sizeof buf, &len);
  err |= wa_http_raw_close(handle);
  return (int)err + (int)strlen(wa_http_error_name(err)) + (int)strlen(lines) + status;
}

// The caller of the chaining example: a page that asks another action of the same
// developer, `render` (examples/chain_render.c), for its greeting fragment, in process —
// no network, no route lookup: http://render.actions.internal/greet?name=...
//
//   wasm-actions deploy build/guests/chain_render.wasm --name render --route /render
//   wasm-actions deploy build/guests/chain_front.wasm --name front --route /front
//   (grant front settings.capabilities.actions = ["render"])
//   curl 'http://127.0.0.1:8080/front?name=Ann'
//
// Without the grant the call answers destination_not_allowed (a 403 here); a chain deeper
// than 8 or one that comes back to an action already in it answers runtime_error.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasm_actions.h>
#include <wasm_actions_http.h>

// Percent-encodes `s` for a query value (unreserved bytes stay as they are).
static char* query_encode(const char* s) {
  static const char hex[] = "0123456789ABCDEF";
  char* out = (char*)malloc(strlen(s) * 3 + 1);
  if (!out) return NULL;
  char* o = out;
  for (const unsigned char* p = (const unsigned char*)s; *p; ++p) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
        strchr("-_.~", *p)) {
      *o++ = (char)*p;
    } else {
      *o++ = '%';
      *o++ = hex[*p >> 4];
      *o++ = hex[*p & 15];
    }
  }
  *o = 0;
  return out;
}

int main(void) {
  char* name = wa_query_param("name");
  char* encoded = query_encode(name ? name : "");
  free(name);
  char path[1024];
  snprintf(path, sizeof path, "/greet?name=%s", encoded ? encoded : "");
  free(encoded);

  wa_http_response r;
  uint32_t err = wa_call_action("render", path, "GET", "x-requested-by:front\n", NULL, 0, &r);
  if (err != WA_HTTP_OK) {
    char message[160];
    snprintf(message, sizeof message, "calling render: %s\n", wa_http_error_name(err));
    wa_respond_str(err == WA_HTTP_ERR_DESTINATION_NOT_ALLOWED ? 403 : 502, NULL, message);
    return 0;
  }
  uint8_t* fragment = NULL;
  size_t len = 0;
  err = wa_http_body_all(&r, &fragment, &len);
  wa_http_close(&r);
  if (err != WA_HTTP_OK || r.status != 200) {
    wa_respond_str(502, NULL, "render failed\n");
    free(fragment);
    return 0;
  }
  wa_response_begin(200);
  wa_response_header("Content-Type", "text/html; charset=utf-8");
  wa_response_end_headers();
  fputs("<!doctype html><title>front</title><main>", stdout);
  wa_response_write(fragment, len);
  fputs("</main>\n", stdout);
  free(fragment);
  return 0;
}

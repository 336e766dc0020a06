// Fetches the URL in its query and answers a JSON summary of the response: status,
// content type, size, and the first line of the body (at most 120 bytes).
//
//   wasm-actions deploy build/guests/fetch_summary.wasm --name summary --route /summary
//   (grant settings.capabilities.allowed_outbound_hosts, e.g. ["https://example.com"])
//   curl 'http://127.0.0.1:8080/summary?url=https://example.com/'
//   → {"url": "https://example.com/", "status": 200, "content_type": "text/html",
//      "bytes": 1256, "first_line": "<!doctype html>"}
//
// A host outside the grant is a 403 naming the error (destination_not_allowed); a request
// that fails (DNS, connect, TLS, timeout) a 502.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasm_actions.h>
#include <wasm_actions_http.h>

static void respond_error(int status, const char* error, const char* hint) {
  wa_response_begin(status);
  wa_response_header("Content-Type", "application/json");
  wa_response_end_headers();
  fputs("{\"error\": ", stdout);
  wa_json_write_string(stdout, error, strlen(error));
  fputs(", \"hint\": ", stdout);
  wa_json_write_string(stdout, hint, strlen(hint));
  fputs("}\n", stdout);
}

int main(void) {
  char* url = wa_query_param("url");
  if (!url || !*url) {
    respond_error(400, "missing_url", "call with ?url=https://...");
    free(url);
    return 0;
  }
  wa_http_response r;
  uint32_t err = wa_fetch(&(wa_http_request){.url = url, .headers = "accept:*/*\n"}, &r);
  if (err != WA_HTTP_OK) {
    const char* hint = err == WA_HTTP_ERR_DESTINATION_NOT_ALLOWED
                           ? "add the origin to settings.capabilities.allowed_outbound_hosts"
                           : "the request did not complete; the action's log has no more";
    respond_error(err == WA_HTTP_ERR_DESTINATION_NOT_ALLOWED ? 403 : 502, wa_http_error_name(err),
                  hint);
    free(url);
    return 0;
  }
  char* type = NULL;
  if (wa_http_header_alloc(&r, "content-type", &type, NULL) != WA_HTTP_OK) type = NULL;
  uint8_t* body = NULL;
  size_t len = 0;
  err = wa_http_body_all(&r, &body, &len);
  wa_http_close(&r);
  if (err != WA_HTTP_OK) {
    respond_error(502, wa_http_error_name(err), "reading the body failed");
    free(type);
    free(url);
    return 0;
  }
  size_t first = 0;
  while (first < len && first < 120 && body[first] != '\n' && body[first] != '\r') ++first;

  wa_response_begin(200);
  wa_response_header("Content-Type", "application/json");
  wa_response_end_headers();
  fputs("{\"url\": ", stdout);
  wa_json_write_string(stdout, url, strlen(url));
  printf(", \"status\": %u, \"content_type\": ", (unsigned)r.status);
  if (type)
    wa_json_write_string(stdout, type, strlen(type));
  else
    fputs("null", stdout);
  printf(", \"bytes\": %zu, \"first_line\": ", len);
  wa_json_write_string(stdout, (const char*)body, first);
  fputs("}\n", stdout);
  free(body);
  free(type);
  free(url);
  return 0;
}

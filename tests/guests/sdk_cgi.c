// The parts of sdk/c/wasm_actions.h that make no host call (tests/cli/sdk_c_test.cc):
//   names  wa_error_name for every code
//   cgi    the request and response helpers, driven by `wasm-actions run --env ...`
// Prints "PASS <check>" / "FAIL <check>: <detail>" per check and "DONE <failures>";
// exits with the number of failures. It imports nothing from `wasm_actions` (so it runs
// on any server), which the test checks too: the SDK's unused imports cost nothing.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasm_actions.h>

static int failures = 0;

static void check(int ok, const char* name, const char* detail) {
  if (ok) {
    printf("PASS %s\n", name);
  } else {
    printf("FAIL %s: %s\n", name, detail ? detail : "");
    ++failures;
  }
}

static void suite_names(void) {
  static const char* const want[] = {
      "ok",        "invalid_handle", "memory_access", "invalid_argument", "buffer_too_small",
      "not_found", "access_denied",  "too_large",     "quota_exceeded",   "unavailable"};
  for (uint32_t i = 0; i < 10; ++i) check(strcmp(wa_error_name(i), want[i]) == 0, want[i], NULL);
  check(strcmp(wa_error_name(WA_ERR_SDK_NO_MEMORY), "out_of_memory") == 0, "out_of_memory", NULL);
  check(strcmp(wa_error_name(42), "unknown") == 0, "unknown", NULL);
}

static void suite_cgi(void) {
  check(strcmp(wa_request_method(), "POST") == 0, "method", wa_request_method());
  check(strcmp(wa_request_path(), "/a/b") == 0, "path", wa_request_path());
  char* v = wa_query_param("name");
  check(v && strcmp(v, "J\xc3\xb6rg & co") == 0, "query param decoded", v);
  free(v);
  v = wa_query_param("empty");
  check(v && *v == 0, "query param without a value", v);
  free(v);
  check(wa_query_param("absent") == NULL, "absent query param", NULL);
  v = wa_query_param("sp ace");
  check(v && strcmp(v, "%zz") == 0, "encoded name, malformed escape kept", v);
  free(v);
  size_t n = 0;
  v = wa_query_param_n("nul", &n);
  check(v && n == 3 && v[0] == 'a' && v[1] == 0 && v[2] == 'b', "query param with a NUL", NULL);
  free(v);
  const char* ua = wa_header("user-agent");
  check(ua && strcmp(ua, "sdk-test/1") == 0, "header via HTTP_USER_AGENT", ua);
  const char* ct = wa_header("Content-Type");
  check(ct && strcmp(ct, "text/plain") == 0, "Content-Type via CONTENT_TYPE", ct);
  check(wa_header("X-Absent") == NULL, "absent header", NULL);
  check(wa_header("bad header") == NULL, "impossible header name", NULL);
  size_t len = 0;
  uint8_t* body = wa_read_body(&len);
  check(body && len == 10000, "read the whole body", NULL);
  int same = body != NULL;
  for (size_t i = 0; body && i < len; ++i) same &= body[i] == (uint8_t)('a' + i % 26);
  check(same, "body bytes", NULL);
  free(body);
  check(wa_response_header("X-Evil", "a\r\nSet-Cookie: x") == -1, "header injection refused", NULL);
}

int main(int argc, char** argv) {
  const char* suite = argc > 1 ? argv[1] : "";
  if (strcmp(suite, "names") == 0) {
    suite_names();
  } else if (strcmp(suite, "cgi") == 0) {
    suite_cgi();
  } else {
    fprintf(stderr, "usage: sdk_cgi names|cgi\n");
    return 100;
  }
  printf("DONE %d\n", failures);
  return failures > 100 ? 100 : failures;
}

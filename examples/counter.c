// A counter in the developer's key-value store (store `default`, which the action must be
// granted read-write: settings.capabilities = {"key_value_stores": [{"store": "default",
// "access": "read-write"}]}).
//
//   GET  /                 increments counter "default"   → {"name": "default", "count": 1}
//   GET  /apples           increments counter "apples"
//   GET  /?name=pears      increments counter "pears" (?name= wins over the path)
//   GET  /reset?name=X     resets counter X ("default" without ?name=)
//   DELETE /apples         resets counter "apples"
//
// Without a grant, or with a read-only one, it answers 403 and says which.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasm_actions.h>

static const char kStore[] = "default";

static void respond_error(int status, const char* message) {
  wa_response_begin(status);
  wa_response_header("Content-Type", "application/json");
  wa_response_end_headers();
  fputs("{\"error\": ", stdout);
  wa_json_write_string(stdout, message, strlen(message));
  fputs("}\n", stdout);
}

static void respond_count(const char* name, long long count) {
  wa_response_begin(200);
  wa_response_header("Content-Type", "application/json");
  wa_response_header("Cache-Control", "no-store");
  wa_response_end_headers();
  fputs("{\"name\": ", stdout);
  wa_json_write_string(stdout, name, strlen(name));
  printf(", \"count\": %lld}\n", count);
}

// A failed host call as an HTTP answer: access_denied is the action's configuration, not
// a server fault, so it gets a 403 that tells the developer what to grant.
static void respond_kv_failure(const char* what, uint32_t err) {
  char message[256];
  if (err == WA_ERR_ACCESS_DENIED) {
    snprintf(message, sizeof message,
             "%s: access_denied: this action needs the key-value store \"%s\" granted "
             "read-write (settings.capabilities.key_value_stores)",
             what, kStore);
    respond_error(403, message);
    return;
  }
  snprintf(message, sizeof message, "%s: %s", what, wa_error_name(err));
  respond_error(err == WA_ERR_UNAVAILABLE        ? 503
                : err == WA_ERR_INVALID_ARGUMENT ? 409
                                                 : 500,
                message);
}

int main(void) {
  const char* method = wa_request_method();
  const char* path = wa_request_path();
  bool is_delete = strcmp(method, "DELETE") == 0;
  bool is_get = strcmp(method, "GET") == 0 || *method == 0;  // "" under `wasm-actions run`
  if (!is_get && !is_delete) {
    respond_error(405, "use GET to count, GET /reset or DELETE to reset");
    return 0;
  }
  bool reset = is_delete || strcmp(path, "/reset") == 0;

  // The counter's name: ?name=, else the path without its leading '/', else "default".
  char* name = wa_query_param("name");
  if (!name || !*name) {
    free(name);
    const char* from_path = (strcmp(path, "/reset") == 0) ? "" : path;
    while (*from_path == '/') ++from_path;
    name = strdup(*from_path ? from_path : "default");
  }
  if (strlen(name) > 200) {
    respond_error(400, "counter names are at most 200 bytes");
    free(name);
    return 0;
  }
  char key[256];
  int key_len = snprintf(key, sizeof key, "counter:%s", name);

  uint32_t store = 0;
  uint32_t err = wa_kv_open(kStore, &store);
  if (err != WA_OK) {
    respond_kv_failure("kv_open", err);
    free(name);
    return 0;
  }
  if (reset) {
    err = wa_kv_delete(store, key, (size_t)key_len);
    if (err != WA_OK)
      respond_kv_failure("kv_delete", err);
    else
      respond_count(name, 0);
  } else {
    int64_t count = 0;
    err = wa_kv_increment(store, key, (size_t)key_len, 1, &count);
    if (err != WA_OK)
      respond_kv_failure("kv_increment", err);
    else
      respond_count(name, (long long)count);
  }
  free(name);
  return 0;
}

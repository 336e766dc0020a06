// Exercises every wrapper of sdk/c/wasm_actions.h against the real host (tests/cli/
// sdk_c_test.cc runs it through `wasm-actions run --kv ...`). argv[1] picks the suite:
//   rw    store `default` granted read-write: every KV wrapper, incl. buffer_too_small
//         retries and key iteration over many small pages
//   ro    `default` granted read-only: reads work, every write is access_denied
//   seed  sets "seed" (read-write; before the ro suite)
//   none  nothing granted: kv_open is access_denied
// (sdk_cgi.c covers the helpers that need no host call.)
// Prints "PASS <check>" / "FAIL <check>: <detail>" per check and "DONE <failures>";
// exits with the number of failures.
#include <inttypes.h>
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

// An error-code check that prints both names when it fails.
static void check_err(uint32_t got, uint32_t want, const char* name) {
  char detail[128];
  snprintf(detail, sizeof detail, "got %u %s, want %u %s", got, wa_error_name(got), want,
           wa_error_name(want));
  check(got == want, name, detail);
}

static uint32_t open_default(void) {
  uint32_t h = 0;
  check_err(wa_kv_open("default", &h), WA_OK, "open default");
  return h;
}

static void suite_basic(uint32_t h) {
  uint32_t nope = 0;
  check_err(wa_kv_open("not-granted", &nope), WA_ERR_ACCESS_DENIED, "open ungranted store");
  check_err(wa_kv_set(h, "k", 1, "v", 1), WA_OK, "set to a real handle");
  check_err(wa_kv_set(h + 1000, "k", 1, "v", 1), WA_ERR_INVALID_HANDLE, "set to a bad handle");

  // set / get (caller buffer) / buffer_too_small with the needed length
  check_err(wa_kv_set_str(h, "greeting", "hello, world"), WA_OK, "set_str");
  char buf[64];
  uint32_t len = 0;
  check_err(wa_kv_get(h, "greeting", 8, buf, sizeof buf, &len), WA_OK, "get");
  check(len == 12 && memcmp(buf, "hello, world", 12) == 0, "get value", buf);
  len = 0;
  memset(buf, 'X', sizeof buf);
  check_err(wa_kv_get(h, "greeting", 8, buf, 5, &len), WA_ERR_BUFFER_TOO_SMALL,
            "get into a small buffer");
  check(len == 12, "buffer_too_small stores the needed length", NULL);
  check(buf[0] == 'X', "buffer_too_small writes nothing", NULL);
  char* text = NULL;
  check_err(wa_kv_get_str(h, "greeting", &text), WA_OK, "get_str");
  check(text && strcmp(text, "hello, world") == 0, "get_str value", text);
  free(text);

  // get_alloc of a value larger than its first buffer (256 bytes): one retry
  size_t big_len = 3000;
  uint8_t* big = (uint8_t*)malloc(big_len);
  for (size_t i = 0; i < big_len; ++i) big[i] = (uint8_t)(i * 7 + 1);
  big[100] = 0;  // binary safe
  check_err(wa_kv_set(h, "big", 3, big, big_len), WA_OK, "set 3000 bytes");
  uint8_t* got = NULL;
  uint32_t got_len = 0;
  check_err(wa_kv_get_alloc(h, "big", 3, &got, &got_len), WA_OK, "get_alloc retries");
  check(got && got_len == big_len && memcmp(got, big, big_len) == 0, "get_alloc value", NULL);
  free(got);
  free(big);

  // absent keys
  got = (uint8_t*)1;
  check_err(wa_kv_get_alloc(h, "absent", 6, &got, &got_len), WA_ERR_NOT_FOUND, "get_alloc absent");
  check(got == NULL, "get_alloc absent leaves NULL", NULL);
  check_err(wa_kv_get(h, "absent", 6, buf, sizeof buf, &len), WA_ERR_NOT_FOUND, "get absent");

  // exists / delete
  bool exists = false;
  check_err(wa_kv_exists(h, "greeting", 8, &exists), WA_OK, "exists");
  check(exists, "exists is true", NULL);
  check_err(wa_kv_delete(h, "greeting", 8), WA_OK, "delete");
  check_err(wa_kv_exists(h, "greeting", 8, &exists), WA_OK, "exists after delete");
  check(!exists, "exists is false after delete", NULL);
  check_err(wa_kv_delete(h, "greeting", 8), WA_OK, "delete an absent key is ok");

  // empty key
  check_err(wa_kv_set(h, "", 0, "v", 1), WA_ERR_INVALID_ARGUMENT, "empty key");
}

static void suite_atomic(uint32_t h) {
  int64_t n = 0;
  check_err(wa_kv_increment(h, "hits", 4, 1, &n), WA_OK, "increment absent");
  check(n == 1, "increment absent counts from 0", NULL);
  check_err(wa_kv_increment(h, "hits", 4, 41, &n), WA_OK, "increment +41");
  check(n == 42, "increment gives 42", NULL);
  check_err(wa_kv_increment(h, "hits", 4, -50, &n), WA_OK, "increment -50");
  check(n == -8, "increment gives -8", NULL);
  // i64 passes whole: a delta beyond 32 bits
  check_err(wa_kv_increment(h, "wide", 4, INT64_C(5000000000), &n), WA_OK, "increment i64");
  check(n == INT64_C(5000000000), "increment keeps 64 bits", NULL);
  char* text = NULL;
  check_err(wa_kv_get_str(h, "hits", &text), WA_OK, "counter is readable");
  check(text && strcmp(text, "-8") == 0, "counter is decimal ASCII", text);
  free(text);
  check_err(wa_kv_set_str(h, "word", "abc"), WA_OK, "set a non-integer");
  check_err(wa_kv_increment(h, "word", 4, 1, &n), WA_ERR_INVALID_ARGUMENT,
            "increment a non-integer");

  bool swapped = false;
  check_err(wa_kv_compare_and_swap(h, "lock", 4, NULL, 0, "A", 1, &swapped), WA_OK,
            "cas expect absent");
  check(swapped, "cas expect absent swaps an absent key", NULL);
  check_err(wa_kv_compare_and_swap(h, "lock", 4, NULL, 0, "B", 1, &swapped), WA_OK,
            "cas expect absent on a present key");
  check(!swapped, "cas expect absent does not swap a present key", NULL);
  check_err(wa_kv_compare_and_swap(h, "lock", 4, "A", 1, "C", 1, &swapped), WA_OK,
            "cas expected matches");
  check(swapped, "cas swaps on a match", NULL);
  check_err(wa_kv_compare_and_swap(h, "lock", 4, "A", 1, "D", 1, &swapped), WA_OK, "cas mismatch");
  check(!swapped, "cas does not swap on a mismatch", NULL);
  char* lock = NULL;
  wa_kv_get_str(h, "lock", &lock);
  check(lock && strcmp(lock, "C") == 0, "cas left the swapped value", lock);
  free(lock);
  check_err(wa_kv_compare_and_swap(h, "nolock", 6, "A", 1, "B", 1, &swapped), WA_OK,
            "cas expected on an absent key is no error");
  check(!swapped, "cas expected on an absent key does not swap", NULL);
}

// Counts the keys with `prefix`; checks they come strictly ascending.
static int count_keys(uint32_t h, const char* prefix, uint32_t page_bytes, uint32_t* pages,
                      int* ordered, uint32_t* error) {
  wa_kv_keys_iter it;
  wa_kv_keys_begin(&it, h, prefix, strlen(prefix), page_bytes);
  const uint8_t* key;
  uint32_t key_len;
  char last[64] = "";
  size_t last_len = 0;
  int count = 0;
  *ordered = 1;
  while (wa_kv_keys_next(&it, &key, &key_len)) {
    if (key_len < strlen(prefix) || memcmp(key, prefix, strlen(prefix)) != 0) *ordered = 0;
    size_t common = key_len < last_len ? key_len : last_len;
    int cmp = memcmp(key, last, common);
    if (count > 0 && (cmp < 0 || (cmp == 0 && key_len <= last_len))) *ordered = 0;
    last_len = key_len < sizeof last ? key_len : sizeof last;
    memcpy(last, key, last_len);
    ++count;
  }
  *pages = it.pages;
  *error = it.error;
  wa_kv_keys_end(&it);
  return count;
}

static void suite_keys(uint32_t h) {
  char key[32];
  for (int i = 0; i < 50; ++i) {
    int n = snprintf(key, sizeof key, "it:%03d", i);
    if (wa_kv_set(h, key, (size_t)n, "x", 1) != WA_OK) {
      check(0, "set 50 keys", key);
      return;
    }
  }
  wa_kv_set_str(h, "iu:after", "x");  // just after the prefix range
  wa_kv_set_str(h, "is:before", "x");
  const char binary_key[] = {'i', 't', ':', 'z', 0, 'b'};
  check_err(wa_kv_set(h, binary_key, sizeof binary_key, "x", 1), WA_OK, "set a binary key");

  uint32_t pages = 0, error = 0;
  int ordered = 0;
  // 32 bytes hold 3 records of 10 bytes: about 17 pages
  int count = count_keys(h, "it:", 32, &pages, &ordered, &error);
  char detail[96];
  snprintf(detail, sizeof detail, "count %d pages %u error %s", count, pages, wa_error_name(error));
  check(count == 51 && error == WA_OK, "iterate 51 keys over small pages", detail);
  check(pages >= 10, "iteration used many pages", detail);
  check(ordered, "keys come in byte order, with the prefix", NULL);

  // 2 bytes cannot hold one record: the iterator grows its buffer on buffer_too_small
  count = count_keys(h, "it:", 2, &pages, &ordered, &error);
  snprintf(detail, sizeof detail, "count %d pages %u error %s", count, pages, wa_error_name(error));
  check(count == 51 && error == WA_OK, "iterate from a too-small buffer", detail);

  // the raw call: too small for the first record → 4 and that record's size
  uint8_t raw[4];
  uint32_t len = 0;
  check_err(wa_raw_kv_keys(h, "it:", 3, "", 0, raw, sizeof raw, &len), WA_ERR_BUFFER_TOO_SMALL,
            "raw kv_keys into 4 bytes");
  check(len == 4 + 6, "raw kv_keys needs 4 + key length", NULL);

  count = count_keys(h, "", 0, &pages, &ordered, &error);
  snprintf(detail, sizeof detail, "count %d", count);
  check(count >= 53 && ordered && error == WA_OK, "iterate the whole store", detail);
  count = count_keys(h, "nothing-here:", 0, &pages, &ordered, &error);
  check(count == 0 && pages == 0 && error == WA_OK, "iterate an empty prefix range", NULL);
}

static void suite_read_only(uint32_t h) {
  char* value = NULL;
  check_err(wa_kv_get_str(h, "seed", &value), WA_OK, "read-only get");
  check(value && strcmp(value, "planted") == 0, "read-only get value", value);
  free(value);
  bool exists = false;
  check_err(wa_kv_exists(h, "seed", 4, &exists), WA_OK, "read-only exists");
  check_err(wa_kv_set_str(h, "seed", "changed"), WA_ERR_ACCESS_DENIED, "read-only set");
  check_err(wa_kv_delete(h, "seed", 4), WA_ERR_ACCESS_DENIED, "read-only delete");
  check_err(wa_kv_increment(h, "n", 1, 1, NULL), WA_ERR_ACCESS_DENIED, "read-only increment");
  bool swapped = true;
  check_err(wa_kv_compare_and_swap(h, "seed", 4, "planted", 7, "x", 1, &swapped),
            WA_ERR_ACCESS_DENIED, "read-only cas");
  check(!swapped, "read-only cas reports not swapped", NULL);
  value = NULL;
  wa_kv_get_str(h, "seed", &value);
  check(value && strcmp(value, "planted") == 0, "read-only store unchanged", value);
  free(value);
}

int main(int argc, char** argv) {
  const char* suite = argc > 1 ? argv[1] : "";
  if (strcmp(suite, "rw") == 0) {
    uint32_t h = open_default();
    suite_basic(h);
    suite_atomic(h);
    suite_keys(h);
  } else if (strcmp(suite, "seed") == 0) {
    check_err(wa_kv_set_str(open_default(), "seed", "planted"), WA_OK, "seed");
  } else if (strcmp(suite, "ro") == 0) {
    suite_read_only(open_default());
  } else if (strcmp(suite, "none") == 0) {
    uint32_t h = 0;
    check_err(wa_kv_open("default", &h), WA_ERR_ACCESS_DENIED, "open without a grant");
  } else {
    fprintf(stderr, "usage: sdk_kv rw|seed|ro|none\n");
    return 100;
  }
  printf("DONE %d\n", failures);
  return failures > 100 ? 100 : failures;
}

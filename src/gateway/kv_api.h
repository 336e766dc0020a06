// KvApi: the REST endpoints for developers' key-value stores, under /api/v1/kv (rest.md).
// RestApi authenticates and checks the `kv` scope, then hands the request here; everything
// is scoped to the caller's user (another user's store answers 404, never revealing it).
//   GET    /kv                           {"stores": [{name, keys, bytes, quota_bytes, created_at}]}
//   POST   /kv {"name"}                  201 the store; 409 exists; 403 too many stores
//   DELETE /kv/STORE                     204; 400 for default; 409 while an action grants it
//   GET    /kv/STORE/keys?prefix=&after=&limit=
//          {"keys": [{key, key_encoding, size}], "next": KEY | null, "next_encoding"}
//   GET|PUT|DELETE /kv/STORE/values/KEY  raw bytes; KEY is the rest of the path, decoded
// Keys that are not valid UTF-8 are listed base64-encoded (key_encoding "base64").
#pragma once

#include <cstdint>
#include <string_view>

#include "gateway/http_types.h"
#include "platform/platform.h"

namespace wa::gateway {

class KvApi {
 public:
  explicit KvApi(platform::Platform& platform) : platform_(platform) {}

  // `path` is the request path below /api/v1 (starting "/kv"), still percent-encoded;
  // `query` the raw query string.
  HttpResponse handle(const HttpRequest& request, std::string_view path, std::string_view query,
                      int64_t owner_id);

 private:
  HttpResponse list_stores(int64_t owner_id);
  HttpResponse create_store(const HttpRequest& request, int64_t owner_id);
  HttpResponse delete_store(int64_t owner_id, std::string_view name);
  HttpResponse list_keys(int64_t owner_id, std::string_view store, std::string_view query);
  HttpResponse value(const HttpRequest& request, int64_t owner_id, std::string_view store,
                     std::string_view key);

  platform::Platform& platform_;
};

}  // namespace wa::gateway

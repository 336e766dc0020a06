#include "gateway/kv_api.h"

#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gateway/cgi_request.h"
#include "gateway/json_response.h"
#include "platform/error_kinds.h"
#include "support/base64.h"
#include "support/utf8.h"

namespace wa::gateway {

namespace ek = platform::error_kind;
using capabilities::KvStoreInfo;
using nlohmann::json;

namespace {

constexpr size_t kDefaultPageKeys = 100;
constexpr size_t kMaxPageKeys = 1000;
// An API call has no guest time limit; it still must not wait forever behind a busy store.
constexpr auto kApiDeadline = std::chrono::seconds(5);

capabilities::KvDeadline deadline() { return std::chrono::steady_clock::now() + kApiDeadline; }

// The backend's kinds on the HTTP codes rest.md names (too_large is 413, a busy or broken
// store 503 with a retry hint); the others as every API error.
HttpResponse kv_error(const Error& error) {
  if (error.kind == "too_large") return error_json(413, error.kind, error.message);
  if (error.kind == "unavailable") {
    auto response = error_json(503, error.kind, error.message);
    response.set(http::field::retry_after, "1");
    return response;
  }
  return error_json(error);
}

HttpResponse no_such_store(std::string_view name) {
  return error_json(404, ek::kNotFound, "no key-value store \"" + std::string(name) + "\"");
}

HttpResponse no_content() {
  HttpResponse response(http::status::no_content, 11);
  response.prepare_payload();
  return response;
}

HttpResponse method_not_allowed() {
  return error_json(405, "method_not_allowed", "method not allowed on this path");
}

json store_json(const KvStoreInfo& info, uint64_t quota_bytes) {
  return {{"name", info.name},
          {"keys", info.key_count},
          {"bytes", info.bytes},
          {"quota_bytes", quota_bytes},
          {"created_at", info.created_at_ms}};
}

// {"<field>": text or base64, "<field>_encoding": "utf8" | "base64"}
void put_bytes(json& out, const std::string& field, const std::string& bytes) {
  const bool text = is_valid_utf8(bytes);
  out[field] = text ? bytes : base64_encode(bytes);
  out[field + "_encoding"] = text ? "utf8" : "base64";
}

// The path's segments ("/kv/a/values/x%2Fy/z" → "kv", "a", "values", "x%2Fy/z" as the raw
// rest once `max` segments are taken), each still encoded.
std::vector<std::string_view> split_raw(std::string_view path, size_t max) {
  std::vector<std::string_view> out;
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (!path.empty()) {
    if (out.size() + 1 == max) {
      out.push_back(path);
      break;
    }
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
    // Empty segments between names mean nothing (as in the other endpoints).
    while (out.size() + 1 < max && !path.empty() && path.front() == '/') path.remove_prefix(1);
  }
  return out;
}

std::optional<std::string> query_value(std::string_view query, std::string_view key) {
  for (const auto& item : query_arguments(query)) {
    auto eq = item.find('=');
    if (decode_query_component(std::string_view(item).substr(0, eq)) == key) {
      return eq == std::string::npos
                 ? std::string()
                 : decode_query_component(std::string_view(item).substr(eq + 1));
    }
  }
  return std::nullopt;
}

}  // namespace

HttpResponse KvApi::handle(const HttpRequest& request, std::string_view path,
                           std::string_view query, int64_t owner_id) {
  const auto m = request.method();
  auto raw = split_raw(path, 4);  // "kv", STORE, "values", KEY (the rest)
  if (raw.size() == 1) {
    if (m == http::verb::get) return list_stores(owner_id);
    if (m == http::verb::post) return create_store(request, owner_id);
    return method_not_allowed();
  }
  const std::string store = percent_decode(raw[1], false);
  if (raw.size() == 2) {
    return m == http::verb::delete_ ? delete_store(owner_id, store) : method_not_allowed();
  }
  if (raw.size() == 3 && raw[2] == "keys") {
    return m == http::verb::get ? list_keys(owner_id, store, query) : method_not_allowed();
  }
  if (raw.size() == 4 && raw[2] == "values") {
    return value(request, owner_id, store, percent_decode(raw[3], false));
  }
  if (raw.size() == 3 && raw[2] == "values") {
    return error_json(400, ek::kInvalidArgument, "the key is empty: /kv/STORE/values/KEY");
  }
  return error_json(404, ek::kNotFound, "no API endpoint at " + std::string(request.target()));
}

HttpResponse KvApi::list_stores(int64_t owner_id) {
  auto stores = platform_.kv().list_stores(owner_id);
  if (!stores) return kv_error(stores.error());
  json out = json::array();
  const uint64_t quota = platform_.kv().limits().store_quota_bytes;
  for (const auto& s : *stores) out.push_back(store_json(s, quota));
  return json_response(200, {{"stores", out}});
}

HttpResponse KvApi::create_store(const HttpRequest& request, int64_t owner_id) {
  json body = json::parse(request.body(), nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return error_json(400, "bad_request", "expected a JSON object {\"name\": \"...\"}");
  }
  auto name = body.find("name");
  if (name == body.end() || !name->is_string()) {
    return error_json(400, "bad_request", "field \"name\" must be a string");
  }
  auto created = platform_.kv().create_store(owner_id, name->get<std::string>());
  if (!created) return kv_error(created.error());
  return json_response(201, store_json(*created, platform_.kv().limits().store_quota_bytes));
}

HttpResponse KvApi::delete_store(int64_t owner_id, std::string_view name) {
  auto deleted = platform_.delete_kv_store(owner_id, name);
  if (!deleted) return kv_error(deleted.error());
  return no_content();
}

HttpResponse KvApi::list_keys(int64_t owner_id, std::string_view store_name,
                              std::string_view query) {
  auto store = platform_.kv().find_store(owner_id, store_name);
  if (!store)
    return store.error().kind == ek::kNotFound || store.error().kind == ek::kInvalidArgument
               ? no_such_store(store_name)
               : kv_error(store.error());
  size_t limit = kDefaultPageKeys;
  if (auto text = query_value(query, "limit")) {
    size_t parsed = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), parsed);
    if (ec != std::errc() || end != text->data() + text->size() || parsed == 0 ||
        parsed > kMaxPageKeys) {
      return error_json(400, ek::kInvalidArgument,
                        "limit must be a number from 1 to " + std::to_string(kMaxPageKeys));
    }
    limit = parsed;
  }
  const std::string prefix = query_value(query, "prefix").value_or("");
  const std::string after = query_value(query, "after").value_or("");
  auto page = platform_.kv().keys(store->id, prefix, after, limit, deadline());
  if (!page) return kv_error(page.error());
  auto sizes = platform_.kv().value_sizes(store->id, page->keys, deadline());
  if (!sizes) return kv_error(sizes.error());
  json keys = json::array();
  for (size_t i = 0; i < page->keys.size(); ++i) {
    json item;
    put_bytes(item, "key", page->keys[i]);
    // A key deleted between the two reads is listed with size 0 rather than dropped.
    item["size"] = (*sizes)[i].value_or(0);
    keys.push_back(std::move(item));
  }
  json out = {{"keys", std::move(keys)}};
  if (page->more && !page->keys.empty()) {
    put_bytes(out, "next", page->keys.back());
  } else {
    out["next"] = nullptr;
  }
  return json_response(200, out);
}

HttpResponse KvApi::value(const HttpRequest& request, int64_t owner_id, std::string_view store_name,
                          std::string_view key) {
  const auto m = request.method();
  if (m != http::verb::get && m != http::verb::put && m != http::verb::delete_) {
    return method_not_allowed();
  }
  auto store = platform_.kv().find_store(owner_id, store_name);
  if (!store)
    return store.error().kind == ek::kNotFound || store.error().kind == ek::kInvalidArgument
               ? no_such_store(store_name)
               : kv_error(store.error());
  auto& kv = platform_.kv();
  if (m == http::verb::get) {
    auto value = kv.get(store->id, key, deadline());
    if (!value) return kv_error(value.error());
    if (!*value) return error_json(404, ek::kNotFound, "no such key");
    HttpResponse response(http::status::ok, 11);
    response.set(http::field::content_type, "application/octet-stream");
    response.set(http::field::cache_control, "no-store");
    response.body() = std::move(**value);
    response.prepare_payload();
    return response;
  }
  Status done = m == http::verb::put ? kv.set(store->id, key, request.body(), deadline())
                                     : kv.remove(store->id, key, deadline());
  if (!done) return kv_error(done.error());
  return no_content();
}

}  // namespace wa::gateway

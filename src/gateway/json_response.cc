#include "gateway/json_response.h"

#include "platform/error_kinds.h"

namespace wa::gateway {

namespace ek = platform::error_kind;

HttpResponse json_response(unsigned status, const nlohmann::json& body) {
  HttpResponse response{static_cast<http::status>(status), 11};
  response.set(http::field::content_type, "application/json");
  response.set(http::field::cache_control, "no-store");
  // Replace invalid UTF-8 (e.g. from a guest's log line) instead of throwing.
  response.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

HttpResponse error_json(unsigned status, std::string_view kind, std::string_view message) {
  return json_response(status, {{"error", kind}, {"message", message}});
}

unsigned status_for_error_kind(std::string_view kind) {
  if (kind == ek::kInvalidArgument || kind == ek::kNotWasm || kind == ek::kInvalidModule ||
      kind == ek::kUnsupportedFeature || kind == ek::kUnsupportedImport ||
      kind == ek::kInvalidRoute || kind == ek::kReservedRoute || kind == "bad_request") {
    return 400;
  }
  if (kind == ek::kUnauthorized) return 401;
  if (kind == ek::kForbidden || kind == ek::kQuotaExceeded) return 403;
  if (kind == ek::kNotFound) return 404;
  if (kind == ek::kConflict) return 409;
  if (kind == "body_too_large" || kind == "too_large") return 413;
  if (kind == ek::kRateLimited) return 429;
  if (kind == ek::kDisabled || kind == ek::kCompiling || kind == "overloaded") return 503;
  return 500;
}

HttpResponse error_json(const Error& error) {
  return error_json(status_for_error_kind(error.kind), error.kind, error.message);
}

HttpResponse text_response(unsigned status, std::string_view content_type, std::string body) {
  HttpResponse response{static_cast<http::status>(status), 11};
  response.set(http::field::content_type, content_type);
  response.body() = std::move(body);
  return response;
}

}  // namespace wa::gateway

// Building JSON answers and {error, message} error bodies, and mapping error kinds to
// HTTP status codes.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "gateway/http_types.h"
#include "support/expected.h"

namespace wa::gateway {

HttpResponse json_response(unsigned status, const nlohmann::json& body);
HttpResponse error_json(unsigned status, std::string_view kind, std::string_view message);
// Chooses the status from the error's kind (invalid_argument → 400, not_found → 404, ...).
HttpResponse error_json(const Error& error);
unsigned status_for_error_kind(std::string_view kind);
HttpResponse text_response(unsigned status, std::string_view content_type, std::string body);

}  // namespace wa::gateway

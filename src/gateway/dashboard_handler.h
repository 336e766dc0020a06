// DashboardHandler: the dashboard's own origin (the second listener, or the dashboard's
// hostname on the main one). It serves the single-page app and the REST API (so the app
// calls the API on its own origin, with no CORS), never an action, and sends CSP,
// frame-ancestors and X-Frame-Options on every response.
#pragma once

#include "gateway/http_types.h"
#include "gateway/server_config.h"
#include "gateway/static_files.h"

namespace wa::gateway {

class DashboardHandler final : public HttpHandler {
 public:
  // `api` answers /api/v1 (the main gateway); both must outlive this handler.
  DashboardHandler(const ServerConfig& config, HttpHandler& api);

  uint64_t body_limit(const http::request_header<>& header) const override;
  void handle(HttpRequest request, const RequestInfo& info, Responder respond) override;
  HttpResponse error_response(unsigned status, std::string_view kind,
                              std::string_view message) const override;

 private:
  std::optional<HttpResponse> page(std::string_view path, bool head) const;

  const ServerConfig& config_;
  HttpHandler& api_;
  StaticFiles files_;
};

// The headers every dashboard response carries. `actions_origin` is the one other origin
// the page may connect to (its request tester calls actions there).
void add_dashboard_security_headers(HttpResponse& response, std::string_view actions_origin);

}  // namespace wa::gateway

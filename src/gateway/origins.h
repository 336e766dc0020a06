// Origins: the dashboard and the actions live on different origins (issue 8), so an
// action's page can never read what the dashboard stores. This header computes both
// origins for a request, and holds the handler of the main (actions) listener's edge:
// the redirect of "/" to the dashboard, CORS for the dashboard's request tester, and
// Host-based routing to the dashboard when it has a hostname of its own.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "gateway/http_types.h"
#include "gateway/server_config.h"
#include "platform/platform.h"
#include "support/expected.h"

namespace wa::gateway {

// "scheme://host[:port]" of a configured public URL; errors name the setting.
Expected<std::string> origin_of_url(std::string_view url, std::string_view setting);

// The origins as the client of `request` reaches them: the configured URL, else
// http://<host the client used>:<bound port>.
std::string dashboard_origin(const ServerConfig& config, const HttpRequest& request);
std::string actions_origin(const ServerConfig& config, const HttpRequest& request);

// Whether `request` (on the main listener) names the dashboard's configured hostname.
bool addressed_to_dashboard(const ServerConfig& config, const HttpRequest& request);

// The main listener's handler: actions, /api/v1, /healthz, /metrics (all by `inner`);
// "/" and the dashboard's old paths redirect to the dashboard origin unless an action
// claims them; the dashboard origin may read action responses (its request tester).
class ActionsOriginHandler final : public HttpHandler {
 public:
  // All must outlive the handler. `dashboard` serves requests addressed to the
  // dashboard's hostname (nullptr: none configured).
  ActionsOriginHandler(platform::Platform& platform, const ServerConfig& config, HttpHandler& inner,
                       HttpHandler* dashboard);

  uint64_t body_limit(const http::request_header<>& header) const override;
  void handle(HttpRequest request, const RequestInfo& info, Responder respond) override;
  HttpResponse error_response(unsigned status, std::string_view kind,
                              std::string_view message) const override;

 private:
  platform::Platform& platform_;
  const ServerConfig& config_;
  HttpHandler& inner_;
  HttpHandler* dashboard_;
};

}  // namespace wa::gateway

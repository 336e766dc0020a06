#include "gateway/dashboard_handler.h"

#include "gateway/cgi_request.h"
#include "gateway/json_response.h"
#include "gateway/origins.h"

namespace wa::gateway {

namespace {

// Requests to the dashboard origin other than API calls carry no body worth having.
constexpr uint64_t kPageBodyLimit = 64 * 1024;

bool under(std::string_view path, std::string_view prefix) {
  return path == prefix ||
         (path.size() > prefix.size() && path.starts_with(prefix) && path[prefix.size()] == '/');
}

}  // namespace

void add_dashboard_security_headers(HttpResponse& response, std::string_view actions_origin) {
  // Scripts and styles only from the dashboard's own files (Vite emits no inline code);
  // connections to the API (same origin) and to the actions origin (the tester); no
  // framing at all, so no action page can overlay or clickjack the dashboard.
  response.set("Content-Security-Policy",
               "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "font-src 'self'; connect-src 'self' " +
                   std::string(actions_origin) +
                   "; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
                   "object-src 'none'");
  response.set(http::field::x_frame_options, "DENY");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "no-referrer");
  // A page that opened the dashboard (window.open) keeps no handle on it.
  response.set("Cross-Origin-Opener-Policy", "same-origin");
  response.set("Cross-Origin-Resource-Policy", "same-origin");
}

DashboardHandler::DashboardHandler(const ServerConfig& config, HttpHandler& api)
    : config_(config), api_(api), files_(config.web_root) {}

uint64_t DashboardHandler::body_limit(const http::request_header<>& header) const {
  std::string_view target(header.target().data(), header.target().size());
  return under(split_target(target).first, "/api/v1") ? api_.body_limit(header) : kPageBodyLimit;
}

HttpResponse DashboardHandler::error_response(unsigned status, std::string_view kind,
                                              std::string_view message) const {
  auto response = error_json(status, kind, message);
  add_dashboard_security_headers(response, "");
  return response;
}

void DashboardHandler::handle(HttpRequest request, const RequestInfo& info, Responder respond) {
  std::string actions = actions_origin(config_, request);
  std::string_view target(request.target().data(), request.target().size());
  std::string path(split_target(target).first);
  if (under(path, "/api/v1")) {
    return api_.handle(std::move(request), info, [actions, respond](HandlerResult result) {
      if (auto* response = std::get_if<HttpResponse>(&result)) {
        add_dashboard_security_headers(*response, actions);
      }
      respond(std::move(result));
    });
  }
  const bool head = request.method() == http::verb::head;
  HttpResponse response = [&] {
    if (request.method() != http::verb::get && !head) {
      return text_response(405, "text/plain; charset=utf-8", "method not allowed\n");
    }
    if (auto found = page(path, head)) return std::move(*found);
    // Actions never run here: their pages must not share the dashboard's origin.
    return text_response(404, "text/plain; charset=utf-8",
                         "not found; actions are served at " + actions + path + "\n");
  }();
  add_dashboard_security_headers(response, actions);
  respond(std::move(response));
}

// "/" and "/dashboard/..." are the single-page app (unknown sub-paths get index.html so
// client-side routes survive a reload); "/static/..." are its files.
std::optional<HttpResponse> DashboardHandler::page(std::string_view path, bool head) const {
  if (path == "/" || under(path, "/dashboard")) {
    if (auto file = files_.file(path, head); file && path != "/dashboard") return file;
    if (auto index = files_.index(head)) return index;
    return text_response(404, "text/plain; charset=utf-8",
                         "the dashboard is not installed (start the server with --web-root "
                         "pointing at web/dist)\n");
  }
  if (under(path, "/static") || path == "/favicon.ico") {
    if (auto file = files_.file(path, head)) return file;
  }
  return std::nullopt;
}

}  // namespace wa::gateway

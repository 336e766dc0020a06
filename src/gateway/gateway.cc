#include "gateway/gateway.h"

#include <spdlog/spdlog.h>

#include "gateway/action_calls.h"
#include "gateway/cgi_request.h"
#include "gateway/guest_reply.h"
#include "gateway/json_response.h"
#include "platform/error_kinds.h"
#include "platform/route.h"

namespace wa::gateway {

namespace {

constexpr std::string_view kApiPrefix = "/api/v1";

bool has_prefix(std::string_view path, std::string_view prefix) {
  return path == prefix || (path.size() > prefix.size() &&
                            path.substr(0, prefix.size()) == prefix && path[prefix.size()] == '/');
}

std::string_view request_path(const HttpRequest& request) {
  return split_target(std::string_view(request.target().data(), request.target().size())).first;
}

// Host header → (name, port); falls back to the socket's port.
std::pair<std::string, uint16_t> server_name_and_port(const HttpRequest& request,
                                                      uint16_t local_port) {
  std::string host(request[http::field::host]);
  if (host.empty()) return {"localhost", local_port};
  auto colon = host.rfind(':');
  if (colon != std::string::npos && host.find(']', colon) == std::string::npos) {
    try {
      return {host.substr(0, colon), static_cast<uint16_t>(std::stoul(host.substr(colon + 1)))};
    } catch (...) {
      return {host.substr(0, colon), local_port};
    }
  }
  return {host, local_port};
}

HeaderList header_list(const HttpRequest& request) {
  HeaderList headers;
  for (const auto& field : request) {
    headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  return headers;
}

// The request as the CGI bridge sees it (actions and rooms' onJoin alike).
CgiRequest cgi_request(const HttpRequest& request, const RequestInfo& info, std::string route) {
  auto [server_name, server_port] = server_name_and_port(request, info.local_port);
  CgiRequest cgi;
  cgi.method = std::string(request.method_string());
  cgi.target = std::string(request.target());
  cgi.headers = header_list(request);
  cgi.body_size = request.body().size();
  cgi.remote_addr = info.remote_addr;
  cgi.server_name = server_name;
  cgi.server_port = server_port;
  cgi.protocol = request.version() == 10 ? "HTTP/1.0" : "HTTP/1.1";
  cgi.matched_route = std::move(route);
  return cgi;
}

// Total: the parser already bounded every field, but should Beast still refuse one, the
// client gets a 502 and the log says why instead of an exception on a worker thread.
Expected<HttpResponse> to_http(GuestReply reply) {
  try {
    HttpResponse response{static_cast<http::status>(reply.status), 11};
    if (!reply.reason.empty()) response.reason(reply.reason);
    for (auto& [name, value] : reply.headers) response.insert(name, value);
    response.body() = std::move(reply.body);
    return response;
  } catch (const std::exception& e) {
    return make_error("bad_gateway",
                      std::string("the action's response cannot be sent: ") + e.what());
  }
}

HttpResponse shutting_down() {
  auto response = text_response(503, "text/plain; charset=utf-8",
                                "the server is shutting down; retry shortly\n");
  response.set(http::field::retry_after, "1");
  return response;
}

HttpResponse internal_error(std::string_view request_id, const char* what) {
  spdlog::error("request={} status=500 internal error: {}", request_id, what);
  return text_response(500, "text/plain; charset=utf-8", "internal server error\n");
}

}  // namespace

Gateway::Gateway(platform::Platform& platform, const ServerConfig& config, WorkerPool& guest_pool,
                 WorkerPool& api_pool, rooms::RoomRunner* runner, rooms::RoomHub* hub)
    : platform_(platform),
      config_(config),
      guest_pool_(guest_pool),
      api_pool_(api_pool),
      api_(platform, config),
      invoker_(platform, config, halting_, hub) {
  if (runner && hub) rooms_.emplace(*runner, *hub, config, api_pool);
}

uint64_t Gateway::body_limit(const http::request_header<>& header) const {
  std::string_view target(header.target().data(), header.target().size());
  return has_prefix(split_target(target).first, kApiPrefix) ? config_.max_upload_bytes
                                                            : config_.max_body_bytes;
}

HttpResponse Gateway::error_response(unsigned status, std::string_view kind,
                                     std::string_view message) const {
  return error_json(status, kind, message);
}

void Gateway::handle(HttpRequest request, const RequestInfo& info, Responder respond) {
  std::string path(request_path(request));
  // /metrics authenticates its reader (issue 8, item 13): a database lookup, so it runs
  // on the API pool like the API.
  if (has_prefix(path, kApiPrefix) || path == "/metrics") {
    auto shared = std::make_shared<HttpRequest>(std::move(request));
    bool queued = api_pool_.try_submit(
        [this, shared, info, respond] {
          try {
            respond(api_.handle(*shared, info));
          } catch (const std::exception& e) {
            respond(internal_error(info.request_id, e.what()));
          }
        },
        [respond] { respond(shutting_down()); });
    if (!queued) {
      auto busy = error_json(503, "overloaded", "the server is busy; retry shortly");
      busy.set(http::field::retry_after, "1");
      respond(std::move(busy));
    }
    return;
  }
  if (path == "/healthz") {
    // The check queries the database, which may wait on a lock: never on an I/O thread.
    bool queued = api_pool_.try_submit(
        [this, respond] {
          auto health = platform_.health();
          respond(health ? json_response(200, {{"status", "ok"}})
                         : json_response(503, {{"status", "unhealthy"},
                                               {"message", health.error().message}}));
        },
        [respond] { respond(shutting_down()); });
    if (!queued) {
      respond(json_response(
          503, {{"status", "overloaded"}, {"message", "the server is busy; retry shortly"}}));
    }
    return;
  }
  if (is_rooms_path(path)) {
    if (!rooms_) {
      return respond(text_response(404, "text/plain; charset=utf-8",
                                   "rooms are not enabled on this server\n"));
    }
    CgiRequest cgi = cgi_request(request, info, path);
    return rooms_->handle(std::move(request), info, std::move(cgi), std::move(respond));
  }
  // The dashboard has its own origin (DashboardHandler): nothing of it is served here.
  if (auto match = platform_.match(path)) {
    return handle_action(std::move(request), info, std::move(*match), std::move(respond));
  }
  respond(
      text_response(404, "text/plain; charset=utf-8", "no action is deployed at " + path + "\n"));
}

void Gateway::handle_action(HttpRequest request, const RequestInfo& info,
                            platform::RouteMatch match, Responder respond) {
  auto shared_request = std::make_shared<HttpRequest>(std::move(request));
  auto shared_match = std::make_shared<platform::RouteMatch>(std::move(match));
  bool queued = guest_pool_.try_submit(
      [this, shared_request, shared_match, info, respond] {
        try {
          respond(run_action(*shared_request, info, *shared_match));
        } catch (const std::exception& e) {
          respond(internal_error(info.request_id, e.what()));
        }
      },
      [this, shared_match, info, respond] {
        spdlog::warn(
            "action={} request={} status=503 outcome=shutdown (still queued after the "
            "grace period)",
            shared_match->action->name, info.request_id);
        respond(shutting_down());
      });
  if (queued) return;
  platform_.record_error(*shared_match->action, info.request_id, "overloaded",
                         "refused: all guest workers busy and the queue is full", true);
  spdlog::warn("action={} request={} status=503 outcome=overloaded", shared_match->action->name,
               info.request_id);
  auto busy =
      text_response(503, "text/plain; charset=utf-8", "the server is busy; retry shortly\n");
  busy.set(http::field::retry_after, "1");
  respond(std::move(busy));
}

HttpResponse Gateway::run_action(const HttpRequest& request, const RequestInfo& info,
                                 const platform::RouteMatch& match) {
  const platform::Action& action = *match.action;
  CgiRequest cgi = cgi_request(request, info, match.route);

  // The root of any chain of calls this request makes (http://<action>.actions.internal/).
  ActionCalls calls(invoker_, action, info.request_id);
  ActionInvoker::Invocation invocation =
      invoker_.run(action, cgi, request.body(), info.request_id, &calls);
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - info.received);
  if (invocation.error) {
    const Error& error = *invocation.error;
    unsigned status = status_for_error_kind(error.kind);
    spdlog::warn("action={} request={} status={} outcome={} duration_ms={} error=\"{}\"",
                 action.name, info.request_id, status, error.kind, elapsed.count(), error.message);
    if (error.kind == platform::error_kind::kCompiling) {
      // Not yet runnable: the client retries instead of a worker waiting for the compile.
      auto compiling = error_json(status, error.kind, error.message);
      compiling.set(http::field::retry_after, "1");
      return compiling;
    }
    return text_response(status, "text/plain; charset=utf-8", error.message + "\n");
  }
  GuestReply& reply = invocation.reply;
  auto level = reply.outcome == CallOutcome::kOk ? spdlog::level::info : spdlog::level::warn;
  spdlog::log(level, "action={} request={} status={} outcome={} duration_ms={} version={}",
              action.name, info.request_id, reply.status, call_outcome_name(reply.outcome),
              elapsed.count(), invocation.version_number);
  auto response = to_http(std::move(reply));
  if (!response) {
    platform_.record_error(action, info.request_id, "bad_gateway", response.error().message, false);
    spdlog::warn("action={} request={} status=502 outcome=bad_gateway error=\"{}\"", action.name,
                 info.request_id, response.error().message);
    return text_response(502, "text/plain; charset=utf-8", response.error().message + "\n");
  }
  return std::move(*response);
}

}  // namespace wa::gateway

// Gateway: the HttpHandler of `wasm-actions serve` — routes each request to the REST
// API, /healthz, /metrics, or an action (run on the guest pool). The dashboard has an
// origin of its own (dashboard_handler.h, origins.h).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

#include "gateway/action_invoker.h"
#include "gateway/events_api.h"
#include "gateway/http_types.h"
#include "gateway/rest_api.h"
#include "gateway/room_endpoint.h"
#include "gateway/server_config.h"
#include "gateway/worker_pool.h"
#include "platform/platform.h"

namespace wa::gateway {

class Gateway final : public HttpHandler {
 public:
  // Everything passed in must outlive the gateway. Without a runner and hub, /rooms/
  // answers 404.
  Gateway(platform::Platform& platform, const ServerConfig& config, WorkerPool& guest_pool,
          WorkerPool& api_pool, rooms::RoomRunner* runner = nullptr, rooms::RoomHub* hub = nullptr);

  uint64_t body_limit(const http::request_header<>& header) const override;
  void handle(HttpRequest request, const RequestInfo& info, Responder respond) override;
  HttpResponse error_response(unsigned status, std::string_view kind,
                              std::string_view message) const override;

  // Shutdown past its grace period: guests halted from now on are answered 503
  // "shutting down" instead of 504.
  void begin_halt() { halting_ = true; }

 private:
  // Runs `handle` on `pool` and answers with what it returns (503 when the queue is full,
  // 500 if it throws).
  void answer_on(WorkerPool& pool, HttpRequest request, const RequestInfo& info, Responder respond,
                 std::function<HandlerResult(const HttpRequest&, const RequestInfo&)> handle);
  void handle_action(HttpRequest request, const RequestInfo& info, platform::RouteMatch match,
                     Responder respond);
  HttpResponse run_action(const HttpRequest& request, const RequestInfo& info,
                          const platform::RouteMatch& match);

  platform::Platform& platform_;
  const ServerConfig& config_;
  WorkerPool& guest_pool_;
  WorkerPool& api_pool_;
  RestApi api_;
  std::atomic<bool> halting_{false};
  ActionInvoker invoker_;
  std::optional<RoomEndpoint> rooms_;
  std::optional<EventsApi> events_;  // room events for external hosts (with a runner)
};

}  // namespace wa::gateway

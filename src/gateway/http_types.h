// The request/response types shared by the HTTP server and the handlers behind it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>

#include <boost/beast/http.hpp>

namespace wa::gateway {

namespace http = boost::beast::http;

using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

// Facts about a request that are not in the message itself.
struct RequestInfo {
  std::string request_id;  // short random id, echoed in X-Request-Id and the logs
  std::string remote_addr;
  uint16_t local_port = 0;
  std::chrono::steady_clock::time_point received;
};

// A long-lived text/event-stream answer (Server-Sent Events). The server calls `poll`
// every `interval` on an I/O thread and writes what it returns; std::nullopt ends the
// stream. `poll` must be quick and must not block.
struct EventStream {
  std::function<std::optional<std::string>()> poll;
  std::chrono::milliseconds interval{500};
};

using HandlerResult = std::variant<HttpResponse, EventStream>;
// Called exactly once per request, from any thread.
using Responder = std::function<void(HandlerResult)>;

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // The largest body accepted for a request with this header (413 beyond it).
  virtual uint64_t body_limit(const http::request_header<>& header) const = 0;
  virtual void handle(HttpRequest request, const RequestInfo& info, Responder respond) = 0;
  // An answer for a request the server refuses by itself (body too large, bad syntax).
  virtual HttpResponse error_response(unsigned status, std::string_view kind,
                                      std::string_view message) const = 0;
};

}  // namespace wa::gateway

// The request/response types shared by the HTTP server and the handlers behind it.
#pragma once

#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

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

class WebSocketSession;

// What one WebSocket connection may do (the room hub's limits, for the gateway's rooms).
struct WebSocketOptions {
  uint64_t max_message_bytes = 1u << 20;  // an incoming message; larger: closed 1009
  // Incoming messages per second (token bucket of `message_burst`); past it: closed 1008.
  // 0: no limit.
  unsigned messages_per_second = 200;
  unsigned message_burst = 400;
  // Unsent bytes queued for the client; a send past it drops the client (1008 "too slow").
  uint64_t max_queued_bytes = 1u << 20;
  std::chrono::seconds ping_interval{30};  // pinged when nothing arrived for this long
  std::chrono::seconds idle_timeout{120};  // nothing at all (not even a pong): closed 1001
};

// Accept the request as a WebSocket (it must be a valid upgrade: the server answers a
// bad one 400 by itself). `on_open` runs on the connection's I/O thread once the
// handshake is done; it sets the session's handlers and starts its reads.
struct WebSocketUpgrade {
  WebSocketOptions options;
  std::function<void(std::shared_ptr<WebSocketSession>)> on_open;
};

using HandlerResult = std::variant<HttpResponse, EventStream, WebSocketUpgrade>;
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

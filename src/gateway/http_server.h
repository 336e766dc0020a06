// HttpServer: accepts HTTP/1.1 connections (keep-alive) on Asio I/O threads and hands
// each request to an HttpHandler; handlers answer from any thread, so slow work never
// blocks the I/O threads.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gateway/http_types.h"
#include "gateway/send_budget.h"
#include "support/expected.h"

namespace wa::gateway {

class HttpSession;
class ConnectionLimiter;
class WebSocketSession;

// What one server may hold at once; beyond these, clients are refused or dropped rather
// than the process running out of file descriptors or memory.
struct HttpServerLimits {
  size_t max_connections = 10000;
  // Counted by the socket's peer address (never X-Forwarded-For): one client cannot take
  // every connection.
  size_t max_connections_per_address = 256;
  SendBudgetLimits send;  // unsent response bytes, in total and per connection
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpHandler& handler, HttpServerLimits limits = {});
  ~HttpServer();

  // Binds and starts accepting. `listen` is "host:port" (port 0: any free port).
  // Errors: kind "listen" naming the address and the reason.
  Expected<boost::asio::ip::tcp::endpoint> start(const std::string& listen);

  // Stops accepting, closes idle connections, and lets requests in flight finish;
  // connections close after their current response, WebSockets with 1001.
  void begin_shutdown();
  bool shutting_down() const { return shutting_down_.load(); }
  // Requests read but not yet fully answered (including open event streams and
  // WebSocket sessions).
  size_t in_flight() const { return in_flight_.load(); }
  size_t websocket_count() const;

  // Internal (sessions).
  HttpHandler& handler() { return handler_; }
  void request_started() { ++in_flight_; }
  void request_finished() { --in_flight_; }
  const std::shared_ptr<SendBudget>& send_budget() const { return send_budget_; }
  void register_websocket(const std::shared_ptr<WebSocketSession>& session);

 private:
  void accept();
  void on_accept_error(const boost::system::error_code& ec);
  void admit(boost::asio::ip::tcp::socket socket);
  void sweep_websockets();

  boost::asio::io_context& io_;
  HttpHandler& handler_;
  HttpServerLimits limits_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_timer_;  // backs off when out of descriptors
  boost::asio::steady_timer sweep_timer_;   // pings and idle timeouts of WebSockets
  std::chrono::steady_clock::time_point last_accept_log_{};
  size_t accept_errors_unlogged_ = 0;
  // Shared with the sessions, which may outlive the server at shutdown.
  std::shared_ptr<ConnectionLimiter> connections_;
  std::shared_ptr<SendBudget> send_budget_;
  std::atomic<bool> shutting_down_{false};
  std::atomic<size_t> in_flight_{0};
  mutable std::mutex sessions_mutex_;
  std::vector<std::weak_ptr<HttpSession>> sessions_;
  std::vector<std::weak_ptr<WebSocketSession>> websockets_;
};

// A random request id: 16 hex digits.
std::string new_request_id();

}  // namespace wa::gateway

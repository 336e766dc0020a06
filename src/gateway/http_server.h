// HttpServer: accepts HTTP/1.1 connections (keep-alive) on Asio I/O threads and hands
// each request to an HttpHandler; handlers answer from any thread, so slow work never
// blocks the I/O threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "gateway/http_types.h"
#include "support/expected.h"

namespace wa::gateway {

class HttpSession;

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpHandler& handler);
  ~HttpServer();

  // Binds and starts accepting. `listen` is "host:port" (port 0: any free port).
  // Errors: kind "listen" naming the address and the reason.
  Expected<boost::asio::ip::tcp::endpoint> start(const std::string& listen);

  // Stops accepting, closes idle connections, and lets requests in flight finish;
  // connections close after their current response.
  void begin_shutdown();
  bool shutting_down() const { return shutting_down_.load(); }
  // Requests read but not yet fully answered (including open event streams).
  size_t in_flight() const { return in_flight_.load(); }

  // Internal (sessions).
  HttpHandler& handler() { return handler_; }
  void request_started() { ++in_flight_; }
  void request_finished() { --in_flight_; }

 private:
  void accept();

  boost::asio::io_context& io_;
  HttpHandler& handler_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::atomic<bool> shutting_down_{false};
  std::atomic<size_t> in_flight_{0};
  std::mutex sessions_mutex_;
  std::vector<std::weak_ptr<HttpSession>> sessions_;
};

// A random request id: 16 hex digits.
std::string new_request_id();

}  // namespace wa::gateway

#include "test_http_server.h"

#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

namespace wa::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

std::string TestHttpServer::Request::header(std::string_view name) const {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(),
                   [&](char a, char b) { return lower(a) == lower(b); }))
      return value;
  }
  return "";
}

struct TestHttpServer::Impl {
  Handler handler;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  uint16_t port = 0;
  std::thread accept_thread;

  mutable std::mutex mutex;
  std::condition_variable stopped;  // wakes delayed answers when the server goes away
  bool stopping = false;
  std::vector<Request> requests;
  size_t connections = 0;
  std::vector<std::thread> connection_threads;
  std::set<int> open_sockets;  // native handles, shut down by the destructor to end reads

  void accept_loop() {
    for (;;) {
      auto socket = std::make_unique<tcp::socket>(io);
      boost::system::error_code ec;
      acceptor.accept(*socket, ec);
      std::lock_guard lock(mutex);
      if (stopping) return;
      if (ec) continue;
      ++connections;
      open_sockets.insert(socket->native_handle());
      connection_threads.emplace_back(
          [this, s = std::shared_ptr<tcp::socket>(std::move(socket))] { serve(*s); });
    }
  }

  Response answer(const Request& request) {
    try {
      return handler(request);
    } catch (const std::exception& e) {
      return Response{
          500, {{"Content-Type", "text/plain"}}, std::string("handler threw: ") + e.what()};
    } catch (...) {
      return Response{500, {{"Content-Type", "text/plain"}}, "handler threw"};
    }
  }

  void serve(tcp::socket& socket) {
    try {
      boost::beast::flat_buffer buffer;
      for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(64u << 20);
        parser.header_limit(1u << 20);
        boost::system::error_code ec;
        http::read(socket, buffer, parser, ec);
        if (ec) break;  // closed, garbage (a TLS hello) or shut down
        const auto& message = parser.get();
        Request request;
        request.method = std::string(message.method_string());
        request.target = std::string(message.target());
        for (const auto& field : message)
          request.headers.emplace_back(std::string(field.name_string()),
                                       std::string(field.value()));
        request.body = message.body();
        {
          std::lock_guard lock(mutex);
          requests.push_back(request);
        }
        Response reply = answer(request);
        if (reply.delay.count() > 0) {
          std::unique_lock lock(mutex);
          stopped.wait_for(lock, reply.delay, [&] { return stopping; });
          if (stopping) break;
        }
        http::response<http::string_body> response;
        response.version(11);
        response.result(reply.status);
        bool has_length = false;
        for (const auto& [name, value] : reply.headers) {
          response.insert(name, value);
          if (http::string_to_field(name) == http::field::content_length ||
              http::string_to_field(name) == http::field::transfer_encoding)
            has_length = true;
        }
        bool head = message.method() == http::verb::head;
        if (!has_length) response.content_length(reply.body.size());
        if (!head) response.body() = std::move(reply.body);
        response.keep_alive(message.keep_alive());
        http::response_serializer<http::string_body> serializer(response);
        if (head) serializer.split(true);
        if (head) {
          http::write_header(socket, serializer, ec);
        } else {
          http::write(socket, serializer, ec);
        }
        if (ec || !message.keep_alive()) break;
      }
    } catch (...) {
      // A test server thread must never take the test binary down.
    }
    std::lock_guard lock(mutex);
    open_sockets.erase(socket.native_handle());
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }
};

TestHttpServer::TestHttpServer(Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->accept_thread = std::thread([this] { impl_->accept_loop(); });
}

TestHttpServer::~TestHttpServer() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
    // shutdown() wakes a thread blocked in accept() or read() on Linux; close() would not.
    ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
    for (int fd : impl_->open_sockets) ::shutdown(fd, SHUT_RDWR);
  }
  impl_->stopped.notify_all();
  impl_->accept_thread.join();
  // No new connection thread starts once `stopping` is set, so the list is final.
  for (std::thread& thread : impl_->connection_threads) thread.join();
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
}

uint16_t TestHttpServer::port() const { return impl_->port; }

std::string TestHttpServer::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + std::string(path);
}

std::vector<TestHttpServer::Request> TestHttpServer::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

size_t TestHttpServer::connections_accepted() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->connections;
}

}  // namespace wa::testing

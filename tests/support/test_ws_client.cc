#include "test_ws_client.h"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace wa::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct TestWsClient::Impl {
  asio::io_context io;
  websocket::stream<tcp::socket> ws{io};
  websocket::response_type response;

  // One read at a time, possibly left pending by a read() that timed out.
  beast::flat_buffer read_buffer;
  bool reading = false;
  bool read_done = false;
  beast::error_code read_ec;

  // The payload of the write in progress (Beast holds a view of it).
  std::string write_buffer;
  bool writing = false;

  // Runs the I/O until `done` holds or the time is up; true if it holds.
  template <typename Done>
  bool run_until(Done done, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (!done()) {
      if (Clock::now() >= deadline) return false;
      if (io.stopped()) io.restart();
      io.run_one_until(deadline);
    }
    return true;
  }

  void start_read() {
    if (reading || read_done) return;
    reading = true;
    ws.async_read(read_buffer, [this](beast::error_code ec, size_t) {
      reading = false;
      read_done = true;
      read_ec = ec;
    });
  }

  // Closes the socket and lets every pending operation finish (with an error), so no
  // handler runs after the client is gone.
  void abort() {
    beast::error_code ec;
    ws.next_layer().shutdown(tcp::socket::shutdown_both, ec);
    ws.next_layer().close(ec);
    run_until([this] { return !reading && !writing; }, std::chrono::seconds(5));
  }
};

TestWsClient::TestWsClient() : impl_(std::make_unique<Impl>()) {}

TestWsClient::~TestWsClient() { drop(); }

std::string TestWsClient::connect(uint16_t port, const std::string& target,
                                  const Headers& headers) {
  return connect(port, target, headers, Options{});
}

std::string TestWsClient::connect(uint16_t port, const std::string& target, const Headers& headers,
                                  const Options& options) {
  auto& impl = *impl_;
  auto& socket = impl.ws.next_layer();
  beast::error_code ec;
  socket.open(tcp::v4(), ec);
  if (ec) return "cannot open a socket: " + ec.message();
  if (options.receive_buffer_bytes > 0) {
    socket.set_option(asio::socket_base::receive_buffer_size(options.receive_buffer_bytes), ec);
  }
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  bool connected = false;
  socket.async_connect(endpoint, [&](beast::error_code e) {
    ec = e;
    connected = true;
  });
  if (!impl.run_until([&] { return connected; }, options.timeout)) {
    impl.abort();
    impl.run_until([&] { return connected; }, std::chrono::seconds(5));
    return "connect timed out";
  }
  if (ec) return "cannot connect to port " + std::to_string(port) + ": " + ec.message();

  impl.ws.read_message_max(options.max_message_bytes);
  impl.ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
    for (const auto& [name, value] : headers) req.set(name, value);
  }));
  // Beast answers pings by itself while a read runs; counting them shows the server's
  // keep-alive at work.
  impl.ws.control_callback([this](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::ping) ++pings_;
  });
  std::string host = options.host.empty() ? "127.0.0.1:" + std::to_string(port) : options.host;
  bool shaken = false;
  impl.ws.async_handshake(impl.response, host, target, [&](beast::error_code e) {
    ec = e;
    shaken = true;
  });
  if (!impl.run_until([&] { return shaken; }, options.timeout)) {
    impl.abort();
    impl.run_until([&] { return shaken; }, std::chrono::seconds(5));
    return "the WebSocket handshake timed out";
  }
  handshake_status_ = impl.response.result_int();
  handshake_body_ = impl.response.body();
  if (ec) {
    if (handshake_status_ != 0 && handshake_status_ != 101) {
      return "upgrade refused: " + std::to_string(handshake_status_) + " " + handshake_body_;
    }
    return "the WebSocket handshake failed: " + ec.message();
  }
  return {};
}

bool TestWsClient::is_open() const { return impl_->ws.is_open() && !closed_; }

std::string TestWsClient::handshake_header(std::string_view name) const {
  auto it = impl_->response.find(beast::string_view(name.data(), name.size()));
  return it == impl_->response.end() ? std::string() : std::string(it->value());
}

uint16_t TestWsClient::local_port() const {
  beast::error_code ec;
  auto endpoint = impl_->ws.next_layer().local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

std::string TestWsClient::send_text(std::string_view text, std::chrono::milliseconds timeout) {
  return send(text, false, timeout);
}

std::string TestWsClient::send_binary(std::string_view bytes, std::chrono::milliseconds timeout) {
  return send(bytes, true, timeout);
}

std::string TestWsClient::send(std::string_view data, bool binary,
                               std::chrono::milliseconds timeout) {
  auto& impl = *impl_;
  if (impl.writing) return "a previous send is still pending";
  if (closed_) return "the connection is closed";
  impl.write_buffer.assign(data);
  impl.ws.binary(binary);
  impl.writing = true;
  beast::error_code ec;
  impl.ws.async_write(asio::buffer(impl.write_buffer), [&impl, &ec](beast::error_code e, size_t) {
    impl.writing = false;
    ec = e;
  });
  // On timeout the write cannot be taken back: abort() ends it (its handler, which
  // writes `ec` on this frame, runs before we return) and the connection with it.
  if (!impl.run_until([&] { return !impl.writing; }, timeout)) {
    impl.abort();
    return "send timed out (the server is not reading)";
  }
  if (ec) return "send failed: " + ec.message();
  return {};
}

std::optional<WsMessage> TestWsClient::read(std::chrono::milliseconds timeout) {
  auto& impl = *impl_;
  if (closed_) return std::nullopt;
  impl.start_read();
  if (!impl.run_until([&] { return impl.read_done; }, timeout)) return std::nullopt;
  impl.read_done = false;
  if (impl.read_ec) {
    if (impl.read_ec == websocket::error::closed) {
      const auto& reason = impl.ws.reason();
      closed_ = WsClose{reason.code, std::string(reason.reason.c_str())};
    } else {
      closed_ = WsClose{1006, impl.read_ec.message()};
    }
    return std::nullopt;
  }
  WsMessage message{beast::buffers_to_string(impl.read_buffer.data()), impl.ws.got_binary()};
  impl.read_buffer.consume(impl.read_buffer.size());
  return message;
}

std::vector<WsMessage> TestWsClient::read_n(size_t count, std::chrono::milliseconds timeout) {
  std::vector<WsMessage> messages;
  auto deadline = Clock::now() + timeout;
  while (messages.size() < count) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    auto message = read(left);
    if (!message) break;
    messages.push_back(std::move(*message));
  }
  return messages;
}

std::optional<WsClose> TestWsClient::expect_close(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (!closed_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    if (read(left)) ++discarded_;
  }
  return closed_;
}

std::optional<WsClose> TestWsClient::close(int code, std::string_view reason,
                                           std::chrono::milliseconds timeout) {
  auto& impl = *impl_;
  if (closed_) return closed_;
  if (impl.writing) {
    drop();
    return std::nullopt;
  }
  websocket::close_reason why;
  why.code = static_cast<uint16_t>(code);
  why.reason.assign(reason.data(), std::min<size_t>(reason.size(), why.reason.max_size()));
  impl.writing = true;
  beast::error_code ec;
  bool done = false;
  impl.ws.async_close(why, [&](beast::error_code e) {
    impl.writing = false;
    ec = e;
    done = true;
  });
  if (!impl.run_until([&] { return done; }, timeout)) {
    impl.abort();
    return std::nullopt;
  }
  // A read left pending ends with "closed" now; the server's close frame is in reason().
  impl.run_until([&] { return !impl.reading; }, timeout);
  impl.read_done = false;
  const auto& answer = impl.ws.reason();
  closed_ = WsClose{ec ? 1006 : answer.code, std::string(answer.reason.c_str())};
  return closed_;
}

void TestWsClient::drop() {
  if (!impl_) return;
  impl_->abort();
  if (!closed_) closed_ = WsClose{1006, "dropped by the client"};
}

}  // namespace wa::testing

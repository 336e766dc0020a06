#include "gateway/http_server.h"

#include <spdlog/spdlog.h>

#include <boost/algorithm/string/trim.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <cerrno>
#include <iterator>
#include <random>
#include <unordered_map>

#include "gateway/websocket_session.h"

namespace wa::gateway {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

namespace {

// An idle keep-alive connection is closed after this long; reads and writes of a
// message must progress within it too (slowloris protection).
constexpr std::chrono::seconds kIoTimeout{60};
// Header block limit: far above any real client, small enough to bound memory.
constexpr uint32_t kHeaderLimit = 64 * 1024;
// Comment lines keep event streams alive through proxies and reveal dead clients.
constexpr std::chrono::seconds kEventKeepAlive{15};
// Out of file descriptors: retry accepting after this pause instead of spinning (the
// pending connection stays in the listen backlog), and log at most once per interval.
constexpr std::chrono::milliseconds kAcceptBackoff{10};
constexpr std::chrono::seconds kAcceptLogInterval{1};
// WebSocket sessions are visited this often for pings, idle timeouts and close
// deadlines: one timer for the server instead of one per connection.
constexpr std::chrono::seconds kWebSocketSweep{1};

// Written straight to a connection refused at accept; it never reaches a handler.
constexpr std::string_view kRefusedResponse =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Retry-After: 1\r\nConnection: close\r\nContent-Length: 36\r\n\r\n"
    "too many connections; retry shortly\n";

bool out_of_descriptors(const boost::system::error_code& ec) {
  if (ec.category() != boost::system::system_category()) return false;
  int value = ec.value();
  return value == EMFILE || value == ENFILE || value == ENOBUFS || value == ENOMEM;
}

}  // namespace

// Open connections, in total and per peer address.
class ConnectionLimiter {
 public:
  ConnectionLimiter(size_t max_total, size_t max_per_address)
      : max_total_(max_total), max_per_address_(max_per_address) {}

  // Empty when admitted; otherwise why not.
  std::string try_acquire(const std::string& address) {
    std::lock_guard lock(mutex_);
    if (total_ >= max_total_) {
      return "the server holds its limit of " + std::to_string(max_total_) + " connections";
    }
    size_t& mine = per_address_[address];
    if (mine >= max_per_address_) {
      return address + " holds its limit of " + std::to_string(max_per_address_) + " connections";
    }
    ++mine;
    ++total_;
    return {};
  }
  void release(const std::string& address) {
    std::lock_guard lock(mutex_);
    --total_;
    if (auto it = per_address_.find(address); it != per_address_.end() && --it->second == 0) {
      per_address_.erase(it);
    }
  }

 private:
  const size_t max_total_;
  const size_t max_per_address_;
  std::mutex mutex_;
  size_t total_ = 0;
  std::unordered_map<std::string, size_t> per_address_;
};

namespace {

// Holds one admitted connection's place in the limiter for the session's lifetime.
class ConnectionSlot {
 public:
  ConnectionSlot(std::shared_ptr<ConnectionLimiter> limiter, std::string address)
      : limiter_(std::move(limiter)), address_(std::move(address)) {}
  ~ConnectionSlot() {
    if (limiter_) limiter_->release(address_);
  }
  ConnectionSlot(ConnectionSlot&&) = default;
  ConnectionSlot(const ConnectionSlot&) = delete;

 private:
  std::shared_ptr<ConnectionLimiter> limiter_;
  std::string address_;
};

// RFC 9112 section 6.1 and 6.3: the only request framing we accept by Transfer-Encoding
// is a single "chunked" over HTTP/1.1 with no Content-Length. Anything else would make
// us and a proxy in front disagree about where the body ends (request smuggling).
std::string bad_transfer_encoding(const http::request_header<>& header) {
  auto [first, last] = header.equal_range(http::field::transfer_encoding);
  if (first == last) return {};
  if (std::next(first) != last) return "more than one Transfer-Encoding header";
  std::string value(first->value());
  boost::algorithm::trim_if(value, [](char c) { return c == ' ' || c == '\t'; });
  if (!beast::iequals(value, "chunked")) {
    return "Transfer-Encoding \"" + value.substr(0, 60) + "\" is not supported (only \"chunked\")";
  }
  if (header.version() < 11) return "Transfer-Encoding in an HTTP/1.0 request";
  if (header.count(http::field::content_length) > 0) {
    return "both Transfer-Encoding and Content-Length";
  }
  return {};
}

}  // namespace

std::string new_request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buffer[17];
  snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(rng()));
  return buffer;
}

// One TCP connection: reads requests one at a time, answers each, keeps alive.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, HttpServer& server, std::string remote_addr, ConnectionSlot slot)
      : stream_(std::move(socket)),
        server_(server),
        budget_(server.send_budget()),
        remote_addr_(std::move(remote_addr)),
        slot_(std::move(slot)),
        executor_(stream_.get_executor()) {
    beast::error_code ec;
    auto local = stream_.socket().local_endpoint(ec);
    if (!ec) local_port_ = local.port();
  }

  void start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); });
  }

  // Closes the connection if it is waiting for a request (server shutdown).
  void close_if_idle() {
    net::post(executor_, [self = shared_from_this()] {
      if (self->idle_ && !self->upgraded_) {
        beast::error_code ec;
        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        self->stream_.close();
      }
    });
  }

 private:
  void read_header() {
    idle_ = true;
    if (server_.shutting_down()) return close();
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    // Beast checks Content-Length against its default 1 MiB body limit while it reads
    // the header, before on_header() can apply the route's own limit: lift it here.
    parser_->body_limit(boost::none);
    stream_.expires_after(kIoTimeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    idle_ = false;
    if (ec) return on_read_error(ec);
    auto& header = parser_->get();
    if (std::string why = bad_transfer_encoding(header.base()); !why.empty()) {
      return refuse(400, "bad_request", "malformed HTTP request: " + why);
    }
    uint64_t limit = server_.handler().body_limit(header.base());
    parser_->body_limit(limit);
    auto length = parser_->content_length();
    if (length && *length > limit) {
      return refuse(413, "body_too_large",
                    "request body of " + std::to_string(*length) + " bytes exceeds the limit of " +
                        std::to_string(limit) + " bytes");
    }
    if (beast::iequals(header[http::field::expect], "100-continue")) {
      // curl waits a second for this before sending a large upload.
      auto text = std::make_shared<std::string>("HTTP/1.1 100 Continue\r\n\r\n");
      net::async_write(stream_, net::buffer(*text),
                       [self = shared_from_this(), text](beast::error_code ec, size_t) {
                         if (ec) return self->close();
                         self->read_body();
                       });
      return;
    }
    read_body();
  }

  void read_body() {
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_body(ec); });
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::bad_descriptor) {
      return close();
    }
    if (ec == http::error::body_limit) {
      return refuse(413, "body_too_large", "request body exceeds the size limit");
    }
    if (ec == http::error::header_limit) {
      return refuse(431, "headers_too_large", "request header block is too large");
    }
    refuse(400, "bad_request", "malformed HTTP request: " + ec.message());
  }

  void on_body(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    stream_.expires_never();  // the handler's own limits bound the time from here
    HttpRequest request = parser_->release();
    keep_alive_ = request.keep_alive();
    version_ = request.version();
    RequestInfo info{new_request_id(), remote_addr_, local_port_, std::chrono::steady_clock::now()};
    request_id_ = info.request_id;
    head_ = request.method() == http::verb::head;
    // Kept (headers only) in case the handler accepts it as a WebSocket.
    if (beast::websocket::is_upgrade(request)) {
      upgrade_request_.emplace(http::request<http::empty_body>(request.base()));
    } else {
      upgrade_request_.reset();
    }
    server_.request_started();
    auto self = shared_from_this();
    // Exactly one answer per request, whatever the handler does: a second call is
    // ignored, and a handler that throws gets a 500 in its place.
    auto answered = std::make_shared<std::atomic<bool>>(false);
    Responder respond = [self, answered](HandlerResult result) {
      if (answered->exchange(true)) return;
      net::post(self->executor_, [self, result = std::move(result)]() mutable {
        if (auto* response = std::get_if<HttpResponse>(&result)) {
          self->write(std::move(*response), /*counted=*/true);
        } else if (auto* upgrade = std::get_if<WebSocketUpgrade>(&result)) {
          self->start_websocket(std::move(*upgrade));
        } else {
          self->start_event_stream(std::move(std::get<EventStream>(result)));
        }
      });
    };
    try {
      server_.handler().handle(std::move(request), info, respond);
    } catch (const std::exception& e) {
      spdlog::error("request={} handler failed: {}", request_id_, e.what());
      keep_alive_ = false;
      respond(server_.handler().error_response(500, "internal", "internal server error"));
    }
  }

  // Answers a request the handler never saw, then closes (its body is unread).
  void refuse(unsigned status, std::string_view kind, const std::string& message) {
    keep_alive_ = false;
    version_ = 11;
    head_ = false;
    request_id_ = new_request_id();
    write(server_.handler().error_response(status, kind, message), /*counted=*/false);
  }

  // Frames the response; never throws (a response Beast refuses becomes a plain 500).
  HttpResponse framed(HttpResponse response, bool keep_alive) {
    try {
      response.version(version_);
      response.keep_alive(keep_alive);
      response.set("X-Request-Id", request_id_);
      response.prepare_payload();
      if (head_ && !response.body().empty()) {
        // A HEAD answer announces the length of the body it does not send.
        auto length = response.body().size();
        response.body().clear();
        response.content_length(length);
      }
      return response;
    } catch (const std::exception& e) {
      spdlog::error("request={} cannot send the response: {}", request_id_, e.what());
      HttpResponse failed{http::status::internal_server_error, version_};
      failed.keep_alive(false);
      failed.set(http::field::content_type, "text/plain; charset=utf-8");
      failed.set("X-Request-Id", request_id_);
      failed.body() = "internal server error\n";
      failed.prepare_payload();
      return failed;
    }
  }

  void write(HttpResponse response, bool counted) {
    bool keep_alive = keep_alive_ && !server_.shutting_down();
    auto message = std::make_shared<HttpResponse>(framed(std::move(response), keep_alive));
    const uint64_t generation = ++write_generation_;
    auto reserved = budget_->reserve(message->body().size(), [weak = weak_from_this(), generation] {
      if (auto self = weak.lock()) {
        net::post(self->executor_, [self, generation] { self->drop_slow_reader(generation); });
      }
    });
    if (!reserved.error.empty()) {
      spdlog::warn("request={} status=503 {}", request_id_, reserved.error);
      auto busy = server_.handler().error_response(
          503, "overloaded", "the server cannot buffer this response now; retry shortly");
      busy.set(http::field::retry_after, "1");
      message = std::make_shared<HttpResponse>(framed(std::move(busy), /*keep_alive=*/false));
    }
    keep_alive = message->keep_alive();
    auto serializer = std::make_shared<http::response_serializer<http::string_body>>(*message);
    stream_.expires_after(kIoTimeout);
    writing_ = true;
    write_some(std::move(message), std::move(serializer), reserved.id, 0, keep_alive, counted);
  }

  // Writes piece by piece so the send budget sees how fast this client reads.
  void write_some(std::shared_ptr<HttpResponse> message,
                  std::shared_ptr<http::response_serializer<http::string_body>> serializer,
                  uint64_t reservation, uint64_t sent, bool keep_alive, bool counted) {
    auto* sr = serializer.get();
    http::async_write_some(stream_, *sr,
                           [self = shared_from_this(), message = std::move(message),
                            serializer = std::move(serializer), reservation, sent, keep_alive,
                            counted](beast::error_code ec, size_t bytes) mutable {
                             sent += bytes;
                             if (!ec && !serializer->is_done()) {
                               if (reservation) self->budget_->progress(reservation, sent);
                               return self->write_some(std::move(message), std::move(serializer),
                                                       reservation, sent, keep_alive, counted);
                             }
                             self->writing_ = false;
                             if (reservation) self->budget_->release(reservation);
                             if (counted) self->server_.request_finished();
                             if (ec || !keep_alive) return self->close();
                             self->read_header();
                           });
  }

  // Chosen by the send budget to make room: the pending write fails and frees its memory.
  // (Unless that write has finished meanwhile and this connection moved on.)
  void drop_slow_reader(uint64_t generation) {
    if (generation != write_generation_ || !writing_) return;
    spdlog::warn("request={} dropped a slow reader ({}) to bound unsent response memory",
                 request_id_, remote_addr_);
    close();
  }

  void start_event_stream(EventStream stream) {
    events_ = std::move(stream);
    timer_.emplace(stream_.get_executor());
    last_sent_ = std::chrono::steady_clock::now();
    auto header = std::make_shared<std::string>(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
        "X-Accel-Buffering: no\r\nConnection: close\r\nX-Request-Id: " +
        request_id_ + "\r\n\r\n");
    stream_.expires_never();
    net::async_write(stream_.socket(), net::buffer(*header),
                     [self = shared_from_this(), header](beast::error_code ec, size_t) {
                       if (ec) return self->end_event_stream();
                       self->poll_events();
                     });
  }

  void poll_events() {
    if (server_.shutting_down()) return end_event_stream();
    std::optional<std::string> chunk;
    try {
      chunk = events_->poll();
    } catch (const std::exception& e) {
      spdlog::error("request={} event stream failed: {}", request_id_, e.what());
    }
    if (!chunk) return end_event_stream();
    auto now = std::chrono::steady_clock::now();
    if (chunk->empty() && now - last_sent_ >= kEventKeepAlive) *chunk = ": keep-alive\n\n";
    if (chunk->empty()) return schedule_poll();
    last_sent_ = now;
    auto data = std::make_shared<std::string>(std::move(*chunk));
    net::async_write(stream_.socket(), net::buffer(*data),
                     [self = shared_from_this(), data](beast::error_code ec, size_t) {
                       if (ec) return self->end_event_stream();
                       self->schedule_poll();
                     });
  }

  void schedule_poll() {
    timer_->expires_after(events_->interval);
    timer_->async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->end_event_stream();
      self->poll_events();
    });
  }

  void end_event_stream() {
    if (!events_) return;
    events_.reset();
    server_.request_finished();
    close();
  }

  // The connection becomes a WebSocket session, which takes the socket, the place in the
  // connection limits and the in-flight count; this session ends here.
  void start_websocket(WebSocketUpgrade upgrade) {
    if (!upgrade_request_) {
      keep_alive_ = false;
      return write(server_.handler().error_response(400, "bad_request",
                                                    "this endpoint needs a WebSocket upgrade"),
                   /*counted=*/true);
    }
    upgraded_ = true;
    auto slot = std::make_shared<ConnectionSlot>(std::move(slot_));
    HttpServer* server = &server_;
    auto session = std::make_shared<WebSocketSession>(
        std::move(stream_), upgrade.options, remote_addr_, request_id_,
        [server] { server->request_finished(); }, std::move(slot));
    server_.register_websocket(session);
    session->accept(std::move(*upgrade_request_), std::move(upgrade.on_open));
    upgrade_request_.reset();
  }

  void close() {
    if (upgraded_) return;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  HttpServer& server_;
  std::shared_ptr<SendBudget> budget_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_addr_;
  ConnectionSlot slot_;
  uint16_t local_port_ = 0;
  bool head_ = false;
  uint64_t write_generation_ = 0;  // one per response written
  bool writing_ = false;           // a response is being written
  std::string request_id_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  bool idle_ = false;
  std::optional<EventStream> events_;
  std::optional<net::steady_timer> timer_;
  std::chrono::steady_clock::time_point last_sent_;
  // The strand, kept apart from stream_, which an upgrade moves away.
  net::any_io_executor executor_;
  std::optional<http::request<http::empty_body>> upgrade_request_;
  bool upgraded_ = false;  // stream_ belongs to a WebSocketSession now
};

HttpServer::HttpServer(net::io_context& io, HttpHandler& handler, HttpServerLimits limits)
    : io_(io),
      handler_(handler),
      limits_(limits),
      acceptor_(net::make_strand(io)),
      accept_timer_(acceptor_.get_executor()),
      sweep_timer_(acceptor_.get_executor()),
      connections_(std::make_shared<ConnectionLimiter>(limits.max_connections,
                                                       limits.max_connections_per_address)),
      send_budget_(std::make_shared<SendBudget>(limits.send)) {}

HttpServer::~HttpServer() = default;

Expected<tcp::endpoint> HttpServer::start(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return make_error("listen", "listen address \"" + listen + "\" is not host:port");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  unsigned long port = 0;
  try {
    port = std::stoul(listen.substr(colon + 1));
  } catch (...) {
    port = 65536;
  }
  if (port > 65535) return make_error("listen", "invalid port in \"" + listen + "\"");
  beast::error_code ec;
  auto address = net::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
  if (ec) return make_error("listen", "invalid listen host \"" + host + "\": " + ec.message());
  tcp::endpoint endpoint(address, static_cast<uint16_t>(port));
  auto fail = [&](std::string_view what) {
    return make_error("listen", "cannot " + std::string(what) + " " + listen + ": " + ec.message());
  };
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  acceptor_.bind(endpoint, ec);
  if (ec) return fail("bind");
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on");
  auto bound = acceptor_.local_endpoint(ec);
  if (ec) return fail("query");
  accept();
  sweep_websockets();
  return bound;
}

void HttpServer::accept() {
  acceptor_.async_accept(net::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
      return on_accept_error(ec);
    }
    try {
      admit(std::move(socket));
    } catch (const std::exception& e) {
      spdlog::error("cannot start a connection: {}", e.what());
    }
    if (!shutting_down_) accept();
  });
}

// Runs on the acceptor's strand. Out of descriptors, accepting again at once fails again
// at once: pause, so the CPU and the log stay free, and keep serving open connections.
void HttpServer::on_accept_error(const boost::system::error_code& ec) {
  auto now = std::chrono::steady_clock::now();
  if (now - last_accept_log_ >= kAcceptLogInterval) {
    if (accept_errors_unlogged_ > 0) {
      spdlog::warn("accept failed: {} ({} more since the last report)", ec.message(),
                   accept_errors_unlogged_);
    } else {
      spdlog::warn("accept failed: {}", ec.message());
    }
    last_accept_log_ = now;
    accept_errors_unlogged_ = 0;
  } else {
    ++accept_errors_unlogged_;
  }
  if (shutting_down_) return;
  accept_timer_.expires_after(out_of_descriptors(ec) ? kAcceptBackoff
                                                     : std::chrono::milliseconds(1));
  accept_timer_.async_wait([this](beast::error_code wait_ec) {
    if (!wait_ec && !shutting_down_) accept();
  });
}

void HttpServer::admit(tcp::socket socket) {
  beast::error_code ec;
  auto remote = socket.remote_endpoint(ec);
  if (ec) return;  // already gone
  std::string address = remote.address().to_string();
  if (std::string refused = connections_->try_acquire(address); !refused.empty()) {
    // A fresh socket's send buffer is empty, so this small write completes at once; the
    // refused client costs no session and no waiting.
    socket.non_blocking(true, ec);
    socket.write_some(net::buffer(kRefusedResponse), ec);
    socket.shutdown(tcp::socket::shutdown_send, ec);
    socket.close(ec);
    auto now = std::chrono::steady_clock::now();
    if (now - last_accept_log_ >= kAcceptLogInterval) {
      spdlog::warn("refused a connection from {}: {}", address, refused);
      last_accept_log_ = now;
    }
    return;
  }
  ConnectionSlot slot(connections_, address);
  auto session = std::make_shared<HttpSession>(std::move(socket), *this, address, std::move(slot));
  {
    // Sessions end on their own; the list only serves shutdown, so it is pruned here
    // rather than from session destructors (which may run after the server is gone).
    std::lock_guard lock(sessions_mutex_);
    std::erase_if(sessions_, [](const auto& weak) { return weak.expired(); });
    sessions_.push_back(session);
  }
  session->start();
}

void HttpServer::register_websocket(const std::shared_ptr<WebSocketSession>& session) {
  std::lock_guard lock(sessions_mutex_);
  websockets_.push_back(session);
  if (shutting_down_) session->close(1001, "the server is shutting down");
}

size_t HttpServer::websocket_count() const {
  std::lock_guard lock(sessions_mutex_);
  return std::count_if(websockets_.begin(), websockets_.end(), [](const auto& weak) {
    auto session = weak.lock();
    return session && !session->ended();
  });
}

// Runs on the acceptor's strand every kWebSocketSweep while the server runs, and during
// shutdown until the last WebSocket is gone (close deadlines need it).
void HttpServer::sweep_websockets() {
  std::vector<std::shared_ptr<WebSocketSession>> live;
  {
    std::lock_guard lock(sessions_mutex_);
    std::erase_if(websockets_, [&](const auto& weak) {
      auto session = weak.lock();
      if (!session || session->ended()) return true;
      live.push_back(std::move(session));
      return false;
    });
  }
  auto now = std::chrono::steady_clock::now();
  for (auto& session : live) session->tick(now);
  if (shutting_down_ && live.empty()) return;
  sweep_timer_.expires_after(kWebSocketSweep);
  sweep_timer_.async_wait([this](beast::error_code ec) {
    if (!ec) sweep_websockets();
  });
}

void HttpServer::begin_shutdown() {
  shutting_down_ = true;
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ec;
    acceptor_.close(ec);
    accept_timer_.cancel();
  });
  std::vector<std::shared_ptr<HttpSession>> live;
  std::vector<std::shared_ptr<WebSocketSession>> sockets;
  {
    std::lock_guard lock(sessions_mutex_);
    for (auto& weak : sessions_) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
    for (auto& weak : websockets_) {
      if (auto session = weak.lock()) sockets.push_back(std::move(session));
    }
  }
  for (auto& session : live) session->close_if_idle();
  // Rooms close with 1001 (going away); each session then leaves its room and ends.
  for (auto& session : sockets) session->close(1001, "the server is shutting down");
}

}  // namespace wa::gateway

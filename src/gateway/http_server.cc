#include "gateway/http_server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <random>
#include <spdlog/spdlog.h>

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
  HttpSession(tcp::socket socket, HttpServer& server)
      : stream_(std::move(socket)), server_(server) {
    beast::error_code ec;
    auto remote = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_addr_ = remote.address().to_string();
    auto local = stream_.socket().local_endpoint(ec);
    if (!ec) local_port_ = local.port();
  }

  void start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); });
  }

  // Closes the connection if it is waiting for a request (server shutdown).
  void close_if_idle() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->idle_) {
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
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              self->on_header(ec);
                            });
  }

  void on_header(beast::error_code ec) {
    idle_ = false;
    if (ec) return on_read_error(ec);
    auto& header = parser_->get();
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
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->on_body(ec);
                     });
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::eof ||
        ec == beast::error::timeout || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::bad_descriptor) {
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
    RequestInfo info{new_request_id(), remote_addr_, local_port_,
                     std::chrono::steady_clock::now()};
    request_id_ = info.request_id;
    server_.request_started();
    auto self = shared_from_this();
    server_.handler().handle(std::move(request), info, [self](HandlerResult result) {
      net::post(self->stream_.get_executor(), [self, result = std::move(result)]() mutable {
        if (auto* response = std::get_if<HttpResponse>(&result)) {
          self->write(std::move(*response), /*counted=*/true);
        } else {
          self->start_event_stream(std::move(std::get<EventStream>(result)));
        }
      });
    });
  }

  // Answers a request the handler never saw, then closes (its body is unread).
  void refuse(unsigned status, std::string_view kind, const std::string& message) {
    keep_alive_ = false;
    version_ = 11;
    request_id_ = new_request_id();
    write(server_.handler().error_response(status, kind, message), /*counted=*/false);
  }

  void write(HttpResponse response, bool counted) {
    bool keep_alive = keep_alive_ && !server_.shutting_down();
    response.version(version_);
    response.keep_alive(keep_alive);
    response.set("X-Request-Id", request_id_);
    response.prepare_payload();
    auto message = std::make_shared<HttpResponse>(std::move(response));
    stream_.expires_after(kIoTimeout);
    http::async_write(stream_, *message,
                      [self = shared_from_this(), message, keep_alive, counted](
                          beast::error_code ec, size_t) {
                        if (counted) self->server_.request_finished();
                        if (ec || !keep_alive) return self->close();
                        self->read_header();
                      });
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
    std::optional<std::string> chunk = events_->poll();
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

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  HttpServer& server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_addr_;
  uint16_t local_port_ = 0;
  std::string request_id_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  bool idle_ = false;
  std::optional<EventStream> events_;
  std::optional<net::steady_timer> timer_;
  std::chrono::steady_clock::time_point last_sent_;
};

HttpServer::HttpServer(net::io_context& io, HttpHandler& handler)
    : io_(io), handler_(handler), acceptor_(net::make_strand(io)) {}

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
  return bound;
}

void HttpServer::accept() {
  acceptor_.async_accept(net::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
      spdlog::warn("accept failed: {}", ec.message());
    } else {
      auto session = std::make_shared<HttpSession>(std::move(socket), *this);
      {
        // Sessions end on their own; the list only serves shutdown, so it is pruned here
        // rather than from session destructors (which may run after the server is gone).
        std::lock_guard lock(sessions_mutex_);
        std::erase_if(sessions_, [](const auto& weak) { return weak.expired(); });
        sessions_.push_back(session);
      }
      session->start();
    }
    if (!shutting_down_) accept();
  });
}

void HttpServer::begin_shutdown() {
  shutting_down_ = true;
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ec;
    acceptor_.close(ec);
  });
  std::vector<std::shared_ptr<HttpSession>> live;
  {
    std::lock_guard lock(sessions_mutex_);
    for (auto& weak : sessions_) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  for (auto& session : live) session->close_if_idle();
}

}  // namespace wa::gateway

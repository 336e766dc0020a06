#include "gateway/websocket_session.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "gateway/cgi_request.h"

namespace wa::gateway {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

// The opening handshake must finish within this (the HTTP request is already read).
constexpr std::chrono::seconds kHandshakeTimeout{10};
// A close handshake the peer does not finish in this time (or cannot: it stopped
// reading and our last write is stuck) ends with the TCP connection dropped.
constexpr std::chrono::seconds kCloseTimeout{5};
// A queued message costs at least this much (its frame header and queue entry), so a
// flood of empty messages fills the queue too.
constexpr uint64_t kMessageOverhead = 64;
// RFC 6455 5.5: a close frame's reason is at most 123 bytes.
constexpr size_t kMaxReasonBytes = 123;

std::string close_reason_text(std::string_view reason) {
  if (reason.size() <= kMaxReasonBytes) return std::string(reason);
  size_t end = kMaxReasonBytes;
  while (end > 0 && (static_cast<unsigned char>(reason[end]) & 0xC0) == 0x80) --end;
  return std::string(reason.substr(0, end));
}

}  // namespace

WebSocketSession::WebSocketSession(beast::tcp_stream stream, WebSocketOptions options,
                                   std::string remote_addr, std::string request_id,
                                   std::function<void()> on_end, std::shared_ptr<void> slot)
    : ws_(std::move(stream)),
      options_(options),
      remote_addr_(std::move(remote_addr)),
      request_id_(std::move(request_id)),
      on_end_(std::move(on_end)),
      slot_(std::move(slot)) {
  touch();
}

WebSocketSession::~WebSocketSession() = default;

void WebSocketSession::accept(beast::http::request<beast::http::empty_body> request,
                              std::function<void(std::shared_ptr<WebSocketSession>)> on_open) {
  auto shared = std::make_shared<beast::http::request<beast::http::empty_body>>(std::move(request));
  net::dispatch(ws_.get_executor(), [self = shared_from_this(), shared,
                                     on_open = std::move(on_open)]() mutable {
    auto& ws = self->ws_;
    websocket::stream_base::timeout timeouts;
    timeouts.handshake_timeout = kHandshakeTimeout;
    timeouts.idle_timeout = websocket::stream_base::none();  // tick() does pings and idling
    timeouts.keep_alive_pings = false;
    ws.set_option(timeouts);
    ws.set_option(websocket::stream_base::decorator(
        [id = self->request_id_](websocket::response_type& response) {
          response.set(beast::http::field::server, kServerSoftware);
          response.set("X-Request-Id", id);
        }));
    ws.read_message_max(self->options_.max_message_bytes);
    // Server frames are not masked: a message goes out as one frame, straight from the
    // shared payload, without a copy into a write buffer.
    ws.auto_fragment(false);
    ws.control_callback([raw = self.get()](websocket::frame_type, beast::string_view) {
      raw->touch();  // a ping, pong or close from the client: it is alive
    });
    beast::get_lowest_layer(ws).expires_never();
    ws.async_accept(*shared, [self, shared, on_open = std::move(on_open)](beast::error_code ec) {
      if (ec) return self->finish();  // Beast answered a bad upgrade itself
      self->open_ = true;
      self->tokens_ = std::max(1u, self->options_.message_burst);
      self->tokens_at_ = Clock::now();
      self->touch();
      if (self->ended_) return;
      bool queued = false;
      {
        std::lock_guard lock(self->mutex_);
        if ((!self->queue_.empty() || self->close_after_) && !self->write_scheduled_) {
          self->write_scheduled_ = queued = true;
        }
      }
      if (queued) self->write_next();
      if (!on_open) return;
      try {
        on_open(self);
      } catch (const std::exception& e) {
        spdlog::error("request={} WebSocket open failed: {}", self->request_id_, e.what());
        self->begin_close(1011, "internal error");
      }
    });
  });
}

void WebSocketSession::set_handlers(MessageHandler on_message, CloseHandler on_close) {
  on_message_ = std::move(on_message);
  on_close_ = std::move(on_close);
}

void WebSocketSession::start_reading() {
  net::post(ws_.get_executor(), [self = shared_from_this()] {
    self->want_reads_ = true;
    self->read_next();
  });
}

void WebSocketSession::message_done() {
  net::post(ws_.get_executor(), [self = shared_from_this()] {
    self->waiting_ = false;
    self->read_next();
  });
}

void WebSocketSession::read_next() {
  if (!open_ || ended_ || close_started_ || reading_ || waiting_ || !want_reads_) return;
  reading_ = true;
  read_buffer_.clear();
  // Read straight into the string the hub takes over: no copy per message.
  read_dynamic_.emplace(read_buffer_);
  ws_.async_read(*read_dynamic_,
                 [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
}

void WebSocketSession::on_read(beast::error_code ec) {
  reading_ = false;
  // Closed by the client, too large (Beast closed with 1009), invalid UTF-8 (1007), or
  // the TCP connection gone: the session is over.
  if (ec) return finish();
  if (ended_ || close_started_) return;
  touch();
  if (!take_token(Clock::now())) {
    spdlog::warn("request={} WebSocket client {} over {} messages/s: closed", request_id_,
                 remote_addr_, options_.messages_per_second);
    return begin_close(1008, "rate limit exceeded");
  }
  read_dynamic_.reset();
  std::string payload = std::move(read_buffer_);
  read_buffer_ = std::string();
  if (!on_message_) return read_next();
  waiting_ = true;
  on_message_(std::move(payload), ws_.got_binary());
}

bool WebSocketSession::take_token(Clock::time_point now) {
  if (options_.messages_per_second == 0) return true;
  double burst = std::max(1u, options_.message_burst);
  std::chrono::duration<double> elapsed = now - tokens_at_;
  tokens_ = std::min(burst, tokens_ + elapsed.count() * options_.messages_per_second);
  tokens_at_ = now;
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

bool WebSocketSession::send(std::shared_ptr<const std::string> payload, bool binary) {
  if (!payload) return false;
  const uint64_t bytes = payload->size() + kMessageOverhead;
  bool start = false;
  {
    std::lock_guard lock(mutex_);
    if (closing_) return false;
    if (queued_bytes_ + bytes > options_.max_queued_bytes) {
      // Not reading fast enough: drop it rather than buffer without bound. What is
      // queued goes (a client this far behind would not read it anyway).
      closing_ = true;
      for (const auto& out : queue_) queued_bytes_ -= out.bytes;
      queue_.clear();
      close_after_.reset();
    } else {
      queue_.push_back({std::move(payload), binary, bytes});
      queued_bytes_ += bytes;
      if (!write_scheduled_) write_scheduled_ = start = true;
      payload = nullptr;
    }
  }
  if (payload) {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
      spdlog::warn("request={} WebSocket client {} dropped: more than {} bytes unsent",
                   self->request_id_, self->remote_addr_, self->options_.max_queued_bytes);
      self->begin_close(1008, "too slow");
    });
    return false;
  }
  if (start) net::post(ws_.get_executor(), [self = shared_from_this()] { self->write_next(); });
  return true;
}

void WebSocketSession::close(int code, std::string reason) {
  bool start = false;
  {
    std::lock_guard lock(mutex_);
    if (closing_) return;
    closing_ = true;
    close_after_.emplace(code, std::move(reason));
    if (!write_scheduled_) write_scheduled_ = start = true;
  }
  if (start) net::post(ws_.get_executor(), [self = shared_from_this()] { self->write_next(); });
}

uint64_t WebSocketSession::queued_bytes() const {
  std::lock_guard lock(mutex_);
  return queued_bytes_;
}

void WebSocketSession::write_next() {
  if (ended_) return;
  Outgoing next;
  std::optional<std::pair<int, std::string>> close_now;
  {
    std::lock_guard lock(mutex_);
    if (queue_.empty()) {
      write_scheduled_ = false;
      close_now.swap(close_after_);
    } else {
      next = std::move(queue_.front());
      queue_.pop_front();
    }
  }
  if (close_now) return begin_close(close_now->first, std::move(close_now->second));
  if (!next.payload) return;
  if (!open_) {
    // Queued before the handshake finished (a join broadcast is fast): wait for it.
    std::lock_guard lock(mutex_);
    queue_.push_front(std::move(next));
    write_scheduled_ = false;
    return;
  }
  ws_.binary(next.binary);
  auto* data = next.payload.get();
  ws_.async_write(net::buffer(*data), [self = shared_from_this(), next = std::move(next)](
                                          beast::error_code ec, size_t) {
    {
      std::lock_guard lock(self->mutex_);
      self->queued_bytes_ -= next.bytes;
    }
    if (ec) return self->finish();
    self->write_next();
  });
}

void WebSocketSession::begin_close(int code, std::string reason) {
  if (ended_ || close_started_) return;
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    for (const auto& out : queue_) queued_bytes_ -= out.bytes;
    queue_.clear();
    close_after_.reset();
  }
  if (!open_) return finish();
  close_started_ = true;
  close_deadline_ = Clock::now() + kCloseTimeout;
  websocket::close_reason why;
  why.code = static_cast<uint16_t>(code);
  why.reason = close_reason_text(reason);
  ws_.async_close(why, [self = shared_from_this()](beast::error_code) { self->finish(); });
}

void WebSocketSession::tick(Clock::time_point now) {
  if (ended_flag_.load()) return;
  auto last = Clock::time_point(Clock::duration(last_activity_.load()));
  bool closing = false;
  {
    std::lock_guard lock(mutex_);
    closing = closing_;
  }
  // Most connections were heard from recently: nothing to do for them.
  if (!closing && now - last < std::min(options_.ping_interval, options_.idle_timeout)) return;
  net::post(ws_.get_executor(), [self = shared_from_this(), now] { self->check(now); });
}

void WebSocketSession::check(Clock::time_point now) {
  if (ended_) return;
  if (close_started_) {
    if (now >= close_deadline_) finish();
    return;
  }
  if (!open_) return;
  if (waiting_ || !want_reads_) {
    // Its room holds its last message (or its join): the client is not idle, we are.
    touch();
    return;
  }
  auto idle = now - Clock::time_point(Clock::duration(last_activity_.load()));
  if (idle >= options_.idle_timeout) return begin_close(1001, "idle timeout");
  if (idle >= options_.ping_interval && !ping_pending_ &&
      now - last_ping_ >= options_.ping_interval) {
    ping_pending_ = true;
    last_ping_ = now;
    ws_.async_ping({}, [self = shared_from_this()](beast::error_code) {
      self->ping_pending_ = false;  // a failure shows in the reads
    });
  }
}

void WebSocketSession::finish() {
  if (ended_) return;
  ended_ = true;
  ended_flag_.store(true);
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    for (const auto& out : queue_) queued_bytes_ -= out.bytes;
    queue_.clear();
    close_after_.reset();
  }
  // Pending operations complete with an error and find the session ended.
  beast::error_code ec;
  beast::get_lowest_layer(ws_).socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
  beast::get_lowest_layer(ws_).close();
  // The socket is closed: its place in the connection limits is free, even while others
  // (the hub, pending handlers) still hold this object for a moment.
  slot_.reset();
  on_message_ = nullptr;
  auto on_close = std::move(on_close_);
  on_close_ = nullptr;
  auto on_end = std::move(on_end_);
  on_end_ = nullptr;
  try {
    if (on_close) on_close();
  } catch (const std::exception& e) {
    spdlog::error("request={} WebSocket close handler failed: {}", request_id_, e.what());
  }
  if (on_end) on_end();
}

}  // namespace wa::gateway

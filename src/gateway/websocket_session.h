// WebSocketSession: one connection the HTTP server upgraded (Boost.Beast websocket). It is
// a rooms::RoomConnection: the hub queues messages on it from any thread, into a bounded
// send queue (past max_queued_bytes the client is dropped, never buffered without bound).
// Incoming messages go to one handler; the next read starts only when the hub is done
// with the previous message (message_done), so a flooding client is held back by its
// room. Size (1009) and rate (1008) limits, pings when idle, 1001 after the idle timeout.
#pragma once

#include <atomic>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "gateway/http_types.h"
#include "rooms/room_hub.h"

namespace wa::gateway {

class WebSocketSession final : public rooms::RoomConnection,
                               public std::enable_shared_from_this<WebSocketSession> {
 public:
  using MessageHandler = std::function<void(std::string payload, bool binary)>;
  using CloseHandler = std::function<void()>;
  using Clock = std::chrono::steady_clock;

  // Made by the HTTP server from an upgraded connection. `on_end` runs once when the
  // connection is over (the server's in-flight count); `slot` is held until then (its
  // place in the server's connection limits).
  WebSocketSession(boost::beast::tcp_stream stream, WebSocketOptions options,
                   std::string remote_addr, std::string request_id, std::function<void()> on_end,
                   std::shared_ptr<void> slot);
  ~WebSocketSession() override;

  // Runs the handshake; `on_open` runs on success (on the session's strand).
  void accept(boost::beast::http::request<boost::beast::http::empty_body> request,
              std::function<void(std::shared_ptr<WebSocketSession>)> on_open);

  // Set from on_open, before start_reading. Both run on the session's strand; `on_close`
  // runs once when the connection ends, however it ends.
  void set_handlers(MessageHandler on_message, CloseHandler on_close);
  // Starts (or resumes) reading messages; from any thread.
  void start_reading();

  // rooms::RoomConnection (any thread).
  bool send(std::shared_ptr<const std::string> payload, bool binary) override;
  void close(int code, std::string reason) override;
  void message_done() override;

  // Called about once a second by the server: pings, the idle timeout, and the end of a
  // close handshake the peer never finishes. Any thread.
  void tick(Clock::time_point now);

  const std::string& remote_addr() const { return remote_addr_; }
  const std::string& request_id() const { return request_id_; }
  bool ended() const { return ended_flag_.load(); }
  // Unsent bytes queued now.
  uint64_t queued_bytes() const;

 private:
  void read_next();
  void on_read(boost::beast::error_code ec);
  void write_next();
  void begin_close(int code, std::string reason);
  void check(Clock::time_point now);
  void finish();
  bool take_token(Clock::time_point now);
  void touch() { last_activity_.store(Clock::now().time_since_epoch().count()); }

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  const WebSocketOptions options_;
  const std::string remote_addr_;
  const std::string request_id_;
  std::function<void()> on_end_;
  std::shared_ptr<void> slot_;

  // On the strand:
  MessageHandler on_message_;
  CloseHandler on_close_;
  std::string read_buffer_;
  std::optional<boost::asio::dynamic_string_buffer<char, std::char_traits<char>,
                                                   std::allocator<char>>>
      read_dynamic_;            // over read_buffer_, for the read in progress
  bool open_ = false;           // handshake done
  bool reading_ = false;        // an async_read is pending
  bool want_reads_ = false;     // start_reading was called
  bool waiting_ = false;        // the handler has our last message (no read until message_done)
  bool close_started_ = false;  // async_close issued
  bool ended_ = false;          // finish() ran
  bool ping_pending_ = false;
  Clock::time_point close_deadline_{};
  Clock::time_point last_ping_{};
  double tokens_ = 0;
  Clock::time_point tokens_at_{};

  // Any thread:
  std::atomic<int64_t> last_activity_{0};  // steady ticks of the last frame received
  std::atomic<bool> ended_flag_{false};
  struct Outgoing {
    std::shared_ptr<const std::string> payload;
    bool binary = false;
    uint64_t bytes = 0;
  };
  mutable std::mutex mutex_;
  std::deque<Outgoing> queue_;    // under mutex_
  uint64_t queued_bytes_ = 0;     // under mutex_: queued + being written
  bool write_scheduled_ = false;  // under mutex_: a writer runs or is posted
  bool closing_ = false;          // under mutex_: no more sends
  std::optional<std::pair<int, std::string>> close_after_;  // under mutex_: once the queue is out
};

}  // namespace wa::gateway

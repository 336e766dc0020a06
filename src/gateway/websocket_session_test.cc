// WebSocketSession over a real socket: the HTTP server upgrades, TestWsClient connects.
// Covers the limits a room connection enforces (message size, rate, queued bytes, idle
// time), read backpressure, close codes and shutdown.
#include "gateway/websocket_session.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "gateway/http_server.h"
#include "gateway/json_response.h"
#include "test_ws_client.h"

namespace wa::gateway {
namespace {

using namespace std::chrono_literals;
using testing::TestWsClient;

// Upgrades every request; what the session does with messages is the test's choice.
class UpgradeHandler final : public HttpHandler {
 public:
  WebSocketOptions options;
  // Runs on the session's strand for each message (default: echo it, then resume).
  std::function<void(WebSocketSession&, std::string, bool)> on_message =
      [](WebSocketSession& session, std::string payload, bool binary) {
        session.send(std::make_shared<const std::string>(std::move(payload)), binary);
        session.message_done();
      };
  bool start_reading = true;

  uint64_t body_limit(const http::request_header<>&) const override { return 1024; }
  HttpResponse error_response(unsigned status, std::string_view kind,
                              std::string_view message) const override {
    return error_json(status, kind, message);
  }
  void handle(HttpRequest, const RequestInfo&, Responder respond) override {
    WebSocketUpgrade upgrade;
    upgrade.options = options;
    upgrade.on_open = [this](std::shared_ptr<WebSocketSession> session) {
      std::weak_ptr<WebSocketSession> weak = session;
      session->set_handlers(
          [this, weak](std::string payload, bool binary) {
            auto self = weak.lock();
            {
              std::lock_guard lock(mutex_);
              ++messages_;
            }
            changed_.notify_all();
            if (self) on_message(*self, std::move(payload), binary);
          },
          [this] {
            std::lock_guard lock(mutex_);
            ++closed_;
            changed_.notify_all();
          });
      {
        std::lock_guard lock(mutex_);
        sessions_.push_back(session);
      }
      changed_.notify_all();
      if (start_reading) session->start_reading();
    };
    respond(std::move(upgrade));
  }

  // The n-th session opened (waits for it up to 10 s; nullptr if none).
  std::shared_ptr<WebSocketSession> session(size_t n = 0) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, 10s, [&] { return sessions_.size() > n; });
    return sessions_.size() > n ? sessions_[n] : nullptr;
  }
  size_t messages() {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  bool wait_messages(size_t n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return messages_ >= n; });
  }
  bool wait_closed(size_t n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return closed_ >= n; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::shared_ptr<WebSocketSession>> sessions_;
  size_t messages_ = 0;
  size_t closed_ = 0;
};

class WebSocketSessionTest : public ::testing::Test {
 protected:
  void start(HttpServerLimits limits = {}) {
    server_ = std::make_unique<HttpServer>(io_, handler_, limits);
    auto bound = server_->start("127.0.0.1:0");
    ASSERT_TRUE(bound) << bound.error().message;
    port_ = bound->port();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    if (server_) server_->begin_shutdown();
    work_.reset();
    // Sessions end within their close timeout; then nothing keeps the loop running.
    auto deadline = std::chrono::steady_clock::now() + 15s;
    while (server_ && server_->in_flight() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(10ms);
    }
    io_.stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }

  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{
      boost::asio::make_work_guard(io_)};
  UpgradeHandler handler_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  uint16_t port_ = 0;
};

TEST_F(WebSocketSessionTest, EchoesTextAndBinaryFramesAsSent) {
  start();
  TestWsClient ws;
  ASSERT_EQ(ws.connect(port_, "/ws"), "");
  EXPECT_EQ(ws.handshake_status(), 101u);
  EXPECT_FALSE(ws.handshake_header("X-Request-Id").empty());
  ASSERT_EQ(ws.send_text("hello"), "");
  auto text = ws.read();
  ASSERT_TRUE(text);
  EXPECT_EQ(text->data, "hello");
  EXPECT_FALSE(text->binary);
  std::string bytes("\x00\xff\x80\x01", 4);
  ASSERT_EQ(ws.send_binary(bytes), "");
  auto binary = ws.read();
  ASSERT_TRUE(binary);
  EXPECT_EQ(binary->data, bytes);
  EXPECT_TRUE(binary->binary);
  EXPECT_EQ(server_->in_flight(), 1u);  // the session counts as a request in flight
  auto closed = ws.close(1000, "bye");
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->code, 1000);
  EXPECT_TRUE(handler_.wait_closed(1));
}

TEST_F(WebSocketSessionTest, AMessageOverTheSizeLimitCloses1009) {
  handler_.options.max_message_bytes = 64 * 1024;
  start();
  TestWsClient ws;
  ASSERT_EQ(ws.connect(port_, "/ws"), "");
  ASSERT_EQ(ws.send_text(std::string(64 * 1024, 'a')), "");  // exactly the limit: fine
  auto echoed = ws.read();
  ASSERT_TRUE(echoed);
  EXPECT_EQ(echoed->data.size(), 64u * 1024);
  ws.send_text(std::string(64 * 1024 + 1, 'a'));
  auto closed = ws.expect_close();
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->code, 1009);
  EXPECT_EQ(handler_.messages(), 1u);
}

TEST_F(WebSocketSessionTest, InvalidUtf8InATextFrameCloses1007) {
  start();
  TestWsClient ws;
  ASSERT_EQ(ws.connect(port_, "/ws"), "");
  // The client refuses to send invalid UTF-8 as text only if it checks; Beast does not.
  ws.send_text(std::string("\xc3\x28", 2));
  auto closed = ws.expect_close();
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->code, 1007);
  EXPECT_EQ(handler_.messages(), 0u);
}

TEST_F(WebSocketSessionTest, AFloodPastTheRateLimitCloses1008) {
  handler_.options.messages_per_second = 5;
  handler_.options.message_burst = 10;
  start();
  TestWsClient ws;
  ASSERT_EQ(ws.connect(port_, "/ws"), "");
  // Far more than the burst at once: the bucket refills 5 per second, so however slow
  // this machine, 100 messages cannot all fit.
  for (int i = 0; i < 100 && !ws.closed(); ++i) {
    if (!ws.send_text("m" + std::to_string(i)).empty()) break;
  }
  auto closed = ws.expect_close();
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->code, 1008);
  EXPECT_EQ(closed->reason, "rate limit exceeded");
  EXPECT_GE(ws.discarded(), 10u);  // the burst was echoed before the close
  EXPECT_LT(handler_.messages(), 100u);
}

TEST_F(WebSocketSessionTest, ReadsWaitUntilTheHandlerIsDoneWithTheLastMessage) {
  std::mutex mutex;
  std::vector<std::shared_ptr<WebSocketSession>> pending;
  handler_.on_message = [&](WebSocketSession& session, std::string, bool) {
    std::lock_guard lock(mutex);
    pending.push_back(session.shared_from_this());  // no message_done yet
  };
  start();
  TestWsClient ws;
  ASSERT_EQ(ws.connect(port_, "/ws"), "");
  for (int i = 0; i < 3; ++i) ASSERT_EQ(ws.send_text("m"), "");
  ASSERT_TRUE(handler_.wait_messages(1));
  // The next message is read only after message_done; give the server time to misbehave.
  EXPECT_FALSE(ws.read(300ms));
  EXPECT_EQ(handler_.messages(), 1u);
  handler_.session()->message_done();
  ASSERT_TRUE(handler_.wait_messages(2));
  EXPECT_FALSE(ws.read(300ms));
  EXPECT_EQ(handler_.messages(), 2u);
}

TEST_F(WebSocketSessionTest, CloseSendsWhatIsQueuedThenTheCloseFrame) {
  start();
  TestWsClient ws;
  ASSERT_EQ(ws.connect(port_, "/ws"), "");
  auto session = handler_.session();
  ASSERT_TRUE(session);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(session->send(std::make_shared<const std::string>("m" + std::to_string(i)), false));
  }
  session->close(4000, "done here");
  EXPECT_FALSE(session->send(std::make_shared<const std::string>("late"), false));
  auto messages = ws.read_n(3);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[2].data, "m2");
  auto closed = ws.expect_close();
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->code, 4000);
  EXPECT_EQ(closed->reason, "done here");
  EXPECT_EQ(ws.discarded(), 0u);
  EXPECT_TRUE(handler_.wait_closed(1));
}

TEST_F(WebSocketSessionTest, AClientThatNeverReadsIsDroppedAtTheQueueLimit) {
  handler_.options.max_queued_bytes = 256 * 1024;
  start();
  TestWsClient slow;
  TestWsClient::Options small;
  small.receive_buffer_bytes = 4096;
  ASSERT_EQ(slow.connect(port_, "/ws", {}, small), "");
  auto session = handler_.session();
  ASSERT_TRUE(session);
  auto chunk = std::make_shared<const std::string>(64 * 1024, 'x');
  // The kernel's buffers take some; the queue takes 256 KiB; then send refuses.
  size_t accepted = 0;
  for (int i = 0; i < 1000; ++i) {
    if (!session->send(chunk, false)) break;
    ++accepted;
    EXPECT_LE(session->queued_bytes(), handler_.options.max_queued_bytes);
  }
  EXPECT_LT(accepted, 1000u);
  EXPECT_FALSE(session->send(chunk, false));  // dropped: nothing more is queued
  // The session ends: the close frame if it fits, else the TCP connection at the close
  // timeout. Either way the handler hears of it and the client sees the end.
  EXPECT_TRUE(handler_.wait_closed(1));
  auto closed = slow.expect_close(30s);
  ASSERT_TRUE(closed);
  EXPECT_TRUE(closed->code == 1008 || closed->code == 1006) << closed->code;
}

TEST_F(WebSocketSessionTest, AnIdleClientIsPingedAndOneThatDoesNotAnswerIsClosed1001) {
  handler_.options.ping_interval = 1s;
  handler_.options.idle_timeout = 3s;
  start();
  TestWsClient alive;
  ASSERT_EQ(alive.connect(port_, "/ws"), "");
  TestWsClient mute;
  ASSERT_EQ(mute.connect(port_, "/ws"), "");
  // `alive` reads (so it answers pings) for longer than the idle timeout.
  auto until = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < until) EXPECT_FALSE(alive.read(200ms));
  EXPECT_FALSE(alive.closed());
  EXPECT_GE(alive.pings_received(), 1u);
  // `mute` ran no I/O meanwhile: it answered nothing, so it is closed as idle.
  auto closed = mute.expect_close(15s);
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->code, 1001);
  EXPECT_EQ(closed->reason, "idle timeout");
}

TEST_F(WebSocketSessionTest, ShutdownClosesWebSocketsWith1001AndDrainsInFlight) {
  start();
  TestWsClient ws;
  ASSERT_EQ(ws.connect(port_, "/ws"), "");
  ASSERT_TRUE(handler_.session());
  EXPECT_EQ(server_->in_flight(), 1u);
  server_->begin_shutdown();
  auto closed = ws.expect_close();
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->code, 1001);
  EXPECT_TRUE(handler_.wait_closed(1));
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (server_->in_flight() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(server_->in_flight(), 0u);
}

TEST_F(WebSocketSessionTest, WebSocketsCountInTheConnectionLimits) {
  HttpServerLimits limits;
  limits.max_connections_per_address = 1;
  start(limits);
  TestWsClient first;
  ASSERT_EQ(first.connect(port_, "/ws"), "");
  TestWsClient second;
  EXPECT_NE(second.connect(port_, "/ws"), "");
  EXPECT_EQ(second.handshake_status(), 503u);
  first.close();
  ASSERT_TRUE(handler_.wait_closed(1));
  // The slot is released once the session is gone.
  std::string connected = "not tried";
  for (int i = 0; i < 100 && !connected.empty(); ++i) {
    TestWsClient third;
    connected = third.connect(port_, "/ws");
    if (connected.empty())
      third.close();
    else
      std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(connected, "");
}

TEST_F(WebSocketSessionTest, AnUpgradeAnswerToAPlainRequestIs400) {
  start();
  auto response = [&] {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port_});
    std::string request = "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    boost::asio::write(socket, boost::asio::buffer(request));
    std::string out;
    boost::system::error_code ec;
    char buffer[4096];
    for (;;) {
      size_t n = socket.read_some(boost::asio::buffer(buffer), ec);
      if (ec) break;
      out.append(buffer, n);
    }
    return out;
  }();
  EXPECT_TRUE(response.starts_with("HTTP/1.1 400")) << response;
}

}  // namespace
}  // namespace wa::gateway

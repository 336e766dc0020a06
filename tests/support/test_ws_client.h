// TestWsClient: a synchronous WebSocket client for tests (Boost.Beast), every call bounded
// by a timeout so a server that never answers fails the test instead of hanging it.
// Depends on nothing of the platform, so unit tests in src/ can use it too.
//
//   TestWsClient ws;
//   ASSERT_EQ(ws.connect(port, "/rooms/ann/chat/lobby", {{"Origin", "http://x"}}), "");
//   ws.send_text("hi");
//   auto message = ws.read(std::chrono::seconds(5));   // std::nullopt: nothing in time
//   auto closed = ws.expect_close();                    // the server's close code
//
// A read that times out stays pending: the next read() (or expect_close) picks up its
// message, so no frame is ever lost between calls. The client only reads when asked:
// not calling read() is how a test plays a client that never reads (with a small
// receive buffer the server's queue for it fills quickly). Pings are answered only while
// the client runs (inside one of its calls), as with any single-threaded client.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wa::testing {

struct WsMessage {
  std::string data;
  bool binary = false;
};

struct WsClose {
  // The server's close code, or 1006 when the connection ended without a close frame.
  int code = 0;
  std::string reason;
};

class TestWsClient {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;
  struct Options {
    // The Host header; empty: "127.0.0.1:<port>".
    std::string host;
    // SO_RCVBUF before connecting (0: the system's default). A few KiB makes a client
    // that never reads back up the server after little data.
    int receive_buffer_bytes = 0;
    uint64_t max_message_bytes = 64u << 20;    // incoming; larger fails the read
    std::chrono::milliseconds timeout{10000};  // connect and handshake
  };

  TestWsClient();
  ~TestWsClient();  // drops the TCP connection (no close frame)
  TestWsClient(const TestWsClient&) = delete;
  TestWsClient& operator=(const TestWsClient&) = delete;

  // Connects to 127.0.0.1:`port` and upgrades `target` with `headers` added to the
  // request (e.g. Origin). Returns "" once upgraded, else why. A refused upgrade leaves
  // its HTTP status and body in handshake_status() / handshake_body().
  std::string connect(uint16_t port, const std::string& target, const Headers& headers = {});
  std::string connect(uint16_t port, const std::string& target, const Headers& headers,
                      const Options& options);
  bool is_open() const;
  unsigned handshake_status() const { return handshake_status_; }  // 101 when upgraded
  const std::string& handshake_body() const { return handshake_body_; }
  // A header of the handshake response (case-insensitive; "" if absent).
  std::string handshake_header(std::string_view name) const;

  // Sends one message; returns "" or why it failed (including a timeout: the server is
  // not reading, and the client cannot send again).
  std::string send_text(std::string_view text,
                        std::chrono::milliseconds timeout = std::chrono::seconds(10));
  std::string send_binary(std::string_view bytes,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // The next message, or std::nullopt when none arrived in time or the connection
  // closed (then closed() is set and close_info() says how).
  std::optional<WsMessage> read(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Reads `count` messages (stops early on timeout or close: check the size).
  std::vector<WsMessage> read_n(size_t count,
                                std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Reads (and counts in discarded()) messages until the server closes; std::nullopt
  // if it did not within `timeout`.
  std::optional<WsClose> expect_close(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  size_t discarded() const { return discarded_; }

  // Sends a close frame and waits for the server's; returns the server's answer
  // (std::nullopt on timeout).
  std::optional<WsClose> close(int code = 1000, std::string_view reason = {},
                               std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Ends the TCP connection without a close frame (a client that vanished).
  void drop();

  bool closed() const { return closed_.has_value(); }
  const std::optional<WsClose>& close_info() const { return closed_; }
  // Pings the server sent (seen while the client ran).
  size_t pings_received() const { return pings_; }
  // The socket's local port (the server logs it as the peer's).
  uint16_t local_port() const;

 private:
  struct Impl;
  std::string send(std::string_view data, bool binary, std::chrono::milliseconds timeout);
  std::unique_ptr<Impl> impl_;
  unsigned handshake_status_ = 0;
  std::string handshake_body_;
  size_t discarded_ = 0;
  size_t pings_ = 0;
  std::optional<WsClose> closed_;
};

}  // namespace wa::testing

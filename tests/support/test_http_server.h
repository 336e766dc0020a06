// TestHttpServer: a real HTTP/1.1 server on 127.0.0.1 (a free port) for tests that need
// something to call: outbound HTTP, redirects, slow answers. Boost.Beast, one thread per
// connection (so a slow answer never delays another connection), keep-alive honoured.
//
//   TestHttpServer server([](const TestHttpServer::Request& r) {
//     return TestHttpServer::Response{200, {{"Content-Type", "text/plain"}}, "hi " + r.body};
//   });
//   fetch(server.url("/x"));            // "http://127.0.0.1:<port>/x"
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wa::testing {

class TestHttpServer {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;
  struct Request {
    std::string method;
    std::string target;  // "/x?y=1"
    Headers headers;     // as received
    std::string body;
    std::string header(std::string_view name) const;  // case-insensitive, "" if absent
  };
  struct Response {
    unsigned status = 200;
    Headers headers;
    std::string body;
    // Waits this long before answering (slow-server tests); the wait ends early when the
    // server is destroyed.
    std::chrono::milliseconds delay{0};
  };
  using Handler = std::function<Response(const Request&)>;

  explicit TestHttpServer(Handler handler);  // listening when the constructor returns
  ~TestHttpServer();                         // closes everything, joins every thread
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  uint16_t port() const;
  std::string url(std::string_view path = "/") const;  // http://127.0.0.1:<port><path>
  std::vector<Request> requests() const;               // received so far, in order
  size_t connections_accepted() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wa::testing

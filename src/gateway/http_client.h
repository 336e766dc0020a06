// HttpClient: a small synchronous HTTP/1.1 client (keep-alive) for the CLI and tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/expected.h"

namespace wa::gateway {

struct ClientResponse {
  unsigned status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first header called `name` (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

struct ClientRequest {
  std::string method = "GET";
  std::string target = "/";  // path and query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class HttpClient {
 public:
  // `server` is "http://host:port" (or "host:port"). Nothing connects until send().
  static Expected<HttpClient> create(std::string_view server,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(60));
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;
  ~HttpClient();

  // Errors: kind "connection" (cannot connect, reset, timeout) with the reason.
  Expected<ClientResponse> send(const ClientRequest& request);

  Expected<ClientResponse> get(std::string target, std::string bearer = {});
  Expected<ClientResponse> post_json(std::string target, std::string json, std::string bearer = {});

  // Reads a text/event-stream response until `stop` returns true on the data received so
  // far, or the timeout passes; returns the data. Uses its own connection.
  Expected<std::string> read_event_stream(const ClientRequest& request,
                                          std::chrono::milliseconds max_wait,
                                          const std::function<bool(const std::string&)>& stop);

  const std::string& host() const;
  uint16_t port() const;

 private:
  struct Impl;
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Percent-encodes everything but unreserved characters (RFC 3986; so '/' too): one path
// segment or query value of a request target.
std::string url_segment(std::string_view text);

}  // namespace wa::gateway

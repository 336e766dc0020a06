// OutboundClient: one HTTP request to the outside world for a guest (libcurl), under the
// action's allowlist and the guest's deadline.
//
//   OutboundClient client;                          // one per worker thread is fine
//   auto response = client.fetch({"GET", "https://api.example.com/x", {}, ""}, allowlist,
//                                deadline, [] { return halted(); });
//
// Rules (host-abi.md, decisions.md "Outbound HTTP details"):
// - http and https only; proxy environment variables are ignored; TLS peer and host
//   verification on, with the system CA store.
// - The URL's scheme/host/port must be allowed (HostAllowlist::allows_url), else
//   destination_not_allowed with a message naming the host and why.
// - Every address a connection opens is checked (CURLOPT_OPENSOCKETFUNCTION): a restricted
//   one (address_policy.h) is refused unless an entry names that IP literally
//   (destination_not_allowed, "... resolves to 127.0.0.1 (loopback) ...").
// - Redirects (301/302/303/307/308 with Location) are followed by hand, at most
//   limits.max_redirects, each hop checked like the first; 303 (and 301/302 after a POST)
//   become GET without a body, as browsers do. The response is the last hop's.
// - The whole exchange must end by `deadline` (CURLOPT_TIMEOUT_MS = the time left, at
//   least 1 ms; connect timeout min(limits.connect_timeout, time left)); past it: timeout.
//   `interrupted` (may be empty) is polled during the transfer (progress callback) and
//   aborts it when it returns true (the guest was halted): timeout.
// - A response body over limits.max_response_bytes aborts the transfer: too_large.
//   Request bodies are sent as given (the guest's memory bounds them).
// - Response header names are lowercased, kept in arrival order (repeats kept); only the
//   final response's headers (no 1xx, no redirect hops). Body: bytes as received, after
//   no content decoding (no Accept-Encoding is added).
// Errors (wa::Error kind): destination_not_allowed, invalid_url, timeout, too_large,
// request_failed (DNS, refused, TLS, protocol, too many redirects; message says which),
// invalid_method / invalid_encoding (a bad method token or request header).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "capabilities/host_allowlist.h"
#include "support/expected.h"

namespace wa::capabilities {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct OutboundRequest {
  std::string method;  // an HTTP token ("GET", "POST", ...), as the guest wrote it
  std::string url;     // absolute http(s) URL
  HttpHeaders headers;
  std::string_view body;
};

struct OutboundResponse {
  unsigned status = 0;
  HttpHeaders headers;  // names lowercase
  std::string body;
  std::string url;  // the URL that answered (after redirects)
};

struct OutboundLimits {
  std::chrono::milliseconds connect_timeout{10'000};
  uint64_t max_response_bytes = 16u << 20;
  unsigned max_redirects = 5;
};

namespace outbound_error {
inline constexpr const char* kDestinationNotAllowed = "destination_not_allowed";
inline constexpr const char* kInvalidUrl = "invalid_url";
inline constexpr const char* kTimeout = "timeout";
inline constexpr const char* kTooLarge = "too_large";
inline constexpr const char* kRequestFailed = "request_failed";
// The request itself is malformed: a method that is not an HTTP token, a header name that is
// not a token or a value with control characters (they could inject a second request).
inline constexpr const char* kInvalidMethod = "invalid_method";
inline constexpr const char* kInvalidEncoding = "invalid_encoding";
}  // namespace outbound_error

// The parts of an absolute http(s) URL (libcurl's URL parser). invalid_url if it is not one.
struct UrlParts {
  std::string scheme;          // lowercase
  std::string host;            // lowercase; IPv6 without brackets
  uint16_t port = 0;           // explicit or the scheme's default
  std::string path_and_query;  // "/x?y" ("/" when empty)
};
Expected<UrlParts> parse_http_url(std::string_view url);

class OutboundClient {
 public:
  explicit OutboundClient(OutboundLimits limits = {});
  ~OutboundClient();
  OutboundClient(const OutboundClient&) = delete;
  OutboundClient& operator=(const OutboundClient&) = delete;

  // Not thread-safe: one client per thread (it keeps a libcurl handle and its connection
  // cache for reuse between requests).
  Expected<OutboundResponse> fetch(const OutboundRequest& request, const HostAllowlist& allowlist,
                                   std::chrono::steady_clock::time_point deadline,
                                   const std::function<bool()>& interrupted = {});

  const OutboundLimits& limits() const { return limits_; }

 private:
  struct Handle;
  OutboundLimits limits_;
  std::unique_ptr<Handle> handle_;
};

}  // namespace wa::capabilities

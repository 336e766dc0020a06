// Turns an HTTP request for an action into the guest's CGI input: RFC 3875 / WAGI
// environment variables and WAGI-style argv (query parameters as arguments).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wa::gateway {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// What the CGI bridge needs to know about one request; filled by the HTTP server.
struct CgiRequest {
  std::string method;            // "GET"
  std::string target;            // origin-form request target: "/hello/x?y=1"
  HeaderList headers;            // as received, in order
  uint64_t body_size = 0;        // CONTENT_LENGTH
  std::string remote_addr;       // peer IP
  std::string server_name;       // the Host header without port, or the listen address
  uint16_t server_port = 0;
  std::string protocol = "HTTP/1.1";
  std::string scheme = "http";
  // The route as declared ("/hello" or "/api/..."), and the path prefix it matched.
  std::string matched_route;
};

struct CgiInvocation {
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
};

// Software name reported to guests in SERVER_SOFTWARE.
inline constexpr std::string_view kServerSoftware = "WASM-Actions/0.1";

// Builds argv and env for one call. `action_env` (the action's own variables) is added
// last but can never replace a CGI variable, so a guest can trust REQUEST_METHOD etc.
CgiInvocation build_cgi_invocation(const CgiRequest& request,
                                   const std::vector<std::pair<std::string, std::string>>&
                                       action_env);

// Header name → CGI variable ("X-Forwarded-For" → "HTTP_X_FORWARDED_FOR"). Returns an
// empty string for names that must not be passed on: names with characters other than
// letters, digits and '-' (an '_' could collide with a '-' spelling and smuggle a value
// past a proxy that filters one of them), and Content-Type/Content-Length, which have
// their own variables.
std::string cgi_header_variable(std::string_view header_name);

// Splits "/path?query" into its path and raw query (without '?').
std::pair<std::string_view, std::string_view> split_target(std::string_view target);

// Percent-decoding. Invalid escapes are kept literally rather than rejected: the raw
// QUERY_STRING is always available as well.
std::string percent_decode(std::string_view text, bool plus_is_space);
// For query components, where '+' means space.
std::string decode_query_component(std::string_view text);

// Query string → decoded "key=value" (or "key") items, in order.
std::vector<std::string> query_arguments(std::string_view query);

}  // namespace wa::gateway

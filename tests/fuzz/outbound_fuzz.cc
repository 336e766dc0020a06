// Fuzzes what outbound HTTP parses from a guest or a developer: the wasi_experimental_http
// header lines, request URLs (libcurl's parser, behind parse_http_url) and the
// allowed_outbound_hosts patterns (HostAllowlist::parse, one pattern per line). Beyond "does
// not crash": accepted headers print back to themselves and carry nothing that could end a
// header line; an accepted URL has the parts the client relies on; a wildcard-everything
// list allows every accepted URL, and an IP-literal entry names its own address. Chained
// call URLs (parse_chain_url): an accepted one names a valid action and an origin-form path
// without spaces or control bytes.
#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "capabilities/action_caller.h"
#include "capabilities/address_policy.h"
#include "capabilities/grants.h"
#include "capabilities/header_lines.h"
#include "capabilities/host_allowlist.h"
#include "capabilities/outbound_client.h"

namespace {

namespace cap = wa::capabilities;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "outbound invariant violated: %s\n", what);
  std::abort();
}

bool is_ip_literal(const std::string& host) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

bool has_line_break(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

void check_headers(std::string_view text) {
  auto headers = cap::parse_header_lines(text);
  if (!headers) {
    if (headers.error().message.empty()) fail("header error without a message");
    return;
  }
  for (const auto& [name, value] : *headers) {
    if (name.empty() || name.find(':') != std::string::npos || has_line_break(name))
      fail("accepted a bad header name");
    if (has_line_break(value)) fail("accepted a header value with a line break");
  }
  auto again = cap::parse_header_lines(cap::format_header_lines(*headers));
  if (!again || *again != *headers) fail("formatted headers do not parse back to themselves");
}

void check_url_and_allowlist(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size() && lines.size() < 64) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  auto url = cap::parse_http_url(lines.front());
  if (url) {
    if (url->scheme != "http" && url->scheme != "https") fail("accepted a non-http scheme");
    if (url->host.empty() || url->port == 0) fail("accepted a URL without host or port");
    if (url->path_and_query.empty() || url->path_and_query.front() != '/')
      fail("path does not start with /");
    auto everything = cap::HostAllowlist::parse({"*://*:*"});
    if (!everything || !everything->allows_url(url->scheme, url->host, url->port))
      fail("*://*:* does not allow an accepted URL");
    (void)cap::restricted_address_class(url->host);
  } else if (url.error().kind != cap::outbound_error::kInvalidUrl) {
    fail("URL error of another kind than invalid_url");
  }

  std::vector<std::string> patterns(lines.begin() + 1, lines.end());
  auto list = cap::HostAllowlist::parse(patterns);
  if (!list) {
    if (list.error().message.empty()) fail("allowlist error without a message");
    return;
  }
  if (list->empty() != patterns.empty()) fail("allowlist size differs from the patterns");
  for (const auto& pattern : patterns) {
    auto one = cap::HostAllowlist::parse({pattern});
    if (!one) fail("a pattern of an accepted list is refused alone");
    // An IP-literal entry that allows its own URL names that address too.
    auto parts = cap::parse_http_url(pattern);
    if (parts && pattern.find('*') == std::string::npos && is_ip_literal(parts->host) &&
        one->allows_url(parts->scheme, parts->host, parts->port) &&
        !one->names_address_literally(parts->host, parts->port))
      fail("an IP-literal entry does not name its own address");
  }
  if (url) {
    (void)list->allows_url(url->scheme, url->host, url->port);
    (void)list->names_address_literally(url->host, url->port);
  }
}

void check_chain_url(std::string_view text) {
  auto chained = cap::parse_chain_url(text.substr(0, text.find('\n')));
  if (!chained) {
    if (chained.error().kind != "invalid_url" || chained.error().message.empty())
      fail("chain URL error without kind invalid_url or a message");
    return;
  }
  if (!chained->has_value()) return;
  const cap::ChainedRequest& request = **chained;
  if (!cap::is_resource_name(request.action)) fail("accepted a chain URL naming no action");
  if (request.path_and_query.empty() || request.path_and_query.front() != '/')
    fail("chain path does not start with /");
  for (unsigned char c : request.path_and_query)
    if (c <= 0x20 || c == 0x7f) fail("chain path with a space or control byte");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  check_headers(text);
  check_url_and_allowlist(text);
  check_chain_url(text);
  return 0;
}

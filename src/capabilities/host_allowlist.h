// HostAllowlist: an action's `allowed_outbound_hosts` (Spin's grammar), compiled once and
// asked per request and per connected address.
//
//   auto list = HostAllowlist::parse({"https://api.example.com", "http://*.internal:*"});
//   list->allows_url("https", "api.example.com", 443)     // true
//   list->names_address_literally("127.0.0.1", 8081)        // only if an entry is that IP
//
// Grammar (validate_host_pattern in grants.h checks the form): `scheme://host[:port]`;
// scheme http, https or `*`; host a DNS name (matched case-insensitively, without a
// trailing dot), `*` (any host), `*.suffix` (any name ending in ".suffix", not the suffix
// itself), or an IP literal (IPv6 in brackets); port a number, `*` (any), or absent (the
// scheme's default: 80 for http, 443 for https; with scheme `*`, either default).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/expected.h"

namespace wa::capabilities {

class HostAllowlist {
 public:
  // invalid_argument naming the first bad pattern.
  static Expected<HostAllowlist> parse(const std::vector<std::string>& patterns);

  bool empty() const { return entries_.empty(); }

  // The request's URL: scheme "http"/"https" (lowercase), host as written in the URL
  // (a name, or an IP literal without brackets), port (explicit or the default).
  bool allows_url(std::string_view scheme, std::string_view host, uint16_t port) const;

  // Restricted addresses (loopback, private, link-local, metadata: see address_policy.h)
  // are reachable only through an entry whose host is that IP literal (not a name, not a
  // wildcard) and whose port matches. `address` is numeric ("127.0.0.1", "::1").
  bool names_address_literally(std::string_view address, uint16_t port) const;

 private:
  struct Entry {
    std::string scheme;  // "http", "https" or "*"
    std::string host;    // lowercase name, "*", "*.suffix", or a canonical IP literal
    bool host_is_ip = false;
    int port = -1;  // -1: the scheme's default, 0: any
  };
  std::vector<Entry> entries_;
};

}  // namespace wa::capabilities

#include "capabilities/host_allowlist.h"

#include <arpa/inet.h>

#include <algorithm>
#include <boost/algorithm/string/case_conv.hpp>
#include <cstring>
#include <optional>

#include "capabilities/grants.h"

namespace wa::capabilities {
namespace {

// One textual form per address, so "::1" equals "0:0::1" and "::ffff:10.0.0.1" equals
// "10.0.0.1" (a socket to the mapped form reaches the IPv4 host). nullopt: not an IP literal.
std::optional<std::string> canonical_ip(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  std::string input(text);
  char buffer[INET6_ADDRSTRLEN];
  in_addr v4;
  if (inet_pton(AF_INET, input.c_str(), &v4) == 1) {
    if (!inet_ntop(AF_INET, &v4, buffer, sizeof buffer)) return std::nullopt;
    return std::string(buffer);
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, input.c_str(), &v6) != 1) return std::nullopt;
  if (IN6_IS_ADDR_V4MAPPED(&v6)) {
    std::memcpy(&v4, &v6.s6_addr[12], 4);
    if (!inet_ntop(AF_INET, &v4, buffer, sizeof buffer)) return std::nullopt;
    return std::string(buffer);
  }
  if (!inet_ntop(AF_INET6, &v6, buffer, sizeof buffer)) return std::nullopt;
  return std::string(buffer);
}

int default_port(std::string_view scheme) {
  if (scheme == "http") return 80;
  if (scheme == "https") return 443;
  return -1;
}

bool port_matches(std::string_view entry_scheme, int entry_port, std::string_view scheme,
                  uint16_t port) {
  if (entry_port == 0) return true;
  if (entry_port > 0) return entry_port == port;
  // Absent port: the scheme's default; for scheme `*`, either default.
  if (entry_scheme == "*") return port == 80 || port == 443;
  return default_port(entry_scheme) == port;
}

}  // namespace

Expected<HostAllowlist> HostAllowlist::parse(const std::vector<std::string>& patterns) {
  HostAllowlist list;
  for (const std::string& pattern : patterns) {
    if (auto status = validate_host_pattern(pattern); !status) return status.error();
    // validate_host_pattern has checked the shape, so the splits below cannot fail.
    std::string_view rest(pattern);
    size_t scheme_end = rest.find("://");
    Entry entry;
    entry.scheme = std::string(rest.substr(0, scheme_end));
    rest.remove_prefix(scheme_end + 3);
    std::string_view host = rest, port;
    if (rest.front() == '[') {
      size_t close = rest.find(']');
      host = rest.substr(0, close + 1);
      if (close + 1 < rest.size()) port = rest.substr(close + 2);
    } else if (size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
      host = rest.substr(0, colon);
      port = rest.substr(colon + 1);
    }
    if (port.empty()) {
      entry.port = -1;
    } else if (port == "*") {
      entry.port = 0;
    } else {
      entry.port = std::stoi(std::string(port));
    }
    if (auto ip = canonical_ip(host)) {
      entry.host = *ip;
      entry.host_is_ip = true;
    } else if (host.front() == '[') {
      // The form check lets through bracketed text that is not an address ("[:::]").
      return make_error("invalid_argument",
                        "allowed_outbound_hosts: \"" + pattern + "\" has a bad IPv6 address");
    } else {
      entry.host = boost::algorithm::to_lower_copy(std::string(host));
    }
    list.entries_.push_back(std::move(entry));
  }
  return list;
}

bool HostAllowlist::allows_url(std::string_view scheme, std::string_view host,
                               uint16_t port) const {
  if (scheme != "http" && scheme != "https") return false;
  std::optional<std::string> ip = canonical_ip(host);
  std::string name;
  if (!ip) {
    name = boost::algorithm::to_lower_copy(std::string(host));
    if (!name.empty() && name.back() == '.') name.pop_back();
    if (name.empty()) return false;
  }
  for (const Entry& entry : entries_) {
    if (entry.scheme != "*" && entry.scheme != scheme) continue;
    if (!port_matches(entry.scheme, entry.port, scheme, port)) continue;
    if (entry.host == "*") return true;
    if (entry.host_is_ip) {
      if (ip && *ip == entry.host) return true;
      continue;
    }
    if (ip) continue;  // a name pattern never matches an IP literal
    if (entry.host.starts_with("*.")) {
      std::string_view suffix = std::string_view(entry.host).substr(1);  // ".suffix"
      if (name.size() > suffix.size() && name.ends_with(suffix)) return true;
      continue;
    }
    if (name == entry.host) return true;
  }
  return false;
}

bool HostAllowlist::names_address_literally(std::string_view address, uint16_t port) const {
  std::optional<std::string> ip = canonical_ip(address);
  if (!ip) return false;
  return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& entry) {
    if (!entry.host_is_ip || entry.host != *ip) return false;
    if (entry.port == 0) return true;
    if (entry.port > 0) return entry.port == port;
    if (entry.scheme == "*") return port == 80 || port == 443;
    return default_port(entry.scheme) == port;
  });
}

}  // namespace wa::capabilities

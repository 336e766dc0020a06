// Which IP addresses an outbound request may connect to without being named literally in
// the allowlist: public unicast only. Checked on every address a connection actually
// uses (after DNS), so an allowed name that resolves to 127.0.0.1 is still refused.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <optional>
#include <string>
#include <string_view>

namespace wa::capabilities {

// Why an address is restricted, or nullopt if it is public. The text names the class:
// "loopback", "private", "link-local", "cloud metadata", "unspecified", "multicast",
// "carrier-grade NAT", "reserved", "unique local", "IPv4-mapped <class>", ...
// Covers IPv4 0/8, 10/8, 100.64/10, 127/8, 169.254/16 (169.254.169.254 is "cloud
// metadata"), 172.16/12, 192.0.0/24, 192.168/16, 198.18/15, 224/4, 240/4, and IPv6 ::,
// ::1, fe80::/10, fc00::/7, ff00::/8, fd00:ec2::254 (metadata), and IPv4-mapped /
// IPv4-compatible / NAT64 (64:ff9b::/96) forms of the IPv4 classes.
std::optional<std::string> restricted_address_class(const sockaddr* address);
std::optional<std::string> restricted_address_class(std::string_view numeric_address);

// The numeric form ("127.0.0.1", "::1") and port of a socket address.
std::string numeric_host(const sockaddr* address);
uint16_t socket_port(const sockaddr* address);

}  // namespace wa::capabilities

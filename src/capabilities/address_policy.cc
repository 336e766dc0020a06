#include "capabilities/address_policy.h"

#include <arpa/inet.h>

#include <cstring>

namespace wa::capabilities {
namespace {

struct V4Range {
  uint32_t base;
  int prefix;
  const char* name;
};

constexpr uint32_t v4(unsigned a, unsigned b, unsigned c, unsigned d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

// Most specific first: 169.254.169.254 is cloud metadata before it is link-local.
constexpr V4Range kV4Ranges[] = {
    {v4(169, 254, 169, 254), 32, "cloud metadata"},
    {v4(255, 255, 255, 255), 32, "broadcast"},
    {v4(0, 0, 0, 0), 8, "unspecified"},
    {v4(10, 0, 0, 0), 8, "private"},
    {v4(100, 64, 0, 0), 10, "carrier-grade NAT"},
    {v4(127, 0, 0, 0), 8, "loopback"},
    {v4(169, 254, 0, 0), 16, "link-local"},
    {v4(172, 16, 0, 0), 12, "private"},
    {v4(192, 0, 0, 0), 24, "reserved"},
    {v4(192, 0, 2, 0), 24, "documentation"},
    {v4(192, 168, 0, 0), 16, "private"},
    {v4(198, 18, 0, 0), 15, "benchmarking"},
    {v4(198, 51, 100, 0), 24, "documentation"},
    {v4(203, 0, 113, 0), 24, "documentation"},
    {v4(224, 0, 0, 0), 4, "multicast"},
    {v4(240, 0, 0, 0), 4, "reserved"},
};

std::optional<std::string> v4_class(uint32_t address) {  // host byte order
  for (const V4Range& range : kV4Ranges) {
    uint32_t mask = range.prefix == 0 ? 0 : ~uint32_t{0} << (32 - range.prefix);
    if ((address & mask) == range.base) return std::string(range.name);
  }
  return std::nullopt;
}

uint32_t v4_at(const uint8_t* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
         bytes[3];
}

bool all_zero(const uint8_t* bytes, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (bytes[i] != 0) return false;
  return true;
}

std::optional<std::string> embedded(const char* form, uint32_t address) {
  if (auto inner = v4_class(address)) return std::string(form) + " " + *inner;
  return std::nullopt;
}

std::optional<std::string> v6_class(const in6_addr& address) {
  const uint8_t* b = address.s6_addr;
  if (all_zero(b, 16)) return "unspecified";
  if (all_zero(b, 15) && b[15] == 1) return "loopback";
  // ::ffff:a.b.c.d: the kernel connects to the IPv4 host itself.
  if (all_zero(b, 10) && b[10] == 0xff && b[11] == 0xff)
    return embedded("IPv4-mapped", v4_at(b + 12));
  // ::a.b.c.d (deprecated IPv4-compatible form).
  if (all_zero(b, 12)) return embedded("IPv4-compatible", v4_at(b + 12));
  // 64:ff9b::/96: a NAT64 gateway would forward to the embedded IPv4 host.
  static constexpr uint8_t kNat64[12] = {0x00, 0x64, 0xff, 0x9b};
  if (std::memcmp(b, kNat64, 12) == 0) return embedded("NAT64", v4_at(b + 12));
  // 2002:a.b.c.d::/48 (6to4) embeds the IPv4 host too.
  if (b[0] == 0x20 && b[1] == 0x02) return embedded("6to4", v4_at(b + 2));
  // fd00:ec2::254, the AWS instance metadata service over IPv6.
  static constexpr uint8_t kEc2Metadata[16] = {0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0,    0,
                                               0,    0,    0,    0,    0, 0, 0x02, 0x54};
  if (std::memcmp(b, kEc2Metadata, 16) == 0) return "cloud metadata";
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "link-local";
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return "site-local";
  if ((b[0] & 0xfe) == 0xfc) return "unique local";
  if (b[0] == 0xff) return "multicast";
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return "documentation";
  // 100::/64, the discard prefix.
  if (b[0] == 0x01 && all_zero(b + 1, 7)) return "reserved";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> restricted_address_class(const sockaddr* address) {
  if (address == nullptr) return "unknown address family";
  if (address->sa_family == AF_INET) {
    sockaddr_in in;
    std::memcpy(&in, address, sizeof in);
    return v4_class(ntohl(in.sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    sockaddr_in6 in6;
    std::memcpy(&in6, address, sizeof in6);
    return v6_class(in6.sin6_addr);
  }
  // Unix sockets and anything else are never an outbound destination.
  return "unknown address family";
}

std::optional<std::string> restricted_address_class(std::string_view numeric_address) {
  if (numeric_address.size() >= 2 && numeric_address.front() == '[' &&
      numeric_address.back() == ']')
    numeric_address = numeric_address.substr(1, numeric_address.size() - 2);
  if (numeric_address.empty() || numeric_address.size() >= INET6_ADDRSTRLEN)
    return "not a numeric address";
  std::string text(numeric_address);
  in_addr a4;
  if (inet_pton(AF_INET, text.c_str(), &a4) == 1) return v4_class(ntohl(a4.s_addr));
  in6_addr a6;
  if (inet_pton(AF_INET6, text.c_str(), &a6) == 1) return v6_class(a6);
  return "not a numeric address";
}

std::string numeric_host(const sockaddr* address) {
  char buffer[INET6_ADDRSTRLEN] = "";
  if (address == nullptr) return "";
  if (address->sa_family == AF_INET) {
    sockaddr_in in;
    std::memcpy(&in, address, sizeof in);
    if (inet_ntop(AF_INET, &in.sin_addr, buffer, sizeof buffer)) return buffer;
  } else if (address->sa_family == AF_INET6) {
    sockaddr_in6 in6;
    std::memcpy(&in6, address, sizeof in6);
    if (inet_ntop(AF_INET6, &in6.sin6_addr, buffer, sizeof buffer)) return buffer;
  }
  return "";
}

uint16_t socket_port(const sockaddr* address) {
  if (address == nullptr) return 0;
  if (address->sa_family == AF_INET) {
    sockaddr_in in;
    std::memcpy(&in, address, sizeof in);
    return ntohs(in.sin_port);
  }
  if (address->sa_family == AF_INET6) {
    sockaddr_in6 in6;
    std::memcpy(&in6, address, sizeof in6);
    return ntohs(in6.sin6_port);
  }
  return 0;
}

}  // namespace wa::capabilities

#include "capabilities/address_policy.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>

namespace wa::capabilities {
namespace {

std::string klass(std::string_view address) {
  return restricted_address_class(address).value_or("public");
}

TEST(AddressPolicy, IPv4Classes) {
  EXPECT_EQ(klass("127.0.0.1"), "loopback");
  EXPECT_EQ(klass("127.255.255.254"), "loopback");
  EXPECT_EQ(klass("10.1.2.3"), "private");
  EXPECT_EQ(klass("172.16.0.1"), "private");
  EXPECT_EQ(klass("172.31.255.255"), "private");
  EXPECT_EQ(klass("192.168.1.1"), "private");
  EXPECT_EQ(klass("169.254.1.1"), "link-local");
  EXPECT_EQ(klass("169.254.169.254"), "cloud metadata");
  EXPECT_EQ(klass("0.0.0.0"), "unspecified");
  EXPECT_EQ(klass("0.1.2.3"), "unspecified");
  EXPECT_EQ(klass("100.64.0.1"), "carrier-grade NAT");
  EXPECT_EQ(klass("100.127.255.255"), "carrier-grade NAT");
  EXPECT_EQ(klass("192.0.0.8"), "reserved");
  EXPECT_EQ(klass("198.18.0.1"), "benchmarking");
  EXPECT_EQ(klass("198.19.255.255"), "benchmarking");
  EXPECT_EQ(klass("224.0.0.1"), "multicast");
  EXPECT_EQ(klass("239.255.255.255"), "multicast");
  EXPECT_EQ(klass("240.0.0.1"), "reserved");
  EXPECT_EQ(klass("255.255.255.255"), "broadcast");
}

TEST(AddressPolicy, IPv4PublicNeighboursOfTheRanges) {
  for (std::string_view address :
       {"8.8.8.8", "1.1.1.1", "11.0.0.1", "100.63.255.255", "100.128.0.0", "126.255.255.255",
        "128.0.0.1", "169.253.0.1", "172.15.255.255", "172.32.0.0", "192.167.0.1", "192.169.0.1",
        "198.17.255.255", "198.20.0.0", "223.255.255.255"})
    EXPECT_EQ(klass(address), "public") << address;
}

TEST(AddressPolicy, IPv6Classes) {
  EXPECT_EQ(klass("::"), "unspecified");
  EXPECT_EQ(klass("::1"), "loopback");
  EXPECT_EQ(klass("0:0:0:0:0:0:0:1"), "loopback");
  EXPECT_EQ(klass("[::1]"), "loopback");
  EXPECT_EQ(klass("fe80::1"), "link-local");
  EXPECT_EQ(klass("febf::1"), "link-local");
  EXPECT_EQ(klass("fc00::1"), "unique local");
  EXPECT_EQ(klass("fd12:3456::1"), "unique local");
  EXPECT_EQ(klass("fd00:ec2::254"), "cloud metadata");
  EXPECT_EQ(klass("ff02::1"), "multicast");
  EXPECT_EQ(klass("2606:4700:4700::1111"), "public");
  EXPECT_EQ(klass("2001:4860:4860::8888"), "public");
}

TEST(AddressPolicy, EmbeddedIPv4Forms) {
  EXPECT_EQ(klass("::ffff:127.0.0.1"), "IPv4-mapped loopback");
  EXPECT_EQ(klass("::ffff:7f00:1"), "IPv4-mapped loopback");
  EXPECT_EQ(klass("::ffff:169.254.169.254"), "IPv4-mapped cloud metadata");
  EXPECT_EQ(klass("::ffff:10.0.0.1"), "IPv4-mapped private");
  EXPECT_EQ(klass("::ffff:8.8.8.8"), "public");
  EXPECT_EQ(klass("::127.0.0.1"), "IPv4-compatible loopback");
  EXPECT_EQ(klass("64:ff9b::192.168.0.1"), "NAT64 private");
  EXPECT_EQ(klass("64:ff9b::8.8.8.8"), "public");
  EXPECT_EQ(klass("2002:7f00:1::"), "6to4 loopback");
}

TEST(AddressPolicy, NotAnAddressIsRestricted) {
  EXPECT_NE(klass("localhost"), "public");
  EXPECT_NE(klass(""), "public");
  EXPECT_NE(klass("127.1"), "public");
}

TEST(AddressPolicy, SocketAddresses) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(8081);
  inet_pton(AF_INET, "127.0.0.1", &in.sin_addr);
  const auto* a = reinterpret_cast<const sockaddr*>(&in);
  EXPECT_EQ(restricted_address_class(a).value_or("public"), "loopback");
  EXPECT_EQ(numeric_host(a), "127.0.0.1");
  EXPECT_EQ(socket_port(a), 8081);

  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(443);
  inet_pton(AF_INET6, "::ffff:192.168.0.5", &in6.sin6_addr);
  const auto* b = reinterpret_cast<const sockaddr*>(&in6);
  EXPECT_EQ(restricted_address_class(b).value_or("public"), "IPv4-mapped private");
  EXPECT_EQ(numeric_host(b), "::ffff:192.168.0.5");
  EXPECT_EQ(socket_port(b), 443);

  inet_pton(AF_INET6, "2001:4860:4860::8888", &in6.sin6_addr);
  EXPECT_FALSE(restricted_address_class(b));

  sockaddr unix_address{};
  unix_address.sa_family = AF_UNIX;
  EXPECT_TRUE(restricted_address_class(&unix_address));
}

}  // namespace
}  // namespace wa::capabilities

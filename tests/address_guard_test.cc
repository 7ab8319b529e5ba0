#include "crawler/address_guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <string>

namespace {

// Parses an IPv4 or IPv6 literal into a sockaddr and runs the guard on it.
bool Private(const std::string& literal) {
  sockaddr_storage ss{};
  if (literal.find(':') == std::string::npos) {
    sockaddr_in in{};
    in.sin_family = AF_INET;
    REQUIRE(inet_pton(AF_INET, literal.c_str(), &in.sin_addr) == 1);
    std::memcpy(&ss, &in, sizeof in);
  } else {
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    REQUIRE(inet_pton(AF_INET6, literal.c_str(), &in6.sin6_addr) == 1);
    std::memcpy(&ss, &in6, sizeof in6);
  }
  return lw::IsPrivateAddress(reinterpret_cast<const sockaddr*>(&ss));
}

}  // namespace

TEST_CASE("IPv4 private, loopback and special ranges are refused", "[address_guard]") {
  for (const char* a : {"127.0.0.1", "127.255.255.254", "0.0.0.0", "0.1.2.3", "10.0.0.1",
                        "10.255.255.255", "172.16.0.1", "172.31.255.255", "192.168.0.1",
                        "192.168.255.255", "169.254.169.254", "169.254.0.1", "100.64.0.1",
                        "100.127.255.255", "224.0.0.1", "239.255.255.250", "255.255.255.255",
                        "240.0.0.1", "192.0.0.8", "198.18.0.1"}) {
    INFO(a);
    CHECK(Private(a));
  }
}

TEST_CASE("public IPv4 addresses, including range neighbours, are allowed", "[address_guard]") {
  for (const char* a : {"8.8.8.8", "1.1.1.1", "93.184.216.34", "172.15.255.255", "172.32.0.1",
                        "100.63.255.255", "100.128.0.1", "169.253.255.255", "169.255.0.1",
                        "11.0.0.1", "126.255.255.255", "128.0.0.1", "192.167.1.1",
                        "192.169.0.1", "223.255.255.255", "198.20.0.1"}) {
    INFO(a);
    CHECK_FALSE(Private(a));
  }
}

TEST_CASE("IPv6 loopback, unspecified, ULA, link-local and multicast are refused",
          "[address_guard]") {
  for (const char* a : {"::1", "::", "fc00::1", "fd12:3456::1", "fe80::1", "febf::1",
                        "fec0::1", "ff02::1", "ff05::2"}) {
    INFO(a);
    CHECK(Private(a));
  }
  for (const char* a : {"2001:4860:4860::8888", "2606:4700::1111", "fbff::1", "fe7f::1"}) {
    INFO(a);
    CHECK_FALSE(Private(a));
  }
}

TEST_CASE("IPv6 forms embedding a refused IPv4 address are refused", "[address_guard]") {
  for (const char* a : {"::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254",
                        "::ffff:192.168.1.1", "::ffff:100.64.0.1", "::ffff:0.0.0.0",
                        "::ffff:7f00:1", "::127.0.0.1", "64:ff9b::10.0.0.1",
                        "64:ff9b::a9fe:a9fe", "2002:7f00:1::1", "2002:c0a8:101::1"}) {
    INFO(a);
    CHECK(Private(a));
  }
  for (const char* a : {"::ffff:8.8.8.8", "64:ff9b::8.8.8.8", "2002:808:808::1"}) {
    INFO(a);
    CHECK_FALSE(Private(a));
  }
}

TEST_CASE("unknown address families and null are refused", "[address_guard]") {
  CHECK(lw::IsPrivateAddress(nullptr));
  sockaddr_storage ss{};
  ss.ss_family = AF_UNIX;
  CHECK(lw::IsPrivateAddress(reinterpret_cast<const sockaddr*>(&ss)));
}

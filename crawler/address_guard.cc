#include "crawler/address_guard.h"

#include <netinet/in.h>

#include <cstdint>
#include <cstring>

namespace lw {
namespace {

// `a` in host byte order.
bool IsPrivateIpv4(uint32_t a) {
  struct Range {
    uint32_t prefix;
    int bits;
  };
  static constexpr Range kRefused[] = {
      {0x00000000, 8},   // 0.0.0.0/8
      {0x0A000000, 8},   // 10.0.0.0/8
      {0x64400000, 10},  // 100.64.0.0/10
      {0x7F000000, 8},   // 127.0.0.0/8
      {0xA9FE0000, 16},  // 169.254.0.0/16
      {0xAC100000, 12},  // 172.16.0.0/12
      {0xC0000000, 24},  // 192.0.0.0/24
      {0xC0A80000, 16},  // 192.168.0.0/16
      {0xC6120000, 15},  // 198.18.0.0/15
      {0xE0000000, 4},   // 224.0.0.0/4
      {0xF0000000, 4},   // 240.0.0.0/4 and 255.255.255.255
  };
  for (const Range& r : kRefused) {
    uint32_t mask = ~uint32_t{0} << (32 - r.bits);
    if ((a & mask) == r.prefix) return true;
  }
  return false;
}

uint32_t Ipv4At(const uint8_t* b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

bool IsPrivateIpv6(const uint8_t b[16]) {
  static constexpr uint8_t kZero[12] = {};
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static constexpr uint8_t kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  // ::/96 covers ::, ::1 (both refused as 0/8) and IPv4-compatible addresses.
  if (std::memcmp(b, kZero, 12) == 0) {
    if (Ipv4At(b + 12) <= 1) return true;  // :: and ::1
    return IsPrivateIpv4(Ipv4At(b + 12));
  }
  if (std::memcmp(b, kMapped, 12) == 0 || std::memcmp(b, kNat64, 12) == 0) {
    return IsPrivateIpv4(Ipv4At(b + 12));
  }
  if (b[0] == 0x20 && b[1] == 0x02) return IsPrivateIpv4(Ipv4At(b + 2));  // 6to4
  if ((b[0] & 0xfe) == 0xfc) return true;                                // fc00::/7
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;                // fe80::/10
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return true;                // fec0::/10
  if (b[0] == 0xff) return true;                                         // ff00::/8
  return false;
}

}  // namespace

bool IsPrivateAddress(const sockaddr* addr) {
  if (addr == nullptr) return true;
  if (addr->sa_family == AF_INET) {
    sockaddr_in in;
    std::memcpy(&in, addr, sizeof in);
    return IsPrivateIpv4(ntohl(in.sin_addr.s_addr));
  }
  if (addr->sa_family == AF_INET6) {
    sockaddr_in6 in6;
    std::memcpy(&in6, addr, sizeof in6);
    return IsPrivateIpv6(in6.sin6_addr.s6_addr);
  }
  return true;
}

}  // namespace lw

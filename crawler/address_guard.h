// The private-address guard: which resolved addresses the crawler refuses to connect to.
//
// A crawler that follows links and redirects from untrusted pages must not be turned
// against the network it runs in (server-side request forgery): a paste that links to
// http://169.254.169.254/ or a listing that redirects to http://10.0.0.1/admin must not
// be fetched. The check is on the resolved address, at connect time (the curl fetcher
// calls it from CURLOPT_OPENSOCKETFUNCTION), so names that resolve to private
// addresses and redirects to them are refused alike. Pure; thread-safe.
#pragma once

#include <sys/socket.h>

namespace lw {

// True when `addr` is not a public unicast address and the crawler must not connect to
// it unless FetchPolicy::allow_private_addresses is set:
//   IPv4: 0/8 ("this network"), 10/8, 172.16/12, 192.168/16 (RFC 1918), 100.64/10
//         (CGNAT), 127/8 (loopback), 169.254/16 (link-local), 192.0.0/24 (IETF
//         protocol assignments), 198.18/15 (benchmarking), 224/4 (multicast), 240/4
//         (reserved, including the broadcast address 255.255.255.255).
//   IPv6: :: and ::1, fc00::/7 (unique local), fe80::/10 (link-local), fec0::/10
//         (deprecated site-local), ff00::/8 (multicast), and every form that embeds an
//         IPv4 address when that address is refused above: IPv4-mapped ::ffff:0:0/96,
//         IPv4-compatible ::/96, NAT64 64:ff9b::/96 and 6to4 2002::/16.
// Any other address family (or a null pointer) is refused too.
bool IsPrivateAddress(const sockaddr* addr);

}  // namespace lw

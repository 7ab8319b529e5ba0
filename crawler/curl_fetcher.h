// The production Fetcher (crawler/fetcher.h) on libcurl's multi interface.
//
// One thread drives every transfer of a Run(): requests wait in a FIFO queue until the
// global `concurrency`, the per-host concurrency and the per-host delay between request
// starts let them go; the thread sleeps in curl_multi_poll until a socket is ready or
// the next queued request may start (no busy waiting). A host is scheme+host+port.
//
// What the fetcher guarantees, per request (the FetchPolicy fields name the knobs):
//  - Only http and https, also across redirects (at most max_redirects of them).
//  - The private-address guard (crawler/address_guard.h) on every address actually
//    connected to, redirects included, unless allow_private_addresses; and again before
//    each request on the address it goes to, so a kept-alive connection that a source
//    allowed to private addresses opened is never reused by one that is not. With a proxy the
//    only address we connect to is the proxy's, which the operator configured, so the
//    guard is not applied: the proxy decides what its clients may reach. Without one,
//    proxies from the environment (http_proxy, ...) are ignored so that the guard
//    always sees the real destination.
//  - robots.txt fetched once per host and Fetcher lifetime, before the first request
//    to that host, with the same user agent, proxy and guard; a 2xx is parsed, a 4xx
//    allows everything, a 429, 5xx or an unreachable host disallows everything for the
//    rest of that Run() only (it is fetched again by the next Run()). When the host's
//    own address is refused by the guard, its requests end in kAddressDenied.
//    Redirects of a request to other hosts are not checked against their robots.txt.
//  - 429 and 503 responses and connection failures are retried up to max_retries
//    times, after Retry-After (seconds or HTTP date) when the server sent one, else
//    after an exponential backoff with jitter; a Retry-After beyond max_retry_wait_ms
//    ends the request in kRetryLater at once. A Retry-After also holds back the other
//    requests to that host.
//  - The body is counted after decompression (every encoding this libcurl supports is
//    accepted) and the transfer aborted past max_body (kTooLarge).
//  - The deadline caps the timeout of transfers in flight, so Run() returns by then
//    (give or take libcurl's timer resolution). Requests not started by then end in
//    kTimeout; requests waiting to be retried end as their last attempt did
//    (kRetryLater, kNetworkError); a retry that could not start before the deadline is
//    not scheduled.
//  - Request headers (FetchPolicy::headers, the conditional GET validators) with CR,
//    LF or NUL in them, or a name that is not an HTTP token, end the request in
//    kNetworkError before any connection.
//
// Thread safety: a Fetcher may be used from one thread at a time; on_result is called
// on that thread and must not call back into the Fetcher. Connections and the robots.txt cache live as long as the Fetcher.
// Connections are reused per host; requests to one host are expected to share the
// proxy and guard settings of one source.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "crawler/fetcher.h"

namespace lw {

struct CurlFetcherOptions {
  // Resolved addresses exempt from the private-address guard, as "ip:port"
  // ("127.0.0.1:8080", "[::1]:8080"). Empty by default; for tests that need one
  // private server reachable while checking that everything else is refused.
  std::vector<std::string> guard_exemptions;
  // Backoff before retry n (1-based) when the server sent no Retry-After: a random
  // delay in [d/2, d] with d = backoff_base_ms * 2^(n-1), capped by the policy's
  // max_retry_wait_ms.
  int64_t backoff_base_ms = 500;
};

// Never fails: libcurl is initialized (once per process) on first use.
std::unique_ptr<Fetcher> NewCurlFetcher();
std::unique_ptr<Fetcher> NewCurlFetcher(CurlFetcherOptions options);

}  // namespace lw

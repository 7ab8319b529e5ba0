// HTTP fetching for the crawler, behind an interface so that unit tests use a fake
// (tests/fake_fetcher.h) and production uses libcurl's multi interface
// (crawler/curl_fetcher.h).
//
// A Fetcher takes a batch of requests and runs them concurrently within the limits of
// FetchPolicy (global and per-host concurrency, per-host delay, Retry-After and
// backoff, timeouts, body cap, redirect and protocol rules, the private-address guard,
// robots.txt). Each request ends in exactly one FetchResult, delivered through the
// callback on the thread that called Run().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/config.h"
#include "base/status.h"

namespace lw {

// Per-request limits; built from the source's CrawlConfig.
struct FetchPolicy {
  std::string user_agent = "leakwatch/0.1";
  int per_host_concurrency = 2;
  int64_t per_host_delay_ms = 1000;     // between request starts to one host
  int64_t timeout_ms = 30000;           // whole transfer, redirects included
  int64_t low_speed_bytes = 100;        // abort when slower than this many bytes/s ...
  int64_t low_speed_window_ms = 10000;  // ... for this long
  uint64_t max_body = 20u << 20;        // bytes after decompression; beyond: kTooLarge
  int max_redirects = 5;                // each hop re-checked (protocol, address guard)
  int max_retries = 3;                  // on 429/503 and connection errors
  int64_t max_retry_wait_ms = 60000;    // Retry-After longer than this: give up (kRetryLater)
  bool obey_robots = true;              // robots.txt fetched once per host and honoured
  bool allow_private_addresses = false; // else loopback/RFC 1918/link-local/CGNAT/ULA refused
  std::string proxy;                    // socks5h://..., http://...
  std::map<std::string, std::string> headers;  // extra request headers (cookies, ...)
  // Requests with the same group (the crawl uses the source's name) have at most
  // group_concurrency transfers in flight together; 0: only the fetcher-wide limit.
  std::string group;
  int group_concurrency = 0;

  static FetchPolicy FromConfig(const CrawlConfig& c);
};

struct FetchRequest {
  std::string url;
  FetchPolicy policy;
  // Conditional GET: sent as If-None-Match / If-Modified-Since when non-empty.
  std::string etag;
  std::string last_modified;
  uint64_t id = 0;  // the caller's, echoed in the result
};

enum class FetchOutcome {
  kOk,             // a response (any HTTP status) was received in full
  kNotModified,    // 304 to a conditional request
  kRobotsDenied,   // robots.txt disallows the path for our user agent
  kAddressDenied,  // resolved to a private address (or redirected to one)
  kProtocolDenied, // not http(s), also after a redirect
  kTooManyRedirects,
  kTooLarge,       // the decompressed body exceeded max_body
  kTimeout,        // whole-transfer timeout or low-speed limit
  kRetryLater,     // 429/503 still after retries, or Retry-After too long
  kNetworkError,   // DNS, TLS, connection refused/reset, malformed response
};
std::string_view FetchOutcomeName(FetchOutcome o);

struct FetchResult {
  uint64_t id = 0;
  std::string url;         // as requested
  std::string final_url;   // after redirects
  FetchOutcome outcome = FetchOutcome::kNetworkError;
  long status = 0;         // HTTP status when a response arrived
  std::string content_type;
  std::string etag;
  std::string last_modified;
  std::string body;        // decompressed; empty unless kOk
  std::string error;       // human-readable detail for anything but kOk/kNotModified
  int attempts = 0;
};

class Fetcher {
 public:
  virtual ~Fetcher() = default;
  // Runs every request to completion (or until `deadline_ms` on the steady clock, 0 = no
  // deadline: requests not yet started are then returned as kTimeout without a
  // connection). At most `concurrency` transfers are in flight overall.
  virtual void Run(std::vector<FetchRequest> requests, int concurrency, int64_t deadline_ms,
                   const std::function<void(FetchResult)>& on_result) = 0;
};

}  // namespace lw

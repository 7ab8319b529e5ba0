#include "crawler/fetcher.h"

namespace lw {

FetchPolicy FetchPolicy::FromConfig(const CrawlConfig& c) {
  FetchPolicy p;
  p.user_agent = c.user_agent;
  p.per_host_concurrency = c.per_host_concurrency;
  p.per_host_delay_ms = c.per_host_delay_ms;
  p.timeout_ms = c.timeout_ms;
  p.max_body = c.max_body;
  p.obey_robots = c.obey_robots;
  p.allow_private_addresses = c.allow_private_addresses;
  p.proxy = c.proxy;
  p.headers = c.headers;
  p.group_concurrency = c.concurrency;  // a source's own `concurrency` (else [crawl]'s)
  return p;
}

std::string_view FetchOutcomeName(FetchOutcome o) {
  switch (o) {
    case FetchOutcome::kOk: return "ok";
    case FetchOutcome::kNotModified: return "not-modified";
    case FetchOutcome::kRobotsDenied: return "robots-denied";
    case FetchOutcome::kAddressDenied: return "address-denied";
    case FetchOutcome::kProtocolDenied: return "protocol-denied";
    case FetchOutcome::kTooManyRedirects: return "too-many-redirects";
    case FetchOutcome::kTooLarge: return "too-large";
    case FetchOutcome::kTimeout: return "timeout";
    case FetchOutcome::kRetryLater: return "retry-later";
    case FetchOutcome::kNetworkError: return "network-error";
  }
  return "unknown";
}

}  // namespace lw

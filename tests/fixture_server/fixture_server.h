// FixtureServer: a small HTTP server on 127.0.0.1 for the crawler's tests and for
// ops/demo (through the leakwatch-fixture-server binary in this folder).
//
// It serves static files from a root directory (with ETag, Last-Modified and 304 on
// conditional requests; Content-Type by extension: .html text/html, *.gbk.html
// "text/html; charset=GBK", .json application/json, .txt text/plain, anything else
// application/octet-stream; robots.txt is just a file in the root) and built-in
// endpoints that misbehave on purpose:
//
//   /status/429?retry_after=N&times=K[&date=1]
//                         429 with "Retry-After: N" (an HTTP date N seconds ahead
//                         with date=1) the first K times (default 1) for this path,
//                         then 200 "ok"
//   /status/503[?times=K] 503 the first K times (default: always), then 200 "ok"
//   /hostile/gzip-bomb    ~100 KB of gzip (Content-Encoding: gzip) inflating to 101 MiB
//   /hostile/endless      a chunked body that never ends (until the client hangs up)
//   /hostile/trickle      one byte per second, 60 bytes in all
//   /hostile/redirect-loop  302 to itself, forever
//   /hostile/redirect-to?url=U  302 to U (any scheme, any address)
//   /hostile/long-line    a single line of 10 MiB (text/plain)
//   /hostile/invalid-utf8 text/plain; charset=utf-8 that is not UTF-8
//   /slow?ms=N            "ok" after N ms (at most 60 s)
//   POST /__collect/ANY   records the request (path, headers, body) and answers 200
//                         {"text":"Success","code":0}, as Splunk's HEC does
//   /__collected          JSON array of the recorded requests: {"path","headers","body"}
//   /__headers            JSON object of the request's headers (counted like any path)
//   /__stats              JSON: {"requests": {path: count}, "total": n,
//                         "in_flight": n, "max_in_flight": n, "user_agents": {path: ua}}
//
// Every request counts towards its path (without the query), /__stats excepted. A
// request is "in flight" while its handler runs (delays and /slow included, streaming
// a body afterwards not). The counters are thread-safe; read them from the test thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace lw {

struct FixtureServerOptions {
  std::string root;  // static files are served from here; "" serves none
  int port = 0;      // 0: an ephemeral port, see FixtureServer::port()
  // Keep-alive idle timeout; short so that Stop() does not wait long for idle clients.
  int keep_alive_seconds = 1;
};

class FixtureServer {
 public:
  explicit FixtureServer(FixtureServerOptions options = {});
  ~FixtureServer();  // Stop()s
  FixtureServer(const FixtureServer&) = delete;
  FixtureServer& operator=(const FixtureServer&) = delete;

  // Binds 127.0.0.1 and serves in a background thread. Fails (kIO) when the port
  // cannot be bound. REQUIRES: not started yet.
  Status Start();
  // Stops accepting, wakes sleeping handlers and joins the server's threads.
  // Idempotent.
  void Stop();

  int port() const { return port_; }
  // "http://127.0.0.1:<port>" followed by `path`.
  std::string Url(std::string_view path) const;

  // Every request to `path` waits `ms` before being answered (0 removes the delay).
  void SetDelay(const std::string& path, int64_t ms);

  int RequestCount(const std::string& path) const;
  int TotalRequests() const;
  int InFlight() const;
  int MaxInFlight() const;
  // The User-Agent of the last request to `path` ("" when none).
  std::string LastUserAgent(const std::string& path) const;
  std::string StatsJson() const;
  void ResetStats();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace lw

// The curl fetcher against a FixtureServer on 127.0.0.1. Timeouts and limits are set
// small so the whole file runs in seconds; timing checks are loose on purpose.
#include "crawler/curl_fetcher.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/fixture_server/fixture_server.h"

namespace lw {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUserAgent = "leakwatch-test/1.0 (+https://security.example.com/contact)";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A temporary directory of fixture files, removed afterwards.
class TempRoot {
 public:
  TempRoot() {
    std::string pattern = (fs::temp_directory_path() / "lw-fetch-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempRoot() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  void Write(const std::string& rel, const std::string& content) const {
    fs::path p = path_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

// A fixture server over a root with a few files, and a robots.txt when asked for.
struct Site {
  explicit Site(bool with_robots = false) {
    root.Write("hello.txt", "hello, world\n");
    root.Write("page.html", "<html><body>hi</body></html>");
    root.Write("legacy.gbk.html", "<html>\xc4\xe3\xba\xc3</html>");
    root.Write("data.json", "[1,2,3]");
    root.Write("private/a.txt", "private\n");
    root.Write("secret/a.txt", "secret\n");
    if (with_robots) {
      root.Write("robots.txt",
                 "User-agent: *\n"
                 "Disallow: /\n"
                 "\n"
                 "User-agent: LeakWatch-Test\n"
                 "Disallow: /secret/\n");
    }
    server = std::make_unique<FixtureServer>(FixtureServerOptions{.root = root.path()});
    auto s = server->Start();
    REQUIRE(s.has_value());
  }
  TempRoot root;
  std::unique_ptr<FixtureServer> server;
};

// Everything permissive enough for a loopback server, and quick.
FetchPolicy TestPolicy() {
  FetchPolicy p;
  p.user_agent = kUserAgent;
  p.per_host_concurrency = 4;
  p.per_host_delay_ms = 0;
  p.timeout_ms = 5000;
  p.max_retries = 2;
  p.max_retry_wait_ms = 5000;
  p.obey_robots = false;
  p.allow_private_addresses = true;
  return p;
}

std::unique_ptr<Fetcher> QuickFetcher(std::vector<std::string> exemptions = {}) {
  CurlFetcherOptions options;
  options.backoff_base_ms = 20;
  options.guard_exemptions = std::move(exemptions);
  return NewCurlFetcher(std::move(options));
}

// Runs `requests` (ids assigned 0..n-1) and returns the results in id order.
std::vector<FetchResult> RunAll(Fetcher& f, std::vector<FetchRequest> requests,
                                int concurrency = 8, int64_t deadline_ms = 0) {
  for (size_t i = 0; i < requests.size(); ++i) requests[i].id = i;
  std::vector<FetchResult> results;
  size_t n = requests.size();
  f.Run(std::move(requests), concurrency, deadline_ms,
        [&](FetchResult r) { results.push_back(std::move(r)); });
  REQUIRE(results.size() == n);
  std::sort(results.begin(), results.end(),
            [](const FetchResult& a, const FetchResult& b) { return a.id < b.id; });
  return results;
}

FetchResult FetchOne(Fetcher& f, const std::string& url, const FetchPolicy& policy) {
  FetchRequest req;
  req.url = url;
  req.policy = policy;
  return RunAll(f, {req}).front();
}

FetchRequest Request(const std::string& url, const FetchPolicy& policy) {
  FetchRequest req;
  req.url = url;
  req.policy = policy;
  return req;
}

// A 127.0.0.1 port with nothing listening on it.
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  close(fd);
  return ntohs(a.sin_port);
}

long PeakRssKiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

std::string Describe(const FetchResult& r) {
  return std::string(FetchOutcomeName(r.outcome)) + " status=" + std::to_string(r.status) +
         " attempts=" + std::to_string(r.attempts) + " error=" + r.error;
}

}  // namespace

TEST_CASE("200 with body, headers and content types", "[fetch]") {
  Site site;
  auto f = QuickFetcher();
  FetchPolicy p = TestPolicy();
  auto r = RunAll(*f, {Request(site.server->Url("/hello.txt"), p),
                       Request(site.server->Url("/page.html"), p),
                       Request(site.server->Url("/legacy.gbk.html"), p),
                       Request(site.server->Url("/data.json"), p),
                       Request(site.server->Url("/missing.txt"), p)});
  INFO(Describe(r[0]));
  CHECK(r[0].outcome == FetchOutcome::kOk);
  CHECK(r[0].status == 200);
  CHECK(r[0].body == "hello, world\n");
  CHECK(r[0].content_type.starts_with("text/plain"));
  CHECK_FALSE(r[0].etag.empty());
  CHECK_FALSE(r[0].last_modified.empty());
  CHECK(r[0].final_url == site.server->Url("/hello.txt"));
  CHECK(r[0].attempts == 1);
  CHECK(r[1].content_type == "text/html");
  CHECK(r[2].content_type == "text/html; charset=GBK");
  CHECK(r[2].body == "<html>\xc4\xe3\xba\xc3</html>");
  CHECK(r[3].content_type == "application/json");
  CHECK(r[4].outcome == FetchOutcome::kOk);  // any HTTP status is a response
  CHECK(r[4].status == 404);
  CHECK(site.server->LastUserAgent("/hello.txt") == kUserAgent);
}

TEST_CASE("extra headers are sent; header injection is refused", "[fetch]") {
  Site site;
  auto f = QuickFetcher();
  FetchPolicy p = TestPolicy();
  p.headers = {{"Cookie", "session=abc"}, {"X-Leakwatch-Test", "1"}};
  FetchResult r = FetchOne(*f, site.server->Url("/__headers"), p);
  REQUIRE(r.outcome == FetchOutcome::kOk);
  CHECK(r.body.find("\"Cookie\":\"session=abc\"") != std::string::npos);
  CHECK(r.body.find("\"X-Leakwatch-Test\":\"1\"") != std::string::npos);
  CHECK(r.body.find(kUserAgent) != std::string::npos);

  p.headers = {{"X-Evil", "a\r\nHost: elsewhere"}};
  FetchResult bad = FetchOne(*f, site.server->Url("/__headers"), p);
  CHECK(bad.outcome == FetchOutcome::kNetworkError);
  CHECK(bad.attempts == 0);
  CHECK(site.server->RequestCount("/__headers") == 1);
}

TEST_CASE("conditional GET: 304 for a matching ETag or Last-Modified", "[fetch]") {
  Site site;
  auto f = QuickFetcher();
  FetchPolicy p = TestPolicy();
  FetchResult first = FetchOne(*f, site.server->Url("/hello.txt"), p);
  REQUIRE(first.outcome == FetchOutcome::kOk);

  FetchRequest by_etag = Request(site.server->Url("/hello.txt"), p);
  by_etag.etag = first.etag;
  FetchRequest by_date = Request(site.server->Url("/hello.txt"), p);
  by_date.last_modified = first.last_modified;
  FetchRequest stale = Request(site.server->Url("/hello.txt"), p);
  stale.etag = "\"something-else\"";
  auto r = RunAll(*f, {by_etag, by_date, stale});
  CHECK(r[0].outcome == FetchOutcome::kNotModified);
  CHECK(r[0].status == 304);
  CHECK(r[0].body.empty());
  CHECK(r[0].etag == first.etag);
  CHECK(r[1].outcome == FetchOutcome::kNotModified);
  CHECK(r[2].outcome == FetchOutcome::kOk);
  CHECK(r[2].body == "hello, world\n");
}

TEST_CASE("429 with Retry-After is retried after the wait", "[fetch][retry]") {
  Site site;
  auto f = QuickFetcher();
  FetchPolicy p = TestPolicy();
  int64_t start = NowMs();
  auto r = RunAll(*f, {Request(site.server->Url("/status/429?retry_after=1&times=1"), p)});
  int64_t elapsed = NowMs() - start;
  INFO(Describe(r[0]));
  CHECK(r[0].outcome == FetchOutcome::kOk);
  CHECK(r[0].body == "ok\n");
  CHECK(r[0].attempts == 2);
  CHECK(elapsed >= 900);
  CHECK(elapsed < 4000);
  CHECK(site.server->RequestCount("/status/429") == 2);
}

TEST_CASE("Retry-After as an HTTP date", "[fetch][retry]") {
  Site site;
  auto f = QuickFetcher();
  int64_t start = NowMs();
  FetchResult r = FetchOne(*f, site.server->Url("/status/429?retry_after=2&times=1&date=1"),
                           TestPolicy());
  INFO(Describe(r));
  CHECK(r.outcome == FetchOutcome::kOk);
  CHECK(r.attempts == 2);
  CHECK(NowMs() - start >= 900);  // the date has one-second resolution
}

TEST_CASE("a Retry-After beyond max_retry_wait_ms gives up at once", "[fetch][retry]") {
  Site site;
  auto f = QuickFetcher();
  FetchPolicy p = TestPolicy();
  p.max_retry_wait_ms = 2000;
  int64_t start = NowMs();
  FetchResult r = FetchOne(*f, site.server->Url("/status/429?retry_after=120&times=9"), p);
  INFO(Describe(r));
  CHECK(r.outcome == FetchOutcome::kRetryLater);
  CHECK(r.status == 429);
  CHECK(r.attempts == 1);
  CHECK(NowMs() - start < 1500);
}

TEST_CASE("503 until retries are exhausted: kRetryLater", "[fetch][retry]") {
  Site site;
  auto f = QuickFetcher();
  FetchPolicy p = TestPolicy();
  p.max_retries = 2;
  FetchResult r = FetchOne(*f, site.server->Url("/status/503"), p);
  INFO(Describe(r));
  CHECK(r.outcome == FetchOutcome::kRetryLater);
  CHECK(r.status == 503);
  CHECK(r.attempts == 3);
  CHECK(site.server->RequestCount("/status/503") == 3);
  CHECK(r.body.empty());
}

TEST_CASE("connection errors are retried, then kNetworkError", "[fetch][retry]") {
  auto f = QuickFetcher();
  FetchPolicy p = TestPolicy();
  p.max_retries = 1;
  FetchResult r = FetchOne(*f, "http://127.0.0.1:" + std::to_string(ClosedPort()) + "/", p);
  INFO(Describe(r));
  CHECK(r.outcome == FetchOutcome::kNetworkError);
  CHECK(r.attempts == 2);
}

TEST_CASE("gzip bomb: kTooLarge, fast, bounded memory", "[fetch][hostile][bomb]") {
  Site site;
  auto f = QuickFetcher();
  FetchPolicy p = TestPolicy();
  p.max_body = 1 << 20;
  long rss_before = PeakRssKiB();
  int64_t start = NowMs();
  FetchResult r = FetchOne(*f, site.server->Url("/hostile/gzip-bomb"), p);
  int64_t elapsed = NowMs() - start;
  long rss_after = PeakRssKiB();
  INFO(Describe(r));
  CHECK(r.outcome == FetchOutcome::kTooLarge);
  CHECK(r.body.empty());
  CHECK(r.attempts == 1);
  CHECK(elapsed < 5000);
  // The bomb inflates to 101 MiB; we must stop near max_body. The server's own
  // buffers (1 MiB of zeros, ~100 KB of gzip) share this process.
  CHECK(rss_after - rss_before < 48 * 1024);
  std::printf("gzip bomb: %lld ms, peak RSS %ld KiB (before %ld KiB)\n",
              static_cast<long long>(elapsed), rss_after, rss_before);
}

TEST_CASE("endless body: kTooLarge or kTimeout within limits", "[fetch][hostile]") {
  Site site;
  auto f = QuickFetcher();
  FetchPolicy p = TestPolicy();
  p.max_body = 2 << 20;
  p.timeout_ms = 3000;
  int64_t start = NowMs();
  FetchResult r = FetchOne(*f, site.server->Url("/hostile/endless"), p);
  INFO(Describe(r));
  CHECK((r.outcome == FetchOutcome::kTooLarge || r.outcome == FetchOutcome::kTimeout));
  CHECK(NowMs() - start < 4500);
}

TEST_CASE("trickle: kTimeout through the low-speed limit", "[fetch][hostile]") {
  Site site;
  auto f = QuickFetcher();
  FetchPolicy p = TestPolicy();
  p.timeout_ms = 20000;
  p.low_speed_bytes = 100;
  p.low_speed_window_ms = 1000;
  int64_t start = NowMs();
  FetchResult r = FetchOne(*f, site.server->Url("/hostile/trickle"), p);
  int64_t elapsed = NowMs() - start;
  INFO(Describe(r));
  CHECK(r.outcome == FetchOutcome::kTimeout);
  CHECK(elapsed < 5000);  // far below the 20 s whole-transfer timeout
}

TEST_CASE("redirect loop: kTooManyRedirects", "[fetch][hostile]") {
  Site site;
  auto f = QuickFetcher();
  FetchPolicy p = TestPolicy();
  p.max_redirects = 3;
  FetchResult r = FetchOne(*f, site.server->Url("/hostile/redirect-loop"), p);
  INFO(Describe(r));
  CHECK(r.outcome == FetchOutcome::kTooManyRedirects);
  CHECK(site.server->RequestCount("/hostile/redirect-loop") == 4);
}

TEST_CASE("only http and https, also after a redirect", "[fetch][hostile]") {
  Site site;
  auto f = QuickFetcher();
  FetchPolicy p = TestPolicy();
  auto r = RunAll(*f, {Request(site.server->Url("/hostile/redirect-to?url=file:///etc/passwd"), p),
                       Request(site.server->Url("/hostile/redirect-to?url=ftp://127.0.0.1/x"), p),
                       Request("file:///etc/passwd", p), Request("gopher://127.0.0.1/", p)});
  for (const FetchResult& x : r) {
    INFO(x.url << ": " << Describe(x));
    CHECK(x.outcome == FetchOutcome::kProtocolDenied);
    CHECK(x.body.empty());
  }
  CHECK(r[2].attempts == 0);
  CHECK(r[3].attempts == 0);
}

TEST_CASE("a 10 MiB single line is fine up to the cap", "[fetch][hostile]") {
  Site site;
  auto f = QuickFetcher();
  FetchPolicy p = TestPolicy();
  p.max_body = 16 << 20;
  FetchResult r = FetchOne(*f, site.server->Url("/hostile/long-line"), p);
  INFO(Describe(r));
  CHECK(r.outcome == FetchOutcome::kOk);
  CHECK(r.body.size() == (10u << 20));
  CHECK(r.body.find('\n') == std::string::npos);
  p.max_body = 1 << 20;
  CHECK(FetchOne(*f, site.server->Url("/hostile/long-line"), p).outcome == FetchOutcome::kTooLarge);
}

TEST_CASE("invalid UTF-8 arrives byte for byte", "[fetch][hostile]") {
  Site site;
  auto f = QuickFetcher();
  FetchResult r = FetchOne(*f, site.server->Url("/hostile/invalid-utf8"), TestPolicy());
  CHECK(r.outcome == FetchOutcome::kOk);
  CHECK(r.body.find("\xff\xfe@example.com") != std::string::npos);
}

TEST_CASE("robots.txt: disallowed paths are never requested; fetched once", "[fetch][robots]") {
  Site site(/*with_robots=*/true);
  auto f = QuickFetcher();
  FetchPolicy p = TestPolicy();
  p.obey_robots = true;
  auto r = RunAll(*f, {Request(site.server->Url("/secret/a.txt"), p),
                       Request(site.server->Url("/hello.txt"), p),
                       Request(site.server->Url("/private/a.txt"), p)});
  INFO(Describe(r[0]));
  CHECK(r[0].outcome == FetchOutcome::kRobotsDenied);
  CHECK(r[0].attempts == 0);
  CHECK(r[1].outcome == FetchOutcome::kOk);
  CHECK(r[2].outcome == FetchOutcome::kOk);  // our group replaces '*'
  CHECK(site.server->RequestCount("/secret/a.txt") == 0);
  CHECK(site.server->RequestCount("/robots.txt") == 1);
  CHECK(site.server->LastUserAgent("/robots.txt") == kUserAgent);

  // Another agent falls into '*', which disallows everything; the cache is per host,
  // the verdict per user agent.
  FetchPolicy other = p;
  other.user_agent = "otherbot/2.0";
  auto again = RunAll(*f, {Request(site.server->Url("/secret/a.txt"), p),
                           Request(site.server->Url("/hello.txt"), other)});
  CHECK(again[0].outcome == FetchOutcome::kRobotsDenied);
  CHECK(again[1].outcome == FetchOutcome::kRobotsDenied);
  CHECK(site.server->RequestCount("/robots.txt") == 1);
  CHECK(site.server->RequestCount("/secret/a.txt") == 0);
}

TEST_CASE("robots.txt: 404 allows all; unreachable disallows for that run only",
          "[fetch][robots]") {
  Site site(/*with_robots=*/false);
  auto f = QuickFetcher();
  FetchPolicy p = TestPolicy();
  p.obey_robots = true;
  CHECK(FetchOne(*f, site.server->Url("/hello.txt"), p).outcome == FetchOutcome::kOk);

  Site slow(/*with_robots=*/true);
  slow.server->SetDelay("/robots.txt", 1500);
  p.timeout_ms = 300;
  p.max_retries = 0;
  FetchResult r = FetchOne(*f, slow.server->Url("/hello.txt"), p);
  INFO(Describe(r));
  CHECK(r.outcome == FetchOutcome::kRobotsDenied);
  CHECK(slow.server->RequestCount("/hello.txt") == 0);
  slow.server->SetDelay("/robots.txt", 0);
  p.timeout_ms = 5000;
  CHECK(FetchOne(*f, slow.server->Url("/hello.txt"), p).outcome == FetchOutcome::kOk);
  CHECK(slow.server->RequestCount("/robots.txt") == 2);
}

TEST_CASE("per-host concurrency is never exceeded", "[fetch][limits]") {
  Site site;
  auto f = QuickFetcher();
  FetchPolicy p = TestPolicy();
  p.per_host_concurrency = 2;
  std::vector<FetchRequest> requests;
  for (int i = 0; i < 10; ++i) requests.push_back(Request(site.server->Url("/slow?ms=150"), p));
  int64_t start = NowMs();
  auto r = RunAll(*f, requests, /*concurrency=*/8);
  int64_t elapsed = NowMs() - start;
  for (const FetchResult& x : r) CHECK(x.outcome == FetchOutcome::kOk);
  CHECK(site.server->MaxInFlight() <= 2);
  CHECK(site.server->MaxInFlight() >= 1);
  CHECK(site.server->RequestCount("/slow") == 10);
  CHECK(elapsed >= 5 * 150 - 50);

  // The same batch without the per-host limit does overlap: the gauge works.
  site.server->ResetStats();
  for (FetchRequest& req : requests) req.policy.per_host_concurrency = 8;
  RunAll(*f, requests, /*concurrency=*/8);
  CHECK(site.server->MaxInFlight() > 2);
}

TEST_CASE("global concurrency is never exceeded", "[fetch][limits]") {
  Site site;
  auto f = QuickFetcher();
  FetchPolicy p = TestPolicy();
  p.per_host_concurrency = 8;
  std::vector<FetchRequest> requests;
  for (int i = 0; i < 4; ++i) requests.push_back(Request(site.server->Url("/slow?ms=100"), p));
  RunAll(*f, requests, /*concurrency=*/1);
  CHECK(site.server->MaxInFlight() == 1);
}

TEST_CASE("a group's concurrency is never exceeded, other groups run beside it", "[fetch][limits]") {
  // A source's own `concurrency` caps its transfers, whatever the fetcher-wide limit.
  Site a, b;
  auto f = QuickFetcher();
  FetchPolicy p = TestPolicy();
  p.per_host_concurrency = 8;
  p.group = "slow-source";
  p.group_concurrency = 1;
  FetchPolicy q = p;
  q.group = "other-source";
  q.group_concurrency = 8;
  std::vector<FetchRequest> requests;
  for (int i = 0; i < 4; ++i) requests.push_back(Request(a.server->Url("/slow?ms=100"), p));
  for (int i = 0; i < 4; ++i) requests.push_back(Request(b.server->Url("/slow?ms=100"), q));
  auto r = RunAll(*f, requests, /*concurrency=*/8);
  for (const FetchResult& x : r) CHECK(x.outcome == FetchOutcome::kOk);
  CHECK(a.server->MaxInFlight() == 1);
  CHECK(b.server->MaxInFlight() > 1);
  // The crawl makes each source a group limited by its (possibly overridden) concurrency.
  CrawlConfig c;
  c.concurrency = 3;
  CHECK(FetchPolicy::FromConfig(c).group_concurrency == 3);
}

TEST_CASE("per-host delay spaces request starts", "[fetch][limits]") {
  Site site;
  auto f = QuickFetcher();
  FetchPolicy p = TestPolicy();
  p.per_host_delay_ms = 250;
  int64_t start = NowMs();
  auto r = RunAll(*f, {Request(site.server->Url("/hello.txt"), p),
                       Request(site.server->Url("/page.html"), p),
                       Request(site.server->Url("/data.json"), p)});
  int64_t elapsed = NowMs() - start;
  for (const FetchResult& x : r) CHECK(x.outcome == FetchOutcome::kOk);
  CHECK(elapsed >= 2 * 250 - 20);
  CHECK(elapsed < 2000);
}

TEST_CASE("the deadline stops starting new requests", "[fetch][limits]") {
  Site site;
  auto f = QuickFetcher();
  FetchPolicy p = TestPolicy();
  p.per_host_concurrency = 1;
  std::vector<FetchRequest> requests;
  for (int i = 0; i < 10; ++i) requests.push_back(Request(site.server->Url("/slow?ms=300"), p));
  int64_t start = NowMs();
  auto r = RunAll(*f, requests, 8, start + 700);
  int64_t elapsed = NowMs() - start;
  int ok = 0, timed_out = 0;
  for (const FetchResult& x : r) {
    if (x.outcome == FetchOutcome::kOk) ++ok;
    if (x.outcome == FetchOutcome::kTimeout) ++timed_out;
  }
  CHECK(ok >= 1);
  CHECK(ok <= 3);
  CHECK(ok + timed_out == 10);
  CHECK(site.server->RequestCount("/slow") <= 3);
  CHECK(elapsed < 1500);
}

TEST_CASE("the default policy refuses loopback, also behind a redirect", "[fetch][guard]") {
  Site site;
  Site other;
  FetchPolicy p = TestPolicy();
  p.allow_private_addresses = false;

  SECTION("directly, with and without robots.txt") {
    auto f = QuickFetcher();
    FetchPolicy with_robots = p;
    with_robots.obey_robots = true;
    auto r = RunAll(*f, {Request(site.server->Url("/hello.txt"), p),
                         Request(other.server->Url("/hello.txt"), with_robots)});
    INFO(Describe(r[0]));
    CHECK(r[0].outcome == FetchOutcome::kAddressDenied);
    CHECK(r[0].error.find("127.0.0.1") != std::string::npos);
    CHECK(r[1].outcome == FetchOutcome::kAddressDenied);
    CHECK(site.server->TotalRequests() == 0);
    CHECK(other.server->TotalRequests() == 0);
  }

  SECTION("redirects are checked by address") {
    // The first server is exempt; everything it redirects to is not.
    auto f = QuickFetcher({"127.0.0.1:" + std::to_string(site.server->port())});
    std::string to_other = "http://127.0.0.1:" + std::to_string(other.server->port()) + "/hello.txt";
    std::string by_name = "http://localhost:" + std::to_string(other.server->port()) + "/hello.txt";
    std::string mapped = "http://[::ffff:127.0.0.1]:" + std::to_string(other.server->port()) + "/";
    auto r = RunAll(*f, {Request(site.server->Url("/hello.txt"), p),
                         Request(site.server->Url("/hostile/redirect-to?url=" + to_other), p),
                         Request(site.server->Url("/hostile/redirect-to?url=" + by_name), p),
                         Request(site.server->Url("/hostile/redirect-to?url=" + mapped), p),
                         Request(site.server->Url(
                                     "/hostile/redirect-to?url=http://169.254.169.254/latest/"),
                                 p)});
    CHECK(r[0].outcome == FetchOutcome::kOk);
    for (size_t i = 1; i < r.size(); ++i) {
      INFO(r[i].url << ": " << Describe(r[i]));
      CHECK(r[i].outcome == FetchOutcome::kAddressDenied);
    }
    CHECK(other.server->TotalRequests() == 0);
  }
}

TEST_CASE("a connection opened under a permissive policy is not reused past the guard", "[fetch][guard]") {
  // Two sources on one fetcher: one allows private addresses, one does not. The second
  // must not ride the first one's kept-alive connection to the same private host.
  Site site;
  auto f = QuickFetcher();
  FetchPolicy open = TestPolicy();
  open.allow_private_addresses = true;
  FetchPolicy guarded = TestPolicy();
  guarded.allow_private_addresses = false;
  FetchResult first = FetchOne(*f, site.server->Url("/hello.txt"), open);
  REQUIRE(first.outcome == FetchOutcome::kOk);
  FetchResult second = FetchOne(*f, site.server->Url("/hello.txt"), guarded);
  INFO(Describe(second));
  CHECK(second.outcome == FetchOutcome::kAddressDenied);
  CHECK(second.error.find("127.0.0.1") != std::string::npos);
  CHECK(site.server->TotalRequests() == 1);
  // And the permissive source still gets its answers.
  CHECK(FetchOne(*f, site.server->Url("/hello.txt"), open).outcome == FetchOutcome::kOk);
}

TEST_CASE("a configured proxy's own address is allowed", "[fetch][guard]") {
  // Nothing listens on the proxy port: the connection fails as a network error, not as
  // a refusal by the guard. No request leaves this machine.
  auto f = QuickFetcher();
  FetchPolicy p = TestPolicy();
  p.allow_private_addresses = false;
  p.max_retries = 0;
  p.proxy = "http://127.0.0.1:" + std::to_string(ClosedPort());
  FetchResult r = FetchOne(*f, "http://leakwatch-test.invalid/", p);
  INFO(Describe(r));
  CHECK(r.outcome == FetchOutcome::kNetworkError);
}

}  // namespace lw

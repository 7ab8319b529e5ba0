// Source health: each state reached from the fetches that cause it, each change reported
// once (on_health_change, which the CLI turns into a source_health alert event).
#include <catch2/catch.hpp>

#include "crawler/blocked.h"
#include "tests/crawl_fixture.h"

using namespace lw;

namespace {

const std::string kList = "http://paste.test/archive";

SourceConfig Source() {
  auto s = Listing("pastes", kList, R"(^http://paste\.test/view/(\w+)$)", R"(http://paste.test/raw/\1)");
  s.stale_after_ms = 2 * 86400 * 1000;
  return s;
}

CrawlOptions Force() {
  CrawlOptions o;
  o.force = true;
  return o;
}

std::string Health(Fixture& f) {
  auto s = LoadSourceRunState(*f.store, "pastes");
  REQUIRE(s);
  return CurrentHealth(*s, Source(), f.clock.Now());
}

}  // namespace

TEST_CASE("health: ok, blocked, empty, stale and error, each change reported once") {
  Fixture f;
  CHECK(Health(f) == "never");
  f.fetcher.SetBody(kList, "<a href='/view/A1'>a</a><a href='/view/A2'>b</a>");
  f.fetcher.SetBody("http://paste.test/raw/A1", "li.na@qq.com", "text/plain");
  f.fetcher.SetBody("http://paste.test/raw/A2", "x", "text/plain");
  REQUIRE(f.Crawl({Source()}));
  CHECK(Health(f) == "ok");
  CHECK(f.health_changes.empty());  // never -> ok is how every source starts

  // A 403: blocked, reported once however often it repeats.
  f.fetcher.SetStatus(kList, 403);
  REQUIRE(f.Crawl({Source()}, Force()));
  REQUIRE(f.Crawl({Source()}, Force()));
  CHECK(Health(f) == "blocked");
  CHECK(f.health_changes == std::vector<std::string>{"ok->blocked (http://paste.test/archive: HTTP 403)"});

  // A Cloudflare challenge with 200 instead of the listing: still blocked, no new event.
  f.fetcher.SetBody(kList, "<html><head><title>Just a moment...</title></head><body>Checking</body></html>");
  auto challenged = f.Crawl({Source()}, Force());
  REQUIRE(challenged);
  CHECK(challenged->sources[0].error == "http://paste.test/archive: blocked: a Cloudflare challenge page");
  CHECK(f.health_changes.size() == 1);

  // The listing is back with the same items: ok.
  f.fetcher.SetBody(kList, "<a href='/view/A1'>a</a><a href='/view/A2'>b</a>");
  REQUIRE(f.Crawl({Source()}, Force()));
  CHECK(Health(f) == "ok");
  // Then it lists nothing, where earlier runs had items: empty.
  f.fetcher.SetBody(kList, "<html><body><p>No pastes.</p></body></html>");
  REQUIRE(f.Crawl({Source()}, Force()));
  CHECK(Health(f) == "empty");
  // A login wall where the items were: blocked.
  f.fetcher.SetBody(kList, "<form action=/login><input name=u><input type=\"password\" name=p></form>");
  REQUIRE(f.Crawl({Source()}, Force()));
  CHECK(Health(f) == "blocked");
  // A network failure: error.
  f.fetcher.SetFailure(kList, FetchOutcome::kNetworkError, "connection refused");
  REQUIRE(f.Crawl({Source()}, Force()));
  CHECK(Health(f) == "error");
  CHECK(f.health_changes == std::vector<std::string>{
                                "ok->blocked (http://paste.test/archive: HTTP 403)",
                                "blocked->ok",
                                "ok->empty",
                                "empty->blocked (http://paste.test/archive: blocked: a login page)",
                                "blocked->error (http://paste.test/archive: network-error: connection refused)",
                            });

  // Listed again, nothing new for longer than stale_after: stale, shown between runs too.
  f.health_changes.clear();
  f.fetcher.SetBody(kList, "<a href='/view/A1'>a</a><a href='/view/A2'>b</a><p>Log in: <input type=password></p>");
  REQUIRE(f.Crawl({Source()}, Force()));
  CHECK(Health(f) == "ok");  // a login box beside the items is only a sidebar
  f.clock.Advance(3 * 86400);
  CHECK(Health(f) == "stale");
  REQUIRE(f.Crawl({Source()}, Force()));
  CHECK(Health(f) == "stale");
  // Something new: ok again.
  f.fetcher.SetBody(kList, "<a href='/view/A1'>a</a><a href='/view/A3'>c</a>");
  f.fetcher.SetBody("http://paste.test/raw/A3", "y", "text/plain");
  REQUIRE(f.Crawl({Source()}, Force()));
  CHECK(Health(f) == "ok");
  CHECK(f.health_changes == std::vector<std::string>{"error->ok", "ok->stale", "stale->ok"});
}

TEST_CASE("health: blocked statuses and challenge signatures") {
  auto reason = [](long status, std::string body, bool missing = true) {
    FetchResult r;
    r.outcome = FetchOutcome::kOk;
    r.status = status;
    r.body = std::move(body);
    return BlockedReason(r, missing);
  };
  for (long status : {401, 403, 429, 503}) CHECK(reason(status, "") == "HTTP " + std::to_string(status));
  CHECK(reason(404, "") == "");
  CHECK(reason(500, "") == "");
  CHECK(reason(200, "<title>Just a moment...</title>") == "a Cloudflare challenge page");
  CHECK(reason(200, "<div>DDoS-Guard</div>") == "a DDoS-Guard challenge page");
  CHECK(reason(200, "<p>请输入验证码</p>") == "a captcha page (请输入验证码)");
  CHECK(reason(200, "<script src=/cdn-cgi/challenge-platform/x.js></script>", false) == "");
  CHECK(reason(200, "<input type=password>", false) == "");
  CHECK(reason(200, "<p>ordinary page</p>") == "");
  FetchResult later;
  later.outcome = FetchOutcome::kRetryLater;
  CHECK(BlockedReason(later, true) == "rate limited or unavailable (429/503 after retries)");
}

TEST_CASE("health: a feed or channel that turns into a challenge page is blocked, not malformed") {
  Fixture f;
  SourceConfig feed;
  feed.name = "forum";
  feed.kind = "feed";
  feed.url = "http://forum.test/rss";
  f.fetcher.SetBody(feed.url, "<html><head><title>Just a moment...</title></head></html>", "text/html");
  auto r = f.Crawl({feed});
  REQUIRE(r);
  CHECK(r->sources[0].error == "http://forum.test/rss: blocked: a Cloudflare challenge page");
  CHECK(f.health_changes == std::vector<std::string>{"never->blocked (http://forum.test/rss: blocked: a Cloudflare challenge page)"});
}

#include "crawler/crawl.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "crawler/source_kind.h"
#include "tests/crawl_fixture.h"

namespace fs = std::filesystem;
using namespace lw;

namespace {

const std::string kArchive = "http://paste.test/archive";
const std::string kArchive2 = "http://paste.test/archive?page=2";

// A paste archive over two pages (a third exists but max_pages is 2), items rewritten
// from /view/ID to /raw/ID.
void ScriptArchive(FakeFetcher& f) {
  f.SetBody(kArchive,
            "<html><body><h1>Archive</h1><a href='/view/AAAA0001'>one</a> <a href='/view/AAAA0002#c'>two</a>"
            "<a href='/view/AAAA0001'>one again</a><a href='/faq'>faq</a><a href='?page=2'>next</a></body></html>");
  f.SetBody(kArchive2,
            "<html><body><a href='/view/AAAA0003'>three</a><a href='/archive'>first</a>"
            "<a href='/archive?page=3'>next</a></body></html>");
  f.SetBody("http://paste.test/archive?page=3", "<a href='/view/AAAA0004'>four</a>");
  f.SetBody("http://paste.test/raw/AAAA0001", "combo\nzhang.wei@icloud.com:Secret1!\n", "text/plain");
  f.SetBody("http://paste.test/raw/AAAA0002", "nothing here <b>not html</b> 13800138000\n", "text/plain; charset=utf-8");
  f.SetBody("http://paste.test/raw/AAAA0003", "unwatched@example.com and li.na@qq.com\n", "text/plain");
}

SourceConfig ArchiveSource() {
  auto s = Listing("pastes", kArchive, R"(^http://paste\.test/view/([A-Z0-9]{8})$)", R"(http://paste.test/raw/\1)",
                   R"(/archive\?page=\d+$)");
  s.max_pages = 2;
  return s;
}

}  // namespace

TEST_CASE("crawl: listing with pagination, item rewrite, documents handed on with their URL") {
  Fixture f;
  ScriptArchive(f.fetcher);
  auto report = f.Crawl({ArchiveSource()});
  REQUIRE(report);
  CHECK(f.fetcher.urls() == std::vector<std::string>{kArchive, kArchive2, "http://paste.test/raw/AAAA0001",
                                                      "http://paste.test/raw/AAAA0002",
                                                      "http://paste.test/raw/AAAA0003"});
  CHECK(f.fetcher.batches == std::vector<size_t>{1, 1, 3});  // the items in one batch
  CHECK(f.fetcher.concurrencies.back() == 8);
  REQUIRE(report->sources.size() == 1);
  const SourceReport& r = report->sources[0];
  CHECK(r.ran);
  CHECK(r.ok);
  CHECK(r.items == 3);
  CHECK(r.errors == 0);
  CHECK(f.NewExposures("pastes") == 3);
  CHECK(f.Exposures() == std::set<std::pair<std::string, std::string>>{
                             {"pastes", "http://paste.test/raw/AAAA0001"},
                             {"pastes", "http://paste.test/raw/AAAA0002"},
                             {"pastes", "http://paste.test/raw/AAAA0003"}});
  // text/plain is not parsed as HTML.
  CHECK(f.texts["http://paste.test/raw/AAAA0002"] == "nothing here <b>not html</b> 13800138000\n");

  auto state = f.State("pastes");
  CHECK(state.outcome == "ok");
  CHECK(state.last_start == kT0);
  CHECK(state.items_last_run == 3);
  CHECK(state.items_total == 3);
  CHECK(state.next_due == kT0 + 600);
  // Item markers carry "seen", which [store] retain prunes by; source and URL state do not.
  auto prunable = f.store->Prune(kT0 + 1, /*dry_run=*/true);
  REQUIRE(prunable);
  CHECK(prunable->crawl_entries == 3);
}

TEST_CASE("crawl: items are not fetched again; only new items are") {
  Fixture f;
  ScriptArchive(f.fetcher);
  REQUIRE(f.Crawl({ArchiveSource()}));
  f.fetcher.Clear();
  f.clock.Advance(600);
  auto again = f.Crawl({ArchiveSource()});
  REQUIRE(again);
  CHECK(f.fetcher.urls() == std::vector<std::string>{kArchive, kArchive2});
  CHECK(again->sources[0].items == 0);
  CHECK(again->sources[0].skipped == 3);

  // A new paste appears on the first page: only it is fetched.
  f.fetcher.SetBody(kArchive, "<a href='/view/AAAA0009'>new</a><a href='/view/AAAA0001'>old</a>");
  f.fetcher.SetBody("http://paste.test/raw/AAAA0009", "wang.fang@163.com", "text/plain");
  f.fetcher.Clear();
  f.clock.Advance(600);
  auto third = f.Crawl({ArchiveSource()});
  REQUIRE(third);
  CHECK(f.fetcher.urls() == std::vector<std::string>{kArchive, "http://paste.test/raw/AAAA0009"});
  CHECK(third->sources[0].items == 1);
  CHECK(f.State("pastes").items_total == 4);
}

TEST_CASE("crawl: conditional GET for listings; 304 means nothing new") {
  Fixture f;
  FakeResponse listing;
  listing.body = "<a href='http://paste.test/view/AAAA0001'>1</a>";
  listing.etag = "\"v1\"";
  listing.last_modified = "Sat, 01 Nov 2026 10:00:00 GMT";
  f.fetcher.Set(kArchive, listing);
  f.fetcher.SetBody("http://paste.test/raw/AAAA0001", "li.na@qq.com", "text/plain");
  auto source = ArchiveSource();
  REQUIRE(f.Crawl({source}));
  CHECK(f.fetcher.requests_made[0].etag.empty());
  f.fetcher.Clear();
  CrawlOptions force;
  force.force = true;
  auto again = f.Crawl({source}, force);
  REQUIRE(again);
  REQUIRE(f.fetcher.requests_made.size() == 1);
  CHECK(f.fetcher.requests_made[0].etag == "\"v1\"");
  CHECK(f.fetcher.requests_made[0].last_modified == "Sat, 01 Nov 2026 10:00:00 GMT");
  CHECK(again->sources[0].ok);
  CHECK(again->sources[0].items == 0);
}

TEST_CASE("crawl: json sources, a bare array or an object holding one") {
  Fixture f;
  f.fetcher.SetBody("http://api.test/pastes",
                    R"([{"key":"a","scrape_url":"http://api.test/raw/a"},{"scrape_url":"/raw/b"},)"
                    R"({"no_url":1},{"scrape_url":"mailto:x@y"},{"scrape_url":42},"str"])",
                    "application/json");
  f.fetcher.SetBody("http://api2.test/v1/list?limit=10",
                    R"({"count":2,"meta":{"items":"not this"},"data":[{"paste":{"url":"http://api2.test/p/1"}}],)"
                    R"("later":[{"paste":{"url":"http://api2.test/p/2"}}]})",
                    "application/json");
  f.fetcher.SetBody("http://api.test/raw/a", "zhang.wei@me.com", "text/plain");
  f.fetcher.SetBody("http://api.test/raw/b", "nothing", "text/plain");
  f.fetcher.SetBody("http://api2.test/p/1", "<p>phone +86 138 0013 8000</p>", "text/html");
  f.fetcher.SetBody("http://api2.test/p/2", "li.na@qq.com", "text/plain");
  auto report = f.Crawl({Json("api", "http://api.test/pastes", "scrape_url"),
                         Json("api2", "http://api2.test/v1/list?limit=10", "paste.url")});
  REQUIRE(report);
  CHECK(report->sources[0].items == 2);
  CHECK(report->sources[1].items == 1);
  CHECK(f.fetcher.CountRequests("http://api2.test/p/2") == 0);  // not in the first array
  CHECK(f.fetcher.batches == std::vector<size_t>{2, 3});        // both indexes, then all items at once
  CHECK(f.texts["http://api2.test/p/1"] == "phone +86 138 0013 8000\n");
  CHECK(f.Exposures() == std::set<std::pair<std::string, std::string>>{{"api", "http://api.test/raw/a"},
                                                                       {"api2", "http://api2.test/p/1"}});
}

TEST_CASE("crawl: malformed JSON is a source error") {
  Fixture f;
  f.fetcher.SetBody("http://api.test/pastes", "[{\"scrape_url\": \"http://api.test/raw/a\"", "application/json");
  f.fetcher.SetBody("http://api.test/obj", "{\"a\": 1}", "application/json");
  auto report = f.Crawl({Json("api", "http://api.test/pastes", "scrape_url"), Json("obj", "http://api.test/obj", "u")});
  REQUIRE(report);
  CHECK_FALSE(report->sources[0].ok);
  CHECK_THAT(report->sources[0].error, Catch::Contains("malformed JSON"));
  CHECK_THAT(report->sources[1].error, Catch::Contains("no array"));
  CHECK(f.State("api").outcome == "error");
  CHECK(f.State("api").errors_last_run == 1);
}

TEST_CASE("crawl: page sources go to the sink only when their content changed") {
  Fixture f;
  const std::string url = "http://board.test/leaks.html";
  f.fetcher.SetBody(url, "<p>today: zhang.wei@icloud.com</p>");
  auto page = Page("board", url);
  REQUIRE(f.Crawl({page}));
  CHECK(f.documents == std::vector<std::string>{url});
  CHECK(f.NewExposures("board") == 1);

  CrawlOptions force;
  force.force = true;
  auto same = f.Crawl({page}, force);  // same bytes, no validators
  REQUIRE(same);
  CHECK(same->sources[0].items == 0);
  CHECK(f.documents.size() == 1);

  FakeResponse changed;
  changed.body = "<p>today: zhang.wei@icloud.com and 13800138000</p>";
  changed.etag = "W/\"2\"";
  f.fetcher.Set(url, changed);
  REQUIRE(f.Crawl({page}, force));
  CHECK(f.documents.size() == 2);

  f.fetcher.Clear();
  auto not_modified = f.Crawl({page}, force);
  REQUIRE(not_modified);
  CHECK(f.fetcher.requests_made.at(0).etag == "W/\"2\"");
  CHECK(f.documents.size() == 2);
  CHECK(f.store->ExposuresSince(0)->size() == 3);  // one in the first content, two in the second
}

TEST_CASE("crawl: a failing source is recorded and does not stop the others") {
  Fixture f;
  ScriptArchive(f.fetcher);
  f.fetcher.SetFailure("http://market.test/", FetchOutcome::kAddressDenied, "127.0.0.1 is a private address");
  f.fetcher.SetStatus("http://down.test/", 503);
  f.fetcher.SetFailure("http://robots.test/", FetchOutcome::kRobotsDenied, "disallowed by robots.txt");
  auto report = f.Crawl({Listing("market", "http://market.test/", "item"), ArchiveSource(),
                         Page("down", "http://down.test/"), Page("robots", "http://robots.test/")});
  REQUIRE(report);
  REQUIRE(report->sources.size() == 4);
  CHECK_FALSE(report->sources[0].ok);
  CHECK(report->sources[0].error == "http://market.test/: address-denied: 127.0.0.1 is a private address");
  CHECK(report->sources[1].ok);
  CHECK(report->sources[1].items == 3);
  CHECK(report->sources[2].error == "http://down.test/: HTTP 503");
  CHECK_THAT(report->sources[3].error, Catch::Contains("robots-denied"));
  auto state = f.State("market");
  CHECK(state.outcome == "error");
  CHECK_THAT(state.error, Catch::Contains("address-denied"));
  CHECK(state.errors_total == 1);
  CHECK(f.State("pastes").outcome == "ok");
}

TEST_CASE("crawl: failed items are retried next run, gone items are not; listing kept unconditional") {
  Fixture f;
  FakeResponse listing;
  listing.body = "<a href='/view/AAAA0001'>1</a><a href='/view/AAAA0002'>2</a><a href='/view/AAAA0003'>3</a>";
  listing.etag = "\"L\"";
  f.fetcher.Set(kArchive, listing);
  f.fetcher.SetBody("http://paste.test/raw/AAAA0001", "li.na@qq.com", "text/plain");
  f.fetcher.SetStatus("http://paste.test/raw/AAAA0002", 500);
  f.fetcher.SetFailure("http://paste.test/raw/AAAA0003", FetchOutcome::kTimeout, "30s");
  f.fetcher.SetStatus("http://paste.test/raw/AAAA0004", 404);
  auto source = ArchiveSource();
  auto first = f.Crawl({source});
  REQUIRE(first);
  CHECK(first->sources[0].ok);  // the listing was read; item failures are counted
  CHECK(first->sources[0].items == 1);
  CHECK(first->sources[0].errors == 2);
  CHECK(first->sources[0].error == "item: HTTP 500");

  f.fetcher.SetBody("http://paste.test/raw/AAAA0002", "wang.fang@163.com", "text/plain");
  f.fetcher.SetBody("http://paste.test/raw/AAAA0003", "nothing", "text/plain");
  listing.body += "<a href='/view/AAAA0004'>4</a>";
  f.fetcher.Set(kArchive, listing);
  f.fetcher.Clear();
  CrawlOptions force;
  force.force = true;
  auto second = f.Crawl({source}, force);
  REQUIRE(second);
  // No If-None-Match: the last run left items behind.
  CHECK(f.fetcher.requests_made.at(0).etag.empty());
  CHECK(f.fetcher.urls() == std::vector<std::string>{kArchive, "http://paste.test/raw/AAAA0002",
                                                      "http://paste.test/raw/AAAA0003",
                                                      "http://paste.test/raw/AAAA0004"});
  CHECK(second->sources[0].items == 2);
  CHECK(second->sources[0].errors == 1);  // the 404

  f.fetcher.Clear();
  listing.etag = "\"L2\"";
  listing.body += " ";
  f.fetcher.Set(kArchive, listing);
  auto third = f.Crawl({source}, force);
  REQUIRE(third);
  CHECK(f.fetcher.urls() == std::vector<std::string>{kArchive});  // the 404 is not asked again
  CHECK(third->sources[0].skipped == 4);
  // Now everything was handed on: the validators are kept and sent.
  f.fetcher.Clear();
  REQUIRE(f.Crawl({source}, force));
  CHECK(f.fetcher.requests_made.at(0).etag == "\"L2\"");
}

TEST_CASE("crawl: schedules, --force and the source filter") {
  Fixture f;
  ScriptArchive(f.fetcher);
  f.fetcher.SetBody("http://board.test/", "<p>x</p>");
  auto pastes = ArchiveSource();                      // every 10m
  auto board = Page("board", "http://board.test/");
  board.every_ms = 3600 * 1000;                       // every 1h
  std::vector<SourceConfig> sources{pastes, board};
  REQUIRE(f.Crawl(sources));
  CHECK(f.State("board").next_due == kT0 + 3600);

  f.fetcher.Clear();
  f.clock.Advance(569);  // every 10m, less 30s of slack for cron's jitter
  auto early = f.Crawl(sources);
  REQUIRE(early);
  CHECK(f.fetcher.requests_made.empty());
  CHECK_FALSE(early->sources[0].ran);
  CHECK(early->sources[0].next_due == kT0 + 600);

  f.clock.Advance(31);
  auto due = f.Crawl(sources);
  REQUIRE(due);
  CHECK(due->sources[0].ran);
  CHECK_FALSE(due->sources[1].ran);
  CHECK(f.fetcher.CountRequests("http://board.test/") == 0);
  CHECK(f.State("pastes").last_start == kT0 + 600);

  f.fetcher.Clear();
  CrawlOptions only_board;
  only_board.force = true;
  only_board.only_sources = {"board"};
  auto forced = f.Crawl(sources, only_board);
  REQUIRE(forced);
  REQUIRE(forced->sources.size() == 1);
  CHECK(forced->sources[0].name == "board");
  CHECK(f.fetcher.urls() == std::vector<std::string>{"http://board.test/"});

  CrawlOptions unknown;
  unknown.only_sources = {"nope"};
  auto bad = f.Crawl(sources, unknown);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Error::Code::kInvalidArgument);
}

TEST_CASE("crawl: --max-duration stops starting fetches; the next run picks up the rest") {
  Fixture f;
  std::string listing;
  for (int i = 1; i <= 5; ++i) {
    std::string id = "AAAA000" + std::to_string(i);
    listing += "<a href='/view/" + id + "'>" + id + "</a>";
    FakeResponse item;
    item.body = i == 5 ? "li.na@qq.com" : "x";
    item.content_type = "text/plain";
    item.latency_ms = 1000;
    f.fetcher.Set("http://paste.test/raw/" + id, item);
  }
  FakeResponse index;
  index.body = listing;
  index.etag = "\"e\"";
  f.fetcher.Set(kArchive, index);
  CrawlOptions options;
  options.max_duration_ms = 2500;
  auto report = f.Crawl({ArchiveSource()}, options);
  REQUIRE(report);
  CHECK(report->deadline_reached);
  CHECK(report->sources[0].items == 3);
  CHECK(report->sources[0].pending == 2);
  CHECK(report->sources[0].errors == 0);
  CHECK(f.State("pastes").pending == 2);
  CHECK(f.State("pastes").outcome == "ok");

  f.fetcher.Clear();
  CrawlOptions force;
  force.force = true;
  auto rest = f.Crawl({ArchiveSource()}, force);
  REQUIRE(rest);
  CHECK(f.fetcher.requests_made.at(0).etag.empty());  // not a 304: items were left
  CHECK(f.fetcher.urls().size() == 3);
  CHECK(rest->sources[0].items == 2);
  CHECK(f.NewExposures("pastes") == 1);

  // A deadline already past before anything starts: nothing is fetched, nothing fails.
  f.fetcher.Clear();
  options.force = true;
  options.max_duration_ms = 1;
  f.fetcher.now_ms += 0;
  FakeResponse slow = index;
  slow.latency_ms = 5;
  f.fetcher.Set(kArchive, slow);
  auto cut = f.Crawl({ArchiveSource()}, options);
  REQUIRE(cut);
  CHECK(cut->sources[0].ok);
  CHECK(f.fetcher.urls() == std::vector<std::string>{kArchive});
}

TEST_CASE("crawl: an item is marked seen only after the sink accepted it") {
  Fixture f;
  ScriptArchive(f.fetcher);
  f.fail_sink_at = "http://paste.test/raw/AAAA0002";
  auto failed = f.Crawl({ArchiveSource()});
  REQUIRE_FALSE(failed);
  CHECK(failed.error().message == "store write failed");
  f.fail_sink_at.clear();
  f.fetcher.Clear();
  CrawlOptions force;
  force.force = true;
  auto again = f.Crawl({ArchiveSource()}, force);
  REQUIRE(again);
  // Item 1 was recorded before the failure; 2 and 3 were not.
  CHECK(f.fetcher.urls() == std::vector<std::string>{kArchive, kArchive2, "http://paste.test/raw/AAAA0002",
                                                      "http://paste.test/raw/AAAA0003"});
}

TEST_CASE("crawl: GBK broker listing and items are converted before matching") {
  Fixture f;
  // "数据出售" (data for sale) and "手机" (phone) in GBK.
  const std::string sale = "\xCA\xFD\xBE\xDD\xB3\xF6\xCA\xDB";
  const std::string phone = "\xCA\xD6\xBB\xFA";
  f.fetcher.SetBody("http://broker.test/index.html",
                    "<html><head><meta charset=\"gbk\"></head><body><h1>" + sale +
                        "</h1><a href='item/1.html'>1</a><a href='page2.html'>2</a></body></html>",
                    "text/html");
  f.fetcher.SetBody("http://broker.test/page2.html", "<a href='item/2.html'>2</a>", "text/html; charset=GBK");
  f.fetcher.SetBody("http://broker.test/item/1.html",
                    "<html><head><meta http-equiv='Content-Type' content='text/html; charset=gb2312'></head>"
                    "<body><table><tr><td>" + phone + "</td><td>13800138000</td></tr></table></body></html>",
                    "text/html");
  f.fetcher.SetBody("http://broker.test/item/2.html", "<p>" + sale + "\xA3\xBAwang.fang@163.com</p>",
                    "text/html; charset=gbk");
  auto report = f.Crawl({Listing("broker", "http://broker.test/index.html", R"(/item/\d+\.html$)", "",
                                 R"(/page\d+\.html$)")});
  REQUIRE(report);
  CHECK(report->sources[0].items == 2);
  CHECK(f.texts["http://broker.test/item/1.html"] == "手机\t13800138000\n");
  CHECK(f.texts["http://broker.test/item/2.html"] == "数据出售：wang.fang@163.com\n");
  CHECK(f.NewExposures("broker") == 2);
}

TEST_CASE("ops/sources: every example configuration parses") {
  int files = 0;
  for (const auto& entry : fs::directory_iterator(LW_OPS_SOURCES_DIR)) {
    if (entry.path().extension() != ".toml") continue;
    ++files;
    INFO(entry.path().string());
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    auto config = ParseConfig(text.str(), entry.path().filename().string());
    if (!config) FAIL(config.error().message);
    if (auto checked = CheckSources(*config); !checked) FAIL(checked.error().message);
    CHECK_FALSE(config->sources.empty());
  }
  CHECK(files >= 4);
}

TEST_CASE("crawl: robots-denied items are reported once, not on every run") {
  Fixture f;
  FakeResponse listing;
  listing.body = "<a href='/view/AAAA0001'>1</a><a href='/view/AAAA0002'>2</a>";
  listing.etag = "\"r\"";
  f.fetcher.Set(kArchive, listing);
  f.fetcher.SetBody("http://paste.test/raw/AAAA0001", "li.na@qq.com", "text/plain");
  f.fetcher.SetFailure("http://paste.test/raw/AAAA0002", FetchOutcome::kRobotsDenied, "disallowed");
  auto first = f.Crawl({ArchiveSource()});
  REQUIRE(first);
  CHECK(first->sources[0].errors == 1);
  CHECK(first->sources[0].error == "item: robots-denied: disallowed");
  f.fetcher.Clear();
  CrawlOptions force;
  force.force = true;
  auto second = f.Crawl({ArchiveSource()}, force);
  REQUIRE(second);
  CHECK(f.fetcher.requests_made.at(0).etag == "\"r\"");
  CHECK(f.fetcher.urls().size() == 1);
  CHECK(second->sources[0].errors == 0);
}

TEST_CASE("crawl: a truncated body in a multibyte charset still reaches the matcher") {
  Fixture f;
  FakeResponse item;
  item.body = "wang.fang@163.com \xCA\xD6\xBB\xFA";  // ends inside a GBK character once cut
  item.content_type = "text/plain; charset=gbk";
  item.truncate_at = item.body.size() - 1;
  f.fetcher.Set("http://paste.test/raw/AAAA0001", item);
  f.fetcher.SetBody(kArchive, "<a href='/view/AAAA0001'>1</a>");
  auto report = f.Crawl({ArchiveSource()});
  REQUIRE(report);
  CHECK(f.texts["http://paste.test/raw/AAAA0001"] == "wang.fang@163.com \xE6\x89\x8B\xEF\xBF\xBD");
  CHECK(f.NewExposures("pastes") == 1);
}

// The crawl of telegram and feed sources with the fake fetcher: one document per message
// or entry, cursors, back-fill, edits, conditional GET, fetch_items, hostile feeds; and
// the configuration checks each kind makes.
#include <catch2/catch.hpp>

#include "crawler/source_kind.h"
#include "tests/crawl_fixture.h"
#include "tests/telegram_fixture.h"

using namespace lw;

namespace {

const std::string kBase = "http://tg.test";
const std::string kChannelPage = "http://tg.test/s/broker";

SourceConfig Channel(int max_pages = 5) {
  SourceConfig s;
  s.name = "broker";
  s.kind = "telegram";
  s.channel = "broker";
  s.base_url = kBase + "/";
  s.max_pages = max_pages;
  return s;
}

// Posts first..last, each with its own text; id 1 is the service message "channel created".
std::vector<tg::Post> Posts(int64_t first, int64_t last) {
  std::vector<tg::Post> out;
  for (int64_t id = first; id <= last; ++id) {
    tg::Post p;
    p.id = id;
    p.service = id == 1;
    p.text_html = id == 1 ? "Channel created" : "offer number " + std::to_string(id);
    out.push_back(p);
  }
  return out;
}

std::string Before(int64_t id) { return kChannelPage + "?before=" + std::to_string(id); }

CrawlOptions Force() {
  CrawlOptions o;
  o.force = true;
  return o;
}

SourceConfig FeedSource(bool fetch_items = false) {
  SourceConfig s;
  s.name = "forum";
  s.kind = "feed";
  s.url = "http://forum.test/rss";
  s.fetch_items = fetch_items;
  return s;
}

std::string Rss(const std::vector<std::pair<std::string, std::string>>& items) {
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>f</title>";
  for (const auto& [id, text] : items)
    x += "<item><title>t" + id + "</title><link>http://forum.test/t/" + id + "</link><guid>g" + id +
         "</guid><description><![CDATA[<p>" + text + "</p>]]></description></item>";
  return x + "</channel></rss>";
}

}  // namespace

TEST_CASE("telegram: the first run reads back max_pages pages; one document per message") {
  Fixture f;
  auto newest = Posts(21, 40);
  newest[5].text_html = "zhang.wei@icloud.com----Abc12345";  // id 26
  auto older = Posts(1, 20);
  older[2].text_html = "call 13800138000";  // id 3
  f.fetcher.SetBody(kChannelPage, tg::Page("broker", newest, true));
  f.fetcher.SetBody(Before(21), tg::Page("broker", older, false));
  auto report = f.Crawl({Channel()});
  REQUIRE(report);
  CHECK(report->sources[0].ok);
  CHECK(f.fetcher.urls() == std::vector<std::string>{kChannelPage, Before(21)});
  CHECK(report->sources[0].items == 39);  // 40 messages, one a service message
  CHECK(f.documents.size() == 39);
  CHECK(f.texts.count("http://tg.test/broker/1") == 0);
  CHECK(f.texts["http://tg.test/broker/26"] == "zhang.wei@icloud.com----Abc12345");
  CHECK(f.Exposures() == std::set<std::pair<std::string, std::string>>{{"broker", "http://tg.test/broker/26"},
                                                                      {"broker", "http://tg.test/broker/3"}});

  // Later runs read only what is newer than the cursor; an edited message is matched
  // again, an unchanged one never.
  f.fetcher.Clear();
  f.documents.clear();
  auto next = Posts(23, 42);
  next[26 - 23].text_html = "zhang.wei@icloud.com----Abc12345";  // unchanged
  next[30 - 23].text_html = "edited: li.na@qq.com";              // id 30 changed
  f.fetcher.SetBody(kChannelPage, tg::Page("broker", next, true));
  auto second = f.Crawl({Channel()}, Force());
  REQUIRE(second);
  CHECK(f.fetcher.urls() == std::vector<std::string>{kChannelPage});  // nothing older to read
  CHECK(f.documents == std::vector<std::string>{"http://tg.test/broker/30", "http://tg.test/broker/41",
                                                "http://tg.test/broker/42"});
  CHECK(second->sources[0].skipped == 17);
  CHECK(f.Exposures().count({"broker", "http://tg.test/broker/30"}) == 1);

  // The same page again: nothing is matched twice.
  f.fetcher.Clear();
  f.documents.clear();
  auto third = f.Crawl({Channel()}, Force());
  REQUIRE(third);
  CHECK(f.documents.empty());
  CHECK(third->sources[0].items == 0);
}

TEST_CASE("telegram: max_pages bounds the back-fill; a later gap is read back to the cursor") {
  Fixture f;
  f.fetcher.SetBody(kChannelPage, tg::Page("broker", Posts(21, 40), true));
  f.fetcher.SetBody(Before(21), tg::Page("broker", Posts(1, 20), false));
  auto first = f.Crawl({Channel(1)});
  REQUIRE(first);
  CHECK(f.fetcher.urls() == std::vector<std::string>{kChannelPage});
  CHECK(first->sources[0].items == 20);

  // 40 new messages since: two pages, down to the cursor (40), and no further.
  f.fetcher.Clear();
  f.documents.clear();
  f.fetcher.SetBody(kChannelPage, tg::Page("broker", Posts(61, 80), true));
  f.fetcher.SetBody(Before(61), tg::Page("broker", Posts(41, 60), true));
  auto second = f.Crawl({Channel(5)}, Force());
  REQUIRE(second);
  CHECK(f.fetcher.urls() == std::vector<std::string>{kChannelPage, Before(61)});
  CHECK(second->sources[0].items == 40);
}

TEST_CASE("telegram: an interrupted run keeps the old cursor and matches nothing twice") {
  Fixture f;
  f.fetcher.SetBody(kChannelPage, tg::Page("broker", Posts(21, 40), true));
  f.fetcher.SetFailure(Before(21), FetchOutcome::kNetworkError, "reset");
  auto first = f.Crawl({Channel()});
  REQUIRE(first);
  CHECK_FALSE(first->sources[0].ok);
  CHECK(first->sources[0].items == 20);
  f.fetcher.Clear();
  f.documents.clear();
  f.fetcher.SetBody(Before(21), tg::Page("broker", Posts(1, 20), false));
  auto second = f.Crawl({Channel()}, Force());
  REQUIRE(second);
  CHECK(second->sources[0].ok);
  CHECK(f.fetcher.urls() == std::vector<std::string>{kChannelPage, Before(21)});  // cursor not advanced
  CHECK(second->sources[0].items == 19);  // only the older page's messages
  CHECK(second->sources[0].skipped == 20);
}

TEST_CASE("feed: one document per entry at its link; changed entries again, conditional GET") {
  Fixture f;
  FakeResponse r;
  r.body = Rss({{"1", "mail zhang.wei@icloud.com"}, {"2", "nothing"}});
  r.content_type = "application/rss+xml";
  r.etag = "\"v1\"";
  f.fetcher.Set("http://forum.test/rss", r);
  auto first = f.Crawl({FeedSource()});
  REQUIRE(first);
  CHECK(first->sources[0].items == 2);
  CHECK(f.texts["http://forum.test/t/1"] == "t1\nmail zhang.wei@icloud.com");
  CHECK(f.Exposures() == std::set<std::pair<std::string, std::string>>{{"forum", "http://forum.test/t/1"}});

  f.fetcher.Clear();
  f.documents.clear();
  auto second = f.Crawl({FeedSource()}, Force());
  REQUIRE(second);
  REQUIRE(f.fetcher.requests_made.size() == 1);
  CHECK(f.fetcher.requests_made[0].etag == "\"v1\"");  // 304: nothing read
  CHECK(f.documents.empty());

  f.fetcher.Clear();
  r.body = Rss({{"1", "mail zhang.wei@icloud.com"}, {"2", "now 13800138000"}, {"3", "li.na@qq.com"}});
  r.etag = "\"v2\"";
  f.fetcher.Set("http://forum.test/rss", r);
  auto third = f.Crawl({FeedSource()}, Force());
  REQUIRE(third);
  CHECK(f.documents == std::vector<std::string>{"http://forum.test/t/2", "http://forum.test/t/3"});
  CHECK(third->sources[0].skipped == 1);
}

TEST_CASE("feed: fetch_items fetches each new entry's link, filtered by item_pattern") {
  Fixture f;
  f.fetcher.SetBody("http://forum.test/rss", Rss({{"1", "a"}, {"2", "b"}}), "application/rss+xml");
  f.fetcher.SetBody("http://forum.test/raw/1", "wang.fang@163.com", "text/plain");
  auto s = FeedSource(true);
  s.item_pattern = R"(^http://forum\.test/t/(\d+)$)";
  s.item_url = R"(http://forum.test/raw/\1)";
  auto report = f.Crawl({s});
  REQUIRE(report);
  CHECK(f.fetcher.urls() ==
        std::vector<std::string>{"http://forum.test/rss", "http://forum.test/raw/1", "http://forum.test/raw/2"});
  CHECK(f.Exposures() == std::set<std::pair<std::string, std::string>>{{"forum", "http://forum.test/raw/1"}});
}

TEST_CASE("feed: hostile or oversized feeds are a clear source error") {
  Fixture f;
  f.fetcher.SetBody("http://forum.test/rss",
                    "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><rss>&x;</rss>",
                    "application/rss+xml");
  auto report = f.Crawl({FeedSource()});
  REQUIRE(report);
  CHECK_FALSE(report->sources[0].ok);
  CHECK(report->sources[0].error ==
        "http://forum.test/rss: the feed declares XML entities (refused: entity expansion or external entities)");
  f.fetcher.SetFailure("http://forum.test/rss", FetchOutcome::kTooLarge, "body exceeds max_body (20971520 bytes)");
  auto big = f.Crawl({FeedSource()}, Force());
  REQUIRE(big);
  CHECK(big->sources[0].error == "http://forum.test/rss: too-large: body exceeds max_body (20971520 bytes)");
  CHECK(f.documents.empty());
}

TEST_CASE("source kinds: configuration checks name the file, line and key") {
  auto check = [](std::string_view text) {
    auto config = ParseConfig(text, "c.toml");
    if (!config) return config.error().message;
    auto s = CheckSources(*config);
    return s ? std::string("ok") : s.error().message;
  };
  CHECK(check("[[source]]\nname = \"t\"\nkind = \"telegram\"\nchannel = \"broker\"\n") == "ok");
  CHECK(check("[[source]]\nname = \"t\"\nkind = \"telegram\"\n") ==
        "c.toml:1: source.channel: a telegram source needs a channel");
  CHECK(check("[[source]]\nname = \"t\"\nkind = \"telegram\"\nchannel = \"a/b\"\n") ==
        "c.toml:4: source.channel: expected a channel name (letters, digits and _), not 'a/b'");
  CHECK(check("[[source]]\nname = \"t\"\nkind = \"telegram\"\nchannel = \"c\"\nbase_url = \"ftp://x\"\n") ==
        "c.toml:5: source.base_url: expected an http(s) URL");
  CHECK(check("[[source]]\nname = \"f\"\nkind = \"feed\"\nurl = \"https://x/rss\"\nfetch_items = true\n"
              "stale_after = \"2d\"\n") == "ok");
  CHECK(check("[[source]]\nname = \"f\"\nkind = \"feed\"\n") == "c.toml:1: source.url: a feed source needs a url");
  CHECK(check("[[source]]\nname = \"f\"\nkind = \"feed\"\nurl = \"https://x\"\nitem_pattern = \"x\"\n") ==
        "c.toml:5: source.item_pattern: applies to a feed only with fetch_items = true");
  CHECK(check("[[source]]\nname = \"l\"\nkind = \"listing\"\nurl = \"https://x\"\n") ==
        "c.toml:1: source.item_pattern: a listing source needs an item_pattern");
  CHECK(check("[[source]]\nname = \"j\"\nkind = \"json\"\nurl = \"https://x\"\n") ==
        "c.toml:1: source.item_field: a json source needs an item_field");
  CHECK(check("[[source]]\nname = \"x\"\nkind = \"ftp\"\nurl = \"https://x\"\n") ==
        "c.toml:3: source.kind: expected listing, json, page, feed or telegram");
  CHECK(check("[[source]]\nname = \"x\"\nkind = \"page\"\nurl = \"https://x\"\nstale_after = \"1y\"\n")
            .starts_with("c.toml:5: source.stale_after: bad duration"));
}

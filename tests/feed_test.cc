// The feed parser (crawler/feed.h): RSS 2.0, RSS 1.0, Atom, declared encodings, escaped
// HTML, hostile XML, and the real feeds in ../shared/real-world/feeds when present.
#include "crawler/feed.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

using namespace lw;

namespace {

std::string ErrorOf(std::string_view body) {
  auto r = ParseFeed(body, "application/rss+xml", "https://forum.test/rss");
  return r ? std::string("parsed") : r.error().message;
}

std::optional<std::string> RealWorld(const std::string& name) {
  std::filesystem::path p = std::filesystem::path(LW_REAL_WORLD_DIR) / "feeds" / name;
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("feed: RSS 2.0 entries keyed by guid, CDATA, escaped and double-escaped HTML") {
  const std::string rss = R"(<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Leaks</title><link>https://forum.test/</link>
<item><title>Fresh combo</title><link>https://forum.test/t/1</link><guid isPermaLink="false">t-1</guid>
<description><![CDATA[<p>mail <b>zhang.wei@icloud.com</b></p><script>x()</script>]]></description></item>
<item><title>Escaped</title><link>/t/2</link>
<description>&lt;div&gt;phone&lt;br/&gt;13800138000&amp;nbsp;end&lt;/div&gt;</description>
<content:encoded><![CDATA[<p>more</p>]]></content:encoded></item>
<item><title>Twice</title><guid>https://forum.test/t/3</guid>
<description>&amp;lt;b&amp;gt;li.na@qq.com&amp;lt;/b&amp;gt;</description></item>
</channel></rss>)";
  auto entries = ParseFeed(rss, "application/rss+xml", "https://forum.test/rss");
  REQUIRE(entries);
  REQUIRE(entries->size() == 3);
  const FeedEntry& a = (*entries)[0];
  CHECK(a.key == "t-1");
  CHECK(a.link == "https://forum.test/t/1");
  CHECK(a.text == "Fresh combo\nmail zhang.wei@icloud.com");
  const FeedEntry& b = (*entries)[1];
  CHECK(b.key == "https://forum.test/t/2");  // no guid: the link, resolved
  CHECK(b.link == "https://forum.test/t/2");
  CHECK(b.text == "Escaped\nphone\n13800138000 end\nmore");
  const FeedEntry& c = (*entries)[2];
  CHECK(c.key == "https://forum.test/t/3");
  CHECK(c.link == "https://forum.test/t/3");  // a permalink guid is the link
  CHECK(c.text == "Twice\nli.na@qq.com");
}

TEST_CASE("feed: Atom with xml:base and relative links, text and html content; RSS 1.0") {
  const std::string atom = R"(<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://gist.test/u/">
<title>t</title><id>urn:feed</id>
<entry><id>tag:gist.test,2026:1</id><title type="text">a &lt;b&gt; c</title>
<link rel="self" href="https://gist.test/api/1"/><link rel="alternate" href="g1"/>
<content type="html">&lt;p&gt;wang.fang@163.com&lt;/p&gt;</content></entry>
<entry><id>tag:gist.test,2026:2</id><title>x</title><summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>13800138000</p></div></summary></entry>
</feed>)";
  auto entries = ParseFeed(atom, "application/atom+xml", "https://gist.test/feed.atom");
  REQUIRE(entries);
  REQUIRE(entries->size() == 2);
  CHECK((*entries)[0].key == "tag:gist.test,2026:1");
  CHECK((*entries)[0].link == "https://gist.test/u/g1");
  CHECK((*entries)[0].text == "a <b> c\nwang.fang@163.com");
  CHECK((*entries)[1].link == "");
  CHECK((*entries)[1].text == "x\n13800138000");

  const std::string rdf = R"(<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="https://b.test/"><title>b</title></channel>
<item rdf:about="https://b.test/p/9"><title>nine</title><link>https://b.test/p/9</link>
<description>li.na@qq.com</description></item></rdf:RDF>)";
  auto r = ParseFeed(rdf, "application/rdf+xml", "https://b.test/index.rdf");
  REQUIRE(r);
  REQUIRE(r->size() == 1);
  CHECK((*r)[0].key == "https://b.test/p/9");
  CHECK((*r)[0].text == "nine\nli.na@qq.com");
}

TEST_CASE("feed: declared encodings GB2312 (read as GB18030), Big5, Windows-1251, ISO-8859-1") {
  auto feed = [](std::string encoding, std::string title) {
    return "<?xml version=\"1.0\" encoding=\"" + encoding + "\"?><rss version=\"2.0\"><channel><item><title>" +
           title + "</title><guid>1</guid></item></channel></rss>";
  };
  struct Case {
    std::string encoding, bytes, utf8;
  } cases[] = {
      {"gb2312", "\xD5\xC5\xCE\xB0", "张伟"},
      {"GB2312", "\x95\x4E", "昇"},  // a GBK-only character under a GB2312 label
      {"gbk", "\xD5\xC5\xCE\xB0", "张伟"},
      {"big5", "\xB8\xEA\xAE\xC6", "資料"},
      {"windows-1251", "\xCF\xF0\xE8\xE2\xE5\xF2", "Привет"},
      {"ISO-8859-1", "Not\xEDsias", "Notísias"},
  };
  for (const Case& c : cases) {
    INFO(c.encoding);
    auto r = ParseFeed(feed(c.encoding, c.bytes), "application/xml", "https://x.test/");
    REQUIRE(r);
    REQUIRE(r->size() == 1);
    CHECK((*r)[0].text == c.utf8);
  }
  // No declaration: the HTTP charset applies.
  auto r = ParseFeed("<rss><channel><item><title>\xD5\xC5</title></item></channel></rss>", "text/xml; charset=GBK",
                     "https://x.test/");
  REQUIRE(r);
  CHECK((*r)[0].text == "张");
}

TEST_CASE("feed: hostile XML is refused with a clear error, without expanding or loading anything") {
  const std::string laughs = R"(<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
<!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">]>
<rss><channel><item><title>&i;</title></item></channel></rss>)";
  CHECK(ErrorOf(laughs) == "the feed declares XML entities (refused: entity expansion or external entities)");
  const std::string external = R"(<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss><channel><item><title>&xxe;</title></item></channel></rss>)";
  CHECK(ErrorOf(external) == "the feed declares XML entities (refused: entity expansion or external entities)");
  // The same in UTF-16, which a byte scan for "<!ENTITY" does not see: caught on the tree.
  std::string utf16 = "\xFF\xFE";
  for (char c : external) {
    utf16 += c;
    utf16 += '\0';
  }
  CHECK(ErrorOf(utf16) == "the feed declares XML entities (refused: entity expansion or external entities)");
  // An external DTD is neither fetched nor read: its entity stays unresolved, empty.
  const std::string dtd = R"(<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "file:///etc/passwd"><rss><channel><item><title>&x;</title><guid>1</guid></item></channel></rss>)";
  auto unresolved = ParseFeed(dtd, "application/rss+xml", "https://forum.test/rss");
  REQUIRE(unresolved);
  REQUIRE(unresolved->size() == 1);
  CHECK((*unresolved)[0].text == "");
  // Deep nesting stops at libxml2's limit.
  std::string deep = "<rss><channel><item><description>";
  for (int i = 0; i < 100000; ++i) deep += "<a>";
  CHECK(ErrorOf(deep).starts_with("malformed feed: line 1: Excessive depth"));
  CHECK(ErrorOf("<html><body>Just a moment...</body></html>").starts_with("not a feed: the root element is <html>"));
  CHECK(ErrorOf("").starts_with("malformed feed"));
  CHECK(ErrorOf("<rss><channel><item>").starts_with("malformed feed: line 1:"));
}

TEST_CASE("feed: the real feeds in ../shared/real-world/feeds") {
  struct Case {
    std::string file;
    size_t entries;
    std::string needle;  // in some entry's text
  } cases[] = {
      {"chardet_GB2312_softsea.net.rss2.xml", 100, "Trojan Remover"},
      {"chardet_GB2312_jjgod.3322.org.rss2.xml", 10, ""},
      {"chardet_windows-1251_forum.template-toolkit.ru.6.rss2.xml", 20, "Template Toolkit"},
      {"rss-parser_reddit.rss", 25, "submitted by"},
      {"rss-parser_gulp-releases.atom", 10, "3.9.0"},
      {"rss-parser_jn.pt.iso-8859-1.rss", 40, ""},
  };
  int found = 0;
  for (const Case& c : cases) {
    auto body = RealWorld(c.file);
    if (!body) continue;
    ++found;
    INFO(c.file);
    auto entries = ParseFeed(*body, "application/xml", "https://real.test/feed");
    if (!entries) FAIL(entries.error().message);
    CHECK(entries->size() == c.entries);
    bool needle = c.needle.empty();
    for (const FeedEntry& e : *entries) {
      CHECK_FALSE(e.key.empty());
      CHECK(e.text.find("&lt;") == std::string::npos);  // escaped HTML became text
      CHECK(e.text.find("&nbsp;") == std::string::npos);
      CHECK(e.text.find("\xEF\xBF\xBD") == std::string::npos);  // decoded without replacement characters
      needle = needle || e.text.find(c.needle) != std::string::npos;
    }
    CHECK(needle);
  }
  if (found == 0) WARN("../shared/real-world/feeds is absent: skipped");
  if (auto gulp = RealWorld("rss-parser_gulp-releases.atom")) {
    auto entries = ParseFeed(*gulp, "application/atom+xml", "https://github.com/gulpjs/gulp/releases.atom");
    REQUIRE(entries);
    CHECK(entries->front().link == "https://github.com/gulpjs/gulp/releases/tag/v3.9.0");
    CHECK(entries->front().key == "tag:github.com,2008:Repository/11167738/v3.9.0");
  }
}

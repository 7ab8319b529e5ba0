#include "crawler/html_text.h"

#include <re2/re2.h>

#include <catch2/catch.hpp>

#include "crawler/url.h"

using namespace lw;

namespace {
const std::string kFffd = "\xEF\xBF\xBD";
bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}
}  // namespace

TEST_CASE("html: visible text only, blocks and <br> end lines") {
  std::string text = HtmlToText(
      "<!doctype html><html><head><title>Dump #1</title><meta charset=utf-8>"
      "<style>p { color: red }</style><script>var leak = 'hidden@example.com';</script></head>"
      "<body><p>Hello   <b>world</b>\n again</p><div>line two</div>a<br>b"
      "<noscript>enable js</noscript><template><p>tmpl</p></template><!-- comment -->"
      "<ul><li>one</li><li>two</li></ul>"
      "<table><tr><td>x@qq.com</td><td>pass123</td></tr><tr><th>h1</th><th>h2</th></tr></table>"
      "</body></html>");
  CHECK(text == "Dump #1\nHello world again\nline two\na\nb\none\ntwo\nx@qq.com\tpass123\nh1\th2\n");
  CHECK_FALSE(Contains(text, "hidden@example.com"));
  CHECK_FALSE(Contains(text, "color"));
  CHECK_FALSE(Contains(text, "enable js"));
  CHECK_FALSE(Contains(text, "tmpl"));
  CHECK_FALSE(Contains(text, "comment"));
}

TEST_CASE("html: <pre> and <textarea> are verbatim, entities decoded") {
  std::string text = HtmlToText(
      "<p>a &amp; b &lt;c&gt; zhang&#64;qq.com&nbsp;x &#x4E2D;&eacute;</p>"
      "<pre>\nuser:  a@b.com\n  pass:\tsecret\n</pre>"
      "<textarea>  line 1\n\n  line 3</textarea><p>after</p>");
  CHECK(Contains(text, "a & b <c> zhang@qq.com x \u4E2D\u00E9\n"));
  CHECK(Contains(text, "\nuser:  a@b.com\n  pass:\tsecret\n"));
  CHECK(Contains(text, "  line 1\n\n  line 3\nafter\n"));
}

TEST_CASE("html: broken markup still yields its text") {
  CHECK(HtmlToText("<div><p>unclosed <b>bold<p>next") == "unclosed bold\nnext\n");
  CHECK(HtmlToText("") == "");
  CHECK(HtmlToText(std::string("a\0b", 3)).size() >= 2);
  // Deep nesting does not recurse on the call stack.
  std::string deep;
  for (int i = 0; i < 20000; ++i) deep += "<span>";
  deep += "deep";
  CHECK(HtmlToText(deep) == "deep\n");
}

TEST_CASE("html: links resolved against <base>, http(s) only, deduplicated, no fragments") {
  std::string html =
      "<html><head><base href='/pastes/'><link rel='stylesheet' href='s.css'>"
      "<link rel='Next' href='?page=2'></head><body>"
      "<a href='view/AAAA1111.html'>1</a><a href='view/AAAA1111.html#top'>1 again</a>"
      "<a href=' https://other.example/x?y=1 '>abs</a><a href='//cdn.example/z'>scheme-relative</a>"
      "<a href='../up.html'>up</a><a href='mailto:a@b.com'>mail</a><a href='javascript:void(0)'>js</a>"
      "<a href='ftp://files.example/f'>ftp</a><a>no href</a><area href='map.html'></body></html>";
  auto links = ExtractLinks(html, "http://127.0.0.1:8080/site/index.html");
  std::vector<std::string> want = {
      "http://127.0.0.1:8080/pastes/?page=2",        "http://127.0.0.1:8080/pastes/view/AAAA1111.html",
      "https://other.example/x?y=1",                 "http://cdn.example/z",
      "http://127.0.0.1:8080/up.html",               "http://127.0.0.1:8080/pastes/map.html",
  };
  CHECK(links == want);
  // Without <base>, the page URL is the base.
  CHECK(ExtractLinks("<a href='b.html'>b</a>", "https://h.example/a/index.html") ==
        std::vector<std::string>{"https://h.example/a/b.html"});
}

TEST_CASE("charset: Content-Type, <meta charset>, http-equiv and BOM") {
  const std::string gbk = "\xD6\xD0\xCE\xC4";  // 中文 in GBK
  CHECK(*ToUtf8(gbk, "text/html; charset=GBK") == "中文");
  CHECK(*ToUtf8(gbk, "text/plain;charset=\"gb2312\"") == "中文");
  CHECK(*ToUtf8("<html><head><meta charset=\"gbk\"></head><body>" + gbk + "</body>", "text/html") ==
        "<html><head><meta charset=\"gbk\"></head><body>中文</body>");
  CHECK(Contains(*ToUtf8("<html><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb18030\">" + gbk, ""),
                 "中文"));
  CHECK(DetectCharset("<META HTTP-EQUIV='content-type' CONTENT='text/html; charset=Big5'>", "text/html") == "big5");
  CHECK(*ToUtf8("\xA4\xA4\xA4\xE5", "text/html; charset=big5") == "中文");
  CHECK(*ToUtf8("\x93\xFA\x96\x7B", "text/html; charset=Shift_JIS") == "日本");
  CHECK(*ToUtf8("\xC6\xFC\xCB\xDC", "text/html; charset=euc-jp") == "日本");
  CHECK(*ToUtf8("\xC7\xD1", "text/html; charset=euc-kr") == "한");
  CHECK(*ToUtf8("caf\xE9 \x80", "text/html; charset=iso-8859-1") == "café €");
  CHECK(*ToUtf8("\xEF\xBB\xBFplain", "") == "plain");
  CHECK(*ToUtf8(std::string("\xFF\xFEh\0i\0", 6), "text/plain") == "hi");
  // A <meta> in a text/plain paste is not a declaration.
  CHECK(DetectCharset("<meta charset=gbk>", "text/plain") == "");
}

TEST_CASE("charset: invalid bytes become U+FFFD, never an error") {
  CHECK(*ToUtf8("abc\xFF" "def", "text/plain") == "abc" + kFffd + "def");
  CHECK(*ToUtf8("\xC3", "") == kFffd);
  CHECK(*ToUtf8("\xED\xA0\x80", "") == kFffd + kFffd + kFffd);  // a surrogate
  CHECK(*ToUtf8("\xD6\xD0\xFF" "x", "text/html; charset=gbk") == "中" + kFffd + "x");
  CHECK(*ToUtf8("a\xD6", "text/html; charset=gbk") == "a" + kFffd);  // truncated at the end
  CHECK(*ToUtf8("ok\xFF", "text/html; charset=no-such-charset") == "ok" + kFffd);
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (const char* cs : {"utf-8", "gbk", "big5", "shift_jis", "euc-jp", "euc-kr", "windows-1252", "utf-16le"})
    CHECK(ToUtf8(all + all, std::string("text/html; charset=") + cs).has_value());
}

TEST_CASE("html: LooksLikeHtml by Content-Type, else by the first bytes") {
  CHECK(LooksLikeHtml("text/html; charset=utf-8", "anything"));
  CHECK(LooksLikeHtml("application/xhtml+xml", ""));
  CHECK_FALSE(LooksLikeHtml("text/plain", "<html><body>x</body></html>"));
  CHECK_FALSE(LooksLikeHtml("application/json", "[]"));
  CHECK(LooksLikeHtml("", "  <!DOCTYPE html><html>"));
  CHECK(LooksLikeHtml("application/octet-stream", "<p>x</p>"));
  CHECK_FALSE(LooksLikeHtml("", "user@example.com:password"));
  CHECK_FALSE(LooksLikeHtml("", "<pre-formatted"));
}

TEST_CASE("url: ResolveUrl, HostKey, StripFragment") {
  CHECK(*ResolveUrl("http://h.example/a/b.html", "c.html") == "http://h.example/a/c.html");
  CHECK(*ResolveUrl("http://h.example/a/b.html", "/x?y=1#f") == "http://h.example/x?y=1#f");
  CHECK(*ResolveUrl("http://h.example/a/b.html", "?page=2") == "http://h.example/a/b.html?page=2");
  CHECK(*ResolveUrl("https://h.example/a/", "//o.example/p") == "https://o.example/p");
  CHECK(*ResolveUrl("http://h.example/a/b/", "../../c") == "http://h.example/c");
  CHECK(*ResolveUrl("http://h.example/", "with space.html") == "http://h.example/with%20space.html");
  CHECK(*ResolveUrl("http://h.example/a%20b/", "c?x=%41&y=1") == "http://h.example/a%20b/c?x=%41&y=1");
  CHECK_FALSE(ResolveUrl("not a url", "x").has_value());
  CHECK(StripFragment("http://h/x#frag") == "http://h/x");
  CHECK(HostKey("http://Example.COM/x") == "example.com");
  CHECK(HostKey("http://example.com:80/x") == "example.com");
  CHECK(HostKey("https://example.com:8443/x") == "example.com:8443");
  CHECK(HostKey("http://127.0.0.1:3000/") == "127.0.0.1:3000");
  CHECK(HostKey("nonsense") == "");
  CHECK(UrlScheme("HTTPS://x.example/") == "https");
}

TEST_CASE("url: item_url rewrite with capture groups") {
  RE2 re(R"(^https://pastebin\.com/([A-Za-z0-9]{8})$)");
  CHECK(*MatchItemUrl(re, "https://pastebin.com/raw/\\1", "https://pastebin.com/AbCd1234") ==
        "https://pastebin.com/raw/AbCd1234");
  CHECK(*MatchItemUrl(re, "", "https://pastebin.com/AbCd1234") == "https://pastebin.com/AbCd1234");
  CHECK_FALSE(MatchItemUrl(re, "https://pastebin.com/raw/\\1", "https://pastebin.com/archive").has_value());
  RE2 two(R"(/view/(\w+)\.(html)$)");
  CHECK(*MatchItemUrl(two, "http://h/raw/\\1.txt?from=\\2", "http://h/pastes/view/AB12.html") ==
        "http://h/raw/AB12.txt?from=html");
  CHECK(CheckItemUrl(re, "https://pastebin.com/raw/\\1"));
  CHECK_FALSE(CheckItemUrl(re, "https://pastebin.com/raw/\\2"));
}

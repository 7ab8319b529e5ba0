#include "matcher/decoders.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>

using lw::EncodedSegment;
using lw::Encoding;

namespace {

std::string B64(std::string_view s) {
  std::string out;
  REQUIRE(lw::DecodeBase64(s, &out));
  return out;
}

std::vector<EncodedSegment> Segments(std::string_view text, Encoding encoding) {
  std::vector<EncodedSegment> all, some;
  lw::FindEncodedSegments(text, &all);
  for (const auto& s : all)
    if (s.encoding == encoding) some.push_back(s);
  return some;
}

}  // namespace

TEST_CASE("base64: standard, URL-safe, with and without padding") {
  CHECK(B64("bmFtZUBxcS5jb20=") == "name@qq.com");
  CHECK(B64("bmFtZUBxcS5jb20") == "name@qq.com");
  CHECK(B64("") == "");
  CHECK(B64("Pz8_") == "???");  // URL-safe '_' (63)
  CHECK(B64("Pz8/") == "???");
  std::string out;
  CHECK(!lw::DecodeBase64("bmFt*UBx", &out));
  CHECK(!lw::DecodeBase64("bmFtZ", &out));  // 4k+1
}

TEST_CASE("base64: every length round-trips; a bad character anywhere fails") {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  auto encode = [](std::string_view bytes, bool pad) {
    std::string out;
    for (size_t i = 0; i < bytes.size(); i += 3) {
      uint32_t v = 0;
      size_t n = std::min<size_t>(3, bytes.size() - i);
      for (size_t k = 0; k < 3; ++k) v = v << 8 | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0);
      for (size_t k = 0; k < n + 1; ++k) out.push_back(kAlphabet[(v >> (18 - 6 * k)) & 63]);
      if (pad) out.append(3 - n, '=');
    }
    return out;
  };
  std::string bytes;
  for (size_t len = 0; len <= 200; ++len) {
    INFO(len);
    CHECK(B64(encode(bytes, true)) == bytes);
    CHECK(B64(encode(bytes, false)) == bytes);
    std::string bad = encode(bytes, false);
    if (!bad.empty()) {
      bad[len * 7 % bad.size()] = '*';
      std::string out;
      CHECK(!lw::DecodeBase64(bad, &out));
      CHECK(out.empty());
    }
    bytes.push_back(static_cast<char>(len * 37 + 11));
  }
}

TEST_CASE("percent decoding") {
  std::string out;
  CHECK(lw::DecodePercent("name%40qq.com", &out) == 1);
  CHECK(out == "name@qq.com");
  CHECK(lw::DecodePercent("a%2540b", &out) == 1);
  CHECK(out == "a%40b");  // one layer only
  CHECK(lw::DecodePercent("100% sure %4", &out) == 0);
  CHECK(out == "100% sure %4");
  CHECK(lw::DecodePercent("%e4%BD%A0", &out) == 3);
  CHECK(out == "\xe4\xbd\xa0");
  CHECK(lw::DecodePercent("a+b%2B", &out) == 1);
  CHECK(out == "a+b+");
}

TEST_CASE("HTML entity decoding") {
  std::string out;
  CHECK(lw::DecodeHtmlEntities("name&#64;qq&#46;com", &out) == 2);
  CHECK(out == "name@qq.com");
  CHECK(lw::DecodeHtmlEntities("name&#x40;qq.com &commat; &COMMAT; &amp;#64;", &out) == 4);
  CHECK(out == "name@qq.com @ @ &#64;");
  CHECK(lw::DecodeHtmlEntities("&#65312;", &out) == 1);
  CHECK(out == "\xef\xbc\xa0");  // fullwidth @
  CHECK(lw::DecodeHtmlEntities("&#xD800; &#999999999;", &out) == 1);  // surrogate -> U+FFFD; too long: copied
  CHECK(out.starts_with("\xef\xbf\xbd "));
  CHECK(lw::DecodeHtmlEntities("a & b &unknown; &#;", &out) == 0);
  CHECK(out == "a & b &unknown; &#;");
}

TEST_CASE("UTF-16 to UTF-8 with offsets") {
  std::string le("n\0a\0@\0\x60\x4f", 8);  // "na@你"
  std::string out;
  std::vector<uint32_t> offsets;
  lw::Utf16ToUtf8(le, true, &out, &offsets);
  CHECK(out == "na@\xe4\xbd\xa0");
  CHECK(offsets == std::vector<uint32_t>{0, 2, 4, 6, 6, 6, 8});
  std::string be("\0a\xd8\x3d\xde\x00", 6);  // "a😀"
  lw::Utf16ToUtf8(be, false, &out, nullptr);
  CHECK(out == "a\xf0\x9f\x98\x80");
  lw::Utf16ToUtf8(std::string("\x00\xd8x", 3), true, &out, nullptr);  // lone surrogate, odd byte
  CHECK(out == "\xef\xbf\xbd");
  CHECK(lw::LooksLikeUtf16Le(std::string("h\0e\0l\0l\0o\0", 10)));
  CHECK(!lw::LooksLikeUtf16Le("hello world"));
}

TEST_CASE("printable check") {
  CHECK(lw::LooksPrintable("name@qq.com:pass\r\n"));
  CHECK(lw::LooksPrintable("邮箱 name@qq.com"));
  CHECK(!lw::LooksPrintable(std::string("\x01\x02\x03\xff\xfe\x80" "abc", 9)));
  CHECK(!lw::LooksPrintable(""));
}

TEST_CASE("printable check: bad bytes anywhere, UTF-8 across the vector blocks") {
  // Printable text with k control bytes: printable while k is at most a tenth of the
  // length, wherever they are (inside or across the 16-byte blocks the check skips).
  uint64_t seed = 3;
  auto next = [&] { return seed = seed * 6364136223846793005ull + 1442695040888963407ull; };
  for (size_t n : {1, 15, 16, 17, 31, 32, 33, 47, 100, 257}) {
    for (int round = 0; round < 50; ++round) {
      std::string text;  // whole characters only: a cut one would count as bad bytes
      while (text.size() < n) {
        bool wide = (next() >> 40) % 5 == 0 && text.size() + 3 <= n;
        text += wide ? std::string("\xe9\x82\xae") : std::string(1, static_cast<char>('a' + (next() >> 40) % 26));
      }
      size_t k = (next() >> 40) % (n / 10 + 3);
      size_t placed = 0;
      for (size_t j = 0; j < k; ++j) {
        size_t at = (next() >> 33) % text.size();
        if (static_cast<unsigned char>(text[at]) >= 0x80 || text[at] == '\x01') continue;  // keep characters whole
        text[at] = '\x01';
        ++placed;
      }
      INFO("n " << n << " bad " << placed);
      CHECK(lw::LooksPrintable(text) == (placed * 10 <= text.size()));
    }
  }
  // UTF-16LE: at least 80 % of the (up to 256) units are ASCII.
  for (size_t units : {4, 5, 10, 50, 256, 300}) {
    for (size_t other = 0; other <= units / 4 + 1; ++other) {
      std::string s;
      for (size_t u = 0; u < units; ++u) s += u < other ? std::string("\x34\x12", 2) : std::string("a\0", 2);
      std::rotate(s.begin(), s.begin() + 2 * (units / 3), s.end());
      size_t counted = std::min<size_t>(units, 256), ascii = 0;
      for (size_t u = 0; u < counted; ++u) ascii += s[2 * u] == 'a';
      INFO("units " << units << " other " << other);
      CHECK(lw::LooksLikeUtf16Le(s) == (ascii * 10 >= counted * 8));
    }
  }
}

TEST_CASE("fullwidth folding keeps offsets") {
  std::string out;
  std::vector<uint32_t> offsets;
  CHECK(lw::FoldFullwidth("ａ＠ｂ。ｃｏ　x", &out, &offsets) == 7);
  CHECK(out == "a@b.co x");
  CHECK(offsets.front() == 0);
  CHECK(offsets[1] == 3);
  CHECK(offsets.back() == std::string_view("ａ＠ｂ。ｃｏ　x").size());
  CHECK(lw::FoldFullwidth("plain", &out, nullptr) == 0);
  CHECK(out == "plain");
  CHECK(lw::FoldFullwidth("\xef\xbc", &out, nullptr) == 0);  // truncated
}

TEST_CASE("segments: base64 needs 16 chars of mixed case") {
  auto segs = Segments("x bmFtZUBxcS5jb20= y e10adc3949ba59abbe56e057f20f883e internationalization", Encoding::kBase64);
  REQUIRE(segs.size() == 1);
  CHECK(segs[0].offset == 2);
  CHECK(segs[0].size == 16);
  CHECK(Segments("c2hvcnQ=", Encoding::kBase64).empty());
}

TEST_CASE("segments: percent and entity tokens") {
  std::string text = "see https://x.com/?u=name%40qq.com&p=1 and a&#64;b.com here &lt;b&gt;";
  auto pct = Segments(text, Encoding::kPercent);
  REQUIRE(pct.size() == 1);
  CHECK(text.substr(pct[0].offset, pct[0].size) == "https://x.com/?u=name%40qq.com&p=1");
  auto ent = Segments(text, Encoding::kHtmlEntity);
  REQUIRE(ent.size() == 1);  // &lt; &gt; alone are markup, not worth decoding
  CHECK(text.substr(ent[0].offset, ent[0].size) == "a&#64;b.com");
}

TEST_CASE("DecodeSegment rejects binary base64 and accepts UTF-16LE base64") {
  std::string out;
  // base64 of bytes 0x00..0x2f: not printable.
  std::string binary = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v";
  CHECK(!lw::DecodeSegment(binary, {Encoding::kBase64, 0, binary.size()}, &out));
  // "a@b.cn" as UTF-16LE, base64.
  std::string utf16 = "YQBAAGIALgBjAG4A";
  CHECK(lw::DecodeSegment(utf16, {Encoding::kBase64, 0, utf16.size()}, &out));
  CHECK(out == "a@b.cn");
  CHECK(!lw::DecodeSegment("abc", {Encoding::kPercent, 2, 5}, &out));  // out of range
}

#include "matcher/extractor.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>

#include "matcher/scan_util.h"

using lw::Candidate;
using lw::Extractor;
using lw::ExtractorOptions;
using lw::IdKind;
using lw::MatchKind;
using lw::Normalizer;
using lw::Severity;

namespace {

const Normalizer& TheNormalizer() {
  static const Normalizer normalizer;
  return normalizer;
}

std::vector<Candidate> Extract(std::string_view text, ExtractorOptions options = {}) {
  std::vector<Candidate> out;
  Extractor(TheNormalizer(), options).Extract(text, &out);
  return out;
}

std::vector<std::string> Values(std::string_view text, ExtractorOptions options = {}) {
  std::vector<std::string> values;
  for (const auto& c : Extract(text, options)) values.push_back(std::string(c.value));
  std::sort(values.begin(), values.end());
  return values;
}

const Candidate* FindValue(const std::vector<Candidate>& cs, std::string_view value) {
  for (const auto& c : cs)
    if (c.value == value) return &c;
  return nullptr;
}

bool Has(std::string_view text, std::string_view value) {
  auto cs = Extract(text);
  return FindValue(cs, value) != nullptr;
}

Severity SeverityOf(std::string_view text, std::string_view value) {
  auto cs = Extract(text);
  const Candidate* c = FindValue(cs, value);
  REQUIRE(c != nullptr);
  return c->severity;
}

MatchKind MatchOf(std::string_view text, std::string_view value) {
  auto cs = Extract(text);
  const Candidate* c = FindValue(cs, value);
  REQUIRE(c != nullptr);
  return c->match;
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("names") {
  CHECK(lw::MatchKindName(MatchKind::kObfuscated) == "obfuscated");
  CHECK(lw::MatchKindName(MatchKind::kHashed) == "hashed");
  CHECK(lw::SeverityName(Severity::kCredential) == "credential");
}

TEST_CASE("emails: leak formats") {
  CHECK(Values("Li.Wei@ICloud.COM:hunter22\n") == V{"li.wei@icloud.com"});
  CHECK(Values("a@qq.com;pass1\nb@qq.com|pass2\n") == V{"a@qq.com", "b@qq.com"});
  CHECK(Values("https://site.com/login:user@163.com:secret1\n") == V{"user@163.com"});
  CHECK(Values("1,\"Wang\",\"wang@sina.com.cn\",2020-01-01\n") == V{"wang@sina.com.cn"});
  CHECK(Values("INSERT INTO u VALUES (1,'x@126.com','e10adc3949ba59abbe56e057f20f883e');") ==
        V{"e10adc3949ba59abbe56e057f20f883e", "x@126.com"});
  CHECK(Values("{\"email\":\"j@gmail.com\",\"name\":\"J\"}") == V{"j@gmail.com"});
  CHECK(Values("<a href=\"mailto:boss@corp.cn\">boss@corp.cn</a>") == V{"boss@corp.cn"});
  CHECK(Values("?user=name@icloud.com&x=1") == V{"name@icloud.com"});
  CHECK(Values("'line one\\nname@icloud.com'") == V{"name@icloud.com"});  // SQL "\n" escape
  CHECK(Values("'a\\\\nick@icloud.com'") == V{"nick@icloud.com"});       // "\\" then "nick"
  CHECK(Values("Contact: a@b.com.") == V{"a@b.com"});
  CHECK(Values("user+tag@QQ.com") == V{"user+tag@qq.com"});
}

TEST_CASE("emails: the whole token, not a suffix or prefix") {
  CHECK(Values("xname@icloud.com") == V{"xname@icloud.com"});
  CHECK(Values("a@qq.com.cn") == V{"a@qq.com.cn"});
  CHECK(Values("a@qq.com-cn.net") == V{"a@qq.com-cn.net"});
  CHECK(Values("a@qq.com- x") == V{"a@qq.com"});
  CHECK(Values("...name@icloud.com...") == V{"name@icloud.com"});
  CHECK(Values("a..b@qq.com") == V{});
  CHECK(Values("@qq.com a@ a@b @@ @") == V{});
  CHECK(Values(std::string(70, 'a') + "@qq.com") == V{});
  // Local parts and domains around 64 bytes, with context on both sides (expanded with
  // 64-byte class masks first, then byte by byte).
  std::string pad(80, ' '), local64(64, 'x'), label60(60, 'y');  // not hex: no digests
  CHECK(Values(pad + local64 + "@qq.com" + pad) == V{local64 + "@qq.com"});
  CHECK(Values(pad + "x" + local64 + "@qq.com" + pad) == V{});
  CHECK(Values(pad + "a@" + label60 + ".qq.com" + pad) == V{"a@" + label60 + ".qq.com"});
  CHECK(Values(pad + "a@" + label60 + ".qq.com" + std::string(200, 'c') + pad) == V{});
  CHECK(Values("Äname@example.com") == V{"äname@example.com"});  // glued to a letter: one token
}

TEST_CASE("emails: non-ASCII neighbours and IDN") {
  CHECK(Has("邮箱name@qq.com谢谢", "name@qq.com"));
  CHECK(Has("wang@例子.中国", "wang@xn--fsqu00a.xn--fiqs8s"));
  CHECK(Has("联系：name@qq.com，谢谢", "name@qq.com"));
}

TEST_CASE("phones: international and national forms") {
  CHECK(Values("13812345678") == V{"+8613812345678"});
  CHECK(Values("tel:+86 138 1234 5678;") == V{"+8613812345678"});
  CHECK(Values("+86-138-1234-5678") == V{"+8613812345678"});
  CHECK(Values("0086 13812345678") == V{"+8613812345678"});
  CHECK(Values("86 138.1234.5678") == V{"+8613812345678"});
  CHECK(Values("(+86) 138-1234-5678") == V{"+8613812345678"});
  CHECK(Values("8613812345678") == V{"+8613812345678"});
  CHECK(Values("+8613812345678") == V{"+8613812345678"});
  CHECK(Values("138 1234 5678") == V{"+8613812345678"});
  CHECK(Values("+1 (415) 555-2671") == V{"+14155552671"});
  CHECK(Values("+44 20 7946 0958") == V{"+442079460958"});
  CHECK(Values("手机13812345678，") == V{"+8613812345678"});
  CHECK(Values("13812345678 13987654321") == V{"+8613812345678", "+8613987654321"});
  CHECK(Values("2023-10-01 13812345678") == V{"+8613812345678"});
}

TEST_CASE("phones: not inside longer digit runs or words") {
  CHECK(Values("order 213812345678") == V{});            // 12 digits
  CHECK(Values("110101199003071234") == V{});             // 18-digit ID number
  CHECK(Values("1381234567890") == V{});                  // 13 digits, not 86...
  CHECK(Values("6222 0213 8123 4567 8") == V{});          // grouped card number
  CHECK(Values("tel13812345678") == V{});                 // glued to letters
  CHECK(Values("13812345678abc") == V{});
  CHECK(Values("1700000000 1700000000123") == V{});       // timestamps
  CHECK(Values("12812345678") == V{});                    // 12x is not a mobile prefix
  CHECK(Values("2021-03-04 12:00:01 192.168.1.1") == V{});
}

TEST_CASE("phones: a dotted quad is an IPv4 address") {
  CHECK(Values("158.21.106.230") == V{});
  CHECK(Values("from 158.21.106.230:8080 at") == V{});
  CHECK(Values("(158.21.106.230)") == V{});
  CHECK(Values("158.21.106.230 13812345678") == V{"+8613812345678"});
  // Still phones: three groups, a group over 255, a group of four digits, a '+'.
  CHECK(Values("138.1234.5678") == V{"+8613812345678"});
  CHECK(Values("13.812.345.678") == V{"+8613812345678"});
  CHECK(Values("138.1234.56.78") == V{"+8613812345678"});
  CHECK(Values("+158.21.106.230") == V{"+15821106230"});
  Normalizer us({.default_region = "US"});
  std::vector<Candidate> out;
  Extractor(us).Extract("158.21.106.230", &out);
  CHECK(out.empty());
}

TEST_CASE("hex digests") {
  auto cs = Extract("md5=E10ADC3949BA59ABBE56E057F20F883E sha1:7c4a8d09ca3762af61e59520943dc26494f8941b\n"
                    "8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c92");
  REQUIRE(cs.size() == 3);
  CHECK(cs[0].value == "e10adc3949ba59abbe56e057f20f883e");
  CHECK(cs[0].hash_tag == "md5");
  CHECK(cs[0].match == MatchKind::kHashed);
  CHECK(cs[0].kind == IdKind::kEmail);
  CHECK(cs[0].offset == 4);
  CHECK(cs[1].hash_tag == "sha1");
  CHECK(cs[2].hash_tag == "sha256");
  CHECK(Values("xe10adc3949ba59abbe56e057f20f883e") == V{});   // glued
  CHECK(Values("e10adc3949ba59abbe56e057f20f883e0") == V{});   // 33 hex
  CHECK(Values("e10adc3949ba59abbe56e057f20f883g") == V{});    // not hex
}

TEST_CASE("hex digests inside runs of base64 bytes, with text after them") {
  // With 64 bytes readable after a run the extractor takes another path than at the end
  // of the text: both must agree.
  const std::string md5 = "e10adc3949ba59abbe56e057f20f883e", sha1 = "7c4a8d09ca3762af61e59520943dc26494f8941b";
  for (const std::string& tail : {std::string(), std::string(100, ' ')}) {
    INFO(tail.size());
    CHECK(Values("a " + md5 + tail) == V{md5});
    CHECK(Values("x_" + md5 + "_y" + tail) == V{md5});  // '_' is base64, not a letter or digit
    CHECK(Values("-" + sha1 + "-" + tail) == V{sha1});
    CHECK(Values("/" + md5 + "/" + sha1 + "/" + tail) == V{sha1, md5});  // sorted
    CHECK(Values("Zz" + md5 + tail) == V{});  // glued to letters
    CHECK(Values(md5 + "0 " + tail) == V{});  // 33 hex
    CHECK(Values("_" + md5.substr(1) + "_" + tail) == V{});  // 31 hex
  }
}

TEST_CASE("a run of '-' or '_' before the local part is a delimiter, near the text's edges and inside it") {
  // With 64 bytes readable on both sides of the '@' the delimiter is found on masks,
  // otherwise byte by byte: both must agree.
  const std::string local64(62, 'x');
  for (const std::string& pad : {std::string(), std::string(100, ' ')}) {
    INFO(pad.size());
    CHECK(Values(pad + "Abc12345----wang@icloud.com" + pad) == V{"wang@icloud.com"});
    CHECK(Values(pad + "Abc12345__wang@icloud.com" + pad) == V{"wang@icloud.com"});
    CHECK(Values(pad + "a--b--wang@icloud.com" + pad) == V{"wang@icloud.com"});  // the last run ends it
    CHECK(Values(pad + "-_wang@icloud.com" + pad) == V{"wang@icloud.com"});
    CHECK(Values(pad + "wang-li_x@icloud.com" + pad) == V{"wang-li_x@icloud.com"});  // single ones belong
    CHECK(Values(pad + "wang--@icloud.com" + pad) == V{});  // nothing left after the run
    CHECK(Values(pad + "--" + local64 + "@qq.com" + pad) == V{local64 + "@qq.com"});  // at the window's edge
  }
}

TEST_CASE("obfuscations") {
  CHECK(Values("name [at] gmail [dot] com") == V{"name@gmail.com"});
  CHECK(MatchOf("name [at] gmail [dot] com", "name@gmail.com") == MatchKind::kObfuscated);
  CHECK(Values("first(dot)last(at)corp(dot)com(dot)cn") == V{"first.last@corp.com.cn"});
  CHECK(Values("x{AT}y{DOT}org") == V{"x@y.org"});
  CHECK(Values("x [ at ] y [ dot ] org") == V{"x@y.org"});
  CHECK(Values("x[@]y.org") == V{"x@y.org"});
  CHECK(Values("name@gmail[dot]com") == V{"name@gmail.com"});
  CHECK(Values("meet (at) noon") == V{});
  CHECK(Values("ｎａｍｅ＠ｑｑ．ｃｏｍ") == V{"name@qq.com"});
  CHECK(MatchOf("ｎａｍｅ＠ｑｑ．ｃｏｍ", "name@qq.com") == MatchKind::kObfuscated);
  CHECK(Values("邮箱：name＠qq.com") == V{"name@qq.com"});
  CHECK(Values("电话：１３８１２３４５６７８") == V{"+8613812345678"});
  auto cs = Extract("abc name＠qq.com");
  REQUIRE(cs.size() == 1);
  CHECK(cs[0].offset == 4);
}

TEST_CASE("encodings inside a document") {
  auto cs = Extract("token: bmFtZUBxcS5jb20= end");
  REQUIRE(cs.size() == 1);
  CHECK(cs[0].value == "name@qq.com");
  CHECK(cs[0].match == MatchKind::kEncoded);
  CHECK(cs[0].offset == 7);
  CHECK(MatchOf("u=name%40qq.com&x", "name@qq.com") == MatchKind::kEncoded);
  CHECK(MatchOf("<p>name&#64;qq&#46;com</p>", "name@qq.com") == MatchKind::kEncoded);
  CHECK(Has("<p>name&commat;qq.com</p>", "name@qq.com"));
  CHECK(Has("<p>name&#x40;qq.com</p>", "name@qq.com"));
  CHECK(Has("<p>name&amp;#64;qq.com</p>", "name@qq.com"));  // two layers
  CHECK(Has("phone%3D%2B8613812345678", "+8613812345678"));
  // base64 of "u=name%40qq.com": base64 of percent-encoding, depth 2.
  CHECK(Has("x dT1uYW1lJTQwcXEuY29t x", "name@qq.com"));
  // base64 of UTF-16LE text.
  CHECK(Has("YQBAAGIALgBjAG4A", "a@b.cn"));
}

TEST_CASE("exact beats encoded; severity is the highest seen") {
  auto cs = Extract("name@qq.com\nbmFtZUBxcS5jb206cGFzc3dvcmQx\n");  // base64 of "name@qq.com:password1"
  REQUIRE(cs.size() == 1);
  CHECK(cs[0].match == MatchKind::kExact);
  CHECK(cs[0].offset == 0);
  CHECK(cs[0].severity == Severity::kCredential);
}

TEST_CASE("decode depth cap") {
  // base64(base64("name@qq.com")): two layers, found at the default depth 2.
  CHECK(MatchOf("x Ym1GdFpVQnhjUzVqYjIwPQ== x", "name@qq.com") == MatchKind::kEncoded);
  ExtractorOptions depth1;
  depth1.max_decode_depth = 1;
  CHECK(Extract("x Ym1GdFpVQnhjUzVqYjIwPQ== x", depth1).empty());
  // base64(base64("u=name%40qq.com")): three layers, beyond the default depth.
  CHECK(Extract("x ZFQxdVlXMWxKVFF3Y1hFdVkyOXQ= x").empty());
  ExtractorOptions depth3;
  depth3.max_decode_depth = 3;
  CHECK(Values("x ZFQxdVlXMWxKVFF3Y1hFdVkyOXQ= x", depth3) == V{"name@qq.com"});
  ExtractorOptions none;
  none.decode = false;
  CHECK(Extract("u=name%40qq.com", none).empty());
}

TEST_CASE("decode size cap") {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "a=x%20y ";
  text += "u=name%40qq.com";
  ExtractorOptions capped;
  capped.max_decoded_bytes = 100;  // spent on the first segments
  CHECK(Extract(text, capped).empty());
  CHECK(Values(text) == V{"name@qq.com"});
}

TEST_CASE("severity: credential beside the identifier, exposure otherwise") {
  CHECK(SeverityOf("name@qq.com:hunter22", "name@qq.com") == Severity::kCredential);
  CHECK(SeverityOf("name@qq.com;hunter22\r\n", "name@qq.com") == Severity::kCredential);
  CHECK(SeverityOf("name@qq.com | hunter22", "name@qq.com") == Severity::kCredential);
  CHECK(SeverityOf("name@qq.com\thunter22", "name@qq.com") == Severity::kCredential);
  CHECK(SeverityOf("13812345678:123456", "+8613812345678") == Severity::kCredential);
  CHECK(SeverityOf("https://x.com/login:name@qq.com:hunter22", "name@qq.com") == Severity::kCredential);
  CHECK(SeverityOf("1,\"name@qq.com\",\"e10adc3949ba59abbe56e057f20f883e\"", "name@qq.com") == Severity::kCredential);
  CHECK(SeverityOf("INSERT INTO t VALUES (1,'name@qq.com','p@ss'),(2,'b@qq.com','s3cr3t!');", "b@qq.com") ==
        Severity::kCredential);
  CHECK(SeverityOf("{\"email\":\"name@qq.com\",\"password\":\"abc\"}", "name@qq.com") == Severity::kCredential);

  CHECK(SeverityOf("name@qq.com", "name@qq.com") == Severity::kExposure);
  CHECK(SeverityOf("name@qq.com:\n", "name@qq.com") == Severity::kExposure);
  CHECK(SeverityOf("name@qq.com,2020-01-01", "name@qq.com") == Severity::kExposure);
  CHECK(SeverityOf("name@qq.com,13812345678", "name@qq.com") == Severity::kExposure);
  CHECK(SeverityOf("name@qq.com,other@qq.com", "name@qq.com") == Severity::kExposure);
  CHECK(SeverityOf("name@qq.com|https://x.com/a", "name@qq.com") == Severity::kExposure);
  CHECK(SeverityOf("13812345678,张三,北京", "+8613812345678") == Severity::kExposure);
  CHECK(SeverityOf("(1,'name@qq.com',NULL,0)", "name@qq.com") == Severity::kExposure);
  CHECK(SeverityOf("(1,'name@qq.com','2020-01-01 10:00:00')", "name@qq.com") == Severity::kExposure);
  CHECK(SeverityOf("{\"email\":\"name@qq.com\",\"name\":\"J\"}", "name@qq.com") == Severity::kExposure);
  CHECK(SeverityOf("write to name@qq.com, and then wait", "name@qq.com") == Severity::kExposure);
  CHECK(SeverityOf("name@qq.com,1700000000", "name@qq.com") == Severity::kExposure);
}

TEST_CASE("severity: stealer log blocks") {
  std::string block =
      "URL: https://accounts.example.com/\r\nUsername: name@qq.com\r\nPassword: hunter22\r\nApplication: Chrome\r\n"
      "===============\r\nURL: https://other.example.com/\r\nLogin: 13812345678\r\nPassword: \r\n";
  CHECK(SeverityOf(block, "name@qq.com") == Severity::kCredential);
  CHECK(SeverityOf(block, "+8613812345678") == Severity::kExposure);  // empty password
  CHECK(SeverityOf("USER: name@qq.com\nPASS: x\n", "name@qq.com") == Severity::kCredential);
  CHECK(SeverityOf("Username: name@qq.com\nURL: https://b/\nPassword: x\n", "name@qq.com") == Severity::kExposure);
  CHECK(SeverityOf("Comment: name@qq.com\nPassword: x\n", "name@qq.com") == Severity::kExposure);
}

TEST_CASE("arbitrary bytes: invalid UTF-8, NULs, CRLF, UTF-16") {
  std::string text("\x80\xff\xfename@qq.com\x00:pw\r\n\x00\xc3(13812345678\r\n", 36);
  CHECK(Values(text) == V{"+8613812345678", "name@qq.com"});
  CHECK(Values("a@qq.com\r\nb@qq.com\r\n") == V{"a@qq.com", "b@qq.com"});

  std::u16string u16 = u"联系 name@qq.com 或 13812345678";
  std::string le("\xff\xfe");
  for (char16_t c : u16) {
    le.push_back(static_cast<char>(c & 0xFF));
    le.push_back(static_cast<char>(c >> 8));
  }
  auto cs = Extract(le);
  REQUIRE(cs.size() == 2);
  const Candidate* email = FindValue(cs, "name@qq.com");
  REQUIRE(email != nullptr);
  CHECK(email->match == MatchKind::kExact);
  CHECK(email->offset == 2 + 2 * 3);  // BOM, then three UTF-16 code units
  CHECK(FindValue(cs, "+8613812345678") != nullptr);

  std::string be("\xfe\xff");
  for (char16_t c : u16) {
    be.push_back(static_cast<char>(c >> 8));
    be.push_back(static_cast<char>(c & 0xFF));
  }
  CHECK(Extract(be).size() == 2);
}

TEST_CASE("dedup within a call; existing output left alone") {
  std::vector<Candidate> out;
  Extractor extractor(TheNormalizer());
  extractor.Extract("a@qq.com", &out);
  extractor.Extract("A@QQ.com x a[at]qq[dot]com\na@qq.com:secret1\n", &out);
  REQUIRE(out.size() == 2);
  CHECK(out[0].severity == Severity::kExposure);
  CHECK(out[1].value == "a@qq.com");
  CHECK(out[1].offset == 0);
  CHECK(out[1].match == MatchKind::kExact);
  CHECK(out[1].severity == Severity::kCredential);
}

TEST_CASE("offsets and options") {
  auto cs = Extract("xx a@qq.com yy +86 138 1234 5678");
  REQUIRE(cs.size() == 2);
  CHECK(cs[0].offset == 3);
  CHECK(cs[0].hash_tag == "email");
  CHECK(cs[1].offset == 15);
  CHECK(cs[1].hash_tag == "phone");
  CHECK(cs[1].kind == IdKind::kPhone);
  ExtractorOptions only_phones;
  only_phones.emails = only_phones.hashes = only_phones.obfuscations = only_phones.decode = false;
  CHECK(Values("a@qq.com 13812345678 e10adc3949ba59abbe56e057f20f883e", only_phones) == V{"+8613812345678"});
}

TEST_CASE("non-CN default region") {
  Normalizer us({.default_region = "US"});
  std::vector<Candidate> out;
  Extractor(us).Extract("call (415) 555-2671 or +86 138 1234 5678", &out);
  std::vector<std::string> values;
  for (auto& c : out) values.push_back(std::string(c.value));
  std::sort(values.begin(), values.end());
  CHECK(values == V{"+14155552671", "+8613812345678"});
}

// --- the vectorized run finder (matcher/scan_util.h) against a byte-at-a-time reference

namespace {

using Runs = std::vector<std::pair<size_t, size_t>>;

template <uint8_t kCls, size_t kMinLen>
Runs RunsOf(std::string_view s) {
  Runs runs;
  lw::scan::ForEachRun<kCls, kMinLen>(s.data(), s.size(), [&](size_t b, size_t e) { runs.push_back({b, e}); });
  return runs;
}

Runs ReferenceRuns(std::string_view s, uint8_t cls, size_t min_len) {
  Runs runs;
  for (size_t i = 0; i < s.size();) {
    if (!lw::scan::Is(cls, s[i])) {
      ++i;
      continue;
    }
    size_t e = i;
    while (e < s.size() && lw::scan::Is(cls, s[e])) ++e;
    if (e - i >= min_len) runs.push_back({i, e});
    i = e;
  }
  return runs;
}

template <uint8_t kCls>
void CheckRunsAgainstReference(uint8_t cls_for_reference) {
  std::mt19937 rng(7);
  // Bytes in and out of every class, high bytes and NUL included.
  const std::string alphabet = std::string("09afAFgzGZ+/_- ().@:\t\n=%&\x80\xff") + '\0';
  for (int iteration = 0; iteration < 3000; ++iteration) {
    std::string s(rng() % 300, ' ');
    // Long stretches of one class member make runs of every length around the block size.
    for (size_t i = 0; i < s.size();) {
      size_t stretch = 1 + rng() % (rng() % 4 == 0 ? 80 : 6);
      size_t choices = rng() % 3 == 0 ? 4 : alphabet.size();  // often "09af": in most classes
      for (size_t k = 0; k < stretch && i < s.size(); ++k, ++i) s[i] = alphabet[rng() % choices];
    }
    size_t offset = rng() % 64;  // start anywhere relative to a block
    std::string_view view = std::string_view(s).substr(std::min(offset, s.size()));
    INFO("iteration " << iteration);
    REQUIRE(RunsOf<kCls, 1>(view) == ReferenceRuns(view, cls_for_reference, 1));
    REQUIRE(RunsOf<kCls, 7>(view) == ReferenceRuns(view, cls_for_reference, 7));
    REQUIRE(RunsOf<kCls, 14>(view) == ReferenceRuns(view, cls_for_reference, 14));
    REQUIRE(RunsOf<kCls, 32>(view) == ReferenceRuns(view, cls_for_reference, 32));
    REQUIRE(RunsOf<kCls, 63>(view) == ReferenceRuns(view, cls_for_reference, 63));
    REQUIRE(RunsOf<kCls, 64>(view) == ReferenceRuns(view, cls_for_reference, 64));
  }
}

}  // namespace

TEST_CASE("InlineString: inline and heap values copy and move") {
  using Value = lw::InlineString<8>;
  for (const std::string& text : std::vector<std::string>{"", "12345678", "123456789", std::string(300, 'x')}) {
    INFO(text.size());
    Value a(text);
    CHECK(a == text);
    CHECK(a.size() == text.size());
    Value copy(a);
    CHECK(copy == text);
    Value moved(std::move(copy));
    CHECK(moved == text);
    Value assigned(std::string_view("a longer previous value"));
    assigned = moved;
    CHECK(assigned == text);
    assigned = Value(std::string_view("short"));
    CHECK(assigned == "short");
    assigned = std::move(moved);
    CHECK(assigned == text);
  }
}

TEST_CASE("scan: class masks agree with the class table") {
  for (int c = 0; c < 256; ++c) {
    char block[64];
    std::fill(block, block + 64, static_cast<char>(c));
    uint64_t all = ~uint64_t{0};
    INFO("byte " << c);
    CHECK((lw::scan::ClassMask64<lw::scan::kDigit>(block) == all) == lw::scan::Is(lw::scan::kDigit, block[0]));
    CHECK((lw::scan::ClassMask64<lw::scan::kHex>(block) == all) == lw::scan::Is(lw::scan::kHex, block[0]));
    CHECK((lw::scan::ClassMask64<lw::scan::kAlpha>(block) == all) == lw::scan::Is(lw::scan::kAlpha, block[0]));
    CHECK((lw::scan::ClassMask64<lw::scan::kLocal>(block) == all) == lw::scan::Is(lw::scan::kLocal, block[0]));
    CHECK((lw::scan::ClassMask64<lw::scan::kDomain>(block) == all) == lw::scan::Is(lw::scan::kDomain, block[0]));
    CHECK((lw::scan::ClassMask64<lw::scan::kBase64>(block) == all) == lw::scan::Is(lw::scan::kBase64, block[0]));
    CHECK((lw::scan::ClassMask64<lw::scan::kPhone>(block) == all) == lw::scan::Is(lw::scan::kPhone, block[0]));
  }
}

TEST_CASE("scan: ForEachRun finds the same runs as a byte loop") {
  CheckRunsAgainstReference<lw::scan::kDigit>(lw::scan::kDigit);
  CheckRunsAgainstReference<lw::scan::kHex>(lw::scan::kHex);
  CheckRunsAgainstReference<lw::scan::kBase64>(lw::scan::kBase64);
  CheckRunsAgainstReference<lw::scan::kPhone>(lw::scan::kPhone);
}

TEST_CASE("scan: IsValidEmailToken and IsValidEmailMasks agree with IsValidAsciiEmail") {
  using lw::scan::IsValidEmailToken;
  CHECK(IsValidEmailToken("a.b+c@mail.example-1.cn", 5));
  CHECK(!IsValidEmailToken("a..b@qq.com", 4));
  CHECK(!IsValidEmailToken("a.@qq.com", 2));
  CHECK(!IsValidEmailToken("a@-qq.com", 1));
  CHECK(!IsValidEmailToken("a@qq-.com", 1));
  CHECK(!IsValidEmailToken("a@qq.123", 1));
  CHECK(!IsValidEmailToken("a@localhost", 1));
  std::mt19937_64 rng(7);
  // Tokens as the extractor builds them, dense in the bytes the rules are about, at
  // lengths around every limit (64-byte local part and masks, 254-byte address).
  const std::string local_bytes = "abc9._+-", domain_bytes = "abcd9-.";
  auto make = [&](const std::string& bytes, size_t len) {
    std::string part(len, 'a');
    for (char& c : part) c = bytes[rng() % bytes.size()];
    return part;
  };
  int valid_count = 0;
  for (int iteration = 0; iteration < 200000; ++iteration) {
    size_t local_len = rng() % 70, domain_len = rng() % 4 == 0 ? rng() % 260 : rng() % 70;
    std::string email = make(local_bytes, local_len) + "@" + make(domain_bytes, domain_len);
    INFO(email);
    bool valid = lw::IsValidAsciiEmailSyntax(email);
    REQUIRE(IsValidEmailToken(email, local_len) == valid);
    if (local_len >= 1 && local_len <= 64 && domain_len >= 1 && domain_len <= 64) {
      // The same token in text, in mixed case, with 64 bytes of context on either side.
      std::string text = std::string(64, ' ') + email + std::string(64, ' ');
      for (char& c : text)
        if (rng() % 2 == 0) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      auto window = lw::scan::EmailWindowAround(text.data(), 64 + local_len);
      auto masks = lw::scan::EmailMasksAround(window, 64, 64 + local_len, 64 + email.size());
      REQUIRE(lw::scan::IsValidEmailMasks(masks) == valid);
    }
    valid_count += valid;
  }
  CHECK(valid_count > 5000);  // both answers well covered
}

TEST_CASE("scan: LowerAscii lower-cases letters only, within bounds") {
  std::mt19937_64 rng(11);
  for (int iteration = 0; iteration < 20000; ++iteration) {
    std::string s(rng() % 80, ' ');
    for (char& c : s) c = static_cast<char>(rng() % 4 == 0 ? 'A' + rng() % 26 : rng() % 256);
    size_t begin = s.empty() ? 0 : rng() % s.size(), end = begin + rng() % (s.size() - begin + 1);
    std::string expected = s.substr(begin, end - begin);
    for (char& c : expected) c = lw::scan::ToLower(c);
    std::vector<char> out(end - begin + 15, '*');
    lw::scan::LowerAscii(s.data(), begin, end, s.size(), out.data());
    REQUIRE(std::string(out.data(), end - begin) == expected);
  }
}

TEST_CASE("identifiers at every position relative to a 64-byte block") {
  const std::string filler = "The quick brown fox, 12 (34) 5.6 - 7 jumps over 2021-03-04 the lazy dog. ";
  struct Planted {
    std::string text, value;
  };
  const Planted planted[] = {
      {"+86 138 1234 5678", "+8613812345678"},
      {"13812345678", "+8613812345678"},
      {"e10adc3949ba59abbe56e057f20f883e", "e10adc3949ba59abbe56e057f20f883e"},
      {"bmFtZUBxcS5jb20=", "name@qq.com"},
      {"Name.X@QQ.com", "name.x@qq.com"},
  };
  for (const Planted& p : planted) {
    for (size_t pos = 0; pos < 140; ++pos) {
      std::string text = filler + filler;
      text.resize(pos, 'x');
      if (pos > 0) text.back() = ' ';
      text += p.text + " " + filler;
      INFO(p.text << " at " << pos);
      auto cs = Extract(text);
      const Candidate* c = FindValue(cs, p.value);
      REQUIRE(c != nullptr);
      CHECK(c->offset == pos);
    }
  }
}

namespace {

// Keeps every other distinct value (by a hash of tag and value) and counts what it saw.
class HalfFilter final : public lw::CandidateFilter {
 public:
  static bool Keeps(std::string_view tag, std::string_view value) {
    return std::hash<std::string>{}(std::string(tag) + '\0' + std::string(value)) % 2 == 0;
  }
  void Select(std::span<const lw::Probe> probes, bool* keep) const override {
    REQUIRE(probes.size() <= kMaxBatch);
    for (size_t i = 0; i < probes.size(); ++i) keep[i] = Keeps(probes[i].hash_tag, probes[i].value);
    seen += probes.size();
  }
  mutable size_t seen = 0;
};

// HalfFilter's decisions, made in two steps: Prepare leaves each probe's decision and a
// fingerprint of its value in `ahead`; SelectPrepared checks that it is given the same
// probes, prepared, and counts what would be wrong otherwise.
class PreparedHalfFilter final : public lw::CandidateFilter {
 public:
  static uint64_t Print(const lw::Probe& p) {
    return std::hash<std::string>{}(std::string(p.hash_tag) + '\0' + std::string(p.value)) * 2;
  }
  void Select(std::span<const lw::Probe> probes, bool* keep) const override {
    for (size_t i = 0; i < probes.size(); ++i) keep[i] = HalfFilter::Keeps(probes[i].hash_tag, probes[i].value);
    ++unprepared;
  }
  void Prepare(std::span<const lw::Probe> probes, Ahead* ahead) const override {
    REQUIRE(probes.size() <= kMaxBatch);
    for (size_t i = 0; i < probes.size(); ++i)
      ahead->word[i] = Print(probes[i]) | HalfFilter::Keeps(probes[i].hash_tag, probes[i].value);
    ++prepared;
  }
  void SelectPrepared(std::span<const lw::Probe> probes, const Ahead& ahead, bool* keep) const override {
    for (size_t i = 0; i < probes.size(); ++i) {
      mismatched += (ahead.word[i] & ~uint64_t{1}) != Print(probes[i]);
      keep[i] = ahead.word[i] & 1;
    }
    ++decided;
  }
  mutable size_t prepared = 0, decided = 0, unprepared = 0, mismatched = 0;
};

std::string Describe(const Candidate& c) {
  return std::string(c.hash_tag) + " " + std::string(c.value) + " " + std::string(lw::MatchKindName(c.match)) + " " +
         std::string(lw::SeverityName(c.severity)) + " @" + std::to_string(c.offset);
}

}  // namespace

TEST_CASE("a filter keeps exactly what it selects, with the same match, severity and offset") {
  std::string text;
  for (const char* name : {"combo_list.txt", "customers.csv", "forum_dump.sql", "stealer_log.txt", "broker_sample.html"}) {
    std::ifstream in(std::string(LW_SOURCE_DIR "/ops/samples/leaks/") + name, std::ios::binary);
    REQUIRE(in);
    text.append(std::istreambuf_iterator<char>(in), {});
  }
  // Repeats, obfuscations, fullwidth forms and encodings, so that batches span frames.
  text += "\nname [at] gmail [dot] com  ｎａｍｅ＠ｑｑ．ｃｏｍ  bmFtZUBxcS5jb20= u=x%40qq.com &#64; ";
  text += text;
  std::vector<Candidate> all, kept;
  Extractor extractor(TheNormalizer());
  extractor.Extract(text, &all);
  HalfFilter filter;
  extractor.Extract(text, &kept, &filter);
  std::vector<std::string> want, got;
  for (const auto& c : all)
    if (HalfFilter::Keeps(c.hash_tag, c.value)) want.push_back(Describe(c));
  for (const auto& c : kept) got.push_back(Describe(c));
  std::sort(want.begin(), want.end());
  std::sort(got.begin(), got.end());
  CHECK(all.size() > 20);
  CHECK(want.size() > 5);
  CHECK(want.size() < all.size());
  CHECK(filter.seen >= all.size());  // every occurrence is offered, duplicates included
  CHECK(got == want);

  // The same through Prepare and SelectPrepared, a batch apart.
  PreparedHalfFilter prepared;
  std::vector<Candidate> kept2;
  extractor.Extract(text, &kept2, &prepared);
  std::vector<std::string> got2;
  for (const auto& c : kept2) got2.push_back(Describe(c));
  std::sort(got2.begin(), got2.end());
  CHECK(got2 == want);
  CHECK(prepared.prepared > 2);
  CHECK(prepared.decided == prepared.prepared);
  CHECK(prepared.mismatched == 0);
  CHECK(prepared.unprepared == 0);  // no value is too long to wait
}

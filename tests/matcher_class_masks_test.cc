#include "matcher/class_masks.h"

#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "matcher/scan_util.h"

namespace lw::scan {
namespace {

// Bytes that exercise every class edge: ASCII around each range, and high bytes.
std::string RandomBlocks(size_t blocks, uint64_t seed) {
  static const std::string kEdges = "/09:@AFGZ[`afgz{ .-_+()\t\r\n\x7f\x80\xbc\xef\xff";
  std::mt19937_64 rng(seed);
  std::string s(blocks * 64 + 130, '\0');
  for (char& c : s) c = rng() % 2 ? kEdges[rng() % kEdges.size()] : static_cast<char>(rng());
  return s;
}

// SSE2, the reference, and the vector implementations this CPU can run.
const Implementation& kSse2 = Implementations().front();
std::span<const Implementation> Vectors() { return Implementations().subspan(1); }

uint64_t Reference(uint8_t cls, const char* p) {
  uint64_t m = 0;
  for (int i = 0; i < 64; ++i) m |= uint64_t{Is(cls, p[i])} << i;
  return m;
}

TEST_CASE("class masks: every implementation agrees with the class table") {
  std::string s = RandomBlocks(40, 7);
  const size_t blocks = 40;
  for (int cls_int : std::initializer_list<int>{kDigit, kHex, kAlpha, kLocal, kDomain, kBase64, kPhone, kSpace, kDigit | kSpace}) {
    auto cls = static_cast<uint8_t>(cls_int);
    INFO("class " << int(cls));
    std::vector<uint64_t> a(blocks), b(blocks);
    kSse2.class_masks(cls, s.data(), blocks, a.data());
    for (size_t k = 0; k < blocks; ++k) REQUIRE(a[k] == Reference(cls, s.data() + 64 * k));
    for (const Implementation& v : Vectors()) {
      INFO(v.name);
      v.class_masks(cls, s.data(), blocks, b.data());
      CHECK(a == b);
    }
    ClassMasks(cls, s.data(), blocks, b.data());  // the dispatched one
    CHECK(a == b);
  }
}

TEST_CASE("byte masks: every implementation agrees; ForEachByte finds every occurrence") {
  std::string s = RandomBlocks(40, 11);
  const size_t blocks = 40;
  for (char c : {'@', '.', '\0', '\xEF'}) {
    std::vector<uint64_t> a(blocks), b(blocks);
    kSse2.byte_masks(c, s.data(), blocks, a.data());
    for (size_t k = 0; k < blocks; ++k) {
      uint64_t want = 0;
      for (int i = 0; i < 64; ++i) want |= uint64_t{s[64 * k + i] == c} << i;
      REQUIRE(a[k] == want);
    }
    for (const Implementation& v : Vectors()) {
      INFO(v.name);
      v.byte_masks(c, s.data(), blocks, b.data());
      CHECK(a == b);
    }
    // Every length around the block and group edges: the tail is padded with bytes that
    // never match, NUL included.
    for (size_t n : {size_t{0}, size_t{1}, size_t{63}, size_t{64}, size_t{65}, size_t{2047}, size_t{2048},
                     size_t{2049}, s.size()}) {
      std::vector<size_t> got, want;
      ForEachByte(s.data(), n, c, [&](size_t i) { got.push_back(i); });
      for (size_t i = 0; i < n; ++i)
        if (s[i] == c) want.push_back(i);
      INFO("byte " << int(c) << ", n = " << n);
      CHECK(got == want);
    }
  }
}

TEST_CASE("class and case masks: every implementation agrees with the class table") {
  std::string s = RandomBlocks(40, 9);
  const size_t blocks = 40;
  std::vector<uint64_t> run(blocks), up(blocks), lo(blocks), run2(blocks), up2(blocks), lo2(blocks);
  kSse2.class_and_case_masks(kBase64, s.data(), blocks, run.data(), up.data(), lo.data());
  for (size_t k = 0; k < blocks; ++k) {
    const char* p = s.data() + 64 * k;
    uint64_t want_up = 0, want_lo = 0;
    for (int i = 0; i < 64; ++i) {
      want_up |= uint64_t{p[i] >= 'A' && p[i] <= 'Z'} << i;
      want_lo |= uint64_t{p[i] >= 'a' && p[i] <= 'z'} << i;
    }
    REQUIRE(run[k] == Reference(kBase64, p));
    REQUIRE(up[k] == want_up);
    REQUIRE(lo[k] == want_lo);
  }
  for (const Implementation& v : Vectors()) {
    INFO(v.name);
    v.class_and_case_masks(kBase64, s.data(), blocks, run2.data(), up2.data(), lo2.data());
    CHECK(run2 == run);
    CHECK(up2 == up);
    CHECK(lo2 == lo);
  }
}

TEST_CASE("class masks: the e-mail window") {
  std::string s = RandomBlocks(8, 11);
  for (size_t at = 64; at + 65 <= s.size(); at += 13) {
    EmailWindow w = kSse2.email_window(s.data(), at);
    const char* before = s.data() + at - 64;
    const char* after = s.data() + at + 1;
    REQUIRE(w.local == Reference(kLocal, before));
    REQUIRE(w.domain == Reference(kDomain, after));
    REQUIRE(w.letters == Reference(kAlpha, after));
    REQUIRE(w.local_dots == ByteMask64(before, '.'));
    REQUIRE(w.local_delims == (ByteMask64(before, '-') | ByteMask64(before, '_')));
    REQUIRE(w.dots == ByteMask64(after, '.'));
    REQUIRE(w.dashes == ByteMask64(after, '-'));
    for (const Implementation& vector : Vectors()) {
      INFO(vector.name);
      EmailWindow v = vector.email_window(s.data(), at);
      CHECK(v.local == w.local);
      CHECK(v.local_dots == w.local_dots);
      CHECK(v.local_delims == w.local_delims);
      CHECK(v.domain == w.domain);
      CHECK(v.dots == w.dots);
      CHECK(v.dashes == w.dashes);
      CHECK(v.letters == w.letters);
    }
  }
}

TEST_CASE("FindDigit reading ahead past its end agrees with a byte loop and stops at the end") {
  std::mt19937_64 rng(5);
  std::string s(300, ' ');
  for (char& c : s) c = rng() % 3 == 0 ? static_cast<char>('0' + rng() % 10) : "ab -.\x80"[rng() % 6];
  for (size_t i = 0; i < 200; ++i) {
    for (size_t n = i; n <= i + 40; ++n) {
      size_t want = i;
      while (want < n && !IsDigit(s[want])) ++want;
      INFO("i = " << i << ", n = " << n);
      REQUIRE(FindDigit(s.data(), i, n, s.size()) == want);
      REQUIRE(FindDigit(s.data(), i, n, n) == want);  // no reading ahead
    }
  }
}

TEST_CASE("FindQqLabel finds every QQ, 扣 and 鹅 opening, and no qq.com") {
  std::mt19937_64 rng(8);
  static const std::string kBytes = "qQ.1 \xE6\x89\xA3\xE9\xB9\x85x";
  std::string s(400, ' ');
  for (char& c : s) c = kBytes[rng() % kBytes.size()];
  s += "wang@qq.com QQ:12345 \xE6\x89\xA3\xE6\x89\xA3 \xE4\xBC\x81\xE9\xB9\x85\xE5\x8F\xB7";
  for (size_t i = 0; i < s.size(); ++i) {
    for (size_t n : {s.size(), i + 2, i + 3, i + 17, i + 18, i + 40}) {
      if (n > s.size()) continue;
      size_t want = i;
      while (want + 3 <= n && !OpensQqLabel(s.data(), want, n)) ++want;
      if (want + 3 > n) want = n;
      INFO("i = " << i << ", n = " << n);
      REQUIRE(FindQqLabel(s.data(), i, n) == want);
    }
  }
  CHECK(!OpensQqLabel("qq.com", 0, 6));
  CHECK(OpensQqLabel("QQ:1", 0, 4));
  CHECK(OpensQqLabel("qQ\xE5", 0, 3));
}

TEST_CASE("FindAtTokenOpen finds every bracket an at token may follow") {
  std::mt19937_64 rng(9);
  static const std::string kBytes = "[({aA@ x)]}";
  std::string s(400, ' ');
  for (char& c : s) c = kBytes[rng() % kBytes.size()];
  s += "name [at] x (AT) y { @ } z [  at] (x";
  for (size_t i = 0; i <= s.size(); ++i) {
    for (size_t n : {s.size(), i + 1, i + 2, i + 3, i + 17, i + 18, i + 40}) {
      if (n > s.size() || i > n) continue;
      size_t want = i;
      while (want < n && !MayOpenAtToken(s.data(), want, n)) ++want;
      INFO("i = " << i << ", n = " << n);
      REQUIRE(FindAtTokenOpen(s.data(), i, n) == want);
    }
  }
  CHECK(MayOpenAtToken("[at]", 0, 4));
  CHECK(MayOpenAtToken("(  @ )", 0, 6));
  CHECK(!MayOpenAtToken("(x)", 0, 3));
  CHECK(!MayOpenAtToken("(", 0, 1));
}

TEST_CASE("ForEachRun: every maximal run of the minimum length, across groups and the tail") {
  std::mt19937_64 rng(3);
  for (size_t n : {size_t{0}, size_t{1}, size_t{63}, size_t{64}, size_t{65}, size_t{2047}, size_t{2048}, size_t{2049},
                   size_t{5000}}) {
    std::string s(n, 'x');
    for (char& c : s) c = rng() % 7 == 0 ? ' ' : static_cast<char>('0' + rng() % 10);
    // Long runs that cross block and group edges.
    if (n > 2100) std::fill(s.begin() + 2000, s.begin() + 2100, '7');
    std::vector<std::pair<size_t, size_t>> got, want;
    ForEachRun<kDigit, 5>(s.data(), n, [&](size_t b, size_t e) { got.emplace_back(b, e); });
    for (size_t i = 0; i < n;) {
      if (!IsDigit(s[i])) {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < n && IsDigit(s[j])) ++j;
      if (j - i >= 5) want.emplace_back(i, j);
      i = j;
    }
    INFO("n = " << n);
    CHECK(got == want);
  }
}

TEST_CASE("DigitRunEnd: the end of the digit run at every start, at every length") {
  std::mt19937_64 rng(13);
  std::string s(300, ' ');
  for (char& c : s) c = rng() % 5 == 0 ? "a/:\x80 "[rng() % 5] : static_cast<char>('0' + rng() % 10);
  std::fill(s.begin() + 100, s.begin() + 140, '5');  // a run longer than a vector
  for (size_t n = 0; n <= s.size(); n += 7) {
    for (size_t i = 0; i <= n; ++i) {
      size_t want = i;
      while (want < n && IsDigit(s[want])) ++want;
      REQUIRE(DigitRunEnd(s.data(), i, n) == want);
    }
  }
}

TEST_CASE("ForEachMixedCaseRun: the long runs with both letter cases, across groups and the tail") {
  std::mt19937_64 rng(5);
  for (size_t n : {size_t{0}, size_t{14}, size_t{63}, size_t{64}, size_t{65}, size_t{127}, size_t{2047}, size_t{2048},
                   size_t{2049}, size_t{6000}}) {
    for (int round = 0; round < 4; ++round) {
      // Runs of every length around 14 of lower case, digits and '+', with an upper-case
      // letter in some; spans of a single case that cross blocks and groups.
      std::string s(n, ' ');
      for (size_t i = 0; i < n;) {
        size_t len = rng() % 4 == 0 ? rng() % 200 : rng() % 20;
        bool upper = rng() % 3 == 0;
        for (size_t k = 0; k < len && i < n; ++k, ++i) {
          const char* alphabet = "abcxyz0189+/_-";
          s[i] = alphabet[rng() % 14];
          if (upper && rng() % (len + 1) == 0) s[i] = static_cast<char>('A' + rng() % 26);
        }
        if (i < n) s[i++] = rng() % 2 ? ' ' : '.';
      }
      std::vector<std::pair<size_t, size_t>> got, want, got_long, want_long;
      ForEachMixedCaseRun<kBase64, 14>(s.data(), n, [&](size_t b, size_t e) { got.emplace_back(b, e); });
      // With a second callback: the same, and every run of 32 or more whatever its case.
      std::vector<std::pair<size_t, size_t>> got_too;
      ForEachMixedCaseRun<kBase64, 14, 32>(
          s.data(), n, [&](size_t b, size_t e) { got_too.emplace_back(b, e); },
          [&](size_t b, size_t e) { got_long.emplace_back(b, e); });
      for (size_t i = 0; i < n;) {
        if (!Is(kBase64, s[i])) {
          ++i;
          continue;
        }
        size_t j = i;
        bool up = false, lo = false;
        for (; j < n && Is(kBase64, s[j]); ++j) {
          up |= s[j] >= 'A' && s[j] <= 'Z';
          lo |= s[j] >= 'a' && s[j] <= 'z';
        }
        if (j - i >= 14 && up && lo) want.emplace_back(i, j);
        if (j - i >= 32) want_long.emplace_back(i, j);
        i = j;
      }
      INFO("n = " << n << ", round " << round);
      CHECK(got == want);
      CHECK(got_too == want);
      CHECK(got_long == want_long);
    }
  }
}

}  // namespace
}  // namespace lw::scan

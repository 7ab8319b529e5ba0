#include "base/identifier.h"

#include <catch2/catch.hpp>

using lw::IdKind;
using lw::InputKind;
using lw::Normalizer;

namespace {
std::string Email(std::string_view s) {
  auto r = Normalizer().Email(s);
  return r ? *r : "ERR: " + r.error().message;
}
std::string Phone(std::string_view s, std::string region = "CN") {
  auto r = Normalizer({.default_region = region}).Phone(s);
  return r ? *r : "ERR";
}
}  // namespace

TEST_CASE("emails: case, whitespace, NFKC, IDN") {
  CHECK(Email("  Li.Wei@ICloud.COM \r\n") == "li.wei@icloud.com");
  CHECK(Email("user+tag@QQ.com") == "user+tag@qq.com");
  CHECK(Email("ＵＳＥＲ＠ｅｘａｍｐｌｅ．ｃｏｍ") == "user@example.com");  // fullwidth, NFKC
  CHECK(Email("wang@例子.中国") == "wang@xn--fsqu00a.xn--fiqs8s");
  CHECK(Email("Wang@BÜCHER.de") == "wang@xn--bcher-kva.de");
  CHECK(Email("ÄBC@example.com") == "äbc@example.com");
  CHECK(Email("a@qq.com.cn") == "a@qq.com.cn");
}

TEST_CASE("emails: invalid inputs are rejected") {
  for (const char* bad : {"", "   ", "noatsign", "@icloud.com", "a@", "a@b", "a..b@qq.com", ".a@qq.com",
                          "a.@qq.com", "a b@qq.com", "a@-qq.com", "a@qq..com", "a@qq.123", "a@q_q.com",
                          "a@@qq.com", "\xff\xfe@qq.com"}) {
    INFO(bad);
    CHECK(!Normalizer().Email(bad));
  }
  CHECK(!Normalizer().Email(std::string(65, 'a') + "@qq.com"));
}

TEST_CASE("emails: the top-level label must be a public suffix") {
  for (const char* bad : {"a@host.local", "a@b.notatld", "root@server.lan", "a@example.invalid", "a@x.test"}) {
    INFO(bad);
    CHECK(Email(bad) == "ERR: domain does not end in a public suffix (Public Suffix List)");
    CHECK(!lw::IsValidAsciiEmail(bad));
    CHECK(lw::IsValidAsciiEmailSyntax(bad));
  }
  for (const char* good : {"a@mail.co.uk", "a@qq.com", "a@example.xyz", "a@b.top", "a@b.xn--fiqs8s", "a@b.onion"}) {
    INFO(good);
    CHECK(lw::IsValidAsciiEmail(good));
  }
}

TEST_CASE("phones: Chinese forms to E.164") {
  for (const char* form : {"+8613812345678", "+86 138 1234 5678", "008613812345678", "0086-138-1234-5678",
                           "86-13812345678", "8613812345678", "13812345678", "138 1234 5678",
                           "138-1234-5678", "(+86) 138 1234 5678", "+86 (138) 1234-5678", "138.1234.5678",
                           "１３８１２３４５６７８"}) {
    INFO(form);
    CHECK(Phone(form) == "+8613812345678");
  }
  CHECK(Phone("010-12345678") == "+861012345678");
}

TEST_CASE("phones: other regions and invalid numbers") {
  CHECK(Phone("+1 (415) 555-2671") == "+14155552671");
  CHECK(Phone("(415) 555-2671", "US") == "+14155552671");
  CHECK(Phone("+44 20 7946 0958") == "+442079460958");
  for (const char* bad : {"", "12345", "1381234567", "138123456789", "+86 000 0000 0000", "abc", "138-1234-567x",
                          "+1 555"}) {
    INFO(bad);
    CHECK(Phone(bad) == "ERR");
  }
}

TEST_CASE("lookup form of phone candidates agrees with enrollment") {
  Normalizer n;
  std::string e164;
  for (const char* form : {"+86 138 1234 5678", "0086 13812345678", "13812345678", "8613812345678", "010-12345678",
                           "+1 415 555 2671", "+86 10 1234 5678", "0044 20 7946 0958", "(+86) 138-1234-5678"}) {
    INFO(form);
    REQUIRE(n.PhoneForLookup(form, &e164));
    CHECK(e164 == *n.Phone(form));
  }
  // 5..17 digits; a '+' counts only before the first digit.
  CHECK(!n.PhoneForLookup("1234", &e164));
  CHECK(!n.PhoneForLookup("123456789012345678", &e164));
  REQUIRE(n.PhoneForLookup("+12345678901234567", &e164));
  CHECK(e164 == "+12345678901234567");
  REQUIRE(n.PhoneForLookup("138+12345678", &e164));
  CHECK(e164 == "+8613812345678");
}

TEST_CASE("auto and apple_id detect the kind") {
  Normalizer n;
  auto e = n.Normalize("Li@Me.com", InputKind::kAppleId);
  REQUIRE(e);
  CHECK(e->kind == IdKind::kEmail);
  auto p = n.Normalize("13812345678", InputKind::kAuto);
  REQUIRE(p);
  CHECK(p->kind == IdKind::kPhone);
  CHECK(!n.Normalize("13812345678", InputKind::kEmail));
  CHECK(!n.Normalize("a@b.com", InputKind::kPhone));
}

TEST_CASE("hints reveal little") {
  CHECK(lw::Hint({IdKind::kEmail, "liwei12345678@icloud.com"}) == "l***********8@icloud.com");
  CHECK(lw::Hint({IdKind::kEmail, "ab@qq.com"}) == "a*@qq.com");
  CHECK(lw::Hint({IdKind::kEmail, "a@qq.com"}) == "*@qq.com");
  CHECK(lw::Hint({IdKind::kEmail, "王小明@qq.com"}) == "王*明@qq.com");
  CHECK(lw::Hint({IdKind::kEmail, "王明@qq.com"}) == "王*@qq.com");
  CHECK(lw::Hint({IdKind::kPhone, "+8613812345678"}) == "+86*********78");
  CHECK(lw::Hint({IdKind::kPhone, "+14155552671"}) == "+1********71");
}

#include <phonenumbers/phonenumberutil.h>

#include <random>

TEST_CASE("Chinese mobile fast path agrees with libphonenumber") {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  Normalizer n;
  std::mt19937_64 rng(2026);
  int valid = 0, invalid = 0;
  for (int i = 0; i < 20000; ++i) {
    // Half spread over every range, half concentrated on few prefixes (memo hits).
    uint64_t number = i % 2 ? 13000000000ULL + rng() % 7000000000ULL : 17400000000ULL + rng() % 100000000ULL;
    std::string digits = std::to_string(number);
    PhoneNumber parsed;
    REQUIRE(util.Parse(digits, "CN", &parsed) == PhoneNumberUtil::NO_PARSING_ERROR);
    bool expected = util.IsValidNumber(parsed);
    INFO(digits);
    CHECK(n.Phone(digits).has_value() == expected);
    CHECK(n.Phone("+86 " + digits).has_value() == expected);
    (expected ? valid : invalid)++;
  }
  CHECK(valid > 1000);
  CHECK(invalid > 1000);
}
